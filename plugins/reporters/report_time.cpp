#include "plugins/reporters/report_time.hpp"

namespace passage {

std::string local_date_time(const std::optional<Instant>& at, const date::time_zone* zone) {
  if (!at) return "";
  const auto local = date::floor<std::chrono::seconds>(to_local_time(*at, zone));
  return date::format("%Y-%m-%d %H:%M:%S", local);
}

}  // namespace passage
