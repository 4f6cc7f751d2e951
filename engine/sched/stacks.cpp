#include "engine/sched/stacks.hpp"

#include "engine/store/store.hpp"
#include "plugins/registry.hpp"

namespace passage {

Policy policy_for(const Config& config, const StackConfig& stack) {
  Policy policy;
  policy.zone = config.zone;
  policy.lead = config.lead;
  policy.grace = config.grace;
  policy.fallback_before_departure = config.move.fallback_before_departure;
  policy.max_postpone = config.support_max_postpone;
  policy.export_deadline = approximate_length(stack.export_deadline);
  policy.import_deadline = approximate_length(stack.import_deadline);
  // On a dry-run stack people move within duration_ms: poll at that pace.
  policy.poll_interval = stack.backend == "dry-run" ? Millis(stack.dry_run.max_duration_ms)
                                                    : approximate_length(config.move.poll_interval);
  policy.backoff_cap = approximate_length(config.idle_horizon);
  policy.retry_budget = config.retry_budget;
  policy.max_reexports = config.purge.max_reexports;
  policy.final_export = config.export_.final_export != "none";
  return policy;
}

Stacks build_stacks(boost::asio::io_context& io, const Config& config, const Clock& clock) {
  Stacks stacks;
  for (const StackConfig& stack : config.stacks) {
    StackRuntime& runtime = stacks[stack.name];
    runtime.config = &stack;
    runtime.policy = policy_for(config, stack);
    runtime.gate = std::make_unique<RequestGate>(io, stack.rate, stack.max_in_flight);
    runtime.backend = make_backend(stack.backend, BackendContext{io, stack, clock, *runtime.gate});
    if (!runtime.backend)
      throw std::runtime_error("stack " + stack.name + ": backend " + stack.backend +
                               " is not available in this build");
  }
  return stacks;
}

void restore_cooldowns(Stacks& stacks, Store& store, const Clock& clock) {
  Instant now = clock.now();
  for (auto& [name, runtime] : stacks) {
    auto until = store.cooldown(name);
    if (until && *until > now)
      runtime.gate->pause_until(std::chrono::steady_clock::now() + (*until - now));
  }
}

}  // namespace passage
