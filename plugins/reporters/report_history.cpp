#include "plugins/reporters/report_history.hpp"

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

void replay_state_changes(Store& store, StatesPerDay& days) {
  for_each_journal_entry(store.db(), [&](const JournalEntry& entry) {
    if (!entry.account_id) return true;
    const auto to = state_reached(entry);
    const auto at = parse_utc(entry.at);
    if (to && at) days.add_change(StateChange{*entry.account_id, *at, *to});
    return true;
  });
}

}  // namespace passage
