#pragma once
// The export window (DESIGN.md principle 5): new export requests only
// within a local time window, e.g. 20:00-06:00 Europe/Paris.

#include <optional>

#include "engine/config/config.hpp"
#include "engine/env/time.hpp"

namespace passage {

// nullopt when `now` is inside the window; otherwise the next instant it
// opens (the window's start, local time in `zone`).
std::optional<Instant> export_window_reopens(const TimeWindow& window, Instant now,
                                             const date::time_zone* zone);

}  // namespace passage
