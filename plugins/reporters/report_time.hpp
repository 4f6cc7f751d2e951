#pragma once
// Times as the reports people open show them: local to the academy.

#include <optional>
#include <string>

#include "engine/env/time.hpp"

namespace passage {

// "2026-11-25 10:00:00": the local wall-clock time of `at` in `zone`, as
// spreadsheets read a date and time; "" when there is no instant.
std::string local_date_time(const std::optional<Instant>& at, const date::time_zone* zone);

}  // namespace passage
