// passage account show|hold|release|retry|cancel|postpone: the support desk.
// No lock: one short transaction, so the desk works while the nightly runs.

#include <ostream>

#include <boost/json.hpp>

#include "engine/app/app.hpp"
#include "engine/app/account_json.hpp"
#include "engine/sched/policy.hpp"
#include "engine/store/apply_commit.hpp"

namespace passage {

namespace {

Account the_account(AppContext& app, const std::string& key) {
  std::vector<Account> found = app.store().find_accounts(key);
  if (found.empty()) throw BadInput("no account with login, domain or e-mail " + key);
  std::vector<Account> open;
  for (const Account& account : found)
    if (!is_final(account.state)) open.push_back(account);
  if (open.size() == 1) return open.front();
  if (open.empty()) return found.back();
  throw BadInput(key + " matches " + std::to_string(open.size()) +
                 " unfinished accounts: name it by its domain");
}

// The files the last export lacked (CONTRACT.md "Incomplete evidence"),
// every one of them: the reason names only the first few.
void print_incomplete_files(std::ostream& out, const Account& account) {
  if (account.incomplete_files.empty()) return;
  out << (account.state == State::failed ? "  missing on two exports in a row:\n" : "  missing on the last export:\n");
  std::size_t start = 0;
  while (start < account.incomplete_files.size()) {
    std::size_t end = account.incomplete_files.find('\n', start);
    if (end == std::string::npos) end = account.incomplete_files.size();
    if (end > start) out << "    " << account.incomplete_files.substr(start, end - start) << "\n";
    start = end + 1;
  }
}

void print_account(AppContext& app, const Account& account) {
  const Config& config = app.config();
  std::ostream& out = app.out();
  out << account.login << "  " << account.domain << "\n"
      << "  state:      " << to_string(account.state);
  if (account.held_from) out << " (from " << to_string(*account.held_from) << ")";
  if (account.retry_step) out << " (then " << to_string(*account.retry_step) << ")";
  out << "\n";
  if (!account.state_reason.empty()) out << "  reason:     " << account.state_reason << "\n";
  print_incomplete_files(out, account);
  out << "  action:     " << to_string(account.action)
      << (account.target.empty() ? "" : " to " + account.target) << "\n"
      << "  e-mail:     " << account.email << "\n"
      << "  departure:  " << format_date(account.departure_date) << "\n";
  if (account.due_at) out << "  next step:  " << format_utc(*account.due_at) << "\n";
  if (account.verified_at) out << "  verified:   " << format_utc(*account.verified_at) << " (" << account.evidence.kind << ")\n";
  if (account.grace_end)
    out << "  deletion:   from " << format_date(local_date(*account.grace_end, config.zone)) << "\n";
  if (account.purged_at) out << "  purged:     " << format_utc(*account.purged_at) << " (" << account.purge_kind << ")\n";
}

EventKind support_event(const std::string& verb) {
  if (verb == "hold") return EventKind::hold;
  if (verb == "release") return EventKind::release;
  if (verb == "retry") return EventKind::retry;
  if (verb == "cancel") return EventKind::cancel;
  if (verb == "postpone") return EventKind::postpone;
  throw BadInput("account " + verb + ": not an account subcommand (show, hold, release, retry, cancel, postpone)");
}

std::optional<Instant> postpone_target(AppContext& app, const Account& account) {
  const Config& config = app.config();
  if (app.line().days && app.line().until) throw BadInput("postpone: give --days or --until, not both");
  if (app.line().days) {
    if (*app.line().days <= 0) throw BadInput("postpone: --days must be a positive number");
    if (!account.grace_end) return std::nullopt;
    return add_span(*account.grace_end, CalendarSpan{*app.line().days, SpanUnit::day}, config.zone);
  }
  if (app.line().until) {
    auto day = parse_iso_date(*app.line().until);
    if (!day) throw BadInput("postpone: --until '" + *app.line().until + "' is not a date YYYY-MM-DD");
    return local_midnight(*day, config.zone);
  }
  throw BadInput("postpone: --days N or --until DATE is required");
}

int support_action(AppContext& app, const std::string& verb, const std::string& key) {
  const Config& config = app.config();
  if (!app.line().reason || app.line().reason->empty()) throw BadInput(verb + ": --reason TEXT is required");
  std::string actor = app.support_actor();
  Account account = the_account(app, key);
  Event event{support_event(verb)};
  event.detail = *app.line().reason;
  if (event.kind == EventKind::postpone) event.at = postpone_target(app, account);
  const StackConfig* stack = config.stack_for(account.domain);
  Policy policy = stack ? policy_for(config, *stack) : Policy{};
  policy.zone = config.zone;
  Instant now = app.clock().now();
  // A run or purge committing the same account meanwhile never overwrites
  // this decision, nor does it overwrite theirs: compare-and-set.
  StepResult result = apply_and_commit(app.store(), account, event, now, policy, actor);
  // A hold or cancel that a DELETE under way made impossible is kept
  // pending: if that DELETE does not happen, the purge holds the account.
  // The purge may settle or start a DELETE meanwhile: decide again on the
  // row as it is now, a bounded number of times.
  const bool stops_deletion = event.kind == EventKind::hold || event.kind == EventKind::cancel;
  std::string pending;
  for (int attempt = 0; stops_deletion && pending.empty() && attempt < 5; ++attempt) {
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
  if (auto* refusal = std::get_if<Refusal>(&result))
    throw BadInput("account " + account.login + ": " + refusal->reason + pending);
  const Transition& transition = std::get<Transition>(result);
  if (!app.line().quiet)
    app.out() << account.login << ": " << transition.journal_detail << "\n";
  return k_exit_done;
}

}  // namespace

int cmd_account(AppContext& app) {
  const std::string& verb = app.word(1, "account subcommand");
  const std::string& key = app.word(2, "account ID (login, domain or e-mail)");
  if (verb != "show") return support_action(app, verb, key);
  app.config();
  Account account = the_account(app, key);
  if (app.line().json) app.out() << boost::json::serialize(account_json(account, app.config())) << '\n';
  else print_account(app, account);
  return k_exit_done;
}

int cmd_plugins(AppContext& app);

}  // namespace passage
