// Attacks after issue 11's last changes (admin moves' target rule and the
// import's compare-and-set, export events, evidence, export slots). On the
// failure matrix's stand (one admin move, target on a second simulator),
// clocks moved together, every support action placed by what the
// simulators show, never by sleeping.
#include <catch2/catch.hpp>

#include <memory>

#include "tests/integration/fault_stand.hpp"
#include "tests/integration/move_probe.hpp"
#include "tests/integration/probe.hpp"
#include "tests/integration/sim_fixture.hpp"

using namespace passage::testing;
using namespace passage::testing::faults;
using std::chrono::seconds;

namespace {

// The import starts 2 s after its request and ends 3 s after its last part.
const std::vector<std::string> k_slow_import{"--import-start-ms", "2000:2000", "--import-ms", "3000:3000"};
const SysSeconds k_start = parse_iso_utc("2026-11-25T09:00:00Z");

// Serves `name`.csv, written by the caller, on a cozy-admin stack that
// exports one account at a time (the simulator's exports taking
// `export_ms`, "MIN:MAX"), and creates campaign `name` of it at k_start.
std::unique_ptr<CozySim> campaign_one_export_at_a_time(Workspace& ws, const std::string& name,
                                                       const std::string& export_ms) {
  auto sim = std::make_unique<CozySim>(ws.dir(), ws.dir() / (name + ".csv"), iso_utc(k_start),
                                       std::vector<std::string>{"--export-ms", export_ms});
  use_cozy_config(ws, sim->port(), CozyConfig{400, 400, 8, 1, "30 seconds"});
  REQUIRE(ws.passage({"campaign", "create", name, "--accounts", name + ".csv", "--now", iso_utc(k_start)})
              .exit_code == 0);
  return sim;
}

ProcessResult desk(FaultStand& stand, const std::string& action) {
  return desk_action(stand, action, "the person stays");
}

// `passage run` in the background until the target is IMPORTING, then
// `action` by the desk, then the run's end.
void desk_acts_once_target_imports(FaultStand& stand, const std::string& action) {
  BackgroundProcess run(stand.ws.passage_argv({"run", "--until-idle", "--now", iso_utc(stand.now)}),
                        stand.ws.dir(), stand.ws.dir() / "live.out", stand.ws.dir() / "live.err",
                        stand.ws.environment());
  REQUIRE(wait_until([&] { return blocking_reason(*stand.target, mover_target(stand)) == "IMPORTING"; }, k_wait,
                     Millis(20)));
  ProcessResult acted = desk(stand, action);
  INFO(action << ": " << acted.out << acted.err);
  REQUIRE(acted.exit_code == 0);
  REQUIRE(run.wait_exit(Millis(120000)));
}

}  // namespace

// A cancel once the import request was sent: the import cannot be stopped
// (COZY.md "Import") and ends, the target holding a copy. Was: the run then
// blocked the source MOVED behind the cancel, and no run, purge or desk
// action ever lifted that block (move_giveback.cpp lifts MOVING only): the
// person, whom the desk decided to keep on their space, was locked out of
// it for good. Nothing was deleted (a CANCELLED account is never purged).
TEST_CASE("A cancel the desk puts on an admin move once the target imports gives the source back, never leaves it "
          "blocked MOVED",
          "[faults][move-recovery][move-import-cas][attack4]") {
  FaultStand stand(0, k_slow_import);
  SECTION("cancelled while the target imports") { desk_acts_once_target_imports(stand, "cancel"); }
  SECTION("held while the target imports, cancelled once the import ended") {
    desk_acts_once_target_imports(stand, "hold");
    REQUIRE(mover_column(stand, "state") == "HELD");
    REQUIRE(desk(stand, "cancel").exit_code == 0);
  }
  INFO("run stderr: " << read_file(stand.ws.dir() / "live.err") << "\njournal:\n" << journal_text(stand));
  CHECK(stat(stand.target->stats(), "imports_done") == 1);
  CHECK(mover_column(stand, "state") == "CANCELLED");

  ProcessResult next = stand.run(Step{seconds(5), {"run", "--until-idle"}});
  INFO("next run: " << next.err << "\njournal:\n" << journal_text(stand));
  CHECK(blocking_reason(*stand.source, mover_source(stand)).empty());
  CHECK(mover_column(stand, "state") == "CANCELLED");
  CHECK(route_count(stand.target->stats(), k_import_post) == 1);
}

