// Spans and local-calendar arithmetic (CONTRACT.md "Grace, deletion date,
// reminders"). Parsing and printing of instants live in time_format.cpp.

#include "engine/env/time.hpp"

#include <array>
#include <charconv>
#include <cstdint>

namespace passage {
namespace {

struct UnitInfo {
  std::string_view name;
  SpanUnit unit;
  std::int64_t seconds;  // a month counts 30 days (estimates only)
};

constexpr std::int64_t k_day_seconds = 24 * 3600;
constexpr std::array<UnitInfo, 6> k_units{{
    {"second", SpanUnit::second, 1},
    {"minute", SpanUnit::minute, 60},
    {"hour", SpanUnit::hour, 3600},
    {"day", SpanUnit::day, k_day_seconds},
    {"week", SpanUnit::week, 7 * k_day_seconds},
    {"month", SpanUnit::month, 30 * k_day_seconds},
}};

// Spans beyond this are typos; the cap also keeps every calendar result
// inside the date library's year range and far from integer overflow.
constexpr std::int64_t k_max_span_seconds = 1000LL * 366 * k_day_seconds;

const UnitInfo& info_of(SpanUnit unit) {
  for (const auto& info : k_units) {
    if (info.unit == unit) return info;
  }
  return k_units[3];
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::optional<long> parse_count(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;  // no sign, no fraction
  }
  long count = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return count;
}

std::optional<SpanUnit> parse_unit(std::string_view word) {
  for (const auto& info : k_units) {
    if (word == info.name) return info.unit;
    if (word.size() == info.name.size() + 1 && word.starts_with(info.name) && word.back() == 's') {
      return info.unit;
    }
  }
  return std::nullopt;
}

Instant add_local_days(Instant from, long count, const date::time_zone* zone) {
  const auto local = to_local_time(from, zone);
  const auto day = date::floor<date::days>(local);
  const auto time_of_day = local - day;
  return from_local_time(day + date::days{static_cast<int>(count)} + time_of_day, zone);
}

Instant add_local_months(Instant from, long count, const date::time_zone* zone) {
  const auto local = to_local_time(from, zone);
  const auto day = date::floor<date::days>(local);
  const auto time_of_day = local - day;
  auto ymd = date::year_month_day{day} + date::months{static_cast<int>(count)};
  if (!ymd.ok()) {
    // 31 January + 1 month is the last day of February, never 3 March.
    ymd = date::year_month_day_last{ymd.year(), date::month_day_last{ymd.month()}};
  }
  return from_local_time(date::local_days{ymd} + time_of_day, zone);
}

}  // namespace

date::local_time<Millis> to_local_time(Instant at, const date::time_zone* zone) {
  if (zone == nullptr) return date::local_time<Millis>{at.time_since_epoch()};
  return zone->to_local(at);
}

Instant from_local_time(date::local_time<Millis> local, const date::time_zone* zone) {
  if (zone == nullptr) return Instant{local.time_since_epoch()};
  const auto info = zone->get_info(local);
  // The transition instant is the first instant after the gap.
  if (info.result == date::local_info::nonexistent) return Instant{info.first.end};
  return zone->to_sys(local, date::choose::earliest);
}

std::optional<CalendarSpan> parse_span(std::string_view text) {
  text = trim(text);
  const auto space = text.find_first_of(" \t");
  if (space == std::string_view::npos) return std::nullopt;
  const auto count = parse_count(text.substr(0, space));
  const auto unit = parse_unit(trim(text.substr(space)));
  if (!count || !unit) return std::nullopt;
  if (*count > k_max_span_seconds / info_of(*unit).seconds) return std::nullopt;
  return CalendarSpan{*count, *unit};
}

std::string to_string(const CalendarSpan& span) {
  std::string text = std::to_string(span.count) + " " + std::string(info_of(span.unit).name);
  if (span.count != 1) text += "s";
  return text;
}

Millis approximate_length(const CalendarSpan& span) {
  return std::chrono::seconds{span.count * info_of(span.unit).seconds};
}

Instant add_span(Instant from, const CalendarSpan& span, const date::time_zone* zone, int sign) {
  const long count = sign < 0 ? -span.count : span.count;
  switch (span.unit) {
    case SpanUnit::second:
    case SpanUnit::minute:
    case SpanUnit::hour:
      // Real elapsed time: an hour across a DST change is still an hour.
      return from + std::chrono::seconds{count * info_of(span.unit).seconds};
    case SpanUnit::day:
      return add_local_days(from, count, zone);
    case SpanUnit::week:
      return add_local_days(from, 7 * count, zone);
    case SpanUnit::month:
      return add_local_months(from, count, zone);
  }
  return from;
}

Instant local_midnight(date::year_month_day day, const date::time_zone* zone) {
  return from_local_time(date::local_days{day}, zone);
}

date::year_month_day local_date(Instant at, const date::time_zone* zone) {
  return date::year_month_day{date::floor<date::days>(to_local_time(at, zone))};
}

}  // namespace passage
