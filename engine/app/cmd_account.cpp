// passage account show|list|hold|release|retry|cancel|postpone: the
// support desk. No lock: one short transaction per account, so the desk
// works while the nightly runs. No stack passphrase either (CONTRACT.md
// "Secrets by command"): nothing here talks to a stack.

#include <ostream>

#include "engine/app/account_select.hpp"
#include "engine/app/app.hpp"
#include "engine/sched/date_notice.hpp"
#include "engine/sched/policy.hpp"
#include "engine/store/apply_commit.hpp"

namespace passage {

int cmd_account_show(AppContext& app, const std::string& key);
int cmd_account_list(AppContext& app);
int cmd_account_grant(AppContext& app);

namespace {

EventKind support_event(const std::string& verb) {
  if (verb == "hold") return EventKind::hold;
  if (verb == "release") return EventKind::release;
  if (verb == "retry") return EventKind::retry;
  if (verb == "cancel") return EventKind::cancel;
  if (verb == "postpone") return EventKind::postpone;
  throw BadInput("account " + verb +
                 ": not an account subcommand (show, list, hold, release, retry, cancel, postpone, "
                 "grant-access)");
}

Policy account_policy(const Config& config, const Account& account) {
  const StackConfig* stack = config.stack_for(account.domain);
  Policy policy = stack ? policy_for(config, *stack) : Policy{};
  policy.zone = config.zone;
  policy.max_postpone = config.support_max_postpone;
  policy.reminders = config.reminders;
  return policy;
}

void check_postpone_options(const CommandLine& line) {
  if (line.days && line.until) throw BadInput("postpone: give --days or --until, not both");
  if (!line.days && !line.until) throw BadInput("postpone: --days N or --until DATE is required");
  if (line.days && *line.days <= 0) throw BadInput("postpone: --days must be a positive number");
  if (line.until && !parse_iso_date(*line.until))
    throw BadInput("postpone: --until '" + *line.until + "' is not a date YYYY-MM-DD");
}

std::optional<Instant> postpone_target(const CommandLine& line, const Config& config, const Account& account) {
  if (line.days) {
    if (!account.grace_end) return std::nullopt;
    return add_span(*account.grace_end, CalendarSpan{*line.days, SpanUnit::day}, config.zone);
  }
  return local_midnight(*parse_iso_date(*line.until), config.zone);
}

struct ActionOutcome {
  bool done = false;
  std::string message;  // what was done, or why not
};

// A hold or cancel that a DELETE under way made impossible is kept
// pending: if that DELETE does not happen, the purge holds the account.
// The purge may settle or start a DELETE meanwhile: decide again on the
// row as it is now, a bounded number of times.
std::string keep_pending(AppContext& app, const Account& account, const std::string& verb, const Event& event,
                         const Policy& policy, const std::string& actor, StepResult& result) {
  const Instant now = app.clock().now();
  std::string pending;
  for (int attempt = 0; pending.empty() && attempt < 5; ++attempt) {
    if (!std::holds_alternative<Refusal>(result)) break;
    auto fresh = app.store().account(account.id);
    if (!fresh || !fresh->delete_in_flight) {
      if (!fresh || attempt > 0) break;  // refused for another reason: say so
      result = apply_and_commit(app.store(), *fresh, event, now, policy, actor);
      continue;
    }
    if (commit_pending_hold(app.store(), account.id, verb + ": " + event.detail, now, actor))
      pending = "; if it does not happen, the account is held (" + verb + ": " + event.detail + ")";
  }
  return pending;
}

// After a postpone or release: the person told another date gets the new
// one at once (CONTRACT.md "Notices, added").
std::string tell_date(AppContext& app, const Account& account, const Policy& policy, const std::string& actor) {
  DateNotice notice = tell_new_deletion_date(app.store(), app.config(), policy, account.id, app.clock().now(), actor);
  if (!notice.owed) return "";
  if (notice.sent) return "; the person was sent the new deletion date (" + format_date(notice.date) + ")";
  return "; the notice of the new deletion date (" + format_date(notice.date) + ") could not be sent (" +
         notice.why + "): it stays queued and the next run sends it";
}

ActionOutcome act_on(AppContext& app, const std::string& verb, const Account& account, const std::string& actor) {
  const Config& config = app.config();
  Event event{support_event(verb)};
  event.detail = *app.line().reason;
  if (event.kind == EventKind::postpone) event.at = postpone_target(app.line(), config, account);
  const Policy policy = account_policy(config, account);
  // A run or purge committing the same account meanwhile never overwrites
  // this decision, nor does it overwrite theirs: compare-and-set.
  StepResult result = apply_and_commit(app.store(), account, event, app.clock().now(), policy, actor);
  std::string pending;
  if (event.kind == EventKind::hold || event.kind == EventKind::cancel)
    pending = keep_pending(app, account, verb, event, policy, actor, result);
  if (auto* refusal = std::get_if<Refusal>(&result)) return {false, account.login + ": " + refusal->reason + pending};
  std::string message = account.login + ": " + std::get<Transition>(result).journal_detail;
  if (event.kind == EventKind::postpone || event.kind == EventKind::release)
    message += tell_date(app, account, policy, actor);
  return {true, message};
}

int act_on_one(AppContext& app, const std::string& verb, const std::string& actor) {
  if (has_selection(app.line()))
    throw BadInput("account " + verb + ": give one ID, or --from FILE or selectors, not both");
  Account account = find_one_account(app, app.word(2, "account ID (login, domain or e-mail)"));
  ActionOutcome outcome = act_on(app, verb, account, actor);
  if (!outcome.done) throw BadInput("account " + outcome.message);
  if (!app.line().quiet) app.out() << outcome.message << "\n";
  return k_exit_done;
}

// Each account is decided and journaled on its own; the summary says how
// many were acted on. Exit 0 all, 1 some, 2 none (nothing changed).
int act_on_many(AppContext& app, const std::string& verb, const std::string& actor) {
  std::vector<Account> accounts = selected_accounts(app);
  if (accounts.empty()) throw BadInput("account " + verb + ": no account matches the selection");
  std::size_t done = 0;
  for (const Account& account : accounts) {
    ActionOutcome outcome = act_on(app, verb, account, actor);
    if (outcome.done) ++done;
    if (!outcome.done) app.err() << "passage: refused: " << outcome.message << "\n";
    else if (!app.line().quiet) app.out() << outcome.message << "\n";
  }
  app.out() << verb << ": " << done << " of " << accounts.size() << " accounts acted on";
  if (done < accounts.size()) app.out() << ", " << accounts.size() - done << " refused";
  app.out() << "\n";
  if (done == accounts.size()) return k_exit_done;
  return done == 0 ? k_exit_bad_input : k_exit_failed;
}

int support_action(AppContext& app, const std::string& verb) {
  support_event(verb);
  if (!app.line().reason || app.line().reason->empty()) throw BadInput(verb + ": --reason TEXT is required");
  std::string actor = app.support_actor();
  if (verb == "postpone") check_postpone_options(app.line());
  app.config();
  if (app.line().words.size() > 2) return act_on_one(app, verb, actor);
  if (!has_selection(app.line()))
    throw BadInput("account " + verb + ": give an ID, --from FILE, or selectors (--campaign, --state, --failure)");
  return act_on_many(app, verb, actor);
}

}  // namespace

int cmd_account(AppContext& app) {
  const std::string& verb = app.word(1, "account subcommand");
  if (verb == "list") return cmd_account_list(app);
  if (verb == "show") return cmd_account_show(app, app.word(2, "account ID (login, domain or e-mail)"));
  if (verb == "grant-access") return cmd_account_grant(app);
  return support_action(app, verb);
}

}  // namespace passage
