#pragma once
// The per-stack gate every remote request passes (DESIGN.md principle 5,
// CONTRACT.md "Limits"): a token from the stack's bucket, a slot among
// `max_in_flight`, and no pause in force (a stored Retry-After cooldown).
//
// Runs on one io_context, single-threaded: no locks. Waiters are served
// strictly first come, first served: a waiter that needs a slot holds back
// the ones queued after it, so nobody starves. Waiting is timer-driven
// (steady_timer, cancelled to wake), never a poll. Nothing here throws.
//
// Lifetime: the gate must outlive the coroutines that wait on it; waiters
// still queued when it is destroyed are left suspended (their frames are
// reclaimed with the io_context) and never touch it again.

#include <chrono>
#include <deque>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/config/config.hpp"
#include "engine/sched/token_bucket.hpp"

namespace passage {

class RequestGate;

// One in-flight slot; released when destroyed (or by release()). Movable.
class GateTicket {
 public:
  GateTicket() = default;
  explicit GateTicket(RequestGate& gate) : m_gate(&gate) {}
  GateTicket(GateTicket&& other) noexcept : m_gate(std::exchange(other.m_gate, nullptr)) {}
  GateTicket& operator=(GateTicket&& other) noexcept;
  GateTicket(const GateTicket&) = delete;
  GateTicket& operator=(const GateTicket&) = delete;
  ~GateTicket() { release(); }

  // Gives the slot back early; idempotent.
  void release();
  bool holds_slot() const { return m_gate != nullptr; }

 private:
  RequestGate* m_gate = nullptr;
};

class RequestGate {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // `max_in_flight` below 1 counts as 1.
  RequestGate(boost::asio::io_context& io, RateLimit rate, int max_in_flight);
  ~RequestGate();
  RequestGate(const RequestGate&) = delete;
  RequestGate& operator=(const RequestGate&) = delete;

  // Completes when this caller has a token and a slot and no pause is in
  // force; the caller then owns the slot and must release() it once.
  boost::asio::awaitable<void> acquire();

  // acquire(), with the slot held by the returned ticket.
  boost::asio::awaitable<GateTicket> enter();

  // A token but no slot: for the websocket upgrade and each reconnect.
  // Queues with the others (FIFO) and honours the pause.
  boost::asio::awaitable<void> take_token_only();

  // Gives back a slot taken by acquire(). A release without a slot held is
  // ignored.
  void release();

  // No request passes before `until` (Retry-After). Pauses only extend: an
  // earlier instant than the one in force changes nothing.
  void pause_until(TimePoint until);

  // The token bucket's state (TokenBucket::next_due / continue_from).
  TimePoint bucket_next_due() const { return m_bucket.next_due(); }
  void continue_bucket(TimePoint next_due) { m_bucket.continue_from(next_due); }

  // No request passes before this instant (a past one: no pause).
  TimePoint paused_until() const { return m_paused_until; }
  int in_flight() const { return m_in_flight; }
  int max_in_flight() const { return m_max_in_flight; }
  // Callers queued, not yet admitted.
  int waiting() const { return static_cast<int>(m_queue.size()); }

 private:
  struct Waiter;
  class Queued;

  boost::asio::awaitable<void> wait_turn(bool needs_slot);
  bool blocked_by_other_than_token(bool needs_slot, TimePoint now) const;
  TimePoint ready_at(bool needs_slot, TimePoint now, TimePoint since) const;
  void admit(bool needs_slot, TimePoint now, TimePoint since);
  void wake_front();
  void forget(Waiter* waiter);

  boost::asio::io_context& m_io;
  TokenBucket m_bucket;
  int m_max_in_flight;
  int m_in_flight = 0;
  TimePoint m_paused_until{};
  std::deque<Waiter*> m_queue;
};

}  // namespace passage
