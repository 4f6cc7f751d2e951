// passage plan NAME [--json]: what a campaign will do, before it does it.
// Reads disk usage through the backend (through the stack's gate), changes
// nothing.

#include <cmath>
#include <ostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>

#include "engine/app/app.hpp"
#include "engine/app/campaign_input.hpp"
#include "engine/sched/stacks.hpp"

namespace passage {

namespace {

// Disk usage reads of one stack: a stack that answers none is unreachable.
struct SizeReads {
  int asked = 0;
  int answered = 0;
};

struct PlanFigures {
  std::size_t accounts = 0;
  std::map<std::string, int> by_action;
  std::map<std::string, int> by_next_step;
  int exports = 0;
  std::int64_t bytes_to_transfer = 0;
  std::int64_t bytes_to_store = 0;
  std::map<std::string, int> deletions_by_night;  // local date of the night
  double makespan_seconds = 0;
  std::size_t sampled = 0;  // accounts whose disk usage was read
  int too_close = 0;        // moves whose departure is too close to invite
  std::map<std::string, SizeReads> reads;  // by stack
};

// What an account does next. A user move too close to its departure to
// invite the person is exported instead (and counted as an export).
std::string next_step(const Account& account, bool too_close) {
  if (account.state == State::held) return "held";
  if (is_final(account.state)) return "done";
  if (account.state == State::queued) {
    if (account.action == Action::export_) return "export";
    if (account.admin_move) return "admin move";
    return too_close ? "export (departure too close to invite to move)" : "invite to move";
  }
  return std::string(to_string(account.state));
}

// A queued account whose disk usage the plan reads.
struct SampledAccount {
  std::int64_t id = 0;
  std::string domain;
  std::string stack;
};

boost::asio::awaitable<void> read_sizes(Backend& backend, std::vector<const SampledAccount*> accounts,
                                        std::map<std::int64_t, std::int64_t>& sizes, SizeReads& reads) {
  for (const SampledAccount* account : accounts) {
    std::string domain = account->domain;
    auto used = co_await backend.disk_usage(domain);
    ++reads.asked;
    if (!used.ok()) continue;
    ++reads.answered;
    sizes[account->id] = used.value().used;
  }
}

constexpr std::size_t k_size_sample = 200;

// Every k-th queued account of the campaign, about k_size_sample of them,
// read from a cursor: a plan must not take hours of a stack's rate on a
// 100,000-account campaign, nor hold its accounts in memory.
std::vector<SampledAccount> size_sample(Store& store, std::int64_t campaign_id) {
  auto counts = store.state_counts(campaign_id);
  std::size_t queued = counts.count(State::queued) ? static_cast<std::size_t>(counts.at(State::queued)) : 0;
  std::size_t step = std::max<std::size_t>(1, (queued + k_size_sample - 1) / k_size_sample);
  std::size_t index = 0;
  std::vector<SampledAccount> sample;
  store.for_each_account_of(campaign_id, [&](const Account& account) {
    if (account.state != State::queued || index++ % step != 0) return;
    sample.push_back(SampledAccount{account.id, account.domain, account.stack});
  });
  return sample;
}

// Bytes each sampled account will move, read with a few readers per stack.
std::map<std::int64_t, std::int64_t> disk_sizes(AppContext& app, const std::vector<SampledAccount>& sample,
                                                std::map<std::string, SizeReads>& reads) {
  boost::asio::io_context io;
  Stacks stacks = build_stacks(io, app.config(), app.clock());
  restore_cooldowns(stacks, app.store());
  std::map<std::int64_t, std::int64_t> sizes;
  std::map<std::string, std::vector<std::vector<const SampledAccount*>>> shares;
  for (const SampledAccount& account : sample) {
    auto& lanes = shares[account.stack];
    int width = std::max(1, stacks.at(account.stack).config->max_in_flight);
    if (lanes.size() < static_cast<std::size_t>(width)) lanes.resize(static_cast<std::size_t>(width));
    lanes[static_cast<std::size_t>(account.id % width)].push_back(&account);
  }
  for (auto& [stack, lanes] : shares)
    for (auto& lane : lanes)
      boost::asio::co_spawn(io, read_sizes(*stacks.at(stack).backend, lane, sizes, reads[stack]),
                            boost::asio::detached);
  io.run();
  save_buckets(stacks, app.store());
  return sizes;
}

// One account's part of the figures.
void count_account(const Config& config, Instant now, const Account& account,
                   const std::map<std::int64_t, std::int64_t>& sizes, std::int64_t mean, PlanFigures& plan,
                   std::map<std::string, int>& exports_per_stack) {
  const Policy policy = policy_for(config, *config.stack_for(account.domain));
  const bool too_close = account.state == State::queued && too_close_to_invite(account, now, policy);
  ++plan.accounts;
  plan.too_close += too_close ? 1 : 0;
  ++plan.by_action[to_string(account.action)];
  ++plan.by_next_step[next_step(account, too_close)];
  if (account.state == State::queued && (account.action == Action::export_ || account.admin_move || too_close)) {
    ++plan.exports;
    ++exports_per_stack[account.stack];
    auto sized = sizes.find(account.id);
    auto size = sized != sizes.end() ? sized->second : mean;
    plan.bytes_to_transfer += size;
    if (config.export_.delivery == "archive") plan.bytes_to_store += size;
  }
  if (!is_final(account.state)) {
    Instant end = account.grace_end.value_or(grace_end_for(
        std::max(now, local_midnight(account.departure_date, config.zone)), account.departure_date, policy));
    ++plan.deletions_by_night[format_date(local_date(end, config.zone))];
  }
}

PlanFigures figure(AppContext& app, std::int64_t campaign_id) {
  const Config& config = app.config();
  PlanFigures plan;
  auto sizes = disk_sizes(app, size_sample(app.store(), campaign_id), plan.reads);
  plan.sampled = sizes.size();
  std::int64_t sampled_bytes = 0;
  for (const auto& entry : sizes) sampled_bytes += entry.second;
  // Accounts not in the sample count at the sample's mean.
  std::int64_t mean = sizes.empty() ? 0 : sampled_bytes / static_cast<std::int64_t>(sizes.size());
  std::map<std::string, int> exports_per_stack;
  const Instant now = app.clock().now();
  app.store().for_each_account_of(campaign_id, [&](const Account& account) {
    count_account(config, now, account, sizes, mean, plan, exports_per_stack);
  });
  for (const auto& [stack_name, count] : exports_per_stack) {
    for (const StackConfig& stack : config.stacks) {
      if (stack.name != stack_name) continue;
      // An export holds a slot from its request to its event: a few minutes
      // on a real stack, duration_ms on a dry-run one.
      double seconds_each = stack.backend == "dry-run"
                                ? 3.0 * (stack.dry_run.min_duration_ms + stack.dry_run.max_duration_ms) / 2000.0
                                : 300.0;
      double waves = std::ceil(static_cast<double>(count) / std::max(1, stack.max_exports_in_flight));
      // The rate limit bounds it too: about six requests an export (lookups,
      // the request, a part or two, the activity check).
      double by_rate = 6.0 * count / std::max(0.001, stack.rate.per_second);
      plan.makespan_seconds = std::max({plan.makespan_seconds, waves * seconds_each, by_rate});
    }
  }
  return plan;
}

// Deletions spread over nights by the throttle.
std::map<std::string, int> throttled(const std::map<std::string, int>& due, int per_night) {
  std::map<std::string, int> nights;
  int carried = 0;
  std::string last;
  for (const auto& [night, count] : due) {
    carried += count;
    nights[night] = std::min(carried, per_night);
    carried -= nights[night];
    last = night;
  }
  if (carried > 0) nights["after " + last] = carried;
  return nights;
}

// What an admin would find odd, said before the campaign runs.
std::vector<std::string> plan_warnings(const PlanFigures& plan) {
  std::vector<std::string> warnings;
  if (plan.too_close > 0)
    warnings.push_back(plural(plan.too_close, "move account leaves", "move accounts leave") +
                       " too soon to be invited to move (move.fallback_before_departure): exported "
                       "instead, and the export notice says why");
  for (const auto& [stack, reads] : plan.reads) {
    if (reads.answered == reads.asked) continue;
    warnings.push_back("stack " + stack + " answered " + std::to_string(reads.answered) + " of " +
                       plural(reads.asked, "disk usage read", "disk usage reads") +
                       (reads.answered == 0 ? ": it is unreachable or refuses the passphrase; sizes and "
                                              "times below are unknown"
                                            : ": sizes below are estimated from the answers"));
  }
  return warnings;
}

// The stacks that answered none of their disk usage reads: their accounts'
// sizes, and so the time their exports take, are unknown.
std::vector<std::string> silent_stacks(const PlanFigures& plan) {
  std::vector<std::string> silent;
  for (const auto& [stack, reads] : plan.reads)
    if (reads.asked > 0 && reads.answered == 0) silent.push_back(stack);
  return silent;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// "12.3 GB", "0.4 GB".
std::string gigabytes(std::int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GB", static_cast<double>(bytes) / 1e9);
  return text;
}

// The exports' size and time; unknown, and said so in the text itself,
// when a stack answered none of its reads (issue 14: not "0.0 GB").
void print_exports(std::ostream& out, const Config& config, const PlanFigures& plan) {
  const std::vector<std::string> silent = silent_stacks(plan);
  out << "exports: " << plan.exports << ", ";
  if (!silent.empty()) {
    out << "size and time unknown: " << (silent.size() == 1 ? "stack " : "stacks ") << joined(silent)
        << " did not answer its disk usage reads (see passage config check)";
    if (plan.sampled > 0) out << "; at least " << gigabytes(plan.bytes_to_transfer) << " to transfer from the others";
    out << '\n';
    out << "estimated time for the exports: unknown until " << joined(silent) << " answers\n";
    return;
  }
  out << gigabytes(plan.bytes_to_transfer) << " to transfer, " << gigabytes(plan.bytes_to_store)
      << " to store (delivery " << config.export_.delivery << "; disk usage read for "
      << plural(static_cast<long long>(plan.sampled), "account", "accounts") << ")\n";
  out << "estimated time for the exports: " << about_duration(plan.makespan_seconds)
      << " (about 5 minutes an export on a real stack, within the rate limits)\n";
}

}  // namespace

int cmd_plan(AppContext& app) {
  const std::string& name = app.word(1, "campaign NAME");
  const Config& config = app.config();
  Campaign campaign = require_campaign(app, name);
  refuse_stacks_not_configured(app, campaign.id);
  PlanFigures plan = figure(app, campaign.id);
  auto nights = throttled(plan.deletions_by_night, config.purge.max_per_run);
  bool directory = config.directory.has_value();
  const std::vector<std::string> warnings = plan_warnings(plan);
  if (app.line().json) {
    boost::json::array warning_list;
    for (const std::string& warning : warnings) warning_list.push_back(boost::json::string(warning));
    boost::json::object by_action, by_step, by_night;
    for (const auto& [key, count] : plan.by_action) by_action[key] = count;
    for (const auto& [key, count] : plan.by_next_step) by_step[key] = count;
    for (const auto& [key, count] : nights) by_night[key] = count;
    app.out() << boost::json::serialize(boost::json::object{
                     {"campaign", campaign.name}, {"accounts", plan.accounts},
                     {"by_action", by_action}, {"by_next_step", by_step}, {"exports", plan.exports},
                     {"bytes_to_transfer", plan.bytes_to_transfer}, {"bytes_to_store", plan.bytes_to_store},
                     {"deletions_by_night", by_night}, {"makespan_seconds", plan.makespan_seconds},
                     {"disk_usage_sampled", plan.sampled}, {"skipped_rows", campaign.skipped_rows},
                     {"directory_check", directory ? "on" : "off"},
                     {"moves_too_close_to_invite", plan.too_close},
                     {"size_unknown_stacks", boost::json::value_from(silent_stacks(plan))},
                     {"warnings", warning_list}})
              << '\n';
    return k_exit_done;
  }
  std::ostream& out = app.out();
  for (const std::string& warning : warnings) app.err() << "passage: warning: " << warning << '\n';
  out << "campaign " << campaign.name << ": " << plural(static_cast<long long>(plan.accounts), "account", "accounts")
      << skipped_note(static_cast<std::size_t>(campaign.skipped_rows)) << '\n';
  for (const auto& [key, count] : plan.by_action) out << "  " << key << ": " << count << '\n';
  out << "next steps:\n";
  for (const auto& [key, count] : plan.by_next_step) out << "  " << key << ": " << count << '\n';
  print_exports(out, config, plan);
  out << "deletions by night (at most " << config.purge.max_per_run << " a night):\n";
  for (const auto& [night, count] : nights) out << "  " << night << ": " << count << '\n';
  if (!directory) out << "directory check: off (no directory configured: departures are not re-checked before deletion)\n";
  return k_exit_done;
}

}  // namespace passage
