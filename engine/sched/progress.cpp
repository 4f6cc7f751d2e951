#include "engine/sched/progress.hpp"

#include "engine/env/time.hpp"

#include <cmath>
#include <cstdio>

namespace passage {

namespace {

std::string rate_text(double per_minute) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f accounts/min", per_minute);
  return text;
}

int count_of(const std::vector<std::pair<State, int>>& counts, State wanted) {
  for (const auto& [state, count] : counts)
    if (state == wanted) return count;
  return 0;
}

}  // namespace

bool is_settled(State state) {
  return is_verified_or_later(state) || is_final(state) || state == State::failed ||
         state == State::held;
}

int settled_count(const std::vector<std::pair<State, int>>& counts) {
  int settled = 0;
  for (const auto& [state, count] : counts)
    if (is_settled(state)) settled += count;
  return settled;
}

std::string progress_line(const ProgressFigures& figures) {
  int total = 0;
  std::string open;
  for (const auto& [state, count] : figures.counts) {
    total += count;
    if (count == 0 || is_settled(state)) continue;
    open += (open.empty() ? "" : ", ") + std::string(to_string(state)) + " " + std::to_string(count);
  }
  const int settled = settled_count(figures.counts);
  std::string line = std::to_string(settled) + "/" + std::to_string(total) + " settled";
  if (!open.empty()) line += " (" + open + ")";
  const int settled_now = settled - figures.settled_at_start;
  if (settled_now > 0 && figures.elapsed_seconds > 0) {
    const double per_second = settled_now / figures.elapsed_seconds;
    line += " · " + rate_text(per_second * 60);
    // INVITED accounts wait for people, not for the run.
    const int to_do = total - settled - count_of(figures.counts, State::invited);
    if (to_do > 0) line += " · " + about_duration(to_do / per_second) + " left";
  }
  for (const std::string& stack : figures.stacks) line += " · " + stack;
  line += " · " + std::to_string(figures.in_flight) + " in flight";
  return line;
}

}  // namespace passage
