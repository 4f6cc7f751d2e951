// `run --max-duration D` is a limit (CONTRACT.md "--max-duration D"): at D
// no new work starts, exports already requested are awaited for
// max_duration_drain, then left to the next run, journaled.

#include <catch2/catch.hpp>

#include <chrono>

#include "tests/integration/probe.hpp"
#include "tests/integration/sim_fixture.hpp"

using namespace passage::testing;

namespace {

const SysSeconds k_start = parse_iso_utc("2026-11-25T10:00:00Z");

std::int64_t count(const Workspace& ws, const std::string& sql) {
  Db db(ws.database());
  return db.scalar(sql);
}

// Three export accounts whose exports never send their event; the export
// deadline is an hour away, so only the limit can end the run.
struct SilentStand {
  Workspace ws;
  std::unique_ptr<CozySim> sim;

  explicit SilentStand(const std::string& drain) {
    write_export_accounts(ws, "accounts.csv", 3, "2026-12-10");
    sim = std::make_unique<CozySim>(ws.dir(), ws.dir() / "accounts.csv", iso_utc(k_start));
    use_cozy_config(ws, sim->port(), CozyConfig{200, 20, 8, 4, "1 hour"});
    ws.write("c.yaml", read_file(ws.dir() / "c.yaml") + "max_duration_drain: " + drain + "\n");
    sim->put_faults(R"({"export_silent_fail": 1})");
    ProcessResult created =
        ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", iso_utc(k_start)});
    INFO(created.err);
    REQUIRE(created.exit_code == 0);
  }

  // `run --max-duration LIMIT`, and how long it took.
  std::pair<ProcessResult, std::chrono::steady_clock::duration> run(const std::string& limit) const {
    const auto started = std::chrono::steady_clock::now();
    ProcessResult result = ws.passage({"run", "--max-duration", limit, "--now", iso_utc(k_start)}, Millis(120000));
    INFO(result.out << result.err);
    REQUIRE_FALSE(result.timed_out);
    return {result, std::chrono::steady_clock::now() - started};
  }
};

}  // namespace

TEST_CASE("At --max-duration a run waiting for export events leaves them after the drain and exits",
          "[cozy-admin][max-duration]") {
  SilentStand s("2 seconds");
  const auto [run, took] = s.run("2 seconds");
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  // 2 s of work, 2 s of drain, a second to notice: well under the hour.
  CHECK(took < std::chrono::seconds(15));
  CHECK(took >= std::chrono::seconds(4));
  CHECK(run.out.find("stopped at --max-duration: 3 exports left to the next run") != std::string::npos);
  // Not on a terminal: it says it runs until stopped, and plain progress lines.
  CHECK(run.err.find("run: runs until stopped") != std::string::npos);
  CHECK(run.err.find("progress: 0/3 settled (EXPORTING 3)") != std::string::npos);
  // Left, not given up: still EXPORTING with their timers, each journaled.
  CHECK(count(s.ws, "SELECT COUNT(*) FROM accounts WHERE state = 'EXPORTING'") == 3);
  CHECK(count(s.ws, "SELECT COUNT(*) FROM journal WHERE kind = 'export_left'") == 3);
  CHECK(route_count(s.sim->stats(), "POST /instances/:domain/export") == 3);

  // The next run waits for those exports instead of asking again.
  s.run("1 second");
  CHECK(route_count(s.sim->stats(), "POST /instances/:domain/export") == 3);
  CHECK(count(s.ws, "SELECT COUNT(*) FROM accounts WHERE state = 'EXPORTING'") == 3);
}

TEST_CASE("With max_duration_drain 0 seconds a run leaves its awaited exports at once",
          "[cozy-admin][max-duration]") {
  SilentStand s("0 seconds");
  const auto took = s.run("2 seconds").second;
  CHECK(took < std::chrono::seconds(6));
  CHECK(count(s.ws, "SELECT COUNT(*) FROM journal WHERE kind = 'export_left'") == 3);
  CHECK(count(s.ws, "SELECT COUNT(*) FROM accounts WHERE state = 'EXPORTING'") == 3);
}

TEST_CASE("An event arriving during the drain is settled by the run that asked",
          "[cozy-admin][max-duration]") {
  SilentStand s("20 seconds");
  s.sim->clear_faults();
  // Exports take a while on the simulator but end well within the drain.
  s.run("1 second");
  CHECK(count(s.ws, "SELECT COUNT(*) FROM journal WHERE kind = 'export_left'") == 0);
  CHECK(count(s.ws, "SELECT COUNT(*) FROM accounts WHERE state = 'EXPORTING'") == 0);
}
