// Attacks after issue 11's last changes (admin moves' target rule and the
// import's compare-and-set, export events, evidence, export slots). On the
// failure matrix's stand (one admin move, target on a second simulator),
// clocks moved together, every support action placed by what the
// simulators show, never by sleeping.
#include <catch2/catch.hpp>

#include "tests/integration/fault_stand.hpp"
#include "tests/integration/move_probe.hpp"
#include "tests/integration/probe.hpp"

using namespace passage::testing;
using namespace passage::testing::faults;
using std::chrono::seconds;

namespace {

constexpr Millis k_wait{60000};
const std::string k_import_post = "POST /instances/:domain/import";
// The import starts 2 s after its request and ends 3 s after its last part.
const std::vector<std::string> k_slow_import{"--import-start-ms", "2000:2000", "--import-ms", "3000:3000"};

ProcessResult desk(FaultStand& stand, const std::string& action) {
  return stand.run(Step{seconds(0), {"account", action, mover_login(stand), "--reason", "the person stays",
                                     "--by", "desk"}});
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
