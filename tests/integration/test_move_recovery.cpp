// An admin-driven move interrupted between the source's MOVED block and
// the commit that records it (README "Reliability", the known defect of the
// failure matrix), and the opposite danger: a MOVED block that someone
// else set must never become Passage's evidence. Both on the failure
// matrix's stand (two simulators, `passage serve --public`), clocks moved
// together, never by sleeping.
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <functional>

#include "tests/integration/fault_stand.hpp"
#include "tests/integration/move_probe.hpp"
#include "tests/integration/probe.hpp"

using namespace passage::testing;
using namespace passage::testing::faults;
namespace json = boost::json;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

namespace {

const std::string k_mover = login_of(1);
const std::string k_source = k_mover + ".mytoutatice.cloud";
const std::string k_target = k_mover + ".partner.test";

// The number of the first SQLite commit counted in `log` after call
// `number` of `site` (0 when there is none).
long commit_after_call(const std::filesystem::path& log, const std::string& site, long number) {
  std::ifstream in(log);
  std::string logged_site;
  long logged_number = 0;
  bool called = false;
  while (in >> logged_site >> logged_number) {
    if (logged_site == site && logged_number == number) called = true;
    if (called && logged_site == "journal_write") return logged_number;
  }
  return 0;
}

// That commit's number on a clean run of the campaign's first step, on a
// reference stand like the tests'.
long reference_commit_after_call(const std::string& site, long number) {
  FaultStand reference(0);
  const auto log = reference.ws.dir() / "calls.log";
  ProcessResult clean = reference.run(campaign_steps().front(), {}, log);
  INFO("reference stderr: " << clean.err);
  REQUIRE(clean.exit_code == 0);
  return commit_after_call(log, site, number);
}

// The commit that records the finished move: the first after the source
// was blocked MOVED (the second `block` call).
long finished_move_commit() { return reference_commit_after_call("block", 2); }

// The evidence of the report: a move's must name the verified export and
// its parts (their SHA-256), not only "moved".
void check_move_evidence(FaultStand& stand) {
  json::array accounts = report_accounts(stand.ws, "c1");
  REQUIRE(accounts.size() == 1);
  const json::object& account = accounts.front().as_object();
  INFO("account: " << json::serialize(account));
  REQUIRE(account.at("evidence").is_object());
  const json::object& evidence = account.at("evidence").as_object();
  CHECK(evidence.at("kind").as_string() == "moved");
  CHECK_FALSE(evidence.at("export_id").as_string().empty());
  REQUIRE(evidence.at("parts").is_array());
  CHECK_FALSE(evidence.at("parts").as_array().empty());
}

// `passage run` SIGKILLed once `moment` holds: no shutdown path runs (the
// OOM killer, a reboot). The import it asked for goes on without it:
// `serve --public` still serves the parts.
void kill_run_when(FaultStand& stand, const std::function<bool()>& moment) {
  BackgroundProcess run(stand.ws.passage_argv({"run", "--until-idle", "--now", iso_utc(stand.now)}),
                        stand.ws.dir(), stand.ws.dir() / "killed.out", stand.ws.dir() / "killed.err",
                        stand.ws.environment());
  REQUIRE(wait_until(moment, k_wait, Millis(20)));
  run.kill();
  REQUIRE(mover_column(stand, "state") == "MOVING");
  REQUIRE(blocking_reason(*stand.source, k_source) == "MOVING");
  REQUIRE(import_intent_open(stand));
}

}  // namespace

