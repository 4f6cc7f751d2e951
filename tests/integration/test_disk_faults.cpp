// Disk full and a read-only database or archive folder (issue 12), through
// the PASSAGE_FAULTS seam (CI runs as root: file modes prove nothing): a
// clear error naming the path, exit 7, nothing corrupted, no account
// advanced on a write that failed, and the campaign finishes once the disk
// takes writes again.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/integration/fault_stand.hpp"
#include "tests/integration/probe.hpp"

using namespace passage::testing;
using namespace passage::testing::faults;
namespace fs = std::filesystem;

namespace {

const Step k_run{std::chrono::seconds(0), {"run", "--until-idle"}};
const Step k_purge{std::chrono::seconds(0), {"purge"}};
const Step k_past_grace{std::chrono::hours(24 * 35), {"purge"}};

// Every account's row as text: what a failed command must leave as it was.
std::vector<std::vector<std::string>> account_rows(const Workspace& ws) {
  Db db(ws.database());
  return db.rows("SELECT id, state, version, verified_at, evidence, purged_at FROM accounts ORDER BY id");
}

void require_refused(const ProcessResult& result, const std::string& path_part, const std::string& reason) {
  INFO("stderr: " << result.err);
  CHECK(result.exit_code == 7);
  CHECK(result.err.find("cannot write") != std::string::npos);
  CHECK(result.err.find(path_part) != std::string::npos);
  CHECK(result.err.find(reason) != std::string::npos);
}

// Space back: the campaign runs to its end, every account deleted safely.
void finishes(FaultStand& stand) {
  ProcessResult run = stand.run(k_run);
  INFO("run stderr: " << run.err);
  CHECK(run.exit_code == 0);
  // A day on: anything the refused run left to the 24-hour rule.
  ProcessResult later = stand.run(Step{std::chrono::hours(25), {"run", "--until-idle"}});
  INFO("later run stderr: " << later.err);
  CHECK(later.exit_code == 0);
  ProcessResult purge = stand.run(k_past_grace);
  INFO("purge stderr: " << purge.err);
  CHECK(purge.exit_code == 0);
  CHECK(check_recovered(stand, "after space returned") == stand.accounts());
}

size_t files_under(const fs::path& dir, const std::string& extension) {
  size_t count = 0;
  if (!fs::exists(dir)) return 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    count += entry.path().extension() == extension ? 1 : 0;
  return count;
}

}  // namespace

TEST_CASE("Disk full or read-only under the database: run exits 7 naming it, nothing is sent or "
          "changed, and the campaign resumes",
          "[faults]") {
  for (const std::string error : {"enospc", "erofs"}) {
    FaultStand stand(2);
    const auto before = account_rows(stand.ws);
    ProcessResult refused = stand.run(k_run, "journal_write:1+:" + error);
    require_refused(refused, "var/passage.db",
                    error == "enospc" ? "No space left on device" : "Read-only file system");
    // No intent committed, so no export requested and no source blocked.
    CHECK(stat(stand.source->stats(), "exports_started") == 0);
    CHECK(account_rows(stand.ws) == before);
    check_recovered(stand, "right after the refused run", false);
    finishes(stand);
  }
}

TEST_CASE("Disk full under the database during the purge: exit 7, no DELETE without its intent, "
          "and the next purge deletes",
          "[faults]") {
  FaultStand stand(2);
  REQUIRE(stand.run(k_run).exit_code == 0);
  ProcessResult refused = stand.run(k_past_grace, "journal_write:1+");
  require_refused(refused, "passage.db", "No space left on device");
  CHECK(stand.stat_sum("deletions") == 0);
  check_recovered(stand, "right after the refused purge", false);
  ProcessResult purge = stand.run(k_purge);
  INFO("purge stderr: " << purge.err);
  CHECK(purge.exit_code == 0);
  CHECK(check_recovered(stand, "after space returned") == stand.accounts());
}

TEST_CASE("Disk full or read-only archive folder: run exits 7 naming the part, no account verified "
          "on it, no partial part left, and the campaign resumes",
          "[faults]") {
  for (const std::string error : {"enospc", "erofs"}) {
    FaultStand stand(2);
    ProcessResult refused = stand.run(k_run, "part_file:1+:" + error);
    require_refused(refused, ".part", error == "enospc" ? "No space left on device" : "Read-only file system");
    Db db(stand.ws.database());
    CHECK(db.scalar("SELECT COUNT(*) FROM accounts WHERE verified_at IS NOT NULL") == 0);
    CHECK(files_under(stand.ws.dir() / "var", ".part") == 0);
    check_recovered(stand, "right after the refused run", false);
    finishes(stand);
  }
}

TEST_CASE("Outbox full: run exits 7 naming the mail, no account NOTIFIED on it, and the campaign "
          "resumes",
          "[faults]") {
  FaultStand stand(2);
  ProcessResult refused = stand.run(k_run, "outbox_mail:1+");
  require_refused(refused, "outbox", "No space left on device");
  Db db(stand.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM accounts WHERE state IN ('NOTIFIED', 'GRACE')") == 0);
  CHECK(db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'notice' AND outcome = 'sent'") == 0);
  CHECK(files_under(stand.ws.dir() / "var" / "outbox", ".eml") == 0);
  check_recovered(stand, "right after the refused run", false);
  finishes(stand);
}

TEST_CASE("Reports folder or metrics textfile full: purge and report exit 7 naming the file, and "
          "nothing they recorded is lost",
          "[faults]") {
  FaultStand stand(2);
  REQUIRE(stand.run(k_run).exit_code == 0);
  ProcessResult refused = stand.run(k_past_grace, "report:1");
  require_refused(refused, "purge-", "No space left on device");
  // The deletions of that night were committed before the report.
  CHECK(check_recovered(stand, "after the purge report was refused") == stand.accounts());
  CHECK(files_under(stand.ws.reports_dir(), ".json") == 0);
  ProcessResult metrics = stand.run(k_purge, "metrics:1");
  require_refused(metrics, "metrics.prom", "No space left on device");
  ProcessResult report = stand.run(Step{std::chrono::seconds(0), {"report", "c1", "--format", "csv"}},
                                   "report:1:erofs");
  require_refused(report, "c1-", "Read-only file system");
  CHECK(files_under(stand.ws.reports_dir(), ".csv") == 0);
  ProcessResult again = stand.run(Step{std::chrono::seconds(0), {"report", "c1", "--format", "csv"}});
  CHECK(again.exit_code == 0);
  CHECK(files_under(stand.ws.reports_dir(), ".csv") == 1);
}

TEST_CASE("A malformed PASSAGE_FAULTS is bad input: exit 2, the item named", "[faults]") {
  FaultStand stand(1);
  ProcessResult refused = stand.run(k_run, "export_request:zero");
  INFO("stderr: " << refused.err);
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("PASSAGE_FAULTS: 'export_request:zero'") != std::string::npos);
  Db db(stand.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM accounts WHERE state <> 'QUEUED'") == 0);
}
