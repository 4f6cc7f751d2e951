#include "engine/sched/move_giveback.hpp"

#include <iostream>

namespace passage {

namespace {

constexpr const char* k_moving = "MOVING";
constexpr const char* k_moved = "MOVED";

// The block this account's stopped move may have left on its source:
// MOVING, or MOVED when the account was cancelled once the target was
// asked to import (the import cannot be stopped, it ends and the run
// blocks the source MOVED behind the cancel). A held account's MOVED
// block stays: its release records the finished move. A block another
// account of the domain recorded as its own (a later campaign's move,
// perhaps under way) is that account's, not this one's to lift.
bool ours_to_lift(Store& store, const Account& account, const std::string& blocking_reason) {
  const bool left_by_this_move =
      blocking_reason == k_moving || (blocking_reason == k_moved && account.state == State::cancelled);
  return left_by_this_move && !store.other_account_blocks(account.domain, account.id);
}

// True when the source was blocked by this account's stopped move and is
// unblocked now.
boost::asio::awaitable<bool> unblock_if_ours(Store& store, Backend& backend, const Account& account) {
  Outcome<InstanceInfo> info = co_await backend.lookup(account.domain);
  if (!info.ok() || !info.value().exists || !info.value().blocked ||
      !ours_to_lift(store, account, info.value().blocking_reason))
    co_return false;
  Outcome<Done> unblocked = co_await backend.set_block(account.domain, "");
  if (unblocked.ok()) co_return true;
  std::cerr << "passage: " << account.login << ": " << account.domain << " is still blocked "
            << info.value().blocking_reason << ": it could not be unblocked (" << unblocked.failure().reason
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
    const bool unblocked = co_await unblock_if_ours(store, *stack->second.backend, account);
    if (!unblocked) continue;
    store.journal(now, actor, account.id, "move_given_back",
                  "the source " + account.domain + " is unblocked: its move stopped (" +
                      std::string(to_string(account.state)) + ")");
    ++given_back;
  }
  co_return given_back;
}

}  // namespace passage