TEST_CASE("An admin move whose commit after the source's MOVED block is refused is recognised as "
          "Passage's own on the next run, past the import deadline: verified with the move's evidence, "
          "then purged safely",
          "[faults][move-recovery]") {
  const long commit = finished_move_commit();
  REQUIRE(commit > 0);

  FaultStand stand(0);
  ProcessResult refused = stand.run(campaign_steps().front(), "journal_write:" + std::to_string(commit));
  INFO("faulted run stderr: " << refused.err);
  CHECK(refused.exit_code == 7);
  REQUIRE(blocking_reason(*stand.source, k_source) == "MOVED");
  REQUIRE(mover_column(stand, "state") == "MOVING");
  REQUIRE(mover_column(stand, "own_block") == "MOVING");

  // A day later: far past the import deadline (60 s).
  ProcessResult resumed = stand.run(Step{std::chrono::duration_cast<seconds>(hours(25)), {"run", "--until-idle"}});
  INFO("resumed run stderr: " << resumed.err << "\njournal:\n" << journal_text(stand));
  CHECK(resumed.exit_code == 0);
  CHECK(mover_column(stand, "own_block") == "MOVED");
  CHECK(mover_column(stand, "state") == "GRACE");
  check_move_evidence(stand);
  CHECK(stand.stat_sum("duplicate_exports_24h") == 0);
  CHECK(route_count(stand.source->stats(), "POST /instances/:domain/export") == 1);

  ProcessResult purge = stand.run(Step{std::chrono::duration_cast<seconds>(days(35)), {"purge"}});
  INFO("purge stderr: " << purge.err);
  CHECK(purge.exit_code == 0);
  CHECK(mover_column(stand, "state") == "PURGED");
  CHECK(stand.stat_sum("unsafe_deletions") == 0);
  CHECK(stat(stand.target->stats(), "deletions") == 0);
}

TEST_CASE("An admin move whose import intent cannot be committed (disk full) sends nothing to the target, "
          "exits 7, and the next run gives the source back and moves it",
          "[faults][move-recovery]") {
  // The commit of the import's intent: the first after the import request
  // (its fault site is counted before the gate, its intent committed right
  // before it is sent).
  const long commit = reference_commit_after_call("import", 1);
  REQUIRE(commit > 0);

  FaultStand stand(0);
  ProcessResult refused = stand.run(campaign_steps().front(), "journal_write:" + std::to_string(commit));
  INFO("faulted run stderr: " << refused.err << "\njournal:\n" << journal_text(stand));
  CHECK(refused.exit_code == 7);
  CHECK(route_count(stand.target->stats(), k_import_post) == 0);
  CHECK(move_tokens_issued(stand) == 0);
  CHECK(mover_column(stand, "state") == "MOVING");

  // A day later (the 24-hour rule): the source given back, moved again.
  ProcessResult resumed = stand.run(Step{std::chrono::duration_cast<seconds>(hours(25)), {"run", "--until-idle"}});
  ProcessResult later = stand.run(Step{std::chrono::duration_cast<seconds>(hours(25)), {"run", "--until-idle"}});
  INFO("resumed: " << resumed.err << "\nlater: " << later.err << "\njournal:\n" << journal_text(stand));
  CHECK(later.exit_code == 0);
  CHECK(mover_column(stand, "state") == "GRACE");
  CHECK(blocking_reason(*stand.source, k_source) == "MOVED");
  CHECK(route_count(stand.target->stats(), k_import_post) == 1);
  CHECK(stand.stat_sum("duplicate_exports_24h") == 0);
}

TEST_CASE("A MOVED block someone else sets on a source whose import never finished is never Passage's "
          "evidence: not before the import deadline, not after it, and the source is never deleted",
          "[faults][move-recovery][deletion-safety]") {
  FaultStand stand(0);
  stand.target->put_faults(R"({"import_never_finish":1})");
  // The run follows the import until SIGTERM leaves it open.
  BackgroundProcess run(stand.ws.passage_argv({"run", "--until-idle", "--now", iso_utc(stand.now)}),
                        stand.ws.dir(), stand.ws.dir() / "run.out", stand.ws.dir() / "run.err",
                        stand.ws.environment());
  const auto imported_all = [&] {
    Db db(stand.ws.database());
    return db.scalar("SELECT COUNT(*) FROM served WHERE path LIKE '/move/exports/data/%'") > 0 &&
           blocking_reason(*stand.target, k_target) == "IMPORTING";
  };
  REQUIRE(wait_until(imported_all, k_wait, Millis(50)));
  ::kill(run.pid(), SIGTERM);
  REQUIRE(run.wait_exit(k_wait));
  REQUIRE(mover_column(stand, "state") == "MOVING");
  REQUIRE(blocking_reason(*stand.source, k_source) == "MOVING");

  // Someone else (an operator by hand, another tool) marks the source MOVED.
  REQUIRE(stand.source->call("PATCH", "/instances/" + k_source + "?Blocked=true&BlockingReason=MOVED").status ==
          200);

  SECTION("before the import deadline") {
    ProcessResult early = stand.run(Step{seconds(0), {"run", "--max-duration", "3 seconds"}});
    INFO("run stderr: " << early.err << "\njournal:\n" << journal_text(stand));
    CHECK(mover_column(stand, "state") == "MOVING");
    CHECK(mover_column(stand, "verified_at") == "NULL");
  }
  SECTION("after the import deadline") {
    ProcessResult late = stand.run(Step{std::chrono::duration_cast<seconds>(hours(25)), {"run", "--until-idle"}});
    INFO("run stderr: " << late.err << "\njournal:\n" << journal_text(stand));
    CHECK(mover_column(stand, "state") == "FAILED");
    CHECK(mover_column(stand, "state_reason").find("blocked: MOVED") != std::string::npos);
    CHECK(mover_column(stand, "verified_at") == "NULL");
  }
  ProcessResult purge = stand.run(Step{std::chrono::duration_cast<seconds>(days(40)), {"purge"}});
  INFO("purge stderr: " << purge.err);
  CHECK(stat(stand.source->stats(), "deletions") == 0);
  CHECK(mover_column(stand, "state") != "PURGED");
}

