// Attacks on the purge's read-back of a DELETE left without outcome
// (engine/sched/purge.cpp read_back_open_delete), through the release
// binary against passage-cozy-sim. Each case reproduced a defect (found by
// an attack on the change), fixed since.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <functional>
#include <random>

#include "tests/integration/grace_stand.hpp"

using namespace passage::testing;
using namespace passage::testing::grace;

namespace {

std::string domain_of(int n) { return login_of(n) + ".mytoutatice.cloud"; }

std::int64_t patches(const CozySim& sim) { return route_count(sim.stats(), "PATCH /instances/:domain"); }

Options one_account() {
  Options options;
  options.accounts = 1;
  options.extra = "idle_horizon: 2 seconds\n";
  return options;
}

// One departed account, both clocks past its grace end.
void one_due(Stand& s) {
  s.run();
  REQUIRE(account_states(s.ws).at(login_of(1)) == "GRACE");
  s.advance(days(40));
}

std::int64_t journal_count(const Workspace& ws, const std::string& kind) {
  Db db(ws.database());
  return db.scalar("SELECT COUNT(*) FROM journal WHERE kind = '" + kind + "'");
}

std::string latest_delete_outcome(const Workspace& ws) {
  Db db(ws.database());
  auto rows = db.rows("SELECT COALESCE(outcome, '') FROM intents WHERE kind = 'delete' ORDER BY id DESC LIMIT 1");
  return rows.empty() ? "" : rows[0][0];
}

}  // namespace

// A DELETE that times out is one the stack's Destroy runs past
// delete_timeout; the purge that gave up on it waited delete_timeout
// itself, so its intent is already older than delete_timeout when that
// purge exits 7. An operator (or a timer) running the purge again at once
// must still not act while that Destroy may be running: no PATCH of the
// flag in the middle of the clean-up, no second DELETE.
TEST_CASE("attack: a purge run again right after a night whose DELETE timed out sends no PATCH and no second "
          "DELETE while the stack's Destroy still runs",
          "[attack][deletion-safety][purge][delete-hang]") {
  Stand s(one_account());
  one_due(s);
  set_delete_timeout(s, "2 seconds");
  // A 12 s Destroy: `deleting` set for its first 6 s (clean-up), then the databases go.
  s.sim->put_faults(R"({"delete_hang":{"rate":1,"ms":12000}})");
  const auto started = std::chrono::steady_clock::now();
  const ProcessResult night = s.purge();
  INFO(night.out << night.err);
  REQUIRE(night.exit_code == 7);
  REQUIRE(open_delete_intents(s.ws) == 1);
  s.sim->clear_faults();

  // The operator runs it again at once: the real clock moved on by what
  // the first purge took (its own wait of delete_timeout included).
  const auto took = std::chrono::duration_cast<seconds>(std::chrono::steady_clock::now() - started);
  s.advance(took + seconds(1));
  const ProcessResult again = s.purge();
  INFO(again.out << again.err);
  // The first Destroy was still running when the second purge ended.
  CHECK(s.sim->call("GET", "/instances/" + domain_of(1)).status == 200);
  CHECK(patches(*s.sim) == 0);
  CHECK(purge_listed(latest_purge_report(s.ws), "deferred").count(login_of(1)) == 1);

  // Observed: the read-back took the running clean-up for a failed one,
  // PATCHed Deleting=false under it and sent a second DELETE, which
  // cozy-stack then runs as a second Destroy beside the first.
  CHECK(journal_count(s.ws, "deleting_flag_repaired") == 0);
}

