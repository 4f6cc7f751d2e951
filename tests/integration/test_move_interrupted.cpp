// An admin-driven move whose run ends before it asked the target to import
// (SIGKILLed or stopped during the source's export or the download of its
// parts): nothing was sent to the target, so the next run must not keep the
// source blocked MOVING until the import deadline. It gives Passage's own
// MOVING block back at once and retries, the 24-hour rule holding the next
// export; a block someone else set stays. On the failure matrix's stand,
// clocks moved together, the kill placed by what the simulator counted,
// never by sleeping.
#include <catch2/catch.hpp>

#include <csignal>
#include <functional>

#include "tests/integration/fault_stand.hpp"
#include "tests/integration/move_probe.hpp"
#include "tests/integration/probe.hpp"

using namespace passage::testing;
using namespace passage::testing::faults;
using std::chrono::hours;
using std::chrono::seconds;

namespace {

const std::string k_part_get = "GET /instances/:domain/exports/:export-id/data";
const Step k_two_hours_later{std::chrono::duration_cast<seconds>(hours(2)), {"run", "--until-idle"}};
const Step k_a_day_after{std::chrono::duration_cast<seconds>(hours(23)), {"run", "--until-idle"}};
const Step k_a_day_later{std::chrono::duration_cast<seconds>(hours(25)), {"run", "--until-idle"}};
// The restart, 10 s later: 50 s before the import deadline (60 s). It
// must not wait for that deadline.
const Step k_restart_soon{seconds(10), {"run", "--until-idle", "--max-duration", "20 seconds"}};

std::int64_t export_requests(FaultStand& stand) { return route_count(stand.source->stats(), k_export_post); }

// `passage run` started in the background, ended by `signal` once `moment`
// holds. Before an import was asked for: no move token exists.
void end_run_when(FaultStand& stand, int signal, const std::function<bool()>& moment) {
  BackgroundProcess run(stand.ws.passage_argv({"run", "--until-idle", "--now", iso_utc(stand.now)}),
                        stand.ws.dir(), stand.ws.dir() / "ended.out", stand.ws.dir() / "ended.err",
                        stand.ws.environment());
  REQUIRE(wait_until(moment, k_wait, Millis(20)));
  if (signal == SIGKILL) {
    run.kill();
  } else {
    ::kill(run.pid(), signal);
    REQUIRE(run.wait_exit(k_wait));
  }
  INFO("ended run stderr: " << read_file(stand.ws.dir() / "ended.err"));
  REQUIRE(mover_column(stand, "state") == "MOVING");
  REQUIRE(move_tokens_issued(stand) == 0);
  REQUIRE(route_count(stand.target->stats(), k_import_post) == 0);
}

// The restart gave the source back and retries: at once, not at the import
// deadline; the export the ended run asked for is not asked again.
void check_given_back(FaultStand& stand, const ProcessResult& resumed) {
  INFO("resumed run stderr: " << resumed.err << "\njournal:\n" << journal_text(stand));
  CHECK(resumed.exit_code == 0);
  CHECK(mover_column(stand, "state") == "RETRY_WAIT");
  CHECK(mover_column(stand, "state_reason").starts_with("move_interrupted"));
  CHECK(mover_column(stand, "verified_at") == "NULL");
  CHECK(blocking_reason(*stand.source, mover_source(stand)).empty());
  CHECK_FALSE(import_intent_open(stand));
  CHECK(route_count(stand.target->stats(), k_import_post) == 0);
  CHECK(export_requests(stand) == 1);
  CHECK(stand.stat_sum("duplicate_exports_24h") == 0);
}

// Two hours later the retry still waits for the 24-hour rule; a day later
// it moves the space: one more export, one import.
void check_moved_a_day_later(FaultStand& stand) {
  ProcessResult early = stand.run(k_two_hours_later);
  INFO("two hours later, stderr: " << early.err << "\njournal:\n" << journal_text(stand));
  CHECK(mover_column(stand, "state") == "RETRY_WAIT");
  CHECK(export_requests(stand) == 1);

  ProcessResult later = stand.run(k_a_day_after);  // 25 hours after the move started
  INFO("a day later, stderr: " << later.err << "\njournal:\n" << journal_text(stand));
  CHECK(later.exit_code == 0);
  CHECK(mover_column(stand, "state") == "GRACE");
  CHECK(blocking_reason(*stand.source, mover_source(stand)) == "MOVED");
  CHECK(export_requests(stand) == 2);
  CHECK(route_count(stand.target->stats(), k_import_post) == 1);
  CHECK(stand.stat_sum("duplicate_exports_24h") == 0);
}

}  // namespace

