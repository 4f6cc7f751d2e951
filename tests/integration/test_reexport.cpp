// Activity on a space after its export (CONTRACT.md "Purge" point 4, the
// departure check): the space is exported again with archive delivery, the
// person is told with a `reexport` notice, and only then does the grace
// period start.

#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/integration/probe.hpp"
#include "tests/integration/sim_fixture.hpp"

using namespace passage::testing;
namespace fs = std::filesystem;

namespace {

int files_named(const fs::path& dir, const std::string& prefix, const std::string& suffix) {
  int count = 0;
  std::error_code error;
  if (!fs::exists(dir, error)) return 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("Activity after the export brings a final export kept in the archive and a reexport notice",
          "[cozy-admin][reexport]") {
  const std::string start = "2026-11-25T10:00:00Z";
  Workspace ws;
  write_export_accounts(ws, "accounts.csv", 5, "2026-11-01");
  // Every person uses their space again once their export was downloaded.
  CozySim sim(ws.dir(), ws.dir() / "accounts.csv", start, {"--active-share", "1"});
  use_cozy_config(ws, sim.port(), CozyConfig{200, 20, 8, 4, "30 seconds"});
  REQUIRE(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", start}).exit_code == 0);

  ProcessResult first = ws.passage({"run", "--until-idle", "--now", start});
  INFO("first run stderr: " << first.err);
  REQUIRE(first.exit_code == 0);
  // Stale at departure: a final export waits until the activity is older
  // than the day before its completion (from 27 November, 00:00 UTC).
  for (const auto& [login, state] : account_states(ws)) {
    INFO(login);
    CHECK(state == "QUEUED");
  }
  Db db(ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM accounts WHERE reexports = 1 AND delivery = 'archive'") == 5);

  sim.advance_clock(39 * 3600);
  const std::string later = "2026-11-27T01:00:00Z";
  ProcessResult second = ws.passage({"run", "--until-idle", "--now", later});
  INFO("second run stderr: " << second.err);
  REQUIRE(second.exit_code == 0);
  for (const auto& [login, state] : account_states(ws)) {
    INFO(login);
    CHECK(state == "GRACE");
  }
  // The final export's parts are kept, renamed into place once verified.
  CHECK(files_named(ws.dir() / "var" / "archive", "", ".zip") >= 5);
  CHECK(files_named(ws.dir() / "var" / "archive", "", ".part") == 0);
  CHECK(files_named(ws.outbox_dir(), "reexport.", ".eml") == 5);
  CHECK(files_named(ws.outbox_dir(), "export_ready.", ".eml") == 5);
  boost::json::object stats = sim.stats();
  INFO("requests: " << requests_text(stats));
  CHECK(route_count(stats, "POST /instances/:domain/export", "202") == 10);
  CHECK(stat(stats, "duplicate_exports_24h") == 0);
}
