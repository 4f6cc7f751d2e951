#include "engine/sched/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace passage {

namespace {

using Nanos = std::chrono::nanoseconds;

constexpr double k_min_rate = 0.001;
// Keeps (burst - 1) × interval far from overflowing 64-bit nanoseconds.
constexpr int k_max_burst = 1'000'000;
// Above this many takes a window, no log and no catch-up (plain GCRA).
constexpr std::size_t k_max_log = 65'536;

Nanos refill_interval(double per_second) {
  const double rate = std::max(per_second, k_min_rate);
  // Rounded up: a slightly slower refill keeps the window guarantee.
  return Nanos{static_cast<std::int64_t>(std::ceil(1e9 / rate))};
}

std::size_t allowed_per_window(double per_second, int burst) {
  const double allowed = std::floor(std::max(per_second, k_min_rate) + burst);
  return allowed > static_cast<double>(k_max_log) ? 0 : static_cast<std::size_t>(allowed);
}

}  // namespace

TokenBucket::TokenBucket(RateLimit limit)
    : m_interval(refill_interval(limit.per_second)),
      m_tolerance(m_interval * (std::clamp(limit.burst, 1, k_max_burst) - 1)),
      m_window(std::chrono::seconds{1} + m_interval * 3 / 4),
      m_allowed(allowed_per_window(limit.per_second, std::clamp(limit.burst, 1, k_max_burst))) {}

// A caller waiting since before the schedule's instant is charged to that
// instant however late it comes; one that was not waiting is charged to
// when it asked (plain GCRA).
TokenBucket::TimePoint TokenBucket::charged_at(TimePoint now, TimePoint since) const {
  const TimePoint asked = m_allowed == 0 ? now : std::min(since, now);
  return std::max(m_next, asked);
}

// The log holds m_allowed takes, the oldest of them within the window.
bool TokenBucket::window_full(TimePoint now) const {
  if (m_allowed == 0 || m_log.size() < m_allowed) return false;
  return m_log[m_log_head] >= now - m_window;
}

void TokenBucket::log_take(TimePoint now) {
  if (m_allowed == 0) return;
  if (m_log.size() < m_allowed) {
    m_log.push_back(now);
    return;
  }
  m_log[m_log_head] = now;
  m_log_head = (m_log_head + 1) % m_allowed;
}

// A take is allowed when its charged instant is at most `burst - 1`
// intervals ahead of now and the window before it is not full; each take
// pushes the schedule one interval on. Plain GCRA (never charged before
// now) keeps (k - 1) × interval <= 1 s + (burst - 1) × interval over a
// one-second window of k takes, so k <= per_second + burst; takes charged
// to the past (a catch-up) are bounded by the log instead.
bool TokenBucket::try_take(TimePoint now, TimePoint since) {
  const TimePoint start = charged_at(now, since);
  if (start - now > m_tolerance || window_full(now)) return false;
  if (now - start >= m_interval / 4) m_last_catch_up = now;
  m_next = start + m_interval;
  log_take(now);
  return true;
}

TokenBucket::TimePoint TokenBucket::next_token_at(TimePoint now, TimePoint since) const {
  const TimePoint start = charged_at(now, since);
  TimePoint at = start - now <= m_tolerance ? now : start - m_tolerance;
  if (m_allowed != 0 && m_log.size() == m_allowed)
    at = std::max(at, m_log[m_log_head] + m_window + Nanos{1});
  return at;
}

Millis TokenBucket::wait_for_token(TimePoint now) const {
  return std::chrono::ceil<Millis>(next_token_at(now) - now);
}

// Takes charged less than a quarter interval back stay within the bound
// across processes (a window of 1 s + 3/4 interval, plus less than 1/4, is
// under the GCRA's 1 s + one interval); a caught-up take is kept out of the next process's
// windows altogether (its first take comes a window after it, tolerance
// included).
TokenBucket::TimePoint TokenBucket::next_due() const {
  if (!m_last_catch_up) return m_next;
  return std::max(m_next, *m_last_catch_up + m_window + m_tolerance + Nanos{1});
}

}  // namespace passage
