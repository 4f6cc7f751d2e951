#include <catch2/catch.hpp>

#include "engine/sched/export_window.hpp"

using namespace passage;

namespace {

const date::time_zone* paris() { return date::locate_zone("Europe/Paris"); }

Instant local(const char* text) { return *parse_iso_instant(text, paris()); }

std::string local_text(Instant at) {
  auto local_time = paris()->to_local(std::chrono::time_point_cast<std::chrono::seconds>(at));
  return date::format("%FT%T", local_time);
}

}  // namespace

TEST_CASE("export window wrapping midnight: open at night, reopening at 20:00", "[window]") {
  TimeWindow night{20 * 60, 6 * 60};  // 20:00-06:00
  CHECK_FALSE(export_window_reopens(night, local("2026-12-01T22:00:00"), paris()));
  CHECK_FALSE(export_window_reopens(night, local("2026-12-02T05:59:00"), paris()));
  auto morning = export_window_reopens(night, local("2026-12-02T06:00:00"), paris());
  REQUIRE(morning);
  CHECK(local_text(*morning) == "2026-12-02T20:00:00");
  auto evening = export_window_reopens(night, local("2026-12-02T19:59:00"), paris());
  REQUIRE(evening);
  CHECK(local_text(*evening) == "2026-12-02T20:00:00");
}

TEST_CASE("export window within a day: after it closes it reopens the next day", "[window]") {
  TimeWindow office{9 * 60, 17 * 60};
  CHECK_FALSE(export_window_reopens(office, local("2026-12-01T12:00:00"), paris()));
  auto after = export_window_reopens(office, local("2026-12-01T18:00:00"), paris());
  REQUIRE(after);
  CHECK(local_text(*after) == "2026-12-02T09:00:00");
  // Across the autumn change the opening keeps its local hour.
  auto autumn = export_window_reopens(office, local("2026-10-24T18:00:00"), paris());
  REQUIRE(autumn);
  CHECK(local_text(*autumn) == "2026-10-25T09:00:00");
}
