// File modes whatever the umask (issue 12, "Secrets"; README "Files and
// their modes"): the database and its -wal/-shm, the lock file and the
// outbox's mails 0600; reports and archived parts 0640; the metrics
// textfile 0644 (node_exporter reads it as another user). The runs happen
// under umask 000 and 077 (passage inherits this process's umask). CI runs
// as root: the modes themselves are checked, not access denial.

#include <catch2/catch.hpp>

#include <map>

#include "tests/integration/probe.hpp"
#include "tests/integration/sim_fixture.hpp"
#include "tests/support/file_mode.hpp"

using namespace passage::testing;
namespace fs = std::filesystem;

namespace {

const SysSeconds k_t = parse_iso_utc("2026-11-25T09:00:00Z");

// Every regular file under `dir` whose name ends with `suffix`.
std::vector<fs::path> files_ending(const fs::path& dir, const std::string& suffix) {
  std::vector<fs::path> found;
  if (!fs::exists(dir)) return found;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().string().ends_with(suffix)) found.push_back(entry.path());
  return found;
}

void check_modes(const std::vector<fs::path>& files, mode_t expected) {
  REQUIRE_FALSE(files.empty());
  for (const fs::path& file : files) {
    INFO(file.string());
    CHECK(mode_of(file) == expected);
  }
}

}  // namespace

TEST_CASE("Files are created 0600 (database, lock, mails), 0640 (reports, parts) or 0644 (metrics) under umask 000 and 077",
          "[secrets][modes]") {
  for (const mode_t mask : {mode_t(0), mode_t(077)}) {
    INFO("umask " << std::oct << mask);
    const Umask scoped(mask);
    Workspace ws;
    write_export_accounts(ws, "accounts.csv", 2, "2026-10-01");  // departed: archive delivery
    CozySim sim(ws.dir(), ws.dir() / "accounts.csv", iso_utc(k_t));
    CozyConfig config;
    config.delivery = "archive";
    use_cozy_config(ws, sim.port(), config);
    ws.write("c.yaml", read_file(ws.config()) + "metrics: { textfile: var/metrics.prom }\n");
    const std::string now = iso_utc(k_t);
    REQUIRE(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", now}).exit_code == 0);
    const ProcessResult run = ws.passage({"run", "--until-idle", "--now", now}, Millis(150000));
    INFO("run stderr: " << run.err);
    REQUIRE(run.exit_code == 0);
    REQUIRE(ws.passage({"report", "c1", "--format", "json", "--now", now}).exit_code == 0);
    REQUIRE(ws.passage({"report", "c1", "--format", "csv", "--out", "var/c1.csv", "--now", now}).exit_code == 0);
    REQUIRE(ws.passage({"purge", "--now", now}).exit_code == 0);

    const fs::path var = ws.dir() / "var";
    check_modes({ws.database(), fs::path(ws.database().string() + ".lock")}, 0600);
    for (const char* suffix : {"-wal", "-shm"})
      if (fs::exists(ws.database().string() + suffix)) CHECK(mode_of(ws.database().string() + suffix) == 0600);
    check_modes(files_ending(ws.outbox_dir(), ".eml"), 0600);
    check_modes(files_ending(ws.reports_dir(), ".json"), 0640);  // the report and the purge report
    check_modes({var / "c1.csv"}, 0640);
    check_modes({var / "metrics.prom"}, 0644);  // node_exporter, another user, reads it
    check_modes(files_ending(var / "archive", ".zip"), 0640);
  }
}