TEST_CASE("An admin move interrupted after the MOVED block whose source was written since its export is "
          "not taken as finished: moved again, the target ending with the source's files",
          "[faults][move-recovery]") {
  const long commit = finished_move_commit();
  REQUIRE(commit > 0);
  FaultStand stand(0);
  ProcessResult refused = stand.run(campaign_steps().front(), "journal_write:" + std::to_string(commit));
  INFO("faulted run stderr: " << refused.err);
  REQUIRE(blocking_reason(*stand.source, k_source) == "MOVED");
  REQUIRE(mover_column(stand, "own_block") == "MOVING");
  const std::int64_t imported = disk_usage_files(*stand.target, k_target);
  REQUIRE(imported == disk_usage_files(*stand.source, k_source));

  // A konnector writes into the blocked source: the target lacks it.
  SimAnswer edited = stand.source->call("POST", "/_sim/edit-files?domain=" + k_source);
  INFO("edit-files: " << edited.body);
  REQUIRE(edited.status == 200);
  REQUIRE(disk_usage_files(*stand.source, k_source) != imported);

  for (int round = 0; round < 3 && mover_column(stand, "state") != "GRACE"; ++round) {
    ProcessResult resumed =
        stand.run(Step{std::chrono::duration_cast<seconds>(hours(25)), {"run", "--until-idle"}});
    INFO("resumed run stderr: " << resumed.err << "\njournal:\n" << journal_text(stand));
    CHECK(resumed.exit_code == 0);
  }
  INFO("journal:\n" << journal_text(stand));
  CHECK(mover_column(stand, "state") == "GRACE");
  CHECK(disk_usage_files(*stand.target, k_target) == disk_usage_files(*stand.source, k_source));
  CHECK(route_count(stand.source->stats(), "POST /instances/:domain/export") == 2);
  CHECK(stand.stat_sum("duplicate_exports_24h") == 0);
}

namespace {

// The target's import job waits 2 s before it starts, and a successful
// one stays IMPORTING 3 s after its last part: room to kill `passage run`
// at a moment the test sees, never found by sleeping.
const std::vector<std::string> k_slow_import{"--import-start-ms", "2000:2000", "--import-ms", "3000:3000"};
// The restart, 10 s later: 50 s before the import deadline.
const Step k_restart_soon{seconds(10), {"run", "--until-idle", "--max-duration", "20 seconds"}};

}  // namespace

