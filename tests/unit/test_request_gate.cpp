#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/sched/request_gate.hpp"

using namespace passage;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

namespace {

// Enough tokens that only slots and pauses matter.
const RateLimit k_no_rate_limit{1e6, 1'000'000};

// Runs every handler that is ready now; never waits.
void settle(asio::io_context& io) {
  io.restart();
  io.poll();
}

// A caller that enters the gate, records its turn, and holds its slot until
// its `hold` timer is cancelled.
struct Holder {
  explicit Holder(asio::io_context& io) : hold(io, Steady::time_point::max()) {}
  asio::steady_timer hold;
  bool done = false;
};

void spawn_holder(asio::io_context& io, RequestGate& gate, Holder& holder, int id,
                  std::vector<int>& admitted) {
  asio::co_spawn(
      io,
      [&gate, &holder, &admitted, id]() -> asio::awaitable<void> {
        GateTicket ticket = co_await gate.enter();
        admitted.push_back(id);
        boost::system::error_code ignored;
        co_await holder.hold.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        holder.done = true;
      },
      asio::detached);
}

void spawn_token_taker(asio::io_context& io, RequestGate& gate, int id,
                       std::vector<int>& admitted) {
  asio::co_spawn(
      io,
      [&gate, &admitted, id]() -> asio::awaitable<void> {
        co_await gate.take_token_only();
        admitted.push_back(id);
      },
      asio::detached);
}

std::vector<std::unique_ptr<Holder>> make_holders(asio::io_context& io, int count) {
  std::vector<std::unique_ptr<Holder>> holders;
  for (int i = 0; i < count; ++i) holders.push_back(std::make_unique<Holder>(io));
  return holders;
}

}  // namespace

TEST_CASE("gate: at most max_in_flight callers hold a slot", "[request_gate]") {
  asio::io_context io;
  RequestGate gate(io, k_no_rate_limit, 3);
  auto holders = make_holders(io, 10);
  std::vector<int> admitted;
  for (int i = 0; i < 10; ++i) spawn_holder(io, gate, *holders[i], i, admitted);
  settle(io);
  CHECK(admitted.size() == 3);
  CHECK(gate.in_flight() == 3);
  CHECK(gate.waiting() == 7);
  for (int released = 0; released < 10; ++released) {
    holders[released]->hold.cancel();
    settle(io);
    CHECK(holders[released]->done);
    CHECK(gate.in_flight() == std::min(3, 10 - released - 1));
    CHECK(admitted.size() == static_cast<std::size_t>(std::min(10, released + 4)));
  }
  CHECK(gate.waiting() == 0);
}

TEST_CASE("gate: waiters are admitted first come, first served", "[request_gate]") {
  asio::io_context io;
  RequestGate gate(io, k_no_rate_limit, 1);
  auto holders = make_holders(io, 4);
  std::vector<int> admitted;
  spawn_holder(io, gate, *holders[0], 0, admitted);
  spawn_holder(io, gate, *holders[1], 1, admitted);
  spawn_token_taker(io, gate, 100, admitted);  // no slot, but queued behind 1
  spawn_holder(io, gate, *holders[2], 2, admitted);
  spawn_holder(io, gate, *holders[3], 3, admitted);
  settle(io);
  CHECK(admitted == std::vector<int>{0});
  holders[0]->hold.cancel();
  settle(io);
  CHECK(admitted == std::vector<int>{0, 1, 100});
  holders[1]->hold.cancel();
  settle(io);
  holders[2]->hold.cancel();
  settle(io);
  CHECK(admitted == std::vector<int>{0, 1, 100, 2, 3});
  holders[3]->hold.cancel();
  settle(io);
  CHECK(gate.in_flight() == 0);
}

TEST_CASE("gate: a token-only caller takes no slot", "[request_gate]") {
  asio::io_context io;
  RequestGate gate(io, k_no_rate_limit, 1);
  auto holders = make_holders(io, 1);
  std::vector<int> admitted;
  spawn_holder(io, gate, *holders[0], 0, admitted);
  spawn_token_taker(io, gate, 1, admitted);
  spawn_token_taker(io, gate, 2, admitted);
  settle(io);
  CHECK(admitted == std::vector<int>{0, 1, 2});
  CHECK(gate.in_flight() == 1);
  holders[0]->hold.cancel();
  settle(io);
  CHECK(gate.in_flight() == 0);
}