// The same read-back, once the Destroy has cleared `deleting` and removes
// the databases (before io.cozy.files): taken for a DELETE that did not
// happen, so the hold the desk kept pending is applied, and the stack then
// finishes deleting a space Passage records HELD. No later purge looks at
// a HELD account: it stays HELD, the person never told, the desk believing
// the space kept.
TEST_CASE("attack: a hold kept pending is not applied by a purge run again right after a DELETE timeout "
          "while the stack's Destroy removes the databases",
          "[attack][deletion-safety][purge][delete-hang][support]") {
  Options options = one_account();
  options.sim_flags = {"--delete-cleanup-share", "0.1"};
  Stand s(options);
  one_due(s);
  set_delete_timeout(s, "2 seconds");
  // A 40 s Destroy: `deleting` set for 4 s, then 36 s of removal
  // (io.cozy.files, the fourth database, goes after 9 s of it).
  s.sim->put_faults(R"({"delete_hang":{"rate":1,"ms":40000}})");
  const auto started = std::chrono::steady_clock::now();
  Stand::require_exit(s.purge(), 7);
  REQUIRE(open_delete_intents(s.ws) == 1);
  s.sim->clear_faults();
  CHECK(s.passage({"account", "hold", login_of(1), "--reason", "asked by the person", "--by", "jane"}).exit_code == 2);
  REQUIRE(wait_until([&] { return !s.sim->instance_attributes(domain_of(1)).contains("deleting"); }, Millis(10000)));

  const auto took = std::chrono::duration_cast<seconds>(std::chrono::steady_clock::now() - started);
  s.advance(took + seconds(1));
  const ProcessResult again = s.purge();
  INFO(again.out << again.err);
  REQUIRE(s.sim->call("GET", "/instances/" + domain_of(1) + "/disk-usage").status == 200);  // files not reached yet
  CHECK(account_states(s.ws).at(login_of(1)) != "HELD");

  // The stack ends its deletion: the space is gone.
  REQUIRE(wait_until([&] { return s.sim->call("GET", "/instances/" + domain_of(1)).status == 404; },
                     Millis(60000)));
  s.advance(days(1));
  const ProcessResult later = s.purge();
  INFO(later.out << later.err);
  CHECK(account_states(s.ws).at(login_of(1)) == "PURGED");
}

// README "A DELETE without an answer": once delete_timeout has passed,
// "`io.cozy.files` gone is a removal stopped midway (deleted again)"; a
// pending hold applies only to a clean-up that failed (flag still set) or
// to a DELETE that did not happen. Here the DELETE happened: the space's
// files and eight of its databases are gone. Holding it keeps a
// half-destroyed space (the desk was told the hold applies only "if it
// does not happen").
TEST_CASE("attack: a hold kept pending behind an unanswered DELETE that removed io.cozy.files is not applied: "
          "the half-deleted space is deleted again",
          "[attack][deletion-safety][purge][delete-hang][support]") {
  Stand s(one_account());  // seed 1: the removal of u0001 stops after 8 databases (files gone, oauth.clients not)
  one_due(s);
  set_delete_timeout(s, "2 seconds");
  s.sim->put_faults(R"({"delete_hang":{"rate":1,"ms":4000},"delete_half":1})");
  Stand::require_exit(s.purge(), 7);
  REQUIRE(open_delete_intents(s.ws) == 1);
  const ProcessResult hold =
      s.passage({"account", "hold", login_of(1), "--reason", "asked by the person", "--by", "jane"});
  INFO(hold.err);
  CHECK(hold.exit_code == 2);  // kept pending: "if it does not happen, the account is held"
  REQUIRE(wait_until([&] { return stat(s.sim->stats(), "deletions_half_done") == 1; }, Millis(15000)));
  s.sim->clear_faults();
  REQUIRE(s.sim->call("GET", "/instances/" + domain_of(1)).status == 200);
  REQUIRE(s.sim->call("GET", "/instances/" + domain_of(1) + "/disk-usage").status == 404);

  s.advance(days(1));
  const ProcessResult next = s.purge();
  INFO(next.out << next.err);
  CHECK(account_states(s.ws).at(login_of(1)) == "PURGED");
  CHECK(s.deletions() == 1);
}

// A removal that stopped before io.cozy.files (DeleteAllDBs goes in
// _all_dbs order: accounts, apps, contacts, files...) left the person's
// files intact; no admin route reads the databases it removed. The hold
// the desk kept pending protects those files: it applies, and the intent
// says what was seen (the files there), not that nothing happened.
TEST_CASE("attack: an unanswered DELETE whose removal stopped before io.cozy.files: the files are intact, "
          "the hold kept pending applies and the intent says what was seen",
          "[attack][deletion-safety][purge][delete-hang][support]") {
  Options options = one_account();
  options.sim_flags = {"--seed", "2"};  // the removal of u0001 stops after 2 databases (accounts, apps)
  Stand s(options);
  one_due(s);
  set_delete_timeout(s, "2 seconds");
  s.sim->put_faults(R"({"delete_hang":{"rate":1,"ms":4000},"delete_half":1})");
  Stand::require_exit(s.purge(), 7);
  REQUIRE(open_delete_intents(s.ws) == 1);
  CHECK(s.passage({"account", "hold", login_of(1), "--reason", "asked by the person", "--by", "jane"}).exit_code == 2);
  REQUIRE(wait_until([&] { return stat(s.sim->stats(), "deletions_half_done") == 1; }, Millis(15000)));
  s.sim->clear_faults();
  REQUIRE(s.sim->call("GET", "/instances/" + domain_of(1) + "/disk-usage").status == 200);

  s.advance(days(1));
  const ProcessResult next = s.purge();
  INFO(next.out << next.err);
  CHECK(latest_delete_outcome(s.ws) == "not_deleted (instance and its files still there)");
  CHECK(account_states(s.ws).at(login_of(1)) == "HELD");
  CHECK(s.sim->call("GET", "/instances/" + domain_of(1) + "/disk-usage").status == 200);
  CHECK(s.deletions() == 0);
}

