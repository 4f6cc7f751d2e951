// Attacks on admin-driven moves (shouldfail while the defects stand): a
// support action between a run killed mid-move and the next run, a hold
// during a live move, and the purge of a moved source written after the
// move. On the failure matrix's stand, clocks moved together, the kill or
// the hold placed by what the simulator counted, never by sleeping.
#include <catch2/catch.hpp>

#include <functional>

#include "tests/integration/fault_stand.hpp"
#include "tests/integration/move_probe.hpp"
#include "tests/integration/probe.hpp"

using namespace passage::testing;
using namespace passage::testing::faults;
using std::chrono::hours;
using std::chrono::seconds;

namespace {

const Step k_restart_soon{seconds(10), {"run", "--until-idle", "--max-duration", "20 seconds"}};
const Step k_a_day_later{std::chrono::duration_cast<seconds>(hours(25)), {"run", "--until-idle"}};

// `passage run` SIGKILLed once `moment` holds, the source blocked MOVING.
void kill_run_when(FaultStand& stand, const std::function<bool()>& moment) {
  BackgroundProcess run(stand.ws.passage_argv({"run", "--until-idle", "--now", iso_utc(stand.now)}),
                        stand.ws.dir(), stand.ws.dir() / "killed.out", stand.ws.dir() / "killed.err",
                        stand.ws.environment());
  REQUIRE(wait_until(moment, k_wait, Millis(20)));
  run.kill();
  REQUIRE(mover_column(stand, "state") == "MOVING");
  REQUIRE(blocking_reason(*stand.source, mover_source(stand)) == "MOVING");
}

ProcessResult desk(FaultStand& stand, const std::string& action) {
  return desk_action(stand, action, "the person asked");
}

}  // namespace

// Was (fixed: move_giveback.cpp): the account is CANCELLED (final), Passage's own MOVING block
// stays on the source for good; no run, purge or desk action lifts it.
TEST_CASE("An admin move cancelled by the desk after its run was killed during the source's export gives "
          "the source back as Passage's own MOVING block must not outlive the account",
          "[faults][move-recovery][attack]") {
  FaultStand stand(0);
  stand.source->put_faults(R"({"export_never_finish":1})");
  kill_run_when(stand, [&] { return route_count(stand.source->stats(), k_export_post, "202") == 1; });
  stand.source->clear_faults();

  ProcessResult cancelled = desk(stand, "cancel");
  INFO("cancel: " << cancelled.out << cancelled.err);
  REQUIRE(cancelled.exit_code == 0);
  REQUIRE(mover_column(stand, "state") == "CANCELLED");

  ProcessResult resumed = stand.run(k_restart_soon);
  ProcessResult later = stand.run(k_a_day_later);
  INFO("resumed: " << resumed.err << "\nlater: " << later.err << "\njournal:\n" << journal_text(stand));
  CHECK(route_count(stand.target->stats(), k_import_post) == 0);
  CHECK(blocking_reason(*stand.source, mover_source(stand)).empty());
}

// Was (fixed: move_giveback.cpp): HELD, and the source stays blocked MOVING for the whole hold
// although nothing was sent to the target and nothing is under way.
TEST_CASE("An admin move held by the desk after its run was killed during the source's export does not keep "
          "the person locked out of the source while held",
          "[faults][move-recovery][attack]") {
  FaultStand stand(0);
  stand.source->put_faults(R"({"export_never_finish":1})");
  kill_run_when(stand, [&] { return route_count(stand.source->stats(), k_export_post, "202") == 1; });
  stand.source->clear_faults();

  ProcessResult held = desk(stand, "hold");
  INFO("hold: " << held.out << held.err);
  REQUIRE(held.exit_code == 0);
  REQUIRE(mover_column(stand, "state") == "HELD");

  ProcessResult resumed = stand.run(k_restart_soon);
  ProcessResult later = stand.run(k_a_day_later);
  INFO("resumed: " << resumed.err << "\nlater: " << later.err << "\njournal:\n" << journal_text(stand));
  CHECK(mover_column(stand, "state") == "HELD");
  CHECK(blocking_reason(*stand.source, mover_source(stand)).empty());
}

// Was (fixed: move_giveback.cpp): the new campaign's row waits RETRY_WAIT "blocked: MOVING" run
// after run, without end: the only block is the one Passage set for the
// cancelled row, and neither row says so.
TEST_CASE("A new campaign listing an account whose admin move was cancelled after a killed run is not kept "
          "waiting for good behind the MOVING block Passage set for the cancelled row",
          "[faults][move-recovery][attack]") {
  FaultStand stand(0);
  stand.source->put_faults(R"({"export_never_finish":1})");
  kill_run_when(stand, [&] { return route_count(stand.source->stats(), k_export_post, "202") == 1; });
  stand.source->clear_faults();
  REQUIRE(desk(stand, "cancel").exit_code == 0);
  ProcessResult created = stand.run(Step{seconds(0), {"campaign", "create", "c2", "--accounts", "accounts.csv"}});
  INFO("campaign create c2: " << created.out << created.err);
  REQUIRE(created.exit_code == 0);

  for (int day = 0; day < 4; ++day) stand.run(k_a_day_later);
  Db db(stand.ws.database());
  const auto newest = db.rows("SELECT state, state_reason FROM accounts ORDER BY id DESC LIMIT 1");
  REQUIRE(newest.size() == 1);
  INFO("c2's row: " << newest[0][0] << " | " << newest[0][1] << "\njournal:\n" << journal_text(stand));
  CHECK(newest[0][1].find("blocked: MOVING") == std::string::npos);
  CHECK(blocking_reason(*stand.source, mover_source(stand)) != "MOVING");
}

