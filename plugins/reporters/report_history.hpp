#pragma once
// The state changes the HTML report charts, read from the journal.

#include "engine/store/store.hpp"
#include "plugins/reporters/html_chart.hpp"

namespace passage {

// Gives `days` every state change of the journal in journal order: the
// import (QUEUED) and each "FROM -> TO" transition, by Passage or a
// person; `days` keeps those of the accounts it was given. Streams the
// journal (one entry in memory at a time).
void replay_state_changes(Store& store, StatesPerDay& days);

}  // namespace passage
