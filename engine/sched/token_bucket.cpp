#include "engine/sched/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace passage {

namespace {

constexpr double k_min_rate = 0.001;
// Keeps (burst - 1) × interval far from overflowing 64-bit nanoseconds.
constexpr int k_max_burst = 1'000'000;

std::chrono::nanoseconds refill_interval(double per_second) {
  const double rate = std::max(per_second, k_min_rate);
  // Rounded up: a slightly slower refill keeps the window guarantee.
  return std::chrono::nanoseconds{static_cast<std::int64_t>(std::ceil(1e9 / rate))};
}

}  // namespace

TokenBucket::TokenBucket(RateLimit limit)
    : m_interval(refill_interval(limit.per_second)),
      m_tolerance(m_interval * (std::clamp(limit.burst, 1, k_max_burst) - 1)) {}

// A take at `now` is allowed when the schedule is at most `burst - 1`
// intervals ahead of now; each take pushes the schedule one interval on.
// Over a window [t, t + 1 s] holding k takes this gives
// (k - 1) × interval <= 1 s + (burst - 1) × interval, so k <= per_second + burst.
bool TokenBucket::try_take(TimePoint now) {
  const TimePoint start = std::max(m_next, now);
  if (start - now > m_tolerance) return false;
  m_next = start + m_interval;
  return true;
}

TokenBucket::TimePoint TokenBucket::next_token_at(TimePoint now) const {
  const TimePoint start = std::max(m_next, now);
  if (start - now <= m_tolerance) return now;
  return start - m_tolerance;
}

Millis TokenBucket::wait_for_token(TimePoint now) const {
  return std::chrono::ceil<Millis>(next_token_at(now) - now);
}

}  // namespace passage
