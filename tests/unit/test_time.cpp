#include <catch2/catch.hpp>

#include "engine/env/clock.hpp"
#include "engine/env/time.hpp"
#include "engine/env/process_zone.hpp"

#include <cstdlib>
#include <optional>
#include <string>

using namespace passage;

namespace {

const date::time_zone* paris() {
  return date::locate_zone("Europe/Paris");
}

Instant utc(std::string_view text) {
  const auto at = parse_utc(text);
  REQUIRE(at);
  return *at;
}

Instant local(std::string_view text) {
  const auto at = parse_iso_instant(text, paris());
  REQUIRE(at);
  return *at;
}

std::string local_text(Instant at) {
  return date::format("%FT%T", date::floor<std::chrono::seconds>(to_local_time(at, paris())));
}

const CalendarSpan k_one_month{1, SpanUnit::month};
const CalendarSpan k_one_day{1, SpanUnit::day};

}  // namespace

TEST_CASE("parse_span reads counts and units, plural or not", "[time]") {
  CHECK(parse_span("1 month") == CalendarSpan{1, SpanUnit::month});
  CHECK(parse_span("21 days") == CalendarSpan{21, SpanUnit::day});
  CHECK(parse_span("2 hours") == CalendarSpan{2, SpanUnit::hour});
  CHECK(parse_span("30 minutes") == CalendarSpan{30, SpanUnit::minute});
  CHECK(parse_span("1 week") == CalendarSpan{1, SpanUnit::week});
  CHECK(parse_span("10 second") == CalendarSpan{10, SpanUnit::second});
  CHECK(parse_span("0 days") == CalendarSpan{0, SpanUnit::day});
}

TEST_CASE("parse_span refuses anything else", "[time]") {
  for (const char* bad : {"", "1", "days", "-1 day", "+1 day", "1.5 days", "1 fortnight",
                          "1 dayss", "1day", "one day", "1 day later", "99999999999999 months"}) {
    INFO(bad);
    CHECK_FALSE(parse_span(bad));
  }
}

TEST_CASE("to_string prints spans as configs write them", "[time]") {
  CHECK(to_string(CalendarSpan{1, SpanUnit::month}) == "1 month");
  CHECK(to_string(CalendarSpan{21, SpanUnit::day}) == "21 days");
  CHECK(to_string(CalendarSpan{0, SpanUnit::hour}) == "0 hours");
}

TEST_CASE("approximate_length counts a month as 30 days", "[time]") {
  CHECK(approximate_length(CalendarSpan{1, SpanUnit::month}) == std::chrono::hours{24 * 30});
  CHECK(approximate_length(CalendarSpan{2, SpanUnit::week}) == std::chrono::hours{24 * 14});
  CHECK(approximate_length(CalendarSpan{90, SpanUnit::second}) == Millis{90000});
}

TEST_CASE("a month clamps to the last day of a short month at the same local hour", "[time]") {
  CHECK(local_text(add_span(local("2027-01-31T10:00:00"), k_one_month, paris())) ==
        "2027-02-28T10:00:00");
  CHECK(local_text(add_span(local("2028-01-31T10:00:00"), k_one_month, paris())) ==
        "2028-02-29T10:00:00");
  CHECK(local_text(add_span(local("2027-03-31T00:00:00"), CalendarSpan{1, SpanUnit::month},
                            paris())) == "2027-04-30T00:00:00");
  CHECK(local_text(add_span(local("2027-01-15T10:00:00"), k_one_month, paris())) ==
        "2027-02-15T10:00:00");
}

TEST_CASE("a month across the autumn DST change keeps the local hour", "[time]") {
  const Instant start = local("2026-10-10T10:00:00");
  CHECK(format_utc(start) == "2026-10-10T08:00:00.000Z");
  const Instant end = add_span(start, k_one_month, paris());
  CHECK(local_text(end) == "2026-11-10T10:00:00");
  CHECK(format_utc(end) == "2026-11-10T09:00:00.000Z");
}

TEST_CASE("days keep the local time, hours are real time", "[time]") {
  const Instant start = local("2026-10-24T12:00:00");
  CHECK(local_text(add_span(start, k_one_day, paris())) == "2026-10-25T12:00:00");
  CHECK(add_span(start, k_one_day, paris()) - start == std::chrono::hours{25});
  CHECK(add_span(start, CalendarSpan{24, SpanUnit::hour}, paris()) - start ==
        std::chrono::hours{24});
  CHECK(local_text(add_span(start, CalendarSpan{2, SpanUnit::week}, paris())) ==
        "2026-11-07T12:00:00");
}

