#include "engine/sched/backoff.hpp"

#include <algorithm>

namespace passage {

namespace {

// min(cap, base × 2^attempt) without overflowing the representation.
Millis backoff_ceiling(int attempt, Millis base, Millis cap) {
  const auto b = std::max<Millis::rep>(base.count(), 0);
  const auto c = std::max<Millis::rep>(cap.count(), 0);
  if (b == 0) return Millis{0};
  const int shift = std::max(attempt, 0);
  // b << shift stays below c exactly when b <= c >> shift; a shift past the
  // width of the type means the cap was reached long ago.
  if (shift >= 62 || b > (c >> shift)) return Millis{c};
  return Millis{b << shift};
}

}  // namespace

Millis full_jitter_backoff(int attempt, Millis base, Millis cap, double uniform01) {
  const Millis ceiling = backoff_ceiling(attempt, base, cap);
  // NaN compares false both ways: treat it as 0.
  const double u = uniform01 > 0.0 ? std::min(uniform01, 1.0) : 0.0;
  auto delay = static_cast<Millis::rep>(u * static_cast<double>(ceiling.count()));
  // u close to 1 may round up to the ceiling itself: stay strictly below it.
  if (delay >= ceiling.count()) delay = std::max<Millis::rep>(ceiling.count() - 1, 0);
  return Millis{delay};
}

Millis retry_delay(std::optional<Millis> retry_after, int attempt, Millis base, Millis cap,
                   double uniform01) {
  if (retry_after) return std::max(*retry_after, Millis{0});
  return full_jitter_backoff(attempt, base, cap, uniform01);
}

}  // namespace passage
