// The campaign reports as `passage report` writes them from a database
// (csv, json, html in French and English), pinned byte for byte by golden
// files written by the in-memory code they replaced: a report read from a
// cursor must say exactly what the report holding every account said.
// Set PASSAGE_UPDATE_GOLDEN=1 to rewrite the files after a deliberate change.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "engine/lifecycle/lifecycle.hpp"
#include "engine/store/store.hpp"
#include "plugins/reporters/campaign_report.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passage;
namespace fs = std::filesystem;

namespace {

const fs::path k_golden = PASSAGE_SOURCE_DIR "/tests/unit/golden";

Instant at(unsigned month, unsigned day, int hours, int minutes = 0) {
  return Instant(date::sys_days(date::year(2026) / month / day)) + std::chrono::hours(hours) +
         std::chrono::minutes(minutes);
}

const Instant k_generated = at(11, 25, 10);

NewAccount new_account(const std::string& login, Action action = Action::export_, bool admin_move = false) {
  NewAccount account;
  account.row.login = login;
  account.row.domain = "u" + std::to_string(login.size()) + login.substr(login.size() - 2) + ".cozy.example";
  account.row.action = action;
  account.row.email = "person@example.org";
  account.row.reason = "left; \"quoted\"\nline";
  if (action == Action::move) {
    account.row.target = "https://elsewhere.example/" + login;
    account.row.target_host = "elsewhere.example";
    account.row.admin_move = admin_move;
  }
  account.row.departure_date = date::year(2026) / 10 / 1;
  account.stack = "main";
  account.due_at = at(11, 19, 8);
  return account;
}

// Commits `id` to `state` at `when`, journaled "FROM -> TO" (as the runner
// and the support desk write it) under `kind`, after `edit` set its fields.
void move_to(Store& store, std::int64_t id, State state, Instant when,
             const std::function<void(Account&)>& edit = {}, const std::string& kind = "state") {
  Account before = *store.account(id);
  Transition transition{before, {}, kind,
                        std::string(to_string(before.state)) + " -> " + std::string(to_string(state)) + ": test"};
  transition.next.state = state;
  if (edit) edit(transition.next);
  REQUIRE(store.commit(before, transition, when, "test"));
}

Evidence exported_parts(const std::string& export_id) {
  return {"export", export_id, {{0, 1234567, 12, std::string(64, 'a'), {}}, {1, 1000, 3, std::string(64, 'b'), {}}},
          {}, {}};
}

// A campaign of every kind of account, its changes journaled day after
// day, one journaled out of clock order and one after the report's own
// time; and before it, a campaign whose entries the report must ignore.
std::int64_t varied_campaign(Store& store) {
  const std::int64_t other = store.create_campaign("other", "other.csv", {new_account("o0001")}, at(11, 10, 8), "test");
  const std::int64_t outsider = store.accounts_of(other).front().id;
  move_to(store, outsider, State::exporting, at(11, 11, 9));
  move_to(store, outsider, State::failed, at(11, 12, 9), [](Account& a) { a.state_reason = "other campaign"; });

  std::vector<NewAccount> accounts;
  for (const char* login : {"u0001", "u0002", "<b>=SUM(A1);\"q\"</b>", "u0004", "u0005", "u0006", "u0007", "u0008",
                            "u0009", "u0010"})
    accounts.push_back(new_account(login));
  accounts[3] = new_account("u0004", Action::move, true);
  accounts[4] = new_account("u0005", Action::move, false);
  const std::int64_t campaign = store.create_campaign("rentrée 2026", "accounts.csv", accounts, at(11, 19, 8), "test");
  std::vector<std::int64_t> ids;
  for (const Account& account : store.accounts_of(campaign)) ids.push_back(account.id);
  const std::int64_t exports[] = {ids[0], ids[1]};

  move_to(store, ids[9], State::exporting, at(11, 18, 9));  // before the import's own day
  for (std::int64_t id : exports) move_to(store, id, State::exporting, at(11, 20, 9));
  move_to(store, ids[3], State::moving, at(11, 20, 9));
  move_to(store, ids[4], State::invited, at(11, 20, 9));
  for (std::int64_t id : exports) move_to(store, id, State::verifying, at(11, 20, 11));
  for (std::int64_t id : exports)
    move_to(store, id, State::verified, at(11, 21, 8), [&](Account& a) {
      a.verified_at = at(11, 21, 8);
      a.evidence = exported_parts("exp-" + std::to_string(id));
    });
  move_to(store, ids[5], State::retry_wait, at(11, 21, 9), [](Account& a) {
    a.retry_step = State::queued;
    a.state_reason = "http 502";
  });
  move_to(store, ids[2], State::held, at(11, 21, 14), [](Account& a) {
    a.held_from = State::queued;
    a.hold_reasons = {"support: <i>asked</i> & waiting"};
    a.state_reason = "support: <i>asked</i> & waiting";
  }, "support");
  for (std::int64_t id : exports)
    move_to(store, id, State::notified, at(11, 22, 8), [](Account& a) { a.told_deletion_date = date::year(2026) / 12 / 23; });
  move_to(store, ids[3], State::verified, at(11, 22, 9), [](Account& a) {
    a.verified_at = at(11, 22, 9);
    a.evidence = {"moved", "", {}, {}, {}};
  });
  move_to(store, ids[4], State::exporting, at(11, 22, 9), [](Account& a) { a.fallback_export = true; });
  move_to(store, ids[6], State::held, at(11, 22, 9), [](Account& a) {
    a.held_from = State::queued;
    a.hold_reasons = {"directory_active"};
    a.state_reason = "directory_active";
  });
  for (std::int64_t id : exports)
    move_to(store, id, State::grace, at(11, 23, 8), [](Account& a) { a.grace_end = at(12, 23, 8); });
  move_to(store, ids[3], State::grace, at(11, 23, 9), [](Account& a) { a.grace_end = at(12, 23, 9); });
  move_to(store, ids[4], State::failed, at(11, 23, 9), [](Account& a) { a.state_reason = "Couldn't connect to server"; });
  move_to(store, ids[0], State::purge_due, at(11, 24, 20));
  move_to(store, ids[0], State::purged, at(11, 24, 23, 30), [](Account& a) {
    a.purged_at = at(11, 24, 23, 30);
    a.purge_kind = "deleted";
  });
  move_to(store, ids[9], State::grace, at(11, 25, 9) + std::chrono::milliseconds(19),
          [](Account& a) { a.grace_end = at(12, 25, 9); });
  move_to(store, ids[9], State::held, at(11, 25, 9), [](Account& a) {  // journaled after, though earlier
    a.held_from = State::grace;
    a.hold_reasons = {"dropped_from_list"};
    a.state_reason = "dropped_from_list";
  }, "support");
  move_to(store, ids[8], State::cancelled, at(12, 1, 9), {}, "support");  // after the report's time
  // ids[7] stays QUEUED: only its import is journaled.
  return campaign;
}

Config config_in(const std::string& language) {
  Config config;
  config.zone = date::locate_zone("Europe/Paris");
  config.notify.language = language;
  return config;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The golden file's text; rewritten from `actual` under PASSAGE_UPDATE_GOLDEN.
std::string golden(const std::string& name, const std::string& actual) {
  const fs::path path = k_golden / name;
  if (std::getenv("PASSAGE_UPDATE_GOLDEN")) std::ofstream(path, std::ios::binary) << actual;
  return read_file(path);
}

// The report as the command writes it.
std::string report(Store& store, const std::string& format, const Config& config, char separator = ';') {
  std::ostringstream out;
  write_campaign_report(store, *store.find_campaign("rentrée 2026"), k_generated, config, format, separator, out);
  return out.str();
}

}  // namespace

TEST_CASE("a campaign's reports read from the database say byte for byte what the in-memory reports said",
          "[report][stream]") {
  passage::testing::TempDir dir("passage-report-stream");
  Store store(dir.path() / "passage.db");
  varied_campaign(store);
  const Config french = config_in("fr");
  CHECK(report(store, "csv", french) == golden("report.csv", report(store, "csv", french)));
  CHECK(report(store, "csv", french, '\t') ==
        golden("report.tab.csv", report(store, "csv", french, '\t')));
  CHECK(report(store, "json", french) == golden("report.json", report(store, "json", french)));
  CHECK(report(store, "html", french) == golden("report.html", report(store, "html", french)));
  const Config english = config_in("en");
  CHECK(report(store, "html", english) ==
        golden("report.en.html", report(store, "html", english)));
}
