// Support-desk and list-correction events: hold, release, retry, cancel,
// postpone (CONTRACT.md "Account lifecycle", HELD, FAILED, postpone).

#include <algorithm>

#include "engine/lifecycle/lifecycle.hpp"

namespace passage {

namespace {

Transition support_move(const Account& account, State to, const std::string& reason) {
  Transition transition{account, {}, "support", {}};
  transition.next.state = to;
  transition.journal_detail = std::string(to_string(account.state)) + " -> " +
                              std::string(to_string(to)) + ": " + reason;
  return transition;
}

StepResult hold(const Account& account, const Event& event, Instant) {
  if (is_final(account.state) || account.state == State::held)
    return Refusal{"cannot hold an account in state " + std::string(to_string(account.state))};
  Transition transition = support_move(account, State::held, event.detail);
  transition.next.held_from = account.state;
  transition.next.state_reason = event.detail;
  transition.next.due_at.reset();
  return transition;
}

// Timers are re-evaluated at now; a grace end already past moves to
// now + release_grace so the person can be told before anything happens.
StepResult release(const Account& account, const Event& event, Instant now, const Policy& policy) {
  if (account.state != State::held || !account.held_from)
    return Refusal{"only a HELD account can be released"};
  State back = *account.held_from;
  Transition transition = support_move(account, back, event.detail);
  transition.next.held_from.reset();
  transition.next.state_reason.clear();
  transition.next.attempts = 0;
  transition.next.due_at = now;
  bool deletion_side = back == State::grace || back == State::purge_due;
  if (deletion_side) {
    Instant end = account.grace_end.value_or(now);
    if (end <= now) {
      // A new deletion date: the GRACE timer, due now, tells the person.
      end = now + policy.release_grace;
      transition.next.reminded.reset();
    }
    transition.next.state = State::grace;
    transition.next.grace_end = end;
    transition.next.due_at = now;
  }
  if (back == State::retry_wait) transition.next.due_at = now;
  // Nothing started yet: the account keeps its place in the schedule.
  if (back == State::queued) transition.next.due_at = first_due(account.departure_date, now, policy);
  return transition;
}

StepResult retry(const Account& account, const Event& event, Instant now) {
  if (account.state != State::failed) return Refusal{"only a FAILED account can be retried"};
  Transition transition = support_move(account, State::queued, event.detail);
  transition.next.state_reason.clear();
  transition.next.attempts = 0;
  transition.next.due_at = now;
  return transition;
}

StepResult cancel(const Account& account, const Event& event) {
  if (is_final(account.state))
    return Refusal{"cannot cancel an account in state " + std::string(to_string(account.state))};
  Transition transition = support_move(account, State::cancelled, event.detail);
  transition.next.state_reason = event.detail;
  transition.next.due_at.reset();
  return transition;
}

bool deletion_scheduled(const Account& account) {
  State state = account.state == State::held ? account.held_from.value_or(State::held) : account.state;
  return state == State::notified || state == State::grace || state == State::purge_due ||
         state == State::verified;
}

// Postpone only moves the deletion date later, and at most max_postpone
// beyond the date the person was last told.
StepResult postpone(const Account& account, const Event& event, Instant now, const Policy& policy) {
  if (!deletion_scheduled(account) || !account.grace_end || !event.at)
    return Refusal{"no deletion is scheduled for this account"};
  Instant wanted = *event.at;
  if (wanted <= *account.grace_end)
    return Refusal{"postpone only moves the deletion date later (now " +
                   format_date(local_date(*account.grace_end, policy.zone)) + ")"};
  date::year_month_day told = account.told_deletion_date.value_or(local_date(*account.grace_end, policy.zone));
  Instant cap = add_span(local_midnight(told, policy.zone), policy.max_postpone, policy.zone);
  if (wanted > cap)
    return Refusal{"support.max_postpone is " + to_string(policy.max_postpone) +
                   " beyond the date the person was told (" + format_date(told) + ")"};
  Transition transition{account, {}, "support", {}};
  transition.next.grace_end = wanted;
  transition.next.reminded.reset();  // reminders re-armed for the new date
  if (account.state == State::purge_due) transition.next.state = State::grace;
  // In GRACE the timer, due now, tells the person the new date; earlier
  // states tell it when the grace period starts.
  if (transition.next.state == State::grace) transition.next.due_at = now;
  transition.journal_detail = "deletion postponed to " + format_date(local_date(wanted, policy.zone)) +
                              ": " + event.detail;
  return transition;
}

}  // namespace

StepResult apply_support(const Account& account, const Event& event, Instant now,
                         const Policy& policy) {
  switch (event.kind) {
    case EventKind::hold:
      return hold(account, event, now);
    case EventKind::release:
      return release(account, event, now, policy);
    case EventKind::retry:
      return retry(account, event, now);
    case EventKind::cancel:
      return cancel(account, event);
    case EventKind::postpone:
      return postpone(account, event, now, policy);
    default:
      return Refusal{"not a support event"};
  }
}

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::due: return "due";
    case EventKind::resume: return "resume";
    case EventKind::window_closed: return "window_closed";
    case EventKind::lookup_ok: return "lookup_ok";
    case EventKind::lookup_missing: return "lookup_missing";
    case EventKind::lookup_moved: return "lookup_moved";
    case EventKind::lookup_blocked: return "lookup_blocked";
    case EventKind::export_queued: return "export_queued";
    case EventKind::export_done: return "export_done";
    case EventKind::evidence_ok: return "evidence_ok";
    case EventKind::notice_sent: return "notice_sent";
    case EventKind::activity_clean: return "activity_clean";
    case EventKind::activity_stale: return "activity_stale";
    case EventKind::purged: return "purged";
    case EventKind::already_gone: return "already_gone";
    case EventKind::interlock_failed: return "interlock_failed";
    case EventKind::failure: return "failure";
    case EventKind::hold: return "hold";
    case EventKind::release: return "release";
    case EventKind::retry: return "retry";
    case EventKind::cancel: return "cancel";
    case EventKind::postpone: return "postpone";
  }
  return "unknown";
}

const char* to_string(Effect effect) {
  switch (effect) {
    case Effect::lookup: return "lookup";
    case Effect::request_export: return "request_export";
    case Effect::await_export: return "await_export";
    case Effect::fetch_export: return "fetch_export";
    case Effect::start_move: return "start_move";
    case Effect::check_move: return "check_move";
    case Effect::send_invitation: return "send_invitation";
    case Effect::announce_user_move: return "announce_user_move";
    case Effect::poll_move: return "poll_move";
    case Effect::send_notice: return "send_notice";
    case Effect::send_reminder: return "send_reminder";
    case Effect::send_move_reminder: return "send_move_reminder";
    case Effect::check_activity: return "check_activity";
  }
  return "unknown";
}

const char* to_string(FailureKind kind) {
  switch (kind) {
    case FailureKind::retryable: return "retryable";
    case FailureKind::rate_limited: return "rate_limited";
    case FailureKind::permanent: return "permanent";
    case FailureKind::not_found: return "not_found";
    case FailureKind::unknown_outcome: return "unknown_outcome";
  }
  return "unknown";
}

}  // namespace passage
