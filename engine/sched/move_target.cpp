#include "engine/sched/move_target.hpp"

#include "engine/lifecycle/lifecycle.hpp"

namespace passage {

bool holds_only_served_parts(const Evidence& evidence, const MoveServed& served, const DiskUsage& usage) {
  ContentTotals restored;
  for (std::size_t n = 0; n < evidence.parts.size() && n < served.part_bytes.size(); ++n) {
    // The stack fetches the parts in order: past a part not sent whole,
    // nothing more can have been restored from this export.
    if (served.part_bytes[n] < evidence.parts[n].bytes) return false;
    restored += evidence.parts[n].content;
    if (usage.files == restored.file_bytes && usage.versions == restored.version_bytes) return true;
  }
  return false;
}

std::optional<MoveToken> import_matching_target(Database& db, std::int64_t account_id, const DiskUsage& usage) {
  for (const MoveToken& token : move_tokens_of(db, account_id)) {
    auto evidence = evidence_from_json(token.evidence);
    if (!evidence || evidence->parts.empty()) continue;  // a token older than its evidence: proves nothing
    const MoveServed served = move_served(db, token.token_hash, static_cast<int>(evidence->parts.size()));
    if (holds_only_served_parts(*evidence, served, usage)) return token;
  }
  return std::nullopt;
}

bool used_since_import(date::year_month_day last_activity, Instant token_issued) {
  return activity_may_follow(last_activity, token_issued);
}

}  // namespace passage
