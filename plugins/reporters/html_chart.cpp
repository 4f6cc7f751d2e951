#include "plugins/reporters/html_chart.hpp"

#include <algorithm>
#include <cstdio>

#include "plugins/reporters/html_words.hpp"

namespace passage {

namespace {

constexpr int k_width = 760;
constexpr int k_plot_left = 40;
constexpr int k_plot_top = 10;
constexpr int k_plot_height = 180;

std::string_view state_colour(State state) {
  switch (state) {
    case State::queued: return "#98a2b3";
    case State::exporting: return "#53b1fd";
    case State::verifying: return "#2e90fa";
    case State::moving: return "#7a5af8";
    case State::invited: return "#9e77ed";
    case State::verified: return "#32d583";
    case State::notified: return "#12b76a";
    case State::grace: return "#039855";
    case State::purge_due: return "#f79009";
    case State::purged: return "#344054";
    case State::held: return "#d92d20";
    case State::retry_wait: return "#fdb022";
    case State::failed: return "#912018";
    case State::cancelled: return "#d0d5dd";
    case State::no_space: return "#667085";
  }
  return "#98a2b3";
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

std::string rect(double x, double y, double width, double height, std::string_view fill,
                 const std::string& title) {
  return "<rect x=\"" + number(x) + "\" y=\"" + number(y) + "\" width=\"" + number(width) + "\" height=\"" +
         number(height) + "\" fill=\"" + std::string(fill) + "\"><title>" + html_escape(title) +
         "</title></rect>";
}

std::string text_at(double x, double y, const std::string& text, std::string_view anchor = "start") {
  return "<text x=\"" + number(x) + "\" y=\"" + number(y) + "\" text-anchor=\"" + std::string(anchor) + "\">" +
         html_escape(text) + "</text>";
}

// "label : 3" in French typography, "label: 3" in English.
std::string figure(const std::string& label, int count, std::string_view lang) {
  return label + (lang == "en" ? ": " : " : ") + std::to_string(count);
}

std::string short_day(date::year_month_day day) {
  char text[8];
  std::snprintf(text, sizeof text, "%02u/%02u", static_cast<unsigned>(day.day()), static_cast<unsigned>(day.month()));
  return text;
}

std::string svg_open(std::string_view id, int height, std::string_view label) {
  return "<svg id=\"" + std::string(id) + "\" role=\"img\" viewBox=\"0 0 " + std::to_string(k_width) + " " +
         std::to_string(height) + "\" width=\"" + std::to_string(k_width) + "\" height=\"" +
         std::to_string(height) + "\" aria-label=\"" + html_escape(label) + "\"><title>" + html_escape(label) +
         "</title>";
}

// Every day of a fortnight; else about seven days, the last one included
// unless it would overlap the label before it.
bool day_labelled(std::size_t i, std::size_t days) {
  if (days <= 14) return true;
  const std::size_t step = days / 7;
  if (i % step == 0) return true;
  return i + 1 == days && i % step >= step / 2;
}

int most_accounts(const std::vector<DayStates>& days) {
  int most = 1;
  for (const DayStates& day : days) {
    int total = 0;
    for (const auto& [state, count] : day.counts) total += count;
    most = std::max(most, total);
  }
  return most;
}

// The stacked bar of one day, states in lifecycle order from the bottom.
std::string day_bar(const DayStates& day, double x, double width, double scale, std::string_view lang) {
  std::string bar;
  double bottom = k_plot_top + k_plot_height;
  for (State state : k_all_states) {
    const auto it = day.counts.find(state);
    if (it == day.counts.end() || it->second == 0) continue;
    const double height = it->second * scale;
    bottom -= height;
    bar += rect(x, bottom, width, height, state_colour(state),
                figure(long_date(day.day, lang) + " — " + std::string(state_words(state, lang)), it->second, lang));
  }
  return bar;
}

std::string legend(const std::vector<DayStates>& days, int top, std::string_view lang) {
  std::string items;
  int n = 0;
  for (State state : k_all_states) {
    const bool seen = std::any_of(days.begin(), days.end(), [&](const DayStates& day) {
      const auto it = day.counts.find(state);
      return it != day.counts.end() && it->second > 0;
    });
    if (!seen) continue;
    const double x = k_plot_left + (n % 4) * 180;
    const double y = top + (n / 4) * 18;
    items += "<rect x=\"" + number(x) + "\" y=\"" + number(y) + "\" width=\"12\" height=\"12\" fill=\"" +
             std::string(state_colour(state)) + "\"></rect>";
    items += text_at(x + 16, y + 11, std::string(state_words(state, lang)));
    ++n;
  }
  return items;
}

int legend_rows(const std::vector<DayStates>& days) {
  int states = 0;
  for (State state : k_all_states)
    states += std::any_of(days.begin(), days.end(), [&](const DayStates& day) { return day.counts.count(state) > 0; });
  return (states + 3) / 4;
}

// The reason a failure is grouped under: a known code without its detail,
// a failure in the stack's words by its kind, else a person's own text.
std::string reason_group(const std::string& reason, State state, std::string_view lang) {
  const std::string code = reason.substr(0, reason.find(':'));
  const std::string worded = reason_words(code, lang);
  if (worded != code) return worded;
  const ReasonParts parts = reason_parts(reason, state, lang);
  return parts.stack_words.empty() ? reason.substr(0, 80) : parts.words;
}

std::vector<std::pair<std::string, int>> most_frequent(const std::map<std::string, int>& counts) {
  std::vector<std::pair<std::string, int>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (sorted.size() > 12) sorted.resize(12);
  return sorted;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&#39;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

void count_failure(const Account& account, std::string_view lang, std::map<std::string, int>& counts) {
  if (account.state == State::held && !account.hold_reasons.empty()) {
    for (const std::string& reason : account.hold_reasons) ++counts[reason_group(reason, State::held, lang)];
  } else if (account.state == State::held || account.state == State::failed) {
    ++counts[account.state_reason.empty() ? std::string(state_words(account.state, lang))
                                          : reason_group(account.state_reason, account.state, lang)];
  }
}

StatesPerDay::StatesPerDay(const date::time_zone* zone, date::year_month_day last_day, int max_days)
    : m_zone(zone), m_last_day(last_day), m_window_start(m_last_day - date::days(max_days - 1)) {}

void StatesPerDay::add_account(std::int64_t id, State state) { m_accounts.push_back(Tracked{id, state, {}}); }

StatesPerDay::Tracked* StatesPerDay::tracked(std::int64_t id) {
  if (!m_sorted) {
    std::stable_sort(m_accounts.begin(), m_accounts.end(),
                     [](const Tracked& a, const Tracked& b) { return a.id < b.id; });
    m_sorted = true;
  }
  auto found = std::lower_bound(m_accounts.begin(), m_accounts.end(), id,
                                [](const Tracked& a, std::int64_t wanted) { return a.id < wanted; });
  return found != m_accounts.end() && found->id == id ? &*found : nullptr;
}

// Counts every day before `day` not counted yet, as replayed so far.
void StatesPerDay::snapshot_until(date::sys_days day) {
  for (; *m_next_day < day && *m_next_day <= m_last_day; *m_next_day += date::days(1))
    m_days.push_back(DayStates{date::year_month_day(*m_next_day), m_replayed});
}

void StatesPerDay::add_change(const StateChange& change) {
  Tracked* account = tracked(change.account_id);
  if (!account) return;
  const date::sys_days day = local_date(change.at, m_zone);
  if (!m_next_day) m_next_day = std::max(std::min(m_last_day, day), m_window_start);
  // Journal order is the order things happened: a change dated before a
  // day already counted (a clock set back between two commands, --now)
  // counts from the next day on, never in the past.
  snapshot_until(day);
  if (account->replayed) {
    auto before = m_replayed.find(*account->replayed);
    if (--before->second == 0) m_replayed.erase(before);
  }
  account->replayed = change.to;
  ++m_replayed[change.to];
}

std::vector<DayStates> StatesPerDay::finish() {
  if (!m_next_day) m_next_day = m_last_day;
  snapshot_until(m_last_day + date::days(1));
  std::map<State, int> unchanged;  // accounts without any recorded change: their state now
  for (const Tracked& account : m_accounts)
    if (!account.replayed) ++unchanged[account.now];
  for (DayStates& day : m_days)
    for (const auto& [state, count] : unchanged) day.counts[state] += count;
  return std::move(m_days);
}

std::vector<DayStates> states_per_day(const ReportInput& input, const date::time_zone* zone,
                                      date::year_month_day last_day, int max_days) {
  StatesPerDay days(zone, last_day, max_days);
  for (const Account& account : input.accounts) days.add_account(account.id, account.state);
  for (const StateChange& change : input.history) days.add_change(change);
  return days.finish();
}

std::string states_chart(const std::vector<DayStates>& days, std::string_view lang) {
  const int legend_top = k_plot_top + k_plot_height + 26;
  const int height = legend_top + legend_rows(days) * 18 + 4;
  std::string svg = svg_open("states-chart", height, page_word("states_over_time", lang));
  const int most = most_accounts(days);
  const double scale = static_cast<double>(k_plot_height) / most;
  const double slot = static_cast<double>(k_width - k_plot_left - 10) / std::max<std::size_t>(1, days.size());
  svg += "<line x1=\"" + number(k_plot_left - 2) + "\" y1=\"" + number(k_plot_top + k_plot_height) + "\" x2=\"" +
         number(k_width - 10) + "\" y2=\"" + number(k_plot_top + k_plot_height) + "\" stroke=\"#5b6473\"></line>";
  svg += text_at(k_plot_left - 6, k_plot_top + 10, std::to_string(most), "end");
  svg += text_at(k_plot_left - 6, k_plot_top + k_plot_height, "0", "end");
  for (std::size_t i = 0; i < days.size(); ++i) {
    const double x = k_plot_left + i * slot;
    svg += day_bar(days[i], x + slot * 0.1, slot * 0.8, scale, lang);
    if (day_labelled(i, days.size()))
      svg += text_at(x + slot / 2, k_plot_top + k_plot_height + 14, short_day(days[i].day), "middle");
  }
  return svg + legend(days, legend_top, lang) + "</svg>";
}

std::string failures_chart(const std::map<std::string, int>& counts, std::string_view lang) {
  const auto reasons = most_frequent(counts);
  const int row = 22;
  const int height = std::max<int>(1, static_cast<int>(reasons.size())) * row + 8;
  std::string svg = svg_open("failures-chart", height, page_word("failures_by_reason", lang));
  if (reasons.empty()) return svg + text_at(4, 18, std::string(page_word("no_failures", lang))) + "</svg>";
  const int most = reasons.front().second;
  const double bar_left = 340, bar_room = k_width - bar_left - 50;
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    const auto& [reason, count] = reasons[i];
    const double y = 4 + static_cast<double>(i) * row;
    svg += text_at(bar_left - 8, y + 14, reason, "end");
    const double width = std::max(2.0, bar_room * count / most);
    svg += rect(bar_left, y + 3, width, row - 8, "#b42318", figure(reason, count, lang));
    svg += text_at(bar_left + width + 6, y + 14, std::to_string(count));
  }
  return svg + "</svg>";
}

}  // namespace passage
