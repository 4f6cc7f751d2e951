// passage run, status.

#include <unistd.h>

#include <ostream>

#include <boost/json.hpp>

#include "engine/app/app.hpp"
#include "engine/sched/runner.hpp"

namespace passage {

Campaign require_campaign(AppContext& app, const std::string& name) {
  auto campaign = app.store().find_campaign(name);
  if (!campaign) throw BadInput("no campaign named " + name);
  return *campaign;
}

void refuse_stacks_not_configured(AppContext& app, std::optional<std::int64_t> campaign_id) {
  std::vector<std::string> known;
  for (const StackConfig& stack : app.config().stacks) known.push_back(stack.name);
  std::vector<std::string> problems;
  for (const Store::StackCount& orphans : app.store().stepped_outside(known, campaign_id))
    problems.push_back(plural(orphans.accounts, "unfinished account", "unfinished accounts") + " of campaign " +
                       orphans.campaign + (orphans.accounts == 1 ? " belongs" : " belong") + " to stack " +
                       orphans.stack + ", which " + app.config_file() + " no longer has");
  if (problems.empty()) return;
  problems.back() += ": an account keeps the stack it was created on; put the stack back under its name. "
                     "Nothing was done";
  throw BadInputLines(problems);
}

std::string run_summary_line(const RunSummary& summary) {
  std::string line = "run: " + plural(summary.steps, "step", "steps") + ", " +
                     plural(summary.failed, "account", "accounts") + " FAILED";
  if (summary.storm_held > 0)
    line += ", " + plural(summary.storm_held, "account", "accounts") + " HELD " + k_lookup_404_storm + " (" +
            std::to_string(summary.lookups_404) + " of " + std::to_string(summary.lookups) +
            " lookups answered 404: not believed)";
  for (const std::string& stack : summary.stacks_unreached) line += ", stack " + stack + " not answering";
  if (summary.relay_unreached) line += ", mail relay not answering";
  if (summary.stopped_by_signal) line += ", stopped by a signal";
  if (summary.reached_max_duration) {
    line += ", stopped at --max-duration";
    if (summary.exports_left > 0)
      line += ": " + plural(summary.exports_left, "export", "exports") + " left to the next run";
  }
  return line;
}

int run_exit_code(const RunSummary& summary) {
  if (summary.storm_held > 0 || !summary.stacks_unreached.empty() || summary.relay_unreached)
    return k_exit_degraded;
  return summary.failed > 0 ? k_exit_failed : k_exit_done;
}

int cmd_run(AppContext& app) {
  const Config& config = app.config();
  RunOptions options;
  if (app.line().words.size() > 1) options.campaign_id = require_campaign(app, app.line().words[1]).id;
  options.until_idle = app.line().until_idle;
  if (app.line().max_duration) {
    auto span = parse_span(*app.line().max_duration);
    if (!span || span->unit == SpanUnit::month)
      throw BadInput("--max-duration: '" + *app.line().max_duration + "' is not a duration like '2 hours'");
    options.max_duration = approximate_length(*span);
    options.drain = approximate_length(config.max_duration_drain);
  }
  options.actor = app.admin_actor();
  if (!app.line().quiet)
    options.progress = isatty(STDERR_FILENO) ? RunOptions::Progress::live : RunOptions::Progress::lines;
  if (!app.line().quiet && !options.until_idle)
    app.err() << "run: runs until stopped (Ctrl-C or SIGTERM)"
              << (options.max_duration ? " or --max-duration" : "")
              << "; --until-idle returns once nothing is due\n";
  auto lock = take_writer_lock(app, "run" + (app.line().words.size() > 1 ? " " + app.line().words[1] : ""));
  refuse_stacks_not_configured(app, options.campaign_id);
  RunSummary summary = run_accounts(config, app.store(), app.clock(), options);
  if (!app.line().quiet) app.out() << run_summary_line(summary) << '\n';
  return run_exit_code(summary);
}

namespace {

boost::json::object status_json(Store& store, const Campaign& campaign) {
  boost::json::object states;
  int total = 0;
  for (const auto& [state, count] : store.state_counts(campaign.id)) {
    states[std::string(to_string(state))] = count;
    total += count;
  }
  return boost::json::object{{"campaign", campaign.name}, {"accounts", total}, {"states", states}};
}

void print_status(AppContext& app, const Campaign& campaign) {
  auto counts = app.store().state_counts(campaign.id);  // every state, zeros included
  int total = 0;
  for (const auto& entry : counts) total += entry.second;
  app.out() << campaign.name << ": " << plural(total, "account", "accounts") << '\n';
  for (const auto& [state, count] : counts) app.out() << "  " << to_string(state) << ' ' << count << '\n';
}

}  // namespace

int cmd_status(AppContext& app) {
  app.config();
  std::vector<Campaign> campaigns;
  bool one = app.line().words.size() > 1;
  if (one) campaigns.push_back(require_campaign(app, app.line().words[1]));
  for (const Campaign& campaign : one ? std::vector<Campaign>{} : app.store().campaigns())
    if (campaign.closed_at.empty()) campaigns.push_back(campaign);  // closed ones only by name
  if (app.line().json) {
    if (one) {
      app.out() << boost::json::serialize(status_json(app.store(), campaigns[0])) << '\n';
    } else {
      boost::json::array list;
      for (const Campaign& campaign : campaigns) list.push_back(status_json(app.store(), campaign));
      app.out() << boost::json::serialize(list) << '\n';
    }
    return k_exit_done;
  }
  for (const Campaign& campaign : campaigns) print_status(app, campaign);
  return k_exit_done;
}

}  // namespace passage