// Was: PURGED, the source deleted with 2,201 bytes of files the target
// never received (source 5,359, target 3,158); the simulator's
// unsafe_deletions stays 0 (the source's export was read whole). With
// `activity=true` the same write held the account (activity_after_move):
// only writes without the person's activity were lost. Now the purge
// compares the disk usage with the evidence's: HELD files_changed_after_move.
TEST_CASE("A moved source written after the move without the person's activity (a konnector or a sharing) is "
          "not deleted by the purge while the target lacks those files",
          "[faults][move-recovery][deletion-safety][attack]") {
  FaultStand stand(0);
  ProcessResult moved = stand.run(Step{seconds(0), {"run", "--until-idle"}});
  INFO("move: " << moved.err);
  REQUIRE(mover_column(stand, "state") == "GRACE");
  REQUIRE(blocking_reason(*stand.source, mover_source(stand)) == "MOVED");
  stand.run(Step{std::chrono::duration_cast<seconds>(hours(48)), {"run", "--until-idle"}});

  SECTION("written while blocked MOVED") {}
  SECTION("written while the desk opened it with grant-access") {
    ProcessResult granted = stand.run(Step{seconds(0), {"account", "grant-access", mover_login(stand), "--days", "3",
                                                        "--reason", "needs a file", "--by", "desk"}});
    INFO("grant-access: " << granted.out << granted.err);
    REQUIRE(granted.exit_code == 0);
    REQUIRE(blocking_reason(*stand.source, mover_source(stand)).empty());
  }
  SimAnswer written =
      stand.source->call("POST", "/_sim/change-files?domain=" + mover_source(stand) + "&op=create&count=3");
  REQUIRE(written.status == 200);
  stand.run(Step{std::chrono::duration_cast<seconds>(hours(24 * 4)), {"run", "--until-idle"}});
  const std::int64_t target_files = disk_usage_files(*stand.target, mover_target(stand));
  REQUIRE(disk_usage_files(*stand.source, mover_source(stand)) > target_files);

  ProcessResult purge = stand.run(Step{std::chrono::duration_cast<seconds>(std::chrono::days(40)), {"purge"}});
  INFO("purge: " << purge.err << "\njournal:\n" << journal_text(stand));
  CHECK(stat(stand.source->stats(), "deletions") == 0);
  CHECK(mover_column(stand, "state") == "HELD");
  CHECK(mover_column(stand, "state_reason") == "files_changed_after_move");
}

// Was: the hold commits while the run reads the source's disk usage after
// the download (no token, no import asked yet); the run then issued the
// token, asked the target to import (which wipes it), and blocked the
// source MOVED: HELD "from MOVING" with a move done behind the desk's back.
// Now the run reads the account again before the import and gives the
// source back.
TEST_CASE("A hold the desk puts on an admin move while its run downloads the source's parts stops the move "
          "before the target is asked to import",
          "[faults][move-recovery][attack]") {
  FaultStand stand(0);
  // Every answer of the source takes 6 s: the disk usage read after the
  // download leaves room for the hold before the import is asked for.
  stand.source->put_faults(R"({"stall_ms":{"rate":1,"ms":6000}})");
  BackgroundProcess run(stand.ws.passage_argv({"run", "--until-idle", "--now", iso_utc(stand.now)}),
                        stand.ws.dir(), stand.ws.dir() / "live.out", stand.ws.dir() / "live.err",
                        stand.ws.environment());
  const std::string part_get = "GET /instances/:domain/exports/:export-id/data";
  REQUIRE(wait_until([&] { return route_count(stand.source->stats(), part_get, "200") >= 1; }, k_wait, Millis(20)));
  REQUIRE(desk(stand, "hold").exit_code == 0);
  REQUIRE(move_tokens_issued(stand) == 0);
  REQUIRE(route_count(stand.target->stats(), k_import_post) == 0);
  stand.source->clear_faults();
  REQUIRE(run.wait_exit(Millis(120000)));

  INFO("run stderr: " << read_file(stand.ws.dir() / "live.err") << "\njournal:\n" << journal_text(stand));
  CHECK(mover_column(stand, "state") == "HELD");
  CHECK(route_count(stand.target->stats(), k_import_post) == 0);
  CHECK(blocking_reason(*stand.source, mover_source(stand)) != "MOVED");
  CHECK(blocking_reason(*stand.source, mover_source(stand)).empty());  // given back while held
}

