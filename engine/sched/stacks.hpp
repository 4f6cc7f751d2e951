#pragma once
// The configured stacks at run time: for each, its lifecycle policy, its
// request gate and its backend. Built once per command on one io_context.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "engine/config/config.hpp"
#include "engine/env/clock.hpp"
#include "engine/lifecycle/lifecycle.hpp"
#include "engine/sched/policy.hpp"
#include "engine/sched/request_gate.hpp"
#include "plugins/backends/backend.hpp"

namespace passage {

class Store;

struct StackRuntime {
  const StackConfig* config = nullptr;
  Policy policy;
  std::unique_ptr<RequestGate> gate;
  std::unique_ptr<Backend> backend;
  int exports_in_flight = 0;
};

using Stacks = std::map<std::string, StackRuntime>;

// The stacks whose last call of this command got no answer.
std::vector<std::string> unreached_stacks(const Stacks& stacks);

// Throws std::runtime_error when a stack names a backend this build lacks.
Stacks build_stacks(boost::asio::io_context& io, const Config& config, const Clock& clock);

// Pauses each stack's gate for the cooldown still stored for it, and
// continues the token bucket the previous command left. Both are about the
// stack's real time: stored in system time, whatever --now says (a clock
// stepped back must not turn a 3-second Retry-After into minutes).
void restore_cooldowns(Stacks& stacks, Store& store);

// Saves each stack's token bucket for the next command. The bucket is about
// real time, so it is saved in system time, whatever --now says.
void save_buckets(Stacks& stacks, Store& store);

}  // namespace passage
