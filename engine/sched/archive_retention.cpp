#include "engine/sched/archive_retention.hpp"

#include <filesystem>

namespace passage {

int remove_expired_archives(const Config& config, Store& store, Instant now, const std::string& actor) {
  int removed = 0;
  for (const Account& account : store.in_state(State::purged)) {
    if (!account.purged_at) continue;
    if (add_span(*account.purged_at, config.export_.archive_retention, config.zone) > now) continue;
    std::filesystem::path folder = config.export_.archive_dir / account.domain;
    std::error_code error;
    if (!std::filesystem::exists(folder, error)) continue;
    std::filesystem::remove_all(folder, error);
    store.journal(now, actor, account.id, "archive_removed",
                  error ? "could not remove " + folder.string() + ": " + error.message()
                        : folder.string() + " removed after the retention period");
    if (!error) ++removed;
  }
  return removed;
}

}  // namespace passage
