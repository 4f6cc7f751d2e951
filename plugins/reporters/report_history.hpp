#pragma once
// The state changes the HTML report charts, read from the journal.

#include <vector>

#include "engine/store/store.hpp"
#include "plugins/reporters/reporters.hpp"

namespace passage {

// Every state change of `accounts` in journal order: the import (QUEUED)
// and each "FROM -> TO" transition, by Passage or a person. Streams the
// journal (one entry in memory at a time).
std::vector<StateChange> read_state_changes(Store& store, const std::vector<Account>& accounts);

}  // namespace passage
