#include "engine/sched/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace passage {

namespace {

using Nanos = std::chrono::nanoseconds;

constexpr double k_min_rate = 0.001;
// Keeps (burst - 1) × interval far from overflowing 64-bit nanoseconds.
constexpr int k_max_burst = 1'000'000;

Nanos refill_interval(double per_second) {
  const double rate = std::max(per_second, k_min_rate);
  // Rounded up: a slightly slower refill keeps the window guarantee.
  return Nanos{static_cast<std::int64_t>(std::ceil(1e9 / rate))};
}

// Takes are charged to instants T_k one interval apart or more; a take
// comes at most `tolerance` before its T_k and at most `slack` after it.
// If a closed one-second window [t, t + 1 s] holds takes m..n, then
// (n - m) × interval <= T_n - T_m <= 1 s + tolerance + slack. With slack <
// allowed × interval - 1 s - tolerance (allowed = floor(per_second +
// burst)), n - m < allowed: the window holds at most `allowed` takes.
Nanos largest_slack(double per_second, int burst, Nanos interval, Nanos tolerance) {
  const double rate = std::max(per_second, k_min_rate);
  const auto allowed = static_cast<std::int64_t>(std::floor(rate + burst));
  const Nanos room = interval * allowed - std::chrono::seconds{1} - tolerance - Nanos{1};
  return std::clamp(room, Nanos{0}, interval - Nanos{1});
}

}  // namespace

TokenBucket::TokenBucket(RateLimit limit)
    : m_interval(refill_interval(limit.per_second)),
      m_tolerance(m_interval * (std::clamp(limit.burst, 1, k_max_burst) - 1)),
      m_slack(largest_slack(limit.per_second, std::clamp(limit.burst, 1, k_max_burst), m_interval,
                            m_tolerance)) {}

// On the schedule, or late by at most the slack: charged to the schedule.
// Later than that: the caller was idle, the schedule restarts now.
TokenBucket::TimePoint TokenBucket::charged_at(TimePoint now) const {
  if (m_next != TimePoint::min() && m_next < now && now - m_next <= m_slack) return m_next;
  return std::max(m_next, now);
}

// A take at `now` is allowed when the schedule is at most `burst - 1`
// intervals ahead of now; each take pushes the schedule one interval on
// (largest_slack() says why any one-second window then sees at most
// per_second + burst takes).
bool TokenBucket::try_take(TimePoint now) {
  const TimePoint start = charged_at(now);
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
