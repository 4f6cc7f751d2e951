#pragma once
// A token bucket for one stack's request rate (CONTRACT.md "Limits").
// Pure: the caller passes the time, so the guarantee is tested over
// simulated time.
//
// Capacity `burst` tokens, refilled continuously at `per_second`, full at
// the start. Guarantee: any interval of one second (closed, sliding) sees at
// most `per_second + burst` successful takes. It is kept exactly (integer
// nanoseconds, the refill interval rounded up), never by a float's luck.
//
// Implemented as the equivalent GCRA ("virtual scheduling"): one instant,
// the theoretical arrival time of the next token, instead of a fractional
// token count.
//
// The schedule is absolute: a take that comes late (a timer woken late on
// a loaded machine) by at most `slack` is charged to its theoretical
// instant, not to the late one, so lateness does not lower the rate. The
// slack is the largest that keeps the window guarantee (below one
// interval); a take later than that restarts the schedule from now (the
// caller was idle: the bucket holds `burst` tokens, never more).

#include <chrono>

#include "engine/config/config.hpp"
#include "engine/env/time.hpp"

namespace passage {

class TokenBucket {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // A burst below 1 counts as 1 (a bucket must hold one token to pass
  // anything), above 1,000,000 as 1,000,000; a rate below 0.001 per second
  // counts as 0.001.
  explicit TokenBucket(RateLimit limit);

  // Takes a token if one is available at `now`.
  bool try_take(TimePoint now);

  // The earliest instant (>= now) at which try_take() will succeed.
  TimePoint next_token_at(TimePoint now) const;

  // How late a take may come and still be charged to its theoretical
  // instant.
  std::chrono::nanoseconds slack() const { return m_slack; }

  // next_token_at(now) - now, rounded up to whole milliseconds: 0 when a
  // token is available now.
  Millis wait_for_token(TimePoint now) const;

  // The bucket's whole state: when the next take is due in theory. Saved
  // by one process and continued by the next, so that sequential commands
  // share one bucket instead of each starting full.
  TimePoint next_due() const { return m_next; }
  // Continues from a saved state; never makes the bucket fuller.
  void continue_from(TimePoint next_due) { m_next = std::max(m_next, next_due); }

 private:
  std::chrono::nanoseconds m_interval;   // one token's worth of time
  std::chrono::nanoseconds m_tolerance;  // (burst - 1) intervals
  std::chrono::nanoseconds m_slack;      // lateness charged to the schedule
  TimePoint m_next = TimePoint::min();   // theoretical arrival of the next take

  // The instant a take at `now` is charged to.
  TimePoint charged_at(TimePoint now) const;
};

}  // namespace passage
