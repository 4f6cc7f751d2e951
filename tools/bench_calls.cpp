// passage-bench-calls CONFIG CAMPAIGN: scripts/bench's admin-call
// throughput figure. For every QUEUED account of the campaign it does what
// a run does before an export asks anything of the stack — the instance
// lookup and the disk usage — through the engine's own stack (the request
// gate, the libcurl client, the cozy-admin backend), and commits each
// account's result to SQLite as the runner commits a step (a journaled
// compare-and-set on the account, through the runner's group commit:
// the accounts answered in the same turn of the loop share one
// transaction). Workers: twice the stack's max_in_flight, as many drives
// as a run keeps going for the stack's requests (Runner's capacity), while
// the stack's request gate keeps at most max_in_flight requests in flight:
// an account waiting for its commit holds no request.
// Prints "accounts N calls N failed N ms N".
// Not a test; it changes the database it is given.

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/config/config.hpp"
#include "engine/env/clock.hpp"
#include "engine/sched/group_commit.hpp"
#include "engine/sched/stacks.hpp"
#include "engine/store/store.hpp"

namespace {

using namespace passage;

struct Tally {
  std::size_t next = 0;  // the next account to take
  long calls = 0;
  long failed = 0;
};

// One worker: takes the next account until none is left.
boost::asio::awaitable<void> worker(Stacks& stacks, GroupCommit& group, const Clock& clock,
                                    std::vector<Account>& accounts, Tally& tally) {
  while (tally.next < accounts.size()) {
    Account& account = accounts[tally.next++];
    Backend& backend = *stacks.at(account.stack).backend;
    auto info = co_await backend.lookup(account.domain);
    ++tally.calls;
    if (!info.ok() || !info.value().exists) {
      ++tally.failed;
      continue;
    }
    auto usage = co_await backend.disk_usage(account.domain);
    ++tally.calls;
    if (!usage.ok()) {
      ++tally.failed;
      continue;
    }
    Transition step{account, {}, "bench", "lookup ok, disk usage " + std::to_string(usage.value().used) + " bytes"};
    step.next.usage_at_request = usage.value();
    // A named local, not a temporary, across co_await (g++ 12).
    StepCommit commit{account, step, clock.now(), "admin:bench", std::nullopt};
    const bool written = co_await group.commit(std::move(commit));
    if (!written) ++tally.failed;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: passage-bench-calls CONFIG CAMPAIGN\n";
    return 2;
  }
  ConfigResult loaded = load_config(argv[1]);
  if (!loaded.config) {
    for (const std::string& error : loaded.errors) std::cerr << error << "\n";
    return 2;
  }
  Config& config = *loaded.config;
  if (auto errors = resolve_secrets(config); !errors.empty()) {
    for (const std::string& error : errors) std::cerr << error << "\n";
    return 2;
  }
  Store store(config.database);
  auto campaign = store.find_campaign(argv[2]);
  if (!campaign) {
    std::cerr << "no campaign " << argv[2] << "\n";
    return 2;
  }
  std::vector<Account> accounts = store.in_state(State::queued, campaign->id);
  RunningClock clock;
  boost::asio::io_context io;
  Stacks stacks = build_stacks(io, config, clock);
  GroupCommit group(io, store, k_busy_gather);  // 50 in flight: busy, as a run
  Tally tally;
  const auto started = std::chrono::steady_clock::now();
  for (const auto& [name, stack] : stacks)
    for (int i = 0; i < 2 * std::max(1, stack.config->max_in_flight); ++i)
      boost::asio::co_spawn(io, worker(stacks, group, clock, accounts, tally), boost::asio::detached);
  io.run();
  const auto elapsed = std::chrono::steady_clock::now() - started;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  std::printf("accounts %zu calls %ld failed %ld ms %lld\n", accounts.size(), tally.calls, tally.failed,
              static_cast<long long>(ms));
  return tally.failed == 0 ? 0 : 1;
}
