#include "engine/sched/archive_retention.hpp"

#include <filesystem>
#include <vector>

#include "engine/archive/archive_paths.hpp"

namespace passage {

namespace {

namespace fs = std::filesystem;

// What is kept for the account: its folder, and the parts of its evidence
// an older version left in the domain's folder.
std::vector<fs::path> archive_paths_of(const Config& config, const Account& account) {
  std::vector<fs::path> paths;
  std::error_code error;
  fs::path folder = archive_folder(config.export_.archive_dir, account.domain, account.id);
  if (fs::exists(folder, error)) paths.push_back(folder);
  if (account.evidence.kind != "export") return paths;
  for (const PartEvidence& part : account.evidence.parts) {
    fs::path legacy = config.export_.archive_dir / account.domain /
                      archive_part_name(account.evidence.export_id, part.n);
    if (fs::is_regular_file(legacy, error)) paths.push_back(legacy);
  }
  return paths;
}

}  // namespace

int remove_expired_archives(const Config& config, Store& store, Instant now, const std::string& actor) {
  if (store.breaker().tripped) return 0;
  int removed = 0;
  for (const Account& account : store.in_state(State::purged)) {
    if (!account.purged_at) continue;
    if (add_span(*account.purged_at, config.export_.archive_retention, config.zone) > now) continue;
    std::vector<fs::path> paths = archive_paths_of(config, account);
    if (paths.empty()) continue;
    std::string problems;
    for (const fs::path& path : paths) {
      std::error_code error;
      fs::remove_all(path, error);
      if (error) problems += (problems.empty() ? "" : "; ") + path.string() + ": " + error.message();
    }
    // The domain's folder goes with its last archive (a non-empty one stays).
    std::error_code ignored;
    fs::remove(config.export_.archive_dir / account.domain, ignored);
    store.journal(now, actor, account.id, "archive_removed",
                  problems.empty() ? paths.front().string() + " removed after the retention period"
                                   : "could not remove " + problems);
    if (problems.empty()) ++removed;
  }
  return removed;
}

}  // namespace passage
