#include "engine/lifecycle/lifecycle.hpp"

#include <algorithm>
#include <array>

#include "engine/lifecycle/reminders.hpp"
#include "engine/sched/backoff.hpp"

namespace passage {

namespace {

using Handler = StepResult (*)(const Account&, const Event&, Instant, const Policy&);

Refusal refuse(const Account& account, const Event& event) {
  return Refusal{std::string(to_string(event.kind)) + " is not allowed in state " +
                 std::string(to_string(account.state))};
}

Transition move_to(const Account& account, State to, std::string why) {
  Transition transition{account, {}, "state", {}};
  transition.next.state = to;
  transition.journal_detail = std::string(to_string(account.state)) + " -> " +
                              std::string(to_string(to)) + (why.empty() ? "" : ": " + why);
  return transition;
}

Transition stay(const Account& account, std::string why) {
  Transition transition{account, {}, "state", {}};
  transition.journal_detail = std::string(to_string(account.state)) + ": " + why;
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

std::string failure_reason(const Event& event) {
  return event.detail.empty() ? std::string(to_string(event.failure)) : event.detail;
}

// The core's retry policy: permanent failures stop at once; others wait
// (their Retry-After, or full-jitter backoff) within the retry budget.
Transition retry_or_fail(const Account& account, State step, const Event& event, Instant now,
                         const Policy& policy) {
  std::string reason = failure_reason(event);
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

StepResult start_export(const Account& account, Instant now, const Policy& policy) {
  if (account.last_export_request && now < *account.last_export_request + policy.export_spacing) {
    Transition transition = wait_then(account, State::queued,
                                      *account.last_export_request + policy.export_spacing,
                                      "24-hour rule: previous export request may still run");
    return transition;
  }
  Transition transition = move_to(account, State::exporting, "export requested");
  transition.next.last_export_request = now;
  transition.next.due_at = now + policy.export_deadline;
  transition.next.export_id.clear();
  transition.effects = {Effect::request_export, Effect::await_export};
  return transition;
}

StepResult start_user_move(const Account& account, Instant now, const Policy& policy) {
  Instant deadline = add_span(departure_instant(account, policy),
                              policy.fallback_before_departure, policy.zone, -1);
  if (deadline <= now) {
    // Too late for the person to move it: export instead, so nothing is lost.
    Account fallback = account;
    fallback.fallback_export = true;
    return start_export(fallback, now, policy);
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
  transition.next.grace_end = grace_end_for(now, account.departure_date, policy);
  transition.next.told_deletion_date.reset();
  transition.next.due_at = now;
  return transition;
}

// --- QUEUED -------------------------------------------------------------

StepResult queued_due(const Account& account, const Event&, Instant, const Policy&) {
  Transition transition = stay(account, "looking the instance up");
  transition.journal_kind.clear();  // a read: nothing to journal
  transition.effects = {Effect::lookup};
  return transition;
}

StepResult queued_window_closed(const Account& account, const Event& event, Instant now,
                                const Policy&) {
  Transition transition = stay(account, "export window closed");
  transition.next.due_at = event.at.value_or(now);
  return transition;
}

StepResult queued_lookup_ok(const Account& account, const Event&, Instant now,
                            const Policy& policy) {
  Account fresh = account;
  fresh.blocked_since.reset();
  if (wants_export(fresh)) return start_export(fresh, now, policy);
  if (fresh.admin_move) {
    Transition transition = move_to(fresh, State::moving, "admin-driven move to " + fresh.target_host);
    transition.next.due_at = now + policy.import_deadline;
    transition.effects = {Effect::start_move};
    return transition;
  }
  return start_user_move(fresh, now, policy);
}

StepResult lookup_missing(const Account& account, const Event&, Instant, const Policy&) {
  Transition transition = move_to(account, State::no_space, "no instance");
  transition.next.due_at.reset();
  return transition;
}

StepResult lookup_moved(const Account& account, const Event&, Instant now, const Policy& policy) {
  return verified(account, Evidence{"moved", {}, {}}, now, policy);
}

StepResult queued_lookup_blocked(const Account& account, const Event& event, Instant now,
                                 const Policy& policy) {
  std::string reason = "blocked: " + event.detail;
  if (event.detail != "MOVING" && event.detail != "IMPORTING") return fail(account, reason);
  Instant since = account.blocked_since.value_or(now);
  if (now - since > approximate_length(policy.lead)) return fail(account, reason);
  Transition transition = wait_then(account, State::queued, now + policy.blocked_recheck, reason);
  transition.next.blocked_since = since;
  return transition;
}

StepResult queued_failure(const Account& account, const Event& event, Instant now,
                          const Policy& policy) {
  return retry_or_fail(account, State::queued, event, now, policy);
}

// --- EXPORTING ----------------------------------------------------------

StepResult exporting_queued(const Account& account, const Event&, Instant, const Policy&) {
  return stay(account, "export queued by the stack");
}

StepResult exporting_resume(const Account& account, const Event&, Instant, const Policy&) {
  Transition transition = stay(account, "waiting again for the export event");
  transition.journal_kind.clear();
  transition.effects = {Effect::await_export};
  return transition;
}

StepResult exporting_due(const Account& account, const Event& event, Instant now,
                         const Policy& policy) {
  if (account.due_at && now < *account.due_at) return exporting_resume(account, event, now, policy);
  Event silent = event;
  silent.failure = FailureKind::retryable;
  silent.detail = "no export event by the deadline";
  Transition transition = retry_or_fail(account, State::queued, silent, now, policy);
  if (transition.next.state == State::retry_wait && account.last_export_request)
    transition.next.due_at = std::max(*transition.next.due_at,
                                      *account.last_export_request + policy.export_spacing);
  return transition;
}

StepResult exporting_done(const Account& account, const Event& event, Instant now, const Policy&) {
  Transition transition = move_to(account, State::verifying, "export " + event.detail + " done");
  transition.next.export_id = event.detail;
  transition.next.export_doc = event.payload;
  transition.next.export_completed_at = now;
  transition.next.attempts = 0;
  transition.next.due_at = now;
  transition.effects = {Effect::fetch_export};
  return transition;
}

StepResult exporting_failure(const Account& account, const Event& event, Instant now,
                             const Policy& policy) {
  if (event.failure == FailureKind::unknown_outcome) {
    // The stack may have queued it: wait for its event until the deadline.
    Transition transition = stay(account, "export request outcome unknown (" +
                                              failure_reason(event) + "): waiting for its event");
    transition.effects = {Effect::await_export};
    return transition;
  }
  Transition transition = retry_or_fail(account, State::queued, event, now, policy);
  transition.next.last_export_request.reset();  // answered by the stack: not queued
  return transition;
}

// --- VERIFYING, MOVING --------------------------------------------------

StepResult verifying_due(const Account& account, const Event&, Instant, const Policy&) {
  Transition transition = stay(account, "downloading the parts");
  transition.journal_kind.clear();
  transition.effects = {Effect::fetch_export};
  return transition;
}

StepResult evidence_ok(const Account& account, const Event& event, Instant now,
                       const Policy& policy) {
  return verified(account, event.evidence, now, policy);
}

StepResult verifying_failure(const Account& account, const Event& event, Instant now,
                             const Policy& policy) {
  if (event.failure == FailureKind::not_found) {
    // The export is gone (expired or replaced): export again, 24-hour rule first.
    Event again = event;
    again.failure = FailureKind::retryable;
    return retry_or_fail(account, State::queued, again, now, policy);
  }
  return retry_or_fail(account, State::verifying, event, now, policy);
}

StepResult moving_due(const Account& account, const Event& event, Instant now,
                      const Policy& policy) {
  if (account.due_at && now < *account.due_at) {
    // Reconcile before any retry: the move may have gone on without us.
    Transition transition = stay(account, "checking whether the move finished");
    transition.journal_kind.clear();
    transition.effects = {Effect::check_move};
    return transition;
  }
  Event late = event;
  late.failure = FailureKind::retryable;
  late.detail = "import deadline passed";
  Transition transition = retry_or_fail(account, State::queued, late, now, policy);
  // The move's export on the source may have been queued: 24-hour rule.
  if (transition.next.state == State::retry_wait && account.last_export_request)
    transition.next.due_at = std::max(*transition.next.due_at,
                                      *account.last_export_request + policy.export_spacing);
  return transition;
}

StepResult moving_failure(const Account& account, const Event& event, Instant now,
                          const Policy& policy) {
  return retry_or_fail(account, State::queued, event, now, policy);
}

// --- INVITED ------------------------------------------------------------

StepResult invited_due(const Account& account, const Event&, Instant now, const Policy& policy) {
  if (account.move_deadline && now >= *account.move_deadline) {
    Transition transition = move_to(account, State::queued, "no move by the deadline: export instead");
    transition.next.fallback_export = true;
    transition.next.due_at = now;
    return transition;
  }
  if (due_move_reminder(account, now, policy)) {
    Transition transition = stay(account, "reminding the move deadline");
    transition.journal_kind.clear();
    transition.effects = {Effect::send_move_reminder};
    return transition;
  }
  Transition transition = stay(account, "checking whether the move is done");
  transition.journal_kind.clear();
  transition.effects = {Effect::poll_move};
  return transition;
}

StepResult invited_notice_sent(const Account& account, const Event&, Instant now,
                               const Policy& policy) {
  Transition transition = stay(account, "move reminder sent");
  if (auto latest = due_move_reminder(account, now, policy)) transition.next.reminded = latest;
  transition.next.due_at = now;  // then look whether the move is done
  return transition;
}

StepResult invited_resume(const Account& account, const Event&, Instant, const Policy&) {
  Transition transition = stay(account, "invitation still out");
  transition.journal_kind.clear();
  transition.effects = {Effect::announce_user_move};
  return transition;
}

StepResult invited_not_moved(const Account& account, const Event&, Instant now,
                             const Policy& policy) {
  Transition transition = stay(account, "not moved yet");
  transition.journal_kind.clear();
  transition.next.due_at = std::min(now + policy.poll_interval,
                                    account.move_deadline.value_or(now + policy.poll_interval));
  return transition;
}

StepResult invited_failure(const Account& account, const Event& event, Instant now,
                           const Policy& policy) {
  if (event.failure == FailureKind::permanent) return fail(account, failure_reason(event));
  return invited_not_moved(account, event, now, policy);
}

// --- VERIFIED, NOTIFIED, GRACE --------------------------------------------

StepResult verified_due(const Account& account, const Event&, Instant, const Policy&) {
  Transition transition = stay(account, "sending the notice");
  transition.journal_kind.clear();
  transition.effects = {Effect::send_notice};
  return transition;
}

StepResult verified_notice_sent(const Account& account, const Event&, Instant now,
                                const Policy& policy) {
  Transition transition = move_to(account, State::notified, "notice sent");
  transition.next.told_deletion_date = local_date(*account.grace_end, policy.zone);
  transition.next.due_at = std::max(now, departure_instant(account, policy));
  transition.next.attempts = 0;
  return transition;
}

StepResult verified_failure(const Account& account, const Event& event, Instant now,
                            const Policy& policy) {
  if (event.failure == FailureKind::permanent) return fail(account, "notice_refused");
  return retry_or_fail(account, State::verified, event, now, policy);
}

Transition enter_grace(const Account& account, const Policy& policy) {
  Transition transition = move_to(account, State::grace, "departed; deletion scheduled");
  Instant end = account.grace_end.value_or(
      grace_end_for(account.verified_at.value_or(Instant{}), account.departure_date, policy));
  transition.next.grace_end = end;
  transition.next.reminded.reset();
  transition.next.attempts = 0;
  // The earliest reminder not sent (even a past one: then the latest due
  // one goes at once), or the end.
  transition.next.due_at = next_grace_timer(transition.next, Instant{}, policy);
  return transition;
}

StepResult notified_due(const Account& account, const Event&, Instant now, const Policy& policy) {
  Instant departure = departure_instant(account, policy);
  if (now < departure) {
    // A release sets the timer to now: the departure step still waits for
    // the departure, so work done until then gets its final export.
    Transition transition = stay(account, "waiting for the departure date");
    transition.journal_kind.clear();
    transition.next.due_at = departure;
    return transition;
  }
  if (policy.final_export && account.evidence.kind == "export") {
    Transition transition = stay(account, "checking activity at departure");
    transition.journal_kind.clear();
    transition.effects = {Effect::check_activity};
    return transition;
  }
  return enter_grace(account, policy);
}

StepResult notified_clean(const Account& account, const Event&, Instant, const Policy& policy) {
  return enter_grace(account, policy);
}

// Activity after the export: export again (archive delivery), or hold
// once the re-export budget is spent.
StepResult stale(const Account& account, const Event&, Instant now, const Policy& policy) {
  if (account.reexports >= policy.max_reexports) {
    Transition transition = move_to(account, State::held, "activity after export, re-exports spent");
    transition.next.held_from = account.state;
    transition.next.state_reason = "activity_after_export";
    transition.next.due_at.reset();
    return transition;
  }
  Transition transition = move_to(account, State::queued, "activity after export: export again");
  transition.next.reexports = account.reexports + 1;
  transition.next.delivery = "archive";
  transition.next.fallback_export = account.action == Action::move;
  transition.next.due_at = now;
  transition.next.attempts = 0;
  return transition;
}

StepResult notified_failure(const Account& account, const Event& event, Instant now,
                            const Policy& policy) {
  return retry_or_fail(account, State::notified, event, now, policy);
}

// Before the end: tell a new deletion date, or the latest due reminder;
// at the end: due for the purge.
StepResult grace_due(const Account& account, const Event&, Instant now, const Policy& policy) {
  if (!account.grace_end || now >= *account.grace_end) {
    Transition transition = move_to(account, State::purge_due, "grace ended");
    transition.next.due_at.reset();
    return transition;
  }
  if (deletion_date_untold(account, policy) || due_reminder(account, now, policy)) {
    Transition transition = stay(account, "reminding the deletion date");
    transition.journal_kind.clear();
    transition.effects = {Effect::send_reminder};
    return transition;
  }
  Transition transition = stay(account, "waiting");
  transition.journal_kind.clear();
  transition.next.due_at = next_grace_timer(account, now, policy);
  return transition;
}

StepResult grace_notice_sent(const Account& account, const Event&, Instant now,
                             const Policy& policy) {
  Transition transition = stay(account, "deletion date told: " +
                                            format_date(local_date(*account.grace_end, policy.zone)));
  transition.next.told_deletion_date = local_date(*account.grace_end, policy.zone);
  // Every reminder whose time has come counts as sent: only the latest goes.
  if (auto latest = due_reminder(account, now, policy)) transition.next.reminded = latest;
  transition.next.attempts = 0;
  transition.next.due_at = next_grace_timer(transition.next, now, policy);
  return transition;
}

// A reminder that cannot be sent is retried within the budget, then given
// up: the person was told the date with the first notice. A refusal for
// good is FAILED notice_refused: never purged until a person acts.
StepResult grace_failure(const Account& account, const Event& event, Instant now,
                         const Policy& policy) {
  if (event.failure == FailureKind::permanent) return fail(account, "notice_refused");
  Transition transition = stay(account, "reminder not sent: " + failure_reason(event));
  transition.next.attempts = account.attempts + 1;
  if (transition.next.attempts >= policy.retry_budget) {
    transition.next.attempts = 0;
    transition.next.told_deletion_date = local_date(*account.grace_end, policy.zone);
    if (auto latest = due_reminder(account, now, policy)) transition.next.reminded = latest;
    transition.next.due_at = next_grace_timer(transition.next, now, policy);
    return transition;
  }
  Millis delay = full_jitter_backoff(account.attempts, policy.backoff_base, policy.backoff_cap, event.jitter);
  transition.next.due_at = std::min(now + delay, *account.grace_end);
  return transition;
}

// --- PURGE_DUE ------------------------------------------------------------

StepResult purge_done(const Account& account, const Event& event, Instant now, const Policy&) {
  bool gone = event.kind == EventKind::already_gone;
  Transition transition = move_to(account, State::purged, gone ? "already gone" : "deleted");
  transition.next.purged_at = now;
  transition.next.purge_kind = gone ? "already_gone" : "deleted";
  transition.next.due_at.reset();
  return transition;
}

StepResult purge_interlock(const Account& account, const Event& event, Instant, const Policy&) {
  Transition transition = move_to(account, State::held, "interlock: " + event.detail);
  transition.next.held_from = State::purge_due;
  transition.next.state_reason = event.detail;
  transition.next.due_at.reset();
  return transition;
}

StepResult purge_failure(const Account& account, const Event& event, Instant, const Policy&) {
  Transition transition = stay(account, "not deleted tonight: " + failure_reason(event));
  return transition;
}

// --- RETRY_WAIT -----------------------------------------------------------

StepResult retry_due(const Account& account, const Event&, Instant now, const Policy&) {
  State step = account.retry_step.value_or(State::queued);
  Transition transition = move_to(account, step, "retrying");
  transition.next.retry_step.reset();
  transition.next.due_at = now;
  return transition;
}

struct Row {
  State from;
  EventKind on;
  Handler handler;
};

constexpr Row k_table[] = {
    {State::queued, EventKind::due, queued_due},
    {State::queued, EventKind::window_closed, queued_window_closed},
    {State::queued, EventKind::lookup_ok, queued_lookup_ok},
    {State::queued, EventKind::lookup_missing, lookup_missing},
    {State::queued, EventKind::lookup_moved, lookup_moved},
    {State::queued, EventKind::lookup_blocked, queued_lookup_blocked},
    {State::queued, EventKind::failure, queued_failure},
    {State::exporting, EventKind::export_queued, exporting_queued},
    {State::exporting, EventKind::resume, exporting_resume},
    {State::exporting, EventKind::due, exporting_due},
    {State::exporting, EventKind::export_done, exporting_done},
    {State::exporting, EventKind::failure, exporting_failure},
    {State::verifying, EventKind::due, verifying_due},
    {State::verifying, EventKind::evidence_ok, evidence_ok},
    {State::verifying, EventKind::failure, verifying_failure},
    {State::moving, EventKind::due, moving_due},
    {State::moving, EventKind::resume, moving_due},
    {State::moving, EventKind::evidence_ok, evidence_ok},
    {State::moving, EventKind::failure, moving_failure},
    {State::invited, EventKind::due, invited_due},
    {State::invited, EventKind::resume, invited_resume},
    {State::invited, EventKind::notice_sent, invited_notice_sent},
    {State::invited, EventKind::lookup_moved, lookup_moved},
    {State::invited, EventKind::lookup_ok, invited_not_moved},
    {State::invited, EventKind::lookup_blocked, invited_not_moved},
    {State::invited, EventKind::lookup_missing, lookup_missing},
    {State::invited, EventKind::failure, invited_failure},
    {State::verified, EventKind::due, verified_due},
    {State::verified, EventKind::notice_sent, verified_notice_sent},
    {State::verified, EventKind::failure, verified_failure},
    {State::notified, EventKind::due, notified_due},
    {State::notified, EventKind::activity_clean, notified_clean},
    {State::notified, EventKind::activity_stale, stale},
    {State::notified, EventKind::failure, notified_failure},
    {State::grace, EventKind::due, grace_due},
    {State::grace, EventKind::notice_sent, grace_notice_sent},
    {State::grace, EventKind::failure, grace_failure},
    {State::purge_due, EventKind::purged, purge_done},
    {State::purge_due, EventKind::already_gone, purge_done},
    {State::purge_due, EventKind::interlock_failed, purge_interlock},
    {State::purge_due, EventKind::activity_stale, stale},
    {State::purge_due, EventKind::failure, purge_failure},
    {State::retry_wait, EventKind::due, retry_due},
};

}  // namespace

StepResult apply_support(const Account& account, const Event& event, Instant now,
                         const Policy& policy);

StepResult apply(const Account& account, const Event& event, Instant now, const Policy& policy) {
  switch (event.kind) {
    case EventKind::hold:
    case EventKind::release:
    case EventKind::retry:
    case EventKind::cancel:
    case EventKind::postpone:
      return apply_support(account, event, now, policy);
    default:
      break;
  }
  for (const Row& row : k_table)
    if (row.from == account.state && row.on == event.kind) return row.handler(account, event, now, policy);
  return refuse(account, event);
}

Instant first_due(date::year_month_day departure, Instant now, const Policy& policy) {
  Instant start = add_span(local_midnight(departure, policy.zone), policy.lead, policy.zone, -1);
  return std::max(start, now);
}

Instant grace_end_for(Instant verified_at, date::year_month_day departure, const Policy& policy) {
  Instant start = std::max(verified_at, local_midnight(departure, policy.zone));
  return add_span(start, policy.grace, policy.zone);
}

bool runner_acts_on(State state) {
  switch (state) {
    case State::queued:
    case State::exporting:
    case State::verifying:
    case State::moving:
    case State::invited:
    case State::verified:
    case State::notified:
    case State::grace:
    case State::retry_wait:
      return true;
    default:
      return false;
  }
}

}  // namespace passage
