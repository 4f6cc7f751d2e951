#include "engine/support/local_time.hpp"

#include <cstdio>
#include <cstdlib>

namespace passage {

namespace {

std::chrono::seconds offset_at(Instant at, const date::time_zone* zone) {
  if (!zone) return std::chrono::seconds{0};
  return zone->get_info(date::floor<std::chrono::seconds>(at)).offset;
}

}  // namespace

std::string format_local_minute(Instant at, const date::time_zone* zone) {
  return date::format("%Y-%m-%d %H:%M", date::floor<std::chrono::minutes>(to_local_time(at, zone)));
}

std::string format_local_iso(Instant at, const date::time_zone* zone) {
  const std::string local =
      date::format("%Y-%m-%dT%H:%M:%S", date::floor<std::chrono::seconds>(to_local_time(at, zone)));
  const long minutes = static_cast<long>(std::chrono::duration_cast<std::chrono::minutes>(offset_at(at, zone)).count());
  // Zone offsets stay within ±24 hours: two digits each.
  const int hours = static_cast<int>(std::labs(minutes) / 60 % 100);
  const int rest = static_cast<int>(std::labs(minutes) % 60);
  char offset[16];
  std::snprintf(offset, sizeof offset, "%c%02d:%02d", minutes < 0 ? '-' : '+', hours, rest);
  return local + offset;
}

std::string zone_name(const date::time_zone* zone) { return zone ? std::string(zone->name()) : "UTC"; }

}  // namespace passage
