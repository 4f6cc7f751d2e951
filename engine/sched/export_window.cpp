#include "engine/sched/export_window.hpp"

namespace passage {

std::optional<Instant> export_window_reopens(const TimeWindow& window, Instant now,
                                             const date::time_zone* zone) {
  auto local = zone->to_local(std::chrono::time_point_cast<std::chrono::seconds>(now));
  auto day = date::floor<date::days>(local);
  int minute = static_cast<int>(
      std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
  if (window.contains(minute)) return std::nullopt;
  auto opening = day + std::chrono::minutes(window.start_minute);
  if (window.start_minute <= minute) opening += date::days(1);
  auto sys = zone->to_sys(opening, date::choose::earliest);
  return std::chrono::time_point_cast<Millis>(sys);
}

}  // namespace passage
