#pragma once
// The HTML report's charts: inline SVG (no script, no external resource,
// readable without JavaScript; each bar has a <title> for its figures).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/reporters/reporters.hpp"

namespace passage {

// `text` with & < > " ' as character references.
std::string html_escape(std::string_view text);

struct DayStates {
  date::year_month_day day;
  std::map<State, int> counts;  // accounts in each state at the end of `day`
};

// The accounts per state at the end of each local day, from the first
// change's day to `last_day` (at most `max_days`, the latest kept), replaying
// `input.history` in its (journal) order. An account without a recorded
// change counts in its current state every day.
std::vector<DayStates> states_per_day(const ReportInput& input, const date::time_zone* zone,
                                      date::year_month_day last_day, int max_days = 90);

// <svg id="states-chart">: one stacked bar per day, a legend of the states.
std::string states_chart(const std::vector<DayStates>& days, std::string_view lang);

// <svg id="failures-chart">: the FAILED and HELD accounts by reason (the
// reason's code in words, without its detail), most frequent first.
std::string failures_chart(const std::vector<Account>& accounts, std::string_view lang);

}  // namespace passage
