#pragma once
// The HTML report's charts: inline SVG (no script, no external resource,
// readable without JavaScript; each bar has a <title> for its figures).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/reporters/reporters.hpp"

namespace passage {

// `text` with & < > " ' as character references.
std::string html_escape(std::string_view text);

// The accounts per state at the end of each local day, from the first
// change's day to `last_day` (at most `max_days`, the latest kept),
// replaying the accounts' state changes in their (journal) order. An
// account without a recorded change counts in its current state every day;
// changes of accounts not added are ignored. Holds about 24 bytes an
// account and the days' counts: never the accounts themselves.
class StatesPerDay {
 public:
  StatesPerDay(const date::time_zone* zone, date::year_month_day last_day, int max_days = 90);
  // Every account first, then its changes.
  void add_account(std::int64_t id, State state);
  void add_change(const StateChange& change);
  std::vector<DayStates> finish();

 private:
  struct Tracked {
    std::int64_t id = 0;
    State now = State::queued;  // its current state
    std::optional<State> replayed;  // none: no recorded change
  };
  Tracked* tracked(std::int64_t id);
  void snapshot_until(date::sys_days day);

  const date::time_zone* m_zone;
  date::sys_days m_last_day;
  date::sys_days m_window_start;
  std::vector<Tracked> m_accounts;  // sorted by id at the first change
  bool m_sorted = false;
  std::optional<date::sys_days> m_next_day;  // the next day to count, from the first change on
  std::map<State, int> m_replayed;            // the changed accounts, as replayed so far
  std::vector<DayStates> m_days;
};

// The same, for accounts and changes in memory.
std::vector<DayStates> states_per_day(const ReportInput& input, const date::time_zone* zone,
                                      date::year_month_day last_day, int max_days = 90);

// <svg id="states-chart">: one stacked bar per day, a legend of the states.
std::string states_chart(const std::vector<DayStates>& days, std::string_view lang);

// Counts a FAILED or HELD account under its reasons (the reason's code in
// words, without its detail) in `counts`; any other account is not counted.
void count_failure(const Account& account, std::string_view lang, std::map<std::string, int>& counts);

// <svg id="failures-chart">: the reasons counted by count_failure, most
// frequent first.
std::string failures_chart(const std::map<std::string, int>& counts, std::string_view lang);

}  // namespace passage