TEST_CASE("An admin move whose run is killed while the target imports, the import then finishing, is "
          "completed by the next run at once, before the import deadline: MOVED, evidence, one import",
          "[faults][move-recovery]") {
  FaultStand stand(0, k_slow_import);
  kill_run_when(stand, [&] { return blocking_reason(*stand.target, k_target) == "IMPORTING"; });
  REQUIRE(wait_until([&] { return stat(stand.target->stats(), "imports_done") == 1; }, k_wait, Millis(50)));

  // The run must not wait for the import deadline.
  ProcessResult resumed = stand.run(k_restart_soon);
  INFO("resumed run stderr: " << resumed.err << "\njournal:\n" << journal_text(stand));
  CHECK(resumed.exit_code == 0);
  CHECK(mover_column(stand, "state") == "GRACE");
  CHECK(mover_column(stand, "own_block") == "MOVED");
  CHECK(blocking_reason(*stand.source, k_source) == "MOVED");
  check_move_evidence(stand);
  Db db(stand.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE detail LIKE 'MOVING -> VERIFIED%'") == 1);
  CHECK(move_tokens_revoked(stand) == 1);
  CHECK_FALSE(import_intent_open(stand));
  CHECK(route_count(stand.target->stats(), k_import_post) == 1);
  CHECK(route_count(stand.source->stats(), "POST /instances/:domain/export") == 1);
}

TEST_CASE("An admin move whose run is killed during the import, the import then failing, gives the source "
          "back at once on the next run: unblocked, token revoked, a retry with the reason",
          "[faults][move-recovery]") {
  FaultStand stand(0, k_slow_import);
  // The target's room shrinks once the import was asked for (the target
  // is checked right before, and its job starts 2 s later): its import
  // restores nothing and fails.
  bool shrunk = false;
  const auto shrink_target_once_asked = [&] {
    if (route_count(stand.target->stats(), k_import_post, "204") == 0) return false;
    if (!shrunk)
      shrunk = stand.target->call("PATCH", "/instances/" + k_target + "?DiskQuota=1").status == 200;
    return shrunk;
  };
  kill_run_when(stand, shrink_target_once_asked);
  REQUIRE(wait_until([&] { return stat(stand.target->stats(), "imports_failed") == 1; }, k_wait, Millis(50)));
  REQUIRE(blocking_reason(*stand.target, k_target).empty());

  ProcessResult resumed = stand.run(k_restart_soon);
  INFO("resumed run stderr: " << resumed.err << "\njournal:\n" << journal_text(stand));
  CHECK(resumed.exit_code == 0);
  CHECK(mover_column(stand, "state") == "RETRY_WAIT");
  // One part: fetched whole, nothing restored; more: the import stopped at the first.
  const std::string reason = mover_column(stand, "state_reason");
  CHECK((reason.find("target_size_mismatch") != std::string::npos ||
         reason.find("import_failed") != std::string::npos));
  CHECK(mover_column(stand, "verified_at") == "NULL");
  CHECK(blocking_reason(*stand.source, k_source).empty());
  CHECK(move_tokens_revoked(stand) == 1);
  CHECK_FALSE(import_intent_open(stand));
  CHECK(route_count(stand.target->stats(), k_import_post) == 1);

  // Two hours later the retry still waits for the 24-hour rule.
  const Step two_hours_later{std::chrono::duration_cast<seconds>(hours(2)), {"run", "--until-idle"}};
  ProcessResult later = stand.run(two_hours_later);
  INFO("later run stderr: " << later.err);
  CHECK(mover_column(stand, "state") == "RETRY_WAIT");
  CHECK(route_count(stand.source->stats(), "POST /instances/:domain/export") == 1);
  CHECK(stand.stat_sum("duplicate_exports_24h") == 0);
}

TEST_CASE("An admin move whose run is killed while the target imports for good is followed by the next "
          "run until the import deadline of the move, not of the restart, then given back",
          "[faults][move-recovery]") {
  FaultStand stand(0);
  stand.target->put_faults(R"({"import_never_finish":1})");
  kill_run_when(stand, [&] { return blocking_reason(*stand.target, k_target) == "IMPORTING"; });

  // 30 s later, before the deadline (60 s): the run keeps waiting.
  ProcessResult waiting = stand.run(Step{seconds(30), {"run", "--max-duration", "3 seconds"}});
  INFO("waiting run stderr: " << waiting.err << "\njournal:\n" << journal_text(stand));
  CHECK(mover_column(stand, "state") == "MOVING");
  CHECK(blocking_reason(*stand.source, k_source) == "MOVING");
  CHECK(move_tokens_revoked(stand) == 0);
  CHECK(route_count(stand.target->stats(), k_import_post) == 1);

  // 75 s after the move started: past its deadline, not the restart's.
  ProcessResult late = stand.run(Step{seconds(45), {"run", "--until-idle", "--max-duration", "20 seconds"}});
  INFO("late run stderr: " << late.err << "\njournal:\n" << journal_text(stand));
  CHECK(late.exit_code == 0);
  CHECK(mover_column(stand, "state") == "RETRY_WAIT");
  CHECK(mover_column(stand, "state_reason").find("import_deadline") != std::string::npos);
  CHECK(blocking_reason(*stand.source, k_source).empty());
  CHECK(move_tokens_revoked(stand) == 1);
  CHECK(route_count(stand.target->stats(), k_import_post) == 1);
}
