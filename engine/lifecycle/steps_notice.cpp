// Transitions of INVITED, VERIFIED, NOTIFIED, GRACE, PURGE_DUE and RETRY_WAIT.

#include <algorithm>

#include "engine/lifecycle/reminders.hpp"
#include "engine/sched/backoff.hpp"
#include "engine/lifecycle/steps.hpp"

namespace passage::steps {

// --- INVITED ------------------------------------------------------------

namespace {

Instant next_move_look(const Account& account, Instant now, const Policy& policy) {
  return std::min(now + policy.poll_interval, account.move_deadline.value_or(now + policy.poll_interval));
}

// Not moved, or not known: look again later, never past the deadline.
StepResult look_again_later(const Account& account, Instant now, const Policy& policy) {
  Transition transition = stay(account, "not moved yet");
  transition.journal_kind.clear();
  transition.next.due_at = next_move_look(account, now, policy);
  return transition;
}

}  // namespace

StepResult invited_due(const Account& account, const Event&, Instant now, const Policy&) {
  if (account.move_deadline && now >= *account.move_deadline) {
    Transition transition = move_to(account, State::queued, "no move by the deadline: export instead");
    transition.next.fallback_export = true;
    transition.next.due_at = now;
    return transition;
  }
  // The move is checked first: a reminder never goes out in the run that
  // finds the move done (invited_not_moved sends it).
  return act(account, "checking whether the move is done", {Effect::poll_move});
}

StepResult invited_notice_sent(const Account& account, const Event&, Instant now,
                               const Policy& policy) {
  Transition transition = stay(account, "move reminder sent");
  if (auto latest = due_move_reminder(account, now, policy)) transition.next.reminded = latest;
  transition.next.due_at = next_move_look(account, now, policy);
  return transition;
}

StepResult invited_resume(const Account& account, const Event&, Instant, const Policy&) {
  return act(account, "invitation still out", {Effect::announce_user_move});
}

// Seen not moved: the due reminder goes out now, else look again later.
StepResult invited_not_moved(const Account& account, const Event&, Instant now,
                             const Policy& policy) {
  if (due_move_reminder(account, now, policy))
    return act(account, "not moved yet: reminding the move deadline", {Effect::send_move_reminder});
  return look_again_later(account, now, policy);
}

// A failed look sends no reminder: the move may be done.
StepResult invited_failure(const Account& account, const Event& event, Instant now,
                           const Policy& policy) {
  if (event.failure == FailureKind::permanent) return fail(account, failure_reason(event));
  return look_again_later(account, now, policy);
}

// --- VERIFIED, NOTIFIED, GRACE --------------------------------------------

StepResult verified_due(const Account& account, const Event&, Instant, const Policy&) {
  return act(account, "sending the notice", {Effect::send_notice});
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
  if (event.failure == FailureKind::permanent) return fail(account, refused_notice_reason(event));
  return retry_or_fail(account, State::verified, event, now, policy);
}

Transition enter_grace(const Account& account, Instant now, const Policy& policy) {
  Transition transition = move_to(account, State::grace, "departed; deletion scheduled");
  Instant end = account.grace_end.value_or(
      grace_end_for(account.verified_at.value_or(Instant{}), account.departure_date, policy));
  transition.next.grace_end = end;
  transition.next.reminded.reset();
  transition.next.attempts = 0;
  // The earliest reminder not sent (even a past one: then the latest due
  // one goes at once), or the end.
  transition.next.due_at = next_grace_timer(transition.next, Instant{}, policy);
  // A date the person was not told yet (postponed or moved by a release
  // while NOTIFIED) is told at once, not at the first reminder.
  if (deletion_date_untold(transition.next, policy)) transition.next.due_at = now;
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
  // Export evidence: the final-export check (export.final_export). Moved
  // evidence: always checked, work after the move's snapshot would be lost.
  if ((policy.final_export && account.evidence.kind == "export") || account.evidence.kind == "moved") {
    return act(account, "checking activity at departure", {Effect::check_activity});
  }
  return enter_grace(account, now, policy);
}

StepResult notified_clean(const Account& account, const Event&, Instant now, const Policy& policy) {
  return enter_grace(account, now, policy);
}

// Activity after the export: export again (archive delivery), or hold
// once the re-export budget is spent.
StepResult stale(const Account& account, const Event& event, Instant now, const Policy& policy) {
  // Moved evidence: a person active after the move's snapshot (or files
  // written since it), or a re-export budget spent, needs a person to
  // decide. An export support asked for spends none of it: activity after
  // it always brings one export again.
  bool moved = account.evidence.kind == "moved";
  bool files = event.detail == k_files_changed;
  bool budget_spent = account.reexports >= policy.max_reexports && account.reexport_requested_by.empty();
  if (moved || budget_spent) {
    std::string reason = std::string(files ? "files_changed" : "activity") + (moved ? "_after_move" : "_after_export");
    return hold_for(account, reason, reason);
  }
  Transition transition = move_to(account, State::queued, files ? "files changed since the export: export again"
                                                                : "activity after export: export again");
  transition.next.reexports = account.reexports + 1;
  transition.next.reexport_requested_by.clear();
  transition.next.delivery = "archive";
  transition.next.fallback_export = account.action == Action::move;
  transition.next.due_at = files ? now : clean_reexport_from(now);
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
    // The end of the grace period is the purge's to act on (grace_ended);
    // the runner's timer has nothing left to do.
    Transition transition = stay(account, "grace ended: waiting for the purge");
    transition.journal_kind.clear();
    transition.next.due_at.reset();
    return transition;
  }
  if (deletion_date_untold(account, policy) || due_reminder(account, now, policy)) {
    return act(account, "reminding the deletion date", {Effect::send_reminder});
  }
  Transition transition = stay(account, "waiting");
  transition.journal_kind.clear();
  transition.next.due_at = next_grace_timer(account, now, policy);
  return transition;
}

StepResult grace_ended(const Account& account, const Event&, Instant now, const Policy&) {
  if (!account.grace_end || now < *account.grace_end) return Refusal{"the grace period has not ended"};
  Transition transition = move_to(account, State::purge_due, "grace ended");
  transition.next.due_at.reset();
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
  if (event.failure == FailureKind::permanent) return fail(account, refused_notice_reason(event));
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
  return hold_for(account, event.detail, "interlock: " + event.detail);
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

}  // namespace passage::steps