// The count of "for the next nights" (report "deferred") is set, not
// added to, when purge.max_per_run cuts the deletable accounts: the
// accounts waiting on a DELETE under way, counted just before, drop out of
// it while the list still names them.
TEST_CASE("attack: the purge report counts as deferred both a DELETE under way and the accounts over max_per_run",
          "[attack][purge][report]") {
  Options options = one_account();
  options.accounts = 3;
  options.max_per_run = 1;
  Stand s(options);
  s.run();
  s.advance(days(40));
  {
    // u0001's DELETE was just sent by a purge that was then killed.
    Db db(s.ws.database());
    db.exec("INSERT INTO intents (account_id, kind, key, created_at, domain) VALUES (1, 'delete', 'delete:" +
            domain_of(1) + ":1:1', '" + iso_utc(s.now) + "', '" + domain_of(1) + "')");
  }
  for (const bool dry_run : {true, false}) {
    const ProcessResult night = dry_run ? s.passage({"purge", "--dry-run"}) : s.purge();
    INFO(night.out << night.err);
    REQUIRE(night.exit_code == 0);
    // The report's path is the last line printed (a dry run's is named apart).
    const std::string printed = night.out.substr(0, night.out.find_last_not_of('\n') + 1);
    const auto report = boost::json::parse(read_file(printed.substr(printed.find_last_of('\n') + 1))).as_object();
    const auto listed = purge_listed(report, "deferred");
    CHECK(listed.size() == 2);  // u0001 under way, one over max_per_run
    CHECK(report.at("deferred").as_int64() == static_cast<std::int64_t>(listed.size()));
    CHECK(night.out.find("2 for the next nights") != std::string::npos);
  }
}

namespace {

// The parts kept for account n (archive delivery), largest first.
std::vector<std::filesystem::path> archived_parts(const Workspace& ws, int n) {
  std::vector<std::filesystem::path> parts;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(ws.dir() / "var/archive" / domain_of(n)))
    if (entry.is_regular_file() && entry.path().extension() == ".zip") parts.push_back(entry.path());
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
    return std::filesystem::file_size(a) > std::filesystem::file_size(b);
  });
  return parts;
}

std::string state_reason(const Workspace& ws, int n) {
  Db db(ws.database());
  auto rows = db.rows("SELECT state || ' ' || state_reason FROM accounts WHERE login = '" + login_of(n) + "'");
  return rows.empty() ? "" : rows[0][0];
}

using Parts = std::vector<std::filesystem::path>;

Options three_departed() {
  Options options;
  options.accounts = 3;
  options.max_fraction = 1.0;  // two holds of three must not trip the breaker: u3's deletion is checked
  return options;
}

// Three departed people in GRACE; `damage` spoils the archived parts of
// u0001 and u0002; the purge 40 days later deletes u0003's space only.
void purge_holds_the_damaged(Stand& s, const std::function<void(const Parts& first, const Parts& second)>& damage) {
  s.run();
  for (int n = 1; n <= 3; ++n) REQUIRE(state_reason(s.ws, n).starts_with("GRACE"));
  const Parts first = archived_parts(s.ws, 1);
  const Parts second = archived_parts(s.ws, 2);
  REQUIRE_FALSE(first.empty());
  REQUIRE_FALSE(second.empty());
  REQUIRE_FALSE(archived_parts(s.ws, 3).empty());
  damage(first, second);
  s.advance(days(40));
  ProcessResult night = s.purge();
  INFO("purge: " << night.out << night.err);
  CHECK(s.deletions() == 1);
  CHECK(state_reason(s.ws, 1) == "HELD evidence_missing");
  CHECK(state_reason(s.ws, 2) == "HELD evidence_missing");
  CHECK(state_reason(s.ws, 3).starts_with("PURGED"));
}

}  // namespace

