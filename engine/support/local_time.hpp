#pragma once
// How the support desk reads time: local wall-clock time in the academy's
// zone (config.zone), never UTC milliseconds. Pure.

#include <string>

#include "engine/env/time.hpp"

namespace passage {

// "2027-01-15 00:00" in `zone`.
std::string format_local_minute(Instant at, const date::time_zone* zone);

// "2027-01-15T00:00:00+01:00": ISO 8601 with the zone's offset at that instant.
std::string format_local_iso(Instant at, const date::time_zone* zone);

// The zone's name ("Europe/Paris"), "UTC" for a null zone.
std::string zone_name(const date::time_zone* zone);

}  // namespace passage
