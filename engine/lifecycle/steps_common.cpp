// Building blocks of transitions: moves, failures, retries, starts.

#include <algorithm>

#include "engine/sched/backoff.hpp"
#include "engine/lifecycle/steps.hpp"

namespace passage::steps {

Transition move_to(const Account& account, State to, std::string why) {
  Transition transition{account, {}, "state", {}};
  transition.next.state = to;
  transition.journal_detail = std::string(to_string(account.state)) + " -> " +
                              std::string(to_string(to)) + (why.empty() ? "" : ": " + why);
  return transition;
}

Transition hold_for(const Account& account, const std::string& reason, std::string why) {
  Transition transition = move_to(account, State::held, std::move(why));
  transition.next.held_from = account.state;
  auto& reasons = transition.next.hold_reasons;
  if (std::find(reasons.begin(), reasons.end(), reason) == reasons.end()) reasons.push_back(reason);
  std::string joined;
  for (const std::string& one : reasons) joined += (joined.empty() ? "" : "; ") + one;
  transition.next.state_reason = joined;
  transition.next.due_at.reset();
  return transition;
}

Transition stay(const Account& account, std::string why) {
  Transition transition{account, {}, "state", {}};
  transition.journal_detail = std::string(to_string(account.state)) + ": " + why;
  return transition;
}

// A step that only acts (reads, notices): no state change, nothing to
// journal until its outcome comes back.
Transition act(const Account& account, std::string why, std::vector<Effect> effects) {
  Transition transition = stay(account, std::move(why));
  transition.journal_kind.clear();
  transition.effects = std::move(effects);
  return transition;
}

Transition fail(const Account& account, std::string reason) {
  Transition transition = move_to(account, State::failed, reason);
  transition.next.state_reason = std::move(reason);
  transition.next.due_at.reset();
  transition.next.retry_step.reset();
  return transition;
}

Transition wait_then(const Account& account, State step, Instant at, std::string reason) {
  Transition transition = move_to(account, State::retry_wait, reason);
  transition.next.retry_step = step;
  transition.next.due_at = at;
  transition.next.state_reason = std::move(reason);
  return transition;
}

std::string refused_notice_reason(const Event& event) {
  return event.detail == k_no_public_url ? std::string(k_no_public_url) : "notice_refused";
}

std::string failure_reason(const Event& event) {
  return event.detail.empty() ? std::string(to_string(event.failure)) : event.detail;
}

// The core's retry policy: permanent failures stop at once; others wait
// (their Retry-After, or full-jitter backoff) within the retry budget.
// A notice the relay could not take waits for the relay, never FAILED:
// backoff within the retry budget, then a wait past the run's idle horizon
// (a later run or the nightly sends it). Its Message-ID is reused.
Transition wait_for_relay(const Account& account, State step, const Event& event, Instant now,
                          const Policy& policy) {
  int attempts = account.attempts + 1;
  Millis delay = attempts < policy.retry_budget
                     ? full_jitter_backoff(attempts - 1, policy.backoff_base, policy.backoff_cap, event.jitter)
                     : std::max<Millis>(std::chrono::hours(1), 2 * policy.backoff_cap);
  if (event.retry_after) delay = std::max(delay, *event.retry_after);
  Transition transition = wait_then(account, step, now + delay, failure_reason(event));
  transition.next.attempts = std::min(attempts, policy.retry_budget);
  return transition;
}

Transition retry_or_fail(const Account& account, State step, const Event& event, Instant now,
                         const Policy& policy) {
  std::string reason = failure_reason(event);
  if (event.failure != FailureKind::permanent && reason.starts_with(k_relay_unavailable))
    return wait_for_relay(account, step, event, now, policy);
  if (event.failure == FailureKind::permanent || event.failure == FailureKind::not_found)
    return fail(account, reason);
  int attempts = account.attempts + 1;
  if (attempts >= policy.retry_budget) return fail(account, reason);
  Millis delay = event.failure == FailureKind::rate_limited && event.retry_after
                     ? *event.retry_after
                     : full_jitter_backoff(attempts - 1, policy.backoff_base, policy.backoff_cap,
                                           event.jitter);
  Transition transition = wait_then(account, step, now + delay, reason);
  transition.next.attempts = attempts;
  return transition;
}

Instant departure_instant(const Account& account, const Policy& policy) {
  return local_midnight(account.departure_date, policy.zone);
}


bool wants_export(const Account& account) {
  return account.action == Action::export_ || account.fallback_export;
}

std::optional<Transition> wait_for_export_spacing(const Account& account, Instant now,
                                                  const Policy& policy) {
  if (!account.last_export_request) return std::nullopt;
  Instant allowed = *account.last_export_request + policy.export_spacing;
  if (now >= allowed) return std::nullopt;
  return wait_then(account, State::queued, allowed,
                   "24-hour rule: previous export request may still run");
}

void retry_after_export_spacing(Transition& transition, const Account& account,
                                const Policy& policy) {
  if (transition.next.state != State::retry_wait || !account.last_export_request) return;
  transition.next.due_at =
      std::max(*transition.next.due_at, *account.last_export_request + policy.export_spacing);
}

StepResult start_export(const Account& account, Instant now, const Policy& policy) {
  if (auto waiting = wait_for_export_spacing(account, now, policy)) return *waiting;
  Transition transition = move_to(account, State::exporting, "export requested");
  transition.next.last_export_request = now;
  transition.next.due_at = now + policy.export_deadline;
  transition.next.export_id.clear();
  transition.effects = {Effect::request_export, Effect::await_export};
  return transition;
}

StepResult start_user_move(const Account& account, Instant now, const Policy& policy) {
  Instant deadline = user_move_deadline(account.departure_date, policy);
  if (too_close_to_invite(account, now, policy)) {
    // Too late for the person to move it: export instead, so nothing is lost.
    Account fallback = account;
    fallback.fallback_export = true;
    StepResult result = start_export(fallback, now, policy);
    if (auto* transition = std::get_if<Transition>(&result))
      transition->journal_detail += " (departure too close to invite to move: export instead)";
    return result;
  }
  Transition transition = move_to(account, State::invited, "move instructions sent");
  transition.next.move_deadline = deadline;
  transition.next.due_at = now + policy.poll_interval;
  transition.effects = {Effect::send_invitation, Effect::announce_user_move};
  return transition;
}

Transition verified(const Account& account, const Evidence& evidence, Instant now,
                    const Policy& policy) {
  Transition transition = move_to(account, State::verified, "evidence " + evidence.kind);
  transition.next.evidence = evidence;
  transition.next.verified_at = now;
  transition.next.attempts = 0;
  transition.next.state_reason.clear();
  // A new verification (an export again after activity) never brings the
  // deletion earlier than a date already set: a support postpone holds.
  transition.next.grace_end = std::max(grace_end_for(now, account.departure_date, policy),
                                       account.grace_end.value_or(Instant{}));
  transition.next.told_deletion_date.reset();
  transition.next.usage_at_request.reset();  // now in the evidence
  transition.next.incomplete_files.clear();
  transition.next.due_at = now;
  return transition;
}

}  // namespace passage::steps

namespace passage {

Instant user_move_deadline(date::year_month_day departure, const Policy& policy) {
  return add_span(local_midnight(departure, policy.zone), policy.fallback_before_departure, policy.zone, -1);
}

bool too_close_to_invite(const Account& account, Instant now, const Policy& policy) {
  return account.action == Action::move && !account.admin_move &&
         user_move_deadline(account.departure_date, policy) <= now;
}

}  // namespace passage
