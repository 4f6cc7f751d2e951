#pragma once
// The run's progress line: pure, from figures the runner gathers.

#include <string>
#include <utility>
#include <vector>

#include "engine/lifecycle/state.hpp"

namespace passage {

struct ProgressFigures {
  std::vector<std::pair<State, int>> counts;  // accounts in scope by state
  int settled_at_start = 0;                   // settled when the run started
  double elapsed_seconds = 0;
  int in_flight = 0;
  std::vector<std::string> stacks;  // "academy 50/s", "academy paused 12 s"
};

// Verified or later, final, FAILED or HELD: nothing for a run to do now.
bool is_settled(State state);
int settled_count(const std::vector<std::pair<State, int>>& counts);

// "42/100 settled (EXPORTING 12, QUEUED 46) · 3.5 accounts/min · about
// 17 min left · academy 50/s · 4 in flight". The rate and the time left
// appear once something settled during the run; the time left leaves out
// INVITED accounts (they wait for people, not for the run).
std::string progress_line(const ProgressFigures& figures);

}  // namespace passage
