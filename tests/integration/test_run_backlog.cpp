// A backlog of exports waiting for a slot does not starve what is due after
// it (found by scripts/crash-test: with thousands of accounts QUEUED, the
// downloads of exports done before a SIGKILL, notices and departures were
// never started again, the runner's window of due accounts being full of
// exports that could not start).

#include <catch2/catch.hpp>

#include "tests/integration/probe.hpp"
#include "tests/integration/sim_fixture.hpp"

using namespace passage::testing;

namespace {

const SysSeconds k_start = parse_iso_utc("2026-11-25T09:00:00Z");
constexpr int k_backlog = 300;  // more than the runner's window of due accounts

std::string accounts_csv(const std::string& prefix, int first, int count, const std::string& departure) {
  std::string text;
  for (int n = first; n < first + count; ++n) {
    std::string login = prefix + std::to_string(10000 + n).substr(1);
    text += login + "," + login + ".mytoutatice.cloud,export," + login + "@example.org,," + departure + ",left\n";
  }
  return text;
}

const std::string k_header = "login,domain,action,email,target,departure_date,reason\n";

}  // namespace

TEST_CASE("A departure due after a backlog of exports waiting for a slot is not starved",
          "[cozy-admin][backlog]") {
  Workspace ws;
  const std::string early = accounts_csv("e", 1, 1, "2026-12-10");
  const std::string backlog = accounts_csv("b", 1, k_backlog, "2026-12-01");
  ws.write("early.csv", k_header + early);
  ws.write("backlog.csv", k_header + backlog);
  ws.write("universe.csv", k_header + early + backlog);
  CozySim sim(ws.dir(), ws.dir() / "universe.csv", iso_utc(k_start));
  // One export at a time, each holding its slot until its 5 s deadline.
  use_cozy_config(ws, sim.port(), CozyConfig{400, 400, 8, 1, "5 seconds"});

  // e0001 is exported and told; its timer is its departure (10 December).
  REQUIRE(ws.passage({"campaign", "create", "early", "--accounts", "early.csv", "--now", iso_utc(k_start)})
              .exit_code == 0);
  ProcessResult first = ws.passage({"run", "--until-idle", "--now", iso_utc(k_start)});
  INFO(first.err);
  REQUIRE(account_states(ws)["e0001"] == "NOTIFIED");

  // 300 exports due from now, earlier than that departure, which never
  // send their event.
  REQUIRE(ws.passage({"campaign", "create", "backlog", "--accounts", "backlog.csv", "--now",
                      iso_utc(k_start + std::chrono::minutes(1))})
              .exit_code == 0);
  sim.put_faults(R"({"export_silent_fail": 1})");
  const SysSeconds later = k_start + std::chrono::days(16);  // past e0001's departure
  sim.advance_clock(16 * 86400);
  ProcessResult run = ws.passage({"run", "--max-duration", "3 seconds", "--now", iso_utc(later)});
  INFO(run.out << run.err);
  REQUIRE_FALSE(run.timed_out);
  // The departure step ran while the exports waited for their slot.
  CHECK(account_states(ws)["e0001"] == "GRACE");
  Db db(ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM accounts WHERE state = 'QUEUED'") > 0);
}
