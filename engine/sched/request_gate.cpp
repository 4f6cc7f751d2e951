#include "engine/sched/request_gate.hpp"

#include <algorithm>
#include <optional>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace passage {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

GateTicket& GateTicket::operator=(GateTicket&& other) noexcept {
  if (this != &other) {
    release();
    m_gate = std::exchange(other.m_gate, nullptr);
  }
  return *this;
}

void GateTicket::release() {
  if (auto* gate = std::exchange(m_gate, nullptr)) gate->release();
}

// One suspended caller. Its timer is its doorbell: cancelled to make it
// look at the gate again.
struct RequestGate::Waiter {
  Waiter(asio::io_context& io, bool slot) : timer(io), needs_slot(slot) {}
  asio::steady_timer timer;
  bool needs_slot;
  // Since when only a token has held this waiter back (not a slot, not a
  // pause): a token it then takes late is charged to its schedule.
  std::optional<TimePoint> token_wanted_since;
  RequestGate* gate = nullptr;  // null once the gate is gone
};

// Keeps a waiter in the queue for exactly as long as its coroutine frame
// lives, however that frame ends (admitted, or destroyed unfinished).
class RequestGate::Queued {
 public:
  Queued(RequestGate& gate, Waiter& waiter) : m_waiter(waiter) {
    waiter.gate = &gate;
    gate.m_queue.push_back(&waiter);
  }
  ~Queued() {
    if (m_waiter.gate) m_waiter.gate->forget(&m_waiter);
  }
  Queued(const Queued&) = delete;
  Queued& operator=(const Queued&) = delete;

 private:
  Waiter& m_waiter;
};

RequestGate::RequestGate(asio::io_context& io, RateLimit rate, int max_in_flight)
    : m_io(io), m_bucket(rate), m_max_in_flight(std::max(max_in_flight, 1)) {}

RequestGate::~RequestGate() {
  for (Waiter* waiter : m_queue) waiter->gate = nullptr;
}

asio::awaitable<void> RequestGate::acquire() { co_await wait_turn(true); }

asio::awaitable<GateTicket> RequestGate::enter() {
  co_await wait_turn(true);
  co_return GateTicket(*this);
}

asio::awaitable<void> RequestGate::take_token_only() { co_await wait_turn(false); }

void RequestGate::release() {
  if (m_in_flight > 0) --m_in_flight;
  wake_front();
}

void RequestGate::pause_until(TimePoint until) {
  if (until <= m_paused_until) return;
  m_paused_until = until;
  wake_front();  // so the front waiter re-arms its timer for the new pause
}

// True when a pause or the in-flight cap holds the caller back.
bool RequestGate::blocked_by_other_than_token(bool needs_slot, TimePoint now) const {
  return now < m_paused_until || (needs_slot && m_in_flight >= m_max_in_flight);
}

// <= now: the caller may pass now. Otherwise when to look again;
// TimePoint::max() when only a release() can help.
RequestGate::TimePoint RequestGate::ready_at(bool needs_slot, TimePoint now, TimePoint since) const {
  if (now < m_paused_until) return m_paused_until;
  if (needs_slot && m_in_flight >= m_max_in_flight) return TimePoint::max();
  return m_bucket.next_token_at(now, since);
}

void RequestGate::admit(bool needs_slot, TimePoint now, TimePoint since) {
  m_bucket.try_take(now, since);  // ready_at() said a token is there
  if (needs_slot) ++m_in_flight;
}

asio::awaitable<void> RequestGate::wait_turn(bool needs_slot) {
  if (const TimePoint now = Steady::now(); m_queue.empty() && ready_at(needs_slot, now, now) <= now) {
    admit(needs_slot, now, now);
    co_return;
  }
  Waiter waiter(m_io, needs_slot);
  Queued queued(*this, waiter);
  for (;;) {
    // The gate went away while we slept: park, never touch it again.
    if (!waiter.gate) {
      waiter.timer.expires_at(TimePoint::max());
    } else if (m_queue.front() != &waiter) {
      waiter.timer.expires_at(TimePoint::max());
    } else {
      const TimePoint now = Steady::now();
      if (blocked_by_other_than_token(needs_slot, now)) waiter.token_wanted_since.reset();
      else if (!waiter.token_wanted_since) waiter.token_wanted_since = now;
      const TimePoint since = waiter.token_wanted_since.value_or(now);
      const TimePoint when = ready_at(needs_slot, now, since);
      if (when <= now) {
        admit(needs_slot, now, since);
        co_return;  // ~Queued leaves the queue and wakes the next waiter
      }
      waiter.timer.expires_at(when);
    }
    boost::system::error_code ignored;  // cancelled = woken: look again
    co_await waiter.timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

void RequestGate::wake_front() {
  if (!m_queue.empty()) m_queue.front()->timer.cancel();
}

void RequestGate::forget(Waiter* waiter) {
  const bool was_front = !m_queue.empty() && m_queue.front() == waiter;
  m_queue.erase(std::remove(m_queue.begin(), m_queue.end(), waiter), m_queue.end());
  if (was_front) wake_front();
}

}  // namespace passage
