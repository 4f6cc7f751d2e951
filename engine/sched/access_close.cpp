#include "engine/sched/access_close.hpp"

#include <iostream>

#include "engine/store/access_grants.hpp"

namespace passage {

namespace {

// What closes the grant, or nullopt while the block is not back.
boost::asio::awaitable<std::optional<std::string>> block_again(const AccessGrant& grant, const Account& account,
                                                               Stacks& stacks) {
  if (account.state == State::purged) co_return std::string("the space was deleted meanwhile");
  auto stack = stacks.find(account.stack);
  if (stack == stacks.end()) co_return std::nullopt;
  Backend& backend = *stack->second.backend;
  Outcome<Done> blocked = co_await backend.set_block(grant.domain, grant.block);
  if (blocked.ok()) co_return "blocked " + grant.block + " again";
  Outcome<InstanceInfo> info = co_await backend.lookup(grant.domain);
  if (info.ok() && !info.value().exists) co_return std::string("the space is gone from the stack");
  std::cerr << "passage: " << account.login << ": access to " << grant.domain
            << " is still open: it could not be blocked again (" << blocked.failure().reason
            << "); the next run tries again\n";
  co_return std::nullopt;
}

}  // namespace

boost::asio::awaitable<GrantsClosed> close_expired_grants(Store& store, Stacks& stacks, Instant now,
                                                          const std::string& actor) {
  GrantsClosed result;
  for (const AccessGrant& grant : expired_access_grants(store.db(), now)) {
    auto account = store.account(grant.account_id);
    // No co_await inside a conditional expression: g++ 12 miscompiles it.
    std::optional<std::string> outcome = std::string("no such account");
    if (account) outcome = co_await block_again(grant, *account, stacks);
    if (!outcome) {
      ++result.still_open;
      continue;
    }
    close_access_grant(store.db(), grant, now, actor, *outcome);
    ++result.closed;
  }
  co_return result;
}

}  // namespace passage
