#pragma once
// A token bucket for one stack's request rate (CONTRACT.md "Limits").
// Pure: the caller passes the time, so the guarantee is tested over
// simulated time.
//
// Capacity `burst` tokens, refilled continuously at `per_second`, full at
// the start. Guarantee: any interval of one second (closed, sliding) sees at
// most `per_second + burst` successful takes (floor of it). It is kept
// exactly (integer nanoseconds, the refill interval rounded up), never by a
// float's luck.
//
// Implemented as GCRA ("virtual scheduling"): one instant, the theoretical
// arrival time of the next token, instead of a fractional token count.
//
// The schedule is absolute: a caller that has been waiting for a token
// since `since` and takes it late (a timer woken late, a loop turn spent
// elsewhere, a process that did not get a core) is charged to the token's
// scheduled instant, not to the late one, so lateness does not lower the
// rate; the tokens it missed are caught up. What keeps catching up within
// the guarantee is a log of the last `per_second + burst` takes: a take is
// refused while the window of 1 s + 3/4 of an interval before it already
// holds that many (the 3/4 interval absorbs the network's and the stack's
// jitter: the stack's own count of any second stays within the limit). A caller that was not waiting (since == now) gets
// plain GCRA: after an idle time the bucket holds `burst` tokens, never
// more. Limits whose log would be large (over 65,536 takes a second) do
// not catch up.
#include <chrono>
#include <optional>
#include <vector>

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

  // Takes a token if one is available at `now` for a caller waiting since
  // `since` (<= now).
  bool try_take(TimePoint now, TimePoint since);
  bool try_take(TimePoint now) { return try_take(now, now); }

  // The earliest instant (>= now) at which try_take(that instant, since)
  // will succeed.
  TimePoint next_token_at(TimePoint now, TimePoint since) const;
  TimePoint next_token_at(TimePoint now) const { return next_token_at(now, now); }

  // next_token_at(now) - now, rounded up to whole milliseconds: 0 when a
  // token is available now.
  Millis wait_for_token(TimePoint now) const;

  // The bucket's whole state for the next process: when its next take is
  // due in theory. Saved by one process and continued by the next, so that
  // sequential commands share one bucket instead of each starting full.
  // After a catch-up it is late enough that the next process's takes never
  // share a window with the caught-up ones.
  TimePoint next_due() const;
  // Continues from a saved state; never makes the bucket fuller.
  void continue_from(TimePoint next_due) { m_next = std::max(m_next, next_due); }

 private:
  TimePoint charged_at(TimePoint now, TimePoint since) const;
  bool window_full(TimePoint now) const;
  void log_take(TimePoint now);

  std::chrono::nanoseconds m_interval;   // one token's worth of time
  std::chrono::nanoseconds m_tolerance;  // (burst - 1) intervals
  std::chrono::nanoseconds m_window;     // 1 s + 3/4 interval
  std::size_t m_allowed;                 // takes a window may hold; 0: no catch-up
  TimePoint m_next = TimePoint::min();   // theoretical arrival of the next take
  std::optional<TimePoint> m_last_catch_up;  // the last take charged >= 1/4 interval back
  std::vector<TimePoint> m_log;          // the last m_allowed takes, a ring
  std::size_t m_log_head = 0;            // the oldest entry once the ring is full
};

}  // namespace passage
