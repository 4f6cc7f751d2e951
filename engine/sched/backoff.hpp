#pragma once
// Retry delays (DESIGN.md principle 4, CONTRACT.md "Account lifecycle"):
// the core decides how long to wait before retrying, once, here. Pure
// functions: the caller supplies the random draw, so tests are exact.

#include <optional>

#include "engine/env/time.hpp"

namespace passage {

// Full-jitter exponential backoff: uniform01 × min(cap, base × 2^attempt).
// `attempt` counts failures already seen minus one (attempt 0 waits up to
// `base`); negative attempts count as 0. `uniform01` is a draw in [0, 1),
// clamped into that range. Never overflows: a huge attempt simply hits the
// cap. The result lies in [0, min(cap, base × 2^attempt)).
Millis full_jitter_backoff(int attempt, Millis base, Millis cap, double uniform01);

// The wait before retrying a failed step. When the stack said how long to
// wait (`retry_after`, from a rate-limited answer), that is the wait,
// exactly: not jittered and not capped, since the stack asked for at least
// that long. Otherwise full_jitter_backoff(attempt, base, cap, uniform01).
Millis retry_delay(std::optional<Millis> retry_after, int attempt, Millis base, Millis cap,
                   double uniform01);

}  // namespace passage