// Export slots given back at the event (runner.cpp): an account whose
// download comes back to an export request (its export expired before its
// parts were read whole, the 24-hour rule long past) takes a slot again.
// Held: the failed download waits its jittered retry, its drive ends, and
// the retry starts through the slot.
TEST_CASE("Accounts whose exports expired before their parts were downloaded export again within "
          "max_exports_in_flight",
          "[cozy-admin][slots][attack4]") {
  Workspace ws;
  write_export_accounts(ws, "three.csv", 3, "2026-12-10");
  const auto sim = campaign_one_export_at_a_time(ws, "three", "20:20");
  // Every part takes a minute to come: the run ends with the three exports
  // done, one after the other, and their parts still downloading.
  sim->put_faults(R"({"part_stall_ms": {"rate": 1, "ms": 60000}})");
  ProcessResult first = ws.passage({"run", "--max-duration", "5 seconds", "--now", iso_utc(k_start)});
  INFO("first run: " << first.err);
  for (const auto& [login, state] : account_states(ws)) REQUIRE(state == "VERIFYING");
  REQUIRE(stat(sim->stats(), "max_admin_exports_open") == 1);

  sim->put_faults("{}");
  sim->advance_clock(8 * 24 * 3600);  // past the exports' expires_at
  sim->call("POST", "/_sim/stats/reset");
  const SysSeconds later = k_start + std::chrono::duration_cast<seconds>(std::chrono::hours(8 * 24));
  ProcessResult again = ws.passage({"run", "--until-idle", "--now", iso_utc(later)});
  INFO("second run: " << again.out << again.err);
  for (const auto& [login, state] : account_states(ws)) CHECK(state == "NOTIFIED");
  CHECK(route_count(sim->stats(), "POST /instances/:domain/export", "202") == 3);
  CHECK(stat(sim->stats(), "max_admin_exports_open") == 1);
}

namespace {

// `count` user-driven moves u0001… (targets on a host no stack serves)
// departed on `departure_date`.
std::string write_user_move_accounts(const Workspace& ws, const std::string& name, int count,
                                     const std::string& departure_date) {
  std::string text = "login,domain,action,email,target,departure_date,reason\n";
  for (int n = 1; n <= count; ++n) {
    const std::string login = "u000" + std::to_string(n);
    text += login + "," + login + ".mytoutatice.cloud,move," + login + "@example.org,https://" + login +
            ".mycozy.cloud," + departure_date + ",left\n";
  }
  ws.write(name, text);
  return name;
}

}  // namespace

// A user-driven move whose departure is too close to invite the person
// exports instead at once (steps_common.cpp start_user_move). Was: its
// drive started without an export slot (a move is not export-bound when it
// starts) and requested the export without one: four such accounts had
// four exports open on a stack capped at one.
TEST_CASE("User-driven moves too close to their departure to invite export within max_exports_in_flight",
          "[cozy-admin][slots][attack4]") {
  Workspace ws;
  write_user_move_accounts(ws, "four.csv", 4, "2026-11-28");
  const auto sim = campaign_one_export_at_a_time(ws, "four", "500:500");
  ProcessResult run = ws.passage({"run", "--until-idle", "--now", iso_utc(k_start)});
  INFO("run: " << run.out << run.err);
  for (const auto& [login, state] : account_states(ws)) CHECK(state == "NOTIFIED");
  CHECK(route_count(sim->stats(), "POST /instances/:domain/export", "202") == 4);
  CHECK(stat(sim->stats(), "max_admin_exports_open") == 1);
}

// An admin-driven move exports its source with the admin API like any
// export (CONTRACT.md "Limits": max_exports_in_flight counts exports from
// their POST to their event). Every export job hangs here, so every
// export request stays open: with a cap of one, one only may be open.
TEST_CASE("An admin-driven move's export of its source counts in max_exports_in_flight",
          "[faults][slots][move][attack4]") {
  FaultStand stand(1);
  stand.set_academy_max_exports(1);
  stand.source->put_faults(R"({"export_never_finish": 1})");
  ProcessResult run = stand.run(Step{seconds(0), {"run", "--max-duration", "5 seconds"}});
  INFO("run: " << run.err << "\njournal:\n" << journal_text(stand));
  CHECK(route_count(stand.source->stats(), "POST /instances/:domain/export", "202") == 1);
  CHECK(stat(stand.source->stats(), "max_admin_exports_open") == 1);
}
