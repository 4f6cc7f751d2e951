#include "plugins/reporters/report_history.hpp"

#include <set>

#include "engine/store/journal.hpp"

namespace passage {

namespace {

// The state an entry moved its account to: "imported" is QUEUED; a
// transition's detail reads "FROM -> TO" or "FROM -> TO: why".
std::optional<State> state_reached(const JournalEntry& entry) {
  if (entry.kind == "imported") return State::queued;
  if (entry.kind != "state" && entry.kind != "support") return std::nullopt;
  const auto arrow = entry.detail.find(" -> ");
  if (arrow == std::string::npos) return std::nullopt;
  std::string_view to = std::string_view(entry.detail).substr(arrow + 4);
  to = to.substr(0, to.find(':'));
  return state_from_string(to);
}

}  // namespace

std::vector<StateChange> read_state_changes(Store& store, const std::vector<Account>& accounts) {
  std::set<std::int64_t> ids;
  for (const Account& account : accounts) ids.insert(account.id);
  std::vector<StateChange> changes;
  for_each_journal_entry(store.db(), [&](const JournalEntry& entry) {
    if (!entry.account_id || !ids.count(*entry.account_id)) return true;
    const auto to = state_reached(entry);
    const auto at = parse_utc(entry.at);
    if (to && at) changes.push_back(StateChange{*entry.account_id, *at, *to});
    return true;
  });
  return changes;
}

}  // namespace passage
