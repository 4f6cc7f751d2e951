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
  policy.reminders = config.reminders;
  policy.move_reminders = config.move.reminders;
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

std::vector<std::string> unreached_stacks(const Stacks& stacks) {
  std::vector<std::string> names;
  for (const auto& [name, runtime] : stacks)
    if (runtime.backend->answered_last() == false) names.push_back(name);
  return names;
}

void restore_cooldowns(Stacks& stacks, Store& store) {
  const auto now = std::chrono::system_clock::now();
  for (auto& [name, runtime] : stacks) {
    auto until = store.cooldown(name);
    if (until && *until > now)
      runtime.gate->pause_until(std::chrono::steady_clock::now() +
                                std::chrono::duration_cast<std::chrono::steady_clock::duration>(*until - now));
    if (auto next = store.bucket(name)) {
      auto ahead = *next - std::chrono::system_clock::now();
      runtime.gate->continue_bucket(std::chrono::steady_clock::now() +
                                    std::chrono::duration_cast<std::chrono::steady_clock::duration>(ahead));
    }
  }
}

void save_buckets(Stacks& stacks, Store& store) {
  auto steady_now = std::chrono::steady_clock::now();
  auto system_now = std::chrono::system_clock::now();
  for (auto& [name, runtime] : stacks) {
    auto next = runtime.gate->bucket_next_due();
    if (next == RequestGate::TimePoint::min()) continue;  // never used
    store.set_bucket(name, system_now + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                            next - steady_now));
  }
}

}  // namespace passage
