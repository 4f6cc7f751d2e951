#include "engine/sched/move_giveback.hpp"

#include <iostream>

namespace passage {

namespace {

constexpr const char* k_moving = "MOVING";

// True when the source was blocked MOVING and is unblocked now.
boost::asio::awaitable<bool> unblock_if_moving(Backend& backend, const Account& account) {
  Outcome<InstanceInfo> info = co_await backend.lookup(account.domain);
  if (!info.ok() || !info.value().exists || !info.value().blocked || info.value().blocking_reason != k_moving)
    co_return false;
  Outcome<Done> unblocked = co_await backend.set_block(account.domain, "");
  if (unblocked.ok()) co_return true;
  std::cerr << "passage: " << account.login << ": " << account.domain
            << " is still blocked MOVING: it could not be unblocked (" << unblocked.failure().reason
            << "); the next run tries again\n";
  co_return false;
}

}  // namespace

boost::asio::awaitable<int> give_back_stopped_moves(Store& store, Stacks& stacks, Instant now,
                                                    const std::string& actor) {
  int given_back = 0;
  for (const Account& account : store.stopped_with_own_block(k_moving)) {
    auto stack = stacks.find(account.stack);
    if (stack == stacks.end()) continue;
    const bool unblocked = co_await unblock_if_moving(*stack->second.backend, account);
    if (!unblocked) continue;
    store.journal(now, actor, account.id, "move_given_back",
                  "the source " + account.domain + " is unblocked: its move stopped (" +
                      std::string(to_string(account.state)) + ")");
    ++given_back;
  }
  co_return given_back;
}

}  // namespace passage
