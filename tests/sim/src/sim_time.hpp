#pragma once
// The simulator's own clock (its "sim time"), ISO 8601 parsing and printing.
// Sim time drives the 24-hour rule, export expiry, moves and activity;
// export durations and latencies stay in real milliseconds.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sim {

constexpr std::int64_t k_ms_per_day = 86'400'000;

// Milliseconds since the Unix epoch (UTC) for an ISO 8601 time:
// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with optional `Z` or `±HH:MM`;
// no offset means UTC. Empty when malformed.
std::optional<std::int64_t> parse_iso(std::string_view text);

// RFC 3339 in UTC with trailing-zero-trimmed milliseconds, like Go's
// RFC3339Nano: `2026-11-20T10:00:00Z`, `2026-11-20T10:00:00.25Z`.
std::string format_iso(std::int64_t ms);

// `YYYY-MM-DD` of a day number (days since the epoch).
std::string format_day(std::int64_t day);
std::int64_t day_of(std::int64_t ms);
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

// Sim time = a base instant plus the real time elapsed since it was set.
class SimClock {
public:
  explicit SimClock(std::int64_t start_ms);
  std::int64_t now_ms() const;
  void set(std::int64_t ms);
  void advance(std::int64_t ms);

private:
  std::int64_t m_base_ms;
  std::chrono::steady_clock::time_point m_base_real;
};

std::int64_t real_now_ms();

}  // namespace sim
