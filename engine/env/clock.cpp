#include "engine/env/clock.hpp"

namespace passage {

RunningClock::RunningClock()
    : RunningClock(std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now())) {}

// The steady clock measures the elapsed part, so a system clock stepped by
// NTP during a long run cannot move Passage's time backwards.
RunningClock::RunningClock(Instant start)
    : m_start(start), m_steady_start(std::chrono::steady_clock::now()) {}

Instant RunningClock::now() const {
  const auto elapsed = std::chrono::steady_clock::now() - m_steady_start;
  return m_start + std::chrono::duration_cast<Millis>(elapsed);
}

}  // namespace passage