TEST_CASE("gate: tickets release exactly once", "[request_gate]") {
  asio::io_context io;
  RequestGate gate(io, k_no_rate_limit, 4);
  asio::co_spawn(
      io,
      [&gate]() -> asio::awaitable<void> {
        GateTicket first = co_await gate.enter();
        GateTicket second = co_await gate.enter();
        CHECK(gate.in_flight() == 2);
        GateTicket moved = std::move(first);
        CHECK_FALSE(first.holds_slot());
        CHECK(gate.in_flight() == 2);
        moved.release();
        moved.release();
        CHECK(gate.in_flight() == 1);
        second = std::move(moved);  // releases second's slot, takes nothing
        CHECK(gate.in_flight() == 0);
        gate.release();  // nothing held: ignored
        CHECK(gate.in_flight() == 0);
        co_await gate.acquire();
        CHECK(gate.in_flight() == 1);
        gate.release();
      },
      asio::detached);
  io.run();
  CHECK(gate.in_flight() == 0);
}

TEST_CASE("gate: a pause holds every caller until it ends", "[request_gate]") {
  asio::io_context io;
  RequestGate gate(io, k_no_rate_limit, 4);
  const auto start = Steady::now();
  gate.pause_until(start + 30ms);
  gate.pause_until(start + 10ms);  // pauses only extend
  std::vector<int> admitted;
  std::vector<Steady::time_point> at;
  for (int i = 0; i < 3; ++i)
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          co_await gate.take_token_only();
          admitted.push_back(i);
          at.push_back(Steady::now());
        },
        asio::detached);
  settle(io);
  CHECK(admitted.empty());
  CHECK(gate.waiting() == 3);
  io.restart();
  io.run();
  CHECK(admitted == std::vector<int>{0, 1, 2});
  for (auto t : at) CHECK(t >= start + 30ms);
}

TEST_CASE("gate: a pause set while callers wait delays them too", "[request_gate]") {
  asio::io_context io;
  RequestGate gate(io, RateLimit{50, 1}, 4);  // one token, then one per 20 ms
  std::vector<int> admitted;
  spawn_token_taker(io, gate, 0, admitted);
  spawn_token_taker(io, gate, 1, admitted);
  settle(io);
  CHECK(admitted == std::vector<int>{0});
  const auto paused_until = Steady::now() + 40ms;
  gate.pause_until(paused_until);
  io.restart();
  io.run();
  CHECK(admitted == std::vector<int>{0, 1});
  CHECK(Steady::now() >= paused_until);
}

TEST_CASE("gate: tokens pace the callers", "[request_gate]") {
  asio::io_context io;
  RequestGate gate(io, RateLimit{100, 2}, 8);  // burst 2, then one per 10 ms
  std::vector<int> admitted;
  const auto start = Steady::now();
  for (int i = 0; i < 5; ++i) spawn_token_taker(io, gate, i, admitted);
  settle(io);
  CHECK(admitted == std::vector<int>{0, 1});
  io.restart();
  io.run();
  CHECK(admitted == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(Steady::now() - start >= 30ms);
}

TEST_CASE("gate: waiters whose coroutines are destroyed leave the queue", "[request_gate]") {
  auto io = std::make_unique<asio::io_context>();
  RequestGate gate(*io, k_no_rate_limit, 1);
  auto holders = make_holders(*io, 3);
  std::vector<int> admitted;
  for (int i = 0; i < 3; ++i) spawn_holder(*io, gate, *holders[i], i, admitted);
  settle(*io);
  CHECK(gate.waiting() == 2);
  holders.clear();  // timers first: their pending waits are abandoned
  io.reset();       // destroys the suspended coroutines
  CHECK(gate.waiting() == 0);
  CHECK(gate.in_flight() == 0);
}

TEST_CASE("gate: a gate destroyed before its io_context is never touched again",
          "[request_gate]") {
  asio::io_context io;  // outlives the gate, as in a shutdown
  auto gate = std::make_unique<RequestGate>(io, k_no_rate_limit, 1);
  gate->pause_until(Steady::now() + 5ms);  // the waiter arms a real timer
  std::vector<int> admitted;
  spawn_token_taker(io, *gate, 0, admitted);
  settle(io);
  CHECK(gate->waiting() == 1);
  gate.reset();
  io.restart();
  io.run_for(20ms);  // the waiter wakes: it must park, not touch the gate
  CHECK(admitted.empty());
}
