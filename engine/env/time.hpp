#pragma once
// Instants, durations and local-calendar arithmetic.
//
// An Instant is a UTC point in time at millisecond precision. Durations as
// written in configs ("1 month", "21 days") are kept symbolic (CalendarSpan)
// because a month has no fixed length: they are applied in the academy's time
// zone with add_span().

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>
#include <date/tz.h>

namespace passage {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;
using Millis = std::chrono::milliseconds;

enum class SpanUnit { second, minute, hour, day, week, month };

// "<integer> <unit>", unit second|minute|hour|day|week|month, plural allowed.
struct CalendarSpan {
  long count = 0;
  SpanUnit unit = SpanUnit::day;

  bool operator==(const CalendarSpan&) const = default;
};

// Parses "<integer> <unit>"; nullopt on anything else (negative counts too).
std::optional<CalendarSpan> parse_span(std::string_view text);

// Prints a span the way it is written in configs: "1 month", "21 days".
std::string to_string(const CalendarSpan& span);

// The fixed length of a span without months; a month counts as 30 days
// (for caps and estimates only, never for the grace period).
Millis approximate_length(const CalendarSpan& span);

// Adds a span in local time of `zone` (CONTRACT.md "Grace"): months keep the
// local time of day and clamp to the month's last day; days and weeks add
// calendar days at the same local time; hours and smaller add real time.
// A local time in a spring-forward gap moves to the first instant after the
// gap; an ambiguous one takes the earlier. Negative spans subtract.
Instant add_span(Instant from, const CalendarSpan& span, const date::time_zone* zone, int sign = +1);

// ISO 8601: "2026-12-01", "2026-12-01T02:00:00", optional ".sss", either with
// "Z" or "+01:00" / "-0500". Without offset the time is local in `zone`
// (a date alone is local midnight). nullopt when malformed.
std::optional<Instant> parse_iso_instant(std::string_view text, const date::time_zone* zone);

// "YYYY-MM-DD" strictly (a real calendar date); nullopt otherwise.
std::optional<date::year_month_day> parse_iso_date(std::string_view text);

// "DD/MM/YYYY" strictly (a real calendar date), as French spreadsheets
// write dates; nullopt otherwise.
std::optional<date::year_month_day> parse_day_month_year(std::string_view text);

// The local wall-clock time of `at` in `zone` (a null zone means UTC).
date::local_time<Millis> to_local_time(Instant at, const date::time_zone* zone);

// The instant of a local wall-clock time in `zone`: a time in a
// spring-forward gap becomes the first instant after the gap, an ambiguous
// one the earlier instant. A null zone means UTC.
Instant from_local_time(date::local_time<Millis> local, const date::time_zone* zone);

// Local midnight of `day` in `zone` as an instant.
Instant local_midnight(date::year_month_day day, const date::time_zone* zone);

// The local calendar date of `at` in `zone`.
date::year_month_day local_date(Instant at, const date::time_zone* zone);

// "2026-12-01T02:00:00.000Z"
std::string format_utc(Instant at);
// "2026-12-01"
std::string format_date(date::year_month_day day);
// A span for people: "about 3 h 20 min", "about 12 min", "less than a minute".
std::string about_duration(double seconds);
// "20261201T020000" in UTC, for file names.
std::string format_stamp(Instant at);

// Round trip of format_utc (used to read back stored instants).
std::optional<Instant> parse_utc(std::string_view text);

}  // namespace passage
