// What a corrected list changes (engine/app/list_change.hpp): added,
// dropped and changed accounts, matched by domain.

#include <catch2/catch.hpp>

#include "engine/app/list_change.hpp"

using namespace passage;

namespace {

date::year_month_day day(int y, unsigned m, unsigned d) {
  return date::year_month_day{date::year{y}, date::month{m}, date::day{d}};
}

AccountRow row(const std::string& login) {
  AccountRow row;
  row.login = login;
  row.domain = login + ".cozy.example";
  row.email = login + "@example.org";
  row.departure_date = day(2026, 10, 1);
  return row;
}

Account account(const std::string& login, State state = State::queued) {
  Account account;
  AccountRow from = row(login);
  account.login = from.login;
  account.domain = from.domain;
  account.email = from.email;
  account.departure_date = from.departure_date;
  account.state = state;
  return account;
}

}  // namespace

TEST_CASE("a corrected list is compared by domain: added, dropped, changed", "[list_change]") {
  std::vector<Account> current{account("a"), account("b"), account("c"), account("d"),
                               account("old", State::purged)};
  std::vector<AccountRow> rows{row("a"), row("b"), row("c"), row("e"), row("old")};
  rows[1].departure_date = day(2026, 12, 1);
  rows[2].email = "c@new.example.org";
  rows[2].action = Action::move;
  rows[2].target = "https://c.elsewhere.example";

  ListChange change = compare_list(current, rows);
  CHECK(change.current == 4);
  REQUIRE(change.added.size() == 1);
  CHECK(change.added[0].login == "e");
  REQUIRE(change.dropped.size() == 1);
  CHECK(change.dropped[0].login == "d");
  REQUIRE(change.changed.size() == 2);
  CHECK(change.changed[0].account.login == "b");
  CHECK(change.changed[0].fields == std::vector<std::string>{"departure_date 2026-10-01 -> 2026-12-01"});
  CHECK(change.changed[1].account.login == "c");
  CHECK(change.changed[1].fields ==
        std::vector<std::string>{"email c@example.org -> c@new.example.org",
                                 "target (none) -> https://c.elsewhere.example", "action export -> move"});
  CHECK(change.fraction() == Approx(4.0 / 4.0));
}

TEST_CASE("the same list changes nothing, a finished account is never changed", "[list_change]") {
  std::vector<Account> current{account("a"), account("b", State::cancelled)};
  std::vector<AccountRow> rows{row("a"), row("b")};
  rows[1].email = "b@new.example.org";
  ListChange change = compare_list(current, rows);
  CHECK(change.added.empty());
  CHECK(change.dropped.empty());
  CHECK(change.changed.empty());
  CHECK(change.current == 1);
  CHECK(change.fraction() == 0.0);
}

TEST_CASE("an e-mail written in another case is not a change", "[list_change]") {
  std::vector<Account> current{account("a")};
  std::vector<AccountRow> rows{row("a")};
  rows[0].email = "A@Example.ORG";
  CHECK(compare_list(current, rows).changed.empty());
}

TEST_CASE("an account held as dropped is not dropped again, and is listed again when the list has it",
          "[list_change]") {
  std::vector<Account> current{account("a", State::held), account("b", State::held), account("c", State::held)};
  current[0].hold_reasons = {"dropped_from_list"};
  current[1].hold_reasons = {"dropped_from_list"};
  current[2].hold_reasons = {"support"};
  std::vector<AccountRow> rows{row("a")};
  ListChange change = compare_list(current, rows);
  REQUIRE(change.relisted.size() == 1);
  CHECK(change.relisted[0].login == "a");
  REQUIRE(change.dropped.size() == 1);
  CHECK(change.dropped[0].login == "c");
  CHECK(change.changed.empty());
  CHECK(change.fraction() == Approx(1.0 / 3.0));
}