// Departed people get `archive` delivery: once the space is deleted, the
// archive is all they have. A part gone from it (a folder cleaned by hand,
// a disk restored from an older backup) or cut short (a power failure
// after the part was verified) must stop that person's deletion, whatever
// the database says was verified.
TEST_CASE("attack: a purge never deletes a space whose archived part is gone or cut short, the others go",
          "[attack][deletion-safety][purge][archive]") {
  Stand s(three_departed());
  purge_holds_the_damaged(s, [](const Parts& gone, const Parts& cut) {
    std::filesystem::remove(gone.back());
    std::filesystem::resize_file(cut.front(), std::filesystem::file_size(cut.front()) / 2);
  });
  // The remedy the hold's reason names: exported again, a new archive,
  // and then deleted.
  // A release first is not needed (it would tell the person a new date
  // before the new archive exists).
  const int date_mails = s.ws.outbox_count("deletion_date_changed.");
  Stand::require_exit(s.passage({"account", "reexport", login_of(1), "--reason", "part lost", "--by", "desk"}), 0);
  s.run();
  CHECK(s.ws.outbox_count("deletion_date_changed.") == date_mails);
  CHECK(s.ws.outbox_count("reexport.") >= 1);
  REQUIRE(state_reason(s.ws, 1).starts_with("GRACE"));
  CHECK_FALSE(archived_parts(s.ws, 1).empty());
  // Its old date long past, the person was just told a new one: that
  // night deletes nothing.
  s.purge();
  CHECK(s.deletions() == 1);
  CHECK(state_reason(s.ws, 1).starts_with("GRACE"));
  s.advance(days(40));
  s.purge();
  CHECK(s.deletions() == 2);
  CHECK(state_reason(s.ws, 1).starts_with("PURGED"));
  CHECK(state_reason(s.ws, 2) == "HELD evidence_missing");
}

namespace {

// The part rewritten in place with `bytes(size)`: same name, same size.
void overwrite_same_size(const std::filesystem::path& part, const std::function<char(std::size_t)>& byte) {
  const auto size = std::filesystem::file_size(part);
  std::string text(size, '\0');
  for (std::size_t i = 0; i < size; ++i) text[i] = byte(i);
  std::ofstream(part, std::ios::binary | std::ios::trunc) << text;
  REQUIRE(std::filesystem::file_size(part) == size);
}

}  // namespace

TEST_CASE("attack: a purge never deletes a space whose archived part was replaced by as many bytes of something else",
          "[attack][deletion-safety][purge][archive]") {
  Stand s(three_departed());
  // A restore that zero-fills what it could not read; a part overwritten
  // by something else of the same length.
  purge_holds_the_damaged(s, [](const Parts& zeroed, const Parts& scrambled) {
    overwrite_same_size(zeroed.front(), [](std::size_t) { return '\0'; });
    std::mt19937 random(15);
    overwrite_same_size(scrambled.back(), [&](std::size_t) { return static_cast<char>(random()); });
  });
}

// A DELETE of ours left without answer did delete the space; its archive
// was damaged afterwards. The next purge reads the DELETE back first: the
// space is recorded deleted, never HELD as "not deleted" (a release would
// then mail the person a new date for a space already gone).
TEST_CASE("attack: a space our unanswered DELETE removed is recorded deleted even if its archive was damaged since",
          "[attack][deletion-safety][purge][archive][delete-hang]") {
  Stand s(one_account());
  one_due(s);
  set_delete_timeout(s, "2 seconds");
  s.sim->put_faults(R"({"delete_hang":{"rate":1,"ms":3000}})");
  Stand::require_exit(s.purge(), 7);
  REQUIRE(open_delete_intents(s.ws) == 1);
  s.sim->clear_faults();
  REQUIRE(wait_until([&] { return s.sim->call("GET", "/instances/" + domain_of(1)).status == 404; },
                     Millis(30000)));
  const Parts parts = archived_parts(s.ws, 1);
  REQUIRE_FALSE(parts.empty());
  overwrite_same_size(parts.front(), [](std::size_t) { return '\0'; });
  s.advance(days(1));
  ProcessResult night = s.purge();
  INFO(night.out << night.err);
  CHECK(state_reason(s.ws, 1).starts_with("PURGED"));
  CHECK(open_delete_intents(s.ws) == 0);
  CHECK(s.deletions() == 1);
}
