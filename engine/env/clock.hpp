#pragma once
// The clock seam: every command runs on one Clock (CONTRACT.md "Time").

#include <chrono>

#include "engine/env/time.hpp"

namespace passage {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
};

// Starts at `start` and runs on in real time (`--now T`); with no start it
// is the system clock.
class RunningClock final : public Clock {
 public:
  RunningClock();
  explicit RunningClock(Instant start);
  Instant now() const override;

 private:
  Instant m_start;
  std::chrono::steady_clock::time_point m_steady_start;
};

// A clock that moves only when told to: for unit tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant start) : m_now(start) {}
  Instant now() const override { return m_now; }
  void advance(Millis by) { m_now += by; }
  void set(Instant at) { m_now = at; }

 private:
  Instant m_now;
};

}  // namespace passage
