// Moved out of `passage account` so that the desk page acts through the
// very same decisions (engine/app/cmd_account.cpp calls it too).

#include "engine/support/account_actions.hpp"

#include <algorithm>

#include "engine/notices/notices.hpp"
#include "engine/sched/date_notice.hpp"
#include "engine/support/action_words.hpp"
#include "engine/support/say.hpp"
#include "engine/sched/policy.hpp"
#include "engine/store/apply_commit.hpp"

namespace passage {

namespace {

// More days than a century is no date to tell a person, and beyond what
// date arithmetic holds: taken as a century, which the postpone cap
// refuses, naming the cap.
constexpr int k_days_beyond_any_cap = 36600;

std::optional<Instant> postpone_target(const SupportRequest& request, const Config& config, const Account& account) {
  if (request.days) {
    if (!account.grace_end) return std::nullopt;
    const int days = std::min(*request.days, k_days_beyond_any_cap);
    return add_span(*account.grace_end, CalendarSpan{days, SpanUnit::day}, config.zone);
  }
  if (request.until) return local_midnight(*request.until, config.zone);
  return std::nullopt;
}

// A hold or cancel that a DELETE under way made impossible is kept
// pending: if that DELETE does not happen, the purge holds the account.
// The purge may settle or start a DELETE meanwhile: decide again on the
// row as it is now, a bounded number of times.
struct Pending {
  std::string english;
  std::string said;
};

Pending keep_pending(Store& store, const Account& account, const std::string& verb, const Event& event,
                     const Policy& policy, Instant now, const std::string& actor, StepResult& result,
                     std::string_view lang) {
  Pending pending;
  for (int attempt = 0; pending.english.empty() && attempt < 5; ++attempt) {
    if (!std::holds_alternative<Refusal>(result)) break;
    auto fresh = store.account(account.id);
    if (!fresh || !fresh->delete_in_flight) {
      if (!fresh || attempt > 0) break;  // refused for another reason: say so
      result = apply_and_commit(store, *fresh, event, now, policy, actor);
      continue;
    }
    if (commit_pending_hold(store, account.id, verb + ": " + event.detail, now, actor)) {
      const std::string what = verb + ": " + event.detail + ")";
      pending.english = "; if it does not happen, the account is held (" + what;
      pending.said = say(lang, " ; si elle n'a pas lieu, le compte est suspendu (",
                         "; if it does not happen, the account is held (") + what;
    }
  }
  return pending;
}

// After a postpone or release: the person told another date gets the new
// one at once (CONTRACT.md "Notices, added").
void tell_date(Store& store, const Config& config, const Account& account, const Policy& policy, Instant now,
               const std::string& actor, std::string_view lang, ActionOutcome& outcome) {
  DateNotice notice = tell_new_deletion_date(store, config, policy, account.id, now, actor);
  if (!notice.owed) return;
  const std::string day = format_date(notice.date);
  const std::string words = format_long_date(notice.date, lang);
  if (notice.sent) {
    outcome.message += "; the person was sent the new deletion date (" + day + ")";
    outcome.said += say(lang, " ; la nouvelle date de suppression (" + words + ") a été envoyée à la personne",
                        "; the person was sent the new deletion date (" + day + ")");
    return;
  }
  outcome.message += "; the notice of the new deletion date (" + day + ") could not be sent (" + notice.why +
                     "): it stays queued and the next run sends it";
  outcome.said += say(lang,
                      " ; le message de la nouvelle date de suppression (" + words + ") n'a pas pu être envoyé (" +
                          notice.why + ") : il reste en file et la prochaine exécution l'envoie",
                      "; the notice of the new deletion date (" + day + ") could not be sent (" + notice.why +
                          "): it stays queued and the next run sends it");
}

}  // namespace

std::optional<EventKind> support_event_named(std::string_view verb) {
  if (verb == "hold") return EventKind::hold;
  if (verb == "release") return EventKind::release;
  if (verb == "retry") return EventKind::retry;
  if (verb == "cancel") return EventKind::cancel;
  if (verb == "postpone") return EventKind::postpone;
  if (verb == "reexport") return EventKind::reexport;
  return std::nullopt;
}

Policy support_policy(const Config& config, const Account& account) {
  const StackConfig* stack = config.stack_for(account.domain);
  Policy policy = stack ? policy_for(config, *stack) : Policy{};
  policy.zone = config.zone;
  policy.max_postpone = config.support_max_postpone;
  policy.reminders = config.reminders;
  return policy;
}

ActionOutcome act_on_account(Store& store, const Config& config, const Account& account,
                             const SupportRequest& request, Instant now, const std::string& actor,
                             std::string_view lang) {
  Event event{request.kind};
  event.detail = request.reason;
  if (event.kind == EventKind::postpone) event.at = postpone_target(request, config, account);
  const Policy policy = support_policy(config, account);
  // A run or purge committing the same account meanwhile never overwrites
  // this decision, nor does it overwrite theirs: compare-and-set.
  StepResult result = apply_and_commit(store, account, event, now, policy, actor);
  Pending pending;
  if (event.kind == EventKind::hold || event.kind == EventKind::cancel)
    pending = keep_pending(store, account, request.verb, event, policy, now, actor, result, lang);
  const std::string who = account.login + say(lang, " : ", ": ");
  ActionOutcome outcome;
  if (auto* refusal = std::get_if<Refusal>(&result)) {
    outcome.message = account.login + ": " + refusal->reason + pending.english;
    outcome.said = who + refusal_in_words(refusal->reason, lang) + pending.said;
    return outcome;
  }
  const std::string& detail = std::get<Transition>(result).journal_detail;
  outcome.done = true;
  outcome.message = account.login + ": " + detail;
  outcome.said = who + done_in_words(request.verb, detail, lang);
  if (event.kind == EventKind::postpone || event.kind == EventKind::release)
    tell_date(store, config, account, policy, now, actor, lang, outcome);
  return outcome;
}

}  // namespace passage