// Was: the run read the account again, then asked the target to import
// (which wipes it) after the request waited its turn in the target stack's
// rate gate: a hold the desk committed during that wait was acknowledged
// (HELD) while the import went out behind it (the target imported, the
// source blocked MOVED). Now the import intent is committed as a
// compare-and-set right before the request is sent: the hold wins.
TEST_CASE("A hold the desk puts on an admin move while its import request waits for the target stack's rate "
          "limit stops it before anything is sent to the target",
          "[faults][move-recovery][move-import-cas][attack]") {
  FaultStand stand(0);
  // One request to the target every 5 s: after the source's parts are
  // verified, the import request waits about 5 s in Passage's own gate.
  stand.set_partner_rate("{ per_second: 0.2, burst: 1 }");
  BackgroundProcess run(stand.ws.passage_argv({"run", "--until-idle", "--now", iso_utc(stand.now)}),
                        stand.ws.dir(), stand.ws.dir() / "live.out", stand.ws.dir() / "live.err",
                        stand.ws.environment());
  // The source's disk usage, read before the move, before its export,
  // after its download, and with the target's last check (the last call
  // before the import request): the run now waits in the target's gate
  // (the run before this fix had read the account again at the third).
  const std::string source_usage = "GET /instances/:domain/disk-usage";
  REQUIRE(wait_until([&] { return route_count(stand.source->stats(), source_usage, "200") >= 4; }, k_wait,
                     Millis(20)));
  REQUIRE(route_count(stand.target->stats(), k_import_post) == 0);
  REQUIRE(desk(stand, "hold").exit_code == 0);
  REQUIRE(run.wait_exit(Millis(120000)));

  INFO("run stderr: " << read_file(stand.ws.dir() / "live.err") << "\njournal:\n" << journal_text(stand));
  CHECK(route_count(stand.target->stats(), k_import_post) == 0);
  CHECK(stat(stand.target->stats(), "imports_done") == 0);
  CHECK(mover_column(stand, "state") == "HELD");
  CHECK(mover_column(stand, "held_from") == "MOVING");
  CHECK(blocking_reason(*stand.source, mover_source(stand)).empty());  // given back while held
  // Neither the import's intent nor its token: nothing for a later run to follow.
  CHECK(Db(stand.ws.database()).scalar("SELECT COUNT(*) FROM intents WHERE kind = 'import_request'") == 0);
  CHECK(move_tokens_issued(stand) == 0);
}

// A hold that comes once the import request was sent: the import is on
// its way and cannot be cancelled (COZY.md "Import"), so it is followed to
// its end, never leaving the target half done; then the hold applies, and
// its release finds the move finished.
TEST_CASE("A hold the desk puts on an admin move once the target imports lets the import end, then holds the "
          "account, and its release records the finished move",
          "[faults][move-recovery][move-import-cas]") {
  FaultStand stand(0, {"--import-start-ms", "2000:2000", "--import-ms", "3000:3000"});
  BackgroundProcess run(stand.ws.passage_argv({"run", "--until-idle", "--now", iso_utc(stand.now)}),
                        stand.ws.dir(), stand.ws.dir() / "live.out", stand.ws.dir() / "live.err",
                        stand.ws.environment());
  REQUIRE(wait_until([&] { return blocking_reason(*stand.target, mover_target(stand)) == "IMPORTING"; }, k_wait,
                     Millis(20)));
  REQUIRE(desk(stand, "hold").exit_code == 0);
  REQUIRE(run.wait_exit(Millis(120000)));

  INFO("run stderr: " << read_file(stand.ws.dir() / "live.err") << "\njournal:\n" << journal_text(stand));
  CHECK(stat(stand.target->stats(), "imports_done") == 1);
  CHECK(blocking_reason(*stand.target, mover_target(stand)).empty());
  CHECK(mover_column(stand, "state") == "HELD");
  CHECK(mover_column(stand, "held_from") == "MOVING");
  CHECK(blocking_reason(*stand.source, mover_source(stand)) == "MOVED");
  CHECK(move_tokens_revoked(stand) == 1);
  CHECK(Db(stand.ws.database()).scalar("SELECT COUNT(*) FROM intents WHERE kind = 'import_request' AND outcome = "
                                       "'moved'") == 1);

  ProcessResult after = release_then_run(stand, "the person asked", seconds(5));
  INFO("after the release: " << after.err << "\njournal:\n" << journal_text(stand));
  CHECK(mover_column(stand, "state") == "GRACE");
  CHECK(route_count(stand.target->stats(), k_import_post) == 1);
  CHECK(route_count(stand.source->stats(), k_export_post) == 1);
  CHECK_FALSE(import_intent_open(stand));
}