TEST_CASE("negative spans subtract in local time", "[time]") {
  CHECK(local_text(add_span(local("2027-03-31T09:00:00"), k_one_month, paris(), -1)) ==
        "2027-02-28T09:00:00");
  CHECK(local_text(add_span(local("2026-11-01T00:00:00"), CalendarSpan{7, SpanUnit::day},
                            paris(), -1)) == "2026-10-25T00:00:00");
}

TEST_CASE("a local time in the spring gap moves to the first instant after it", "[time]") {
  const Instant in_gap = local("2027-03-28T02:30:00");
  CHECK(local_text(in_gap) == "2027-03-28T03:00:00");
  CHECK(format_utc(in_gap) == "2027-03-28T01:00:00.000Z");
  CHECK(add_span(local("2027-03-27T02:30:00"), k_one_day, paris()) == in_gap);
  CHECK(add_span(local("2027-02-28T02:30:00"), k_one_month, paris()) == in_gap);
}

TEST_CASE("an ambiguous local time takes the earlier instant", "[time]") {
  CHECK(format_utc(local("2026-10-25T02:30:00")) == "2026-10-25T00:30:00.000Z");
  CHECK(format_utc(add_span(local("2026-10-24T02:30:00"), k_one_day, paris())) ==
        "2026-10-25T00:30:00.000Z");
}

TEST_CASE("parse_iso_instant reads local and offset times", "[time]") {
  CHECK(format_utc(local("2026-12-01")) == "2026-11-30T23:00:00.000Z");
  CHECK(format_utc(local("2026-07-01")) == "2026-06-30T22:00:00.000Z");
  CHECK(format_utc(local("2026-12-01T02:00:00")) == "2026-12-01T01:00:00.000Z");
  CHECK(format_utc(local("2026-12-01T02:00")) == "2026-12-01T01:00:00.000Z");
  CHECK(format_utc(local("2026-12-01T02:00:00Z")) == "2026-12-01T02:00:00.000Z");
  CHECK(format_utc(local("2026-12-01T02:00:00+01:00")) == "2026-12-01T01:00:00.000Z");
  CHECK(format_utc(local("2026-12-01T02:00:00+0100")) == "2026-12-01T01:00:00.000Z");
  CHECK(format_utc(local("2026-12-01T02:00:00-05:00")) == "2026-12-01T07:00:00.000Z");
  CHECK(format_utc(local("2026-12-01T02:00:00.5Z")) == "2026-12-01T02:00:00.500Z");
  CHECK(format_utc(local("2026-12-01T02:00:00.123456Z")) == "2026-12-01T02:00:00.123Z");
  CHECK(format_utc(local("2026-12-01Z")) == "2026-12-01T00:00:00.000Z");
}

TEST_CASE("parse_iso_instant refuses malformed text", "[time]") {
  for (const char* bad :
       {"", "2026-02-30", "2026-13-01", "2026-00-10", "2026-1-01", "26-12-01", "2026-12-01x",
        "2026-12-01 ", "2026-12-01T", "2026-12-01T24:00:00", "2026-12-01T02:60:00",
        "2026-12-01T02:00:61", "2026-12-01T02:00:00.", "2026-12-01T02:00:00+1",
        "2026-12-01T02:00:00+01:00:00", "2026-12-01T02:00:00Zjunk", "2026/12/01",
        "2026-12-01T2:00:00"}) {
    INFO(bad);
    CHECK_FALSE(parse_iso_instant(bad, paris()));
  }
}

TEST_CASE("parse_iso_date accepts only real calendar dates", "[time]") {
  const auto day = parse_iso_date("2028-02-29");
  REQUIRE(day);
  CHECK(*day == date::year{2028} / 2 / 29);
  for (const char* bad : {"2027-02-29", "2026-02-30", "2026-13-01", "2026-12-01T00:00",
                          "2026-12-1", " 2026-12-01"}) {
    INFO(bad);
    CHECK_FALSE(parse_iso_date(bad));
  }
}