TEST_CASE("An admin move whose run is killed while the source's export runs gives the source back on the "
          "next run at once, before the import deadline: a retry held by the 24-hour rule, then moved",
          "[faults][move-recovery]") {
  FaultStand stand(0);
  stand.source->put_faults(R"({"export_never_finish":1})");
  end_run_when(stand, SIGKILL, [&] { return route_count(stand.source->stats(), k_export_post, "202") == 1; });
  REQUIRE(blocking_reason(*stand.source, mover_source(stand)) == "MOVING");
  REQUIRE(import_intent_open(stand));
  stand.source->clear_faults();

  SECTION("nobody else touched the source") {
    check_given_back(stand, stand.run(k_restart_soon));
    check_moved_a_day_later(stand);
  }
  SECTION("someone else blocked the source MOVED meanwhile: the block stays, the account goes on") {
    const std::string block = "/instances/" + mover_source(stand) + "?Blocked=true&BlockingReason=MOVED";
    REQUIRE(stand.source->call("PATCH", block).status == 200);
    ProcessResult resumed = stand.run(k_restart_soon);
    INFO("resumed run stderr: " << resumed.err << "\njournal:\n" << journal_text(stand));
    CHECK(resumed.exit_code == 0);
    CHECK(mover_column(stand, "state") == "RETRY_WAIT");
    CHECK(blocking_reason(*stand.source, mover_source(stand)) == "MOVED");
    CHECK(route_count(stand.target->stats(), k_import_post) == 0);

    ProcessResult later = stand.run(k_a_day_later);
    INFO("a day later, stderr: " << later.err << "\njournal:\n" << journal_text(stand));
    CHECK(mover_column(stand, "state") == "FAILED");
    CHECK(mover_column(stand, "state_reason").find("blocked: MOVED") != std::string::npos);
    CHECK(mover_column(stand, "verified_at") == "NULL");
    CHECK(blocking_reason(*stand.source, mover_source(stand)) == "MOVED");
    CHECK(export_requests(stand) == 1);
  }
}

TEST_CASE("An admin move whose run is killed while it downloads the source's parts gives the source back on "
          "the next run at once: nothing imported, the export not asked again within 24 hours",
          "[faults][move-recovery]") {
  FaultStand stand(0);
  // Every answer of the source takes 2 s: once a part was sent, the run
  // reads the source's disk usage again before it issues the move token,
  // and the kill lands before that.
  stand.source->put_faults(R"({"stall_ms":{"rate":1,"ms":2000}})");
  end_run_when(stand, SIGKILL, [&] { return route_count(stand.source->stats(), k_part_get, "200") >= 1; });
  REQUIRE(blocking_reason(*stand.source, mover_source(stand)) == "MOVING");
  stand.source->clear_faults();

  check_given_back(stand, stand.run(k_restart_soon));
  check_moved_a_day_later(stand);
}

TEST_CASE("An admin move whose run is stopped while the source's export runs is retried by the next run at "
          "once, not at the import deadline",
          "[faults][move-recovery]") {
  FaultStand stand(0);
  stand.source->put_faults(R"({"export_never_finish":1})");
  end_run_when(stand, SIGTERM, [&] { return route_count(stand.source->stats(), k_export_post, "202") == 1; });
  stand.source->clear_faults();

  check_given_back(stand, stand.run(k_restart_soon));
  check_moved_a_day_later(stand);
}
