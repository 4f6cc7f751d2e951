#include <catch2/catch.hpp>

#include <date/tz.h>

#include "engine/app/campaign_input.hpp"

using namespace passage;

namespace {

Config two_stack_config() {
  Config config;
  config.zone = date::locate_zone("Europe/Paris");
  config.lead = CalendarSpan{1, SpanUnit::month};
  config.export_.delivery = "archive";
  StackConfig academy;
  academy.name = "academy";
  academy.domains = {"*.academy.example"};
  StackConfig dry;
  dry.name = "dry";
  dry.backend = "dry-run";
  dry.domains = {"*.dry.example"};
  config.stacks = {academy, dry};
  return config;
}

AccountRow row_for(const std::string& domain, date::year_month_day departure) {
  AccountRow row;
  row.login = "x";
  row.domain = domain;
  row.departure_date = departure;
  return row;
}

}  // namespace

TEST_CASE("new accounts made for a whole file are those new_account makes, row by row",
          "[campaign-input][import-pass]") {
  // Every day of three years (two changes of summer time each), on two
  // stacks, with `now` in the middle: due `lead` before the departure,
  // midnight in Paris, or now when that is past; the same date asked
  // again gives the same due time.
  const Config config = two_stack_config();
  const Instant now = date::sys_days{date::year{2026} / 10 / 25} + std::chrono::hours(1) + std::chrono::milliseconds(5);
  NewAccountMaker make(config, now);
  int rows = 0, past = 0;
  for (int round = 0; round < 2; ++round) {
    for (date::sys_days day = date::year{2025} / 12 / 1; day < date::sys_days{date::year{2028} / 12 / 1};
         day += date::days{1}) {
      for (const char* domain : {"a.academy.example", "b.dry.example"}) {
        const AccountRow row = row_for(domain, date::year_month_day{day});
        const NewAccount expected = new_account(config, row, now);
        const NewAccount made = make(row);
        REQUIRE(made.due_at == expected.due_at);
        REQUIRE(made.stack == expected.stack);
        REQUIRE(made.delivery == "archive");
        REQUIRE(made.row.domain == domain);
        ++rows;
        past += made.due_at == now ? 1 : 0;
      }
    }
  }
  CHECK(rows == 2 * 2 * 1096);
  CHECK(past > 0);
}
