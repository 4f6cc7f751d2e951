// passage config check: the configuration is valid (every error listed),
// then each stack and the mail relay are reached once, and the command says
// which answered. CONTRACT.md "Exit codes, added": a stack or relay that
// does not answer is a warning (exit 0), refused credentials an error
// (exit 2): nothing will work until a person fixes them. The folders it
// writes into are checked too (engine/app/folder_check.hpp): a missing
// metrics folder or one that refuses writes is an error (exit 2).

#include <optional>
#include <ostream>

#include <boost/asio/io_context.hpp>

#include "engine/app/app.hpp"
#include "engine/app/folder_check.hpp"
#include "engine/notices/notices.hpp"
#include "engine/sched/reach.hpp"
#include "engine/sched/stacks.hpp"
#include "plugins/registry.hpp"

namespace passage {

namespace {

namespace asio = boost::asio;

// One thing reached: "stack academy (http://…)" or "mail relay", and what
// its call found (nullopt: nothing to reach, as dry-run or the outbox).
struct Reached {
  std::string what;
  std::optional<ReachResult> result;
};

// Every stack, in the config's order, then the relay: all reached at once.
std::vector<Reached> reach_all(const Config& config, const Clock& clock) {
  asio::io_context io;
  Stacks stacks = build_stacks(io, config, clock);
  std::unique_ptr<Notifier> notifier = make_notifier(config.notify, io);
  std::vector<std::string> names;
  for (const StackConfig& stack : config.stacks) names.push_back(stack.name);
  ReachAnswers answers = reach_each(io, stacks, names, notifier.get());
  std::vector<Reached> reached;
  for (const StackConfig& stack : config.stacks)
    reached.push_back({"stack " + stack.name + " (" + stack.backend +
                           (stack.backend == "dry-run" ? "" : " " + stack.url) + ")",
                       answers.stacks.at(stack.name)});
  reached.push_back({"mail relay (" + config.notify.notifier + ")", answers.relay});
  for (auto& [name, runtime] : stacks) runtime.backend->shutdown();
  return reached;
}

// One line for what was reached: answers on stdout (unless --quiet),
// warnings on stderr, refused credentials added to `errors`.
void say(AppContext& app, const Reached& reached, std::vector<std::string>& errors) {
  const bool quiet = app.line().quiet;
  if (!reached.result) {
    if (!quiet) app.out() << reached.what << ": nothing to reach\n";
    return;
  }
  const ReachResult& result = *reached.result;
  switch (result.reach) {
    case Reach::answered:
      if (!quiet) app.out() << reached.what << ": answered (" << result.detail << ")\n";
      return;
    case Reach::refused:
      errors.push_back("passage: " + reached.what + ": credentials refused (" + result.detail + ")");
      return;
    case Reach::failing:
      app.err() << "passage: warning: " << reached.what << ": answered with an error (" << result.detail << ")\n";
      return;
    case Reach::unreachable:
      app.err() << "passage: warning: " << reached.what << ": no answer (" << result.detail << ")\n";
      return;
  }
}

}  // namespace

int cmd_config_check(AppContext& app) {
  if (app.word(1, "check") != "check") throw BadInput("usage: passage config check");
  const Config& config = app.config();
  std::vector<std::string> errors = check_templates(config);
  if (!errors.empty()) throw BadInputLines(errors);
  const auto stacks = static_cast<long long>(config.stacks.size());
  if (!app.line().quiet)
    app.out() << config.file.string() << ": valid (" << plural(stacks, "stack", "stacks") << ")\n";
  for (const Reached& reached : reach_all(config, app.clock())) say(app, reached, errors);
  for (const FolderFinding& finding : check_folders(config)) {
    if (!finding.ok)
      errors.push_back("passage: " + finding.line);
    else if (!app.line().quiet)
      app.out() << finding.line << '\n';
  }
  if (!errors.empty()) throw BadInputLines(errors);
  return k_exit_done;
}

}  // namespace passage
