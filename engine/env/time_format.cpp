// ISO 8601 reading and printing of instants and dates. The parser is
// hand-written and strict: `--now` and stored instants are read here, and a
// silently misread date would shift every deadline of a campaign.

#include <cmath>
#include <cstdio>

#include "engine/env/time.hpp"

namespace passage {
namespace {

// Reads fixed-width fields left to right; every failure is final.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : m_text(text) {}

  bool at_end() const { return m_pos == m_text.size(); }
  bool next_is(char c) const { return !at_end() && m_text[m_pos] == c; }

  bool take(char c) {
    if (!next_is(c)) return false;
    ++m_pos;
    return true;
  }

  // Exactly `width` decimal digits.
  bool digits(std::size_t width, int& out) {
    if (m_text.size() - m_pos < width) return false;
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      const char c = m_text[m_pos + i];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    m_pos += width;
    out = value;
    return true;
  }

  // One to nine digits after a decimal point, kept to milliseconds.
  bool fraction(Millis& out) {
    int millis = 0;
    std::size_t count = 0;
    while (!at_end() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9') {
      if (count < 3) millis = millis * 10 + (m_text[m_pos] - '0');
      ++count;
      ++m_pos;
    }
    if (count == 0 || count > 9) return false;
    for (std::size_t i = count; i < 3; ++i) millis *= 10;
    out = Millis{millis};
    return true;
  }

 private:
  std::string_view m_text;
  std::size_t m_pos = 0;
};

std::optional<date::year_month_day> calendar_date(int year, int month, int day) {
  const date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(month)},
                                 date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::optional<date::year_month_day> read_date(Cursor& in) {
  int year = 0, month = 0, day = 0;
  if (!in.digits(4, year) || !in.take('-') || !in.digits(2, month) || !in.take('-') ||
      !in.digits(2, day)) {
    return std::nullopt;
  }
  return calendar_date(year, month, day);
}

// "HH:MM", "HH:MM:SS" or "HH:MM:SS.fff" as a time of day.
std::optional<Millis> read_time(Cursor& in) {
  int hours = 0, minutes = 0, seconds = 0;
  if (!in.digits(2, hours) || !in.take(':') || !in.digits(2, minutes)) return std::nullopt;
  Millis fraction{0};
  if (in.take(':')) {
    if (!in.digits(2, seconds)) return std::nullopt;
    if (in.take('.') && !in.fraction(fraction)) return std::nullopt;
  }
  if (hours > 23 || minutes > 59 || seconds > 59) return std::nullopt;
  return std::chrono::hours{hours} + std::chrono::minutes{minutes} +
         std::chrono::seconds{seconds} + fraction;
}

// "Z", "+01:00" or "-0500" as the offset from UTC; `failed` on a bad one.
std::optional<Millis> read_offset(Cursor& in, bool& failed) {
  if (in.take('Z')) return Millis{0};
  const bool negative = in.next_is('-');
  if (!in.take('+') && !in.take('-')) return std::nullopt;
  int hours = 0, minutes = 0;
  bool ok = in.digits(2, hours);
  in.take(':');  // "+01:00" and "+0100" are both ISO 8601
  ok = ok && in.digits(2, minutes) && hours <= 23 && minutes <= 59;
  if (!ok) {
    failed = true;
    return std::nullopt;
  }
  const Millis offset = std::chrono::hours{hours} + std::chrono::minutes{minutes};
  return negative ? -offset : offset;
}

std::optional<Instant> parse_instant(std::string_view text, const date::time_zone* zone,
                                     bool require_offset) {
  Cursor in{text};
  const auto day = read_date(in);
  if (!day) return std::nullopt;
  Millis time_of_day{0};
  if (in.take('T')) {
    const auto time = read_time(in);
    if (!time) return std::nullopt;
    time_of_day = *time;
  }
  bool bad_offset = false;
  const auto offset = read_offset(in, bad_offset);
  if (bad_offset || !in.at_end()) return std::nullopt;
  if (offset) return Instant{date::sys_days{*day}} + time_of_day - *offset;
  if (require_offset) return std::nullopt;
  return from_local_time(date::local_days{*day} + time_of_day, zone);
}

}  // namespace

std::optional<Instant> parse_iso_instant(std::string_view text, const date::time_zone* zone) {
  return parse_instant(text, zone, false);
}

std::optional<Instant> parse_utc(std::string_view text) {
  return parse_instant(text, nullptr, true);
}

std::optional<date::year_month_day> parse_iso_date(std::string_view text) {
  Cursor in{text};
  const auto day = read_date(in);
  if (!day || !in.at_end()) return std::nullopt;
  return day;
}

std::optional<date::year_month_day> parse_day_month_year(std::string_view text) {
  Cursor in{text};
  int year = 0, month = 0, day = 0;
  if (!in.digits(2, day) || !in.take('/') || !in.digits(2, month) || !in.take('/') || !in.digits(4, year) ||
      !in.at_end()) {
    return std::nullopt;
  }
  return calendar_date(year, month, day);
}

// format_utc and format_date print by hand what date::format prints, for
// the years 0000-9999 (every instant Passage meets): date::format goes
// through an ostringstream and its locale, which was 18 % of the CPU of
// importing a campaign (issue 15). Other years go to date::format.
namespace {

bool four_digit_year(date::year_month_day day) {
  return day.ok() && int(day.year()) >= 0 && int(day.year()) <= 9999;
}

// Writes `value` as exactly `width` decimal digits (zero-padded) at `out`
// and returns the position after them: snprintf's format parsing was 5 %
// of a 1,000,000-account import (three dates a row).
char* put_digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

// "YYYY-MM-DD" at `out`; the position after it.
char* put_date(char* out, date::year_month_day day) {
  out = put_digits(out, static_cast<unsigned>(int(day.year())), 4);
  *out++ = '-';
  out = put_digits(out, unsigned(day.month()), 2);
  *out++ = '-';
  return put_digits(out, unsigned(day.day()), 2);
}

}  // namespace

std::string format_utc(Instant at) {
  const auto day = date::floor<date::days>(at);
  const date::year_month_day ymd{day};
  if (!four_digit_year(ymd)) return date::format("%FT%TZ", at);
  const auto ms = static_cast<unsigned>((at - day).count());  // [0, 86,400,000)
  char text[32];
  char* out = put_date(text, ymd);
  *out++ = 'T';
  out = put_digits(out, ms / 3600000 % 24, 2);
  *out++ = ':';
  out = put_digits(out, ms / 60000 % 60, 2);
  *out++ = ':';
  out = put_digits(out, ms / 1000 % 60, 2);
  *out++ = '.';
  out = put_digits(out, ms % 1000, 3);
  *out++ = 'Z';
  return std::string(text, out);
}

std::string format_date(date::year_month_day day) {
  if (!four_digit_year(day)) return date::format("%F", date::sys_days{day});
  char text[16];
  return std::string(text, put_date(text, day));
}

std::string format_stamp(Instant at) {
  return date::format("%Y%m%dT%H%M%S", date::floor<std::chrono::seconds>(at));
}

std::string about_duration(double seconds) {
  if (seconds < 60) return "less than a minute";
  long minutes = std::lround(seconds / 60);
  if (minutes < 60) return "about " + std::to_string(minutes) + " min";
  char text[48];
  std::snprintf(text, sizeof text, "about %ld h %02ld min", minutes / 60, minutes % 60);
  return text;
}

}  // namespace passage