TEST_CASE("parse_day_month_year reads DD/MM/YYYY, only real calendar dates", "[time]") {
  CHECK(parse_day_month_year("29/02/2028") == date::year{2028} / 2 / 29);
  CHECK(parse_day_month_year("01/12/2026") == date::year{2026} / 12 / 1);
  for (const char* bad : {"29/02/2027", "31/04/2026", "01/13/2026", "1/12/2026", "01/12/26", "2026-12-01",
                          "01-12-2026", " 01/12/2026", "01/12/2026 "}) {
    INFO(bad);
    CHECK_FALSE(parse_day_month_year(bad));
  }
}

TEST_CASE("formats and their round trip", "[time]") {
  const Instant at = utc("2026-12-01T02:03:04.056Z");
  CHECK(format_utc(at) == "2026-12-01T02:03:04.056Z");
  CHECK(parse_utc(format_utc(at)) == at);
  CHECK(format_stamp(at) == "20261201T020304");
  CHECK(format_date(date::year{2026} / 12 / 1) == "2026-12-01");
  CHECK_FALSE(parse_utc("2026-12-01T02:03:04"));
}

TEST_CASE("local dates and midnights follow the zone", "[time]") {
  CHECK(local_date(utc("2026-11-30T23:30:00Z"), paris()) == date::year{2026} / 12 / 1);
  CHECK(local_date(utc("2026-11-30T22:30:00Z"), paris()) == date::year{2026} / 11 / 30);
  CHECK(format_utc(local_midnight(date::year{2026} / 7 / 14, paris())) ==
        "2026-07-13T22:00:00.000Z");
  CHECK(local_midnight(date::year{2026} / 7 / 14, nullptr) == utc("2026-07-14T00:00:00Z"));
}

TEST_CASE("clocks", "[time]") {
  const Instant start = utc("2026-12-01T02:00:00Z");
  ManualClock manual{start};
  manual.advance(std::chrono::minutes{5});
  CHECK(manual.now() == utc("2026-12-01T02:05:00Z"));
  manual.set(start);
  CHECK(manual.now() == start);

  const RunningClock running{start};
  const Instant first = running.now();
  CHECK(first >= start);
  CHECK(first - start < std::chrono::minutes{1});
  CHECK(running.now() >= first);

  const RunningClock system;
  const auto system_now = std::chrono::system_clock::now();
  CHECK(std::chrono::abs(system.now() - system_now) < std::chrono::minutes{1});
}

TEST_CASE("format_utc and format_date print what date::format prints, hand-written", "[time]") {
  // Instants spread over 1970-2199 with their milliseconds, and the edges.
  std::vector<Instant> instants = {Instant{}, utc("2026-12-31T23:59:59.999Z"), utc("2028-02-29T00:00:00Z"),
                                   utc("9999-12-31T23:59:59.999Z"), utc("0001-01-01T00:00:00Z")};
  std::int64_t step_ms = 7'300'000'123;  // about 84 days and a bit: every hour, minute and ms vary
  for (int i = 1; i <= 1000; ++i) instants.push_back(Instant{std::chrono::milliseconds{step_ms * i}});
  instants.push_back(Instant{std::chrono::milliseconds{-86'400'001}});  // 1969: date::format prints it
  for (Instant at : instants) {
    INFO(date::format("%FT%TZ", at));
    CHECK(format_utc(at) == date::format("%FT%TZ", at));
    const date::year_month_day day{date::floor<date::days>(at)};
    CHECK(format_date(day) == date::format("%F", date::sys_days{day}));
  }
}

TEST_CASE("the C library's zone is pinned to /etc/localtime when TZ is unset, and left alone when set",
          "[time]") {
  // Unset, glibc stats /etc/localtime at every mktime (libarchive calls it
  // for each zip entry) under a lock the check threads fight over: 60
  // stat and 60 futex system calls an account (BENCHMARKS.md, session 10).
  const char* saved = std::getenv("TZ");
  const std::optional<std::string> before = saved ? std::optional<std::string>(saved) : std::nullopt;
  ::unsetenv("TZ");
  pin_c_library_zone();
  REQUIRE(std::getenv("TZ") != nullptr);
  CHECK(std::string(std::getenv("TZ")) == ":/etc/localtime");
  ::setenv("TZ", "Europe/Paris", 1);
  pin_c_library_zone();
  CHECK(std::string(std::getenv("TZ")) == "Europe/Paris");
  if (before)
    ::setenv("TZ", before->c_str(), 1);
  else
    ::unsetenv("TZ");
}
