// Support-desk and list-correction events: hold, release, retry, cancel,
// postpone (CONTRACT.md "Account lifecycle", HELD, FAILED, postpone).

#include <algorithm>

#include "engine/lifecycle/lifecycle.hpp"
#include "engine/lifecycle/reminders.hpp"

namespace passage {

namespace {

Transition support_move(const Account& account, State to, const std::string& reason) {
  Transition transition{account, {}, "support", {}};
  transition.next.state = to;
  transition.journal_detail = std::string(to_string(account.state)) + " -> " +
                              std::string(to_string(to)) + ": " + reason;
  return transition;
}

constexpr const char* k_dropped = "dropped_from_list";

bool has_reason(const Account& account, const std::string& reason) {
  return std::find(account.hold_reasons.begin(), account.hold_reasons.end(), reason) !=
         account.hold_reasons.end();
}

std::string joined(const std::vector<std::string>& reasons) {
  std::string text;
  for (const std::string& reason : reasons) text += (text.empty() ? "" : "; ") + reason;
  return text;
}

// A DELETE already committed cannot be stopped any more: saying "held"
// would be a promise Passage cannot keep.
std::optional<Refusal> deletion_under_way(const Account& account) {
  if (!account.delete_in_flight) return std::nullopt;
  return Refusal{"a deletion of " + account.domain + " is under way; it cannot be stopped now"};
}

StepResult hold(const Account& account, const Event& event, Instant) {
  if (is_final(account.state))
    return Refusal{"cannot hold an account in state " + std::string(to_string(account.state))};
  if (auto refusal = deletion_under_way(account)) return *refusal;
  if (account.state == State::held) {
    // Already held: the new reason joins the others; each is lifted by its
    // own mechanism.
    Transition transition{account, {}, "support", "held also: " + event.detail};
    if (!has_reason(account, event.detail)) transition.next.hold_reasons.push_back(event.detail);
    transition.next.state_reason = joined(transition.next.hold_reasons);
    return transition;
  }
  // Holds kept pending while a DELETE was under way join this one.
  Transition transition = support_move(account, State::held, event.detail);
  transition.next.held_from = account.state;
  if (!has_reason(account, event.detail)) transition.next.hold_reasons.push_back(event.detail);
  transition.next.state_reason = joined(transition.next.hold_reasons);
  transition.next.due_at.reset();
  return transition;
}

// The deletion date the person was last told is behind us: they may think
// it happened, or that the hold stopped it for good.
bool told_date_passed(const Account& account, Instant now, const Policy& policy) {
  if (!account.told_deletion_date) return false;
  const date::year_month_day day_after{date::sys_days{*account.told_deletion_date} + date::days{1}};
  return now >= local_midnight(day_after, policy.zone);
}

// Back to the state held from, timers re-evaluated at now; a grace end
// already past, or a told date already past (a postpone nobody was told of
// may keep the grace end ahead), whatever the state held from, moves to
// at least now + release_grace so the person is told a new date before
// anything is deleted.
Transition resume_from_hold(const Account& account, const std::string& why, Instant now,
                            const Policy& policy) {
  State back = *account.held_from;
  // A purge that was due resumes in GRACE (the date re-read below): the
  // journal and the desk say where the account really goes.
  Transition transition = support_move(account, back == State::purge_due ? State::grace : back, why);
  transition.next.held_from.reset();
  transition.next.hold_reasons.clear();
  transition.next.state_reason.clear();
  transition.next.attempts = 0;
  transition.next.due_at = now;
  if (account.grace_end && (*account.grace_end <= now || told_date_passed(account, now, policy))) {
    transition.next.grace_end = std::max(*account.grace_end, now + policy.release_grace);
    transition.next.reminded.reset();
  }
  // Nothing started yet: the account keeps its place in the schedule.
  if (back == State::queued) transition.next.due_at = first_due(account.departure_date, now, policy);
  return transition;
}

StepResult release(const Account& account, const Event& event, Instant now, const Policy& policy) {
  if (account.state != State::held || !account.held_from)
    return Refusal{"only a HELD account can be released"};
  // Its outcome decides: a release would tell the person a new date for a
  // space that may be gone.
  if (auto refusal = deletion_under_way(account)) return *refusal;
  if (has_reason(account, k_dropped))
    return Refusal{"it was dropped from the campaign's list: only `passage campaign update` with a "
                   "list that includes it again lifts that (or cancel it)"};
  return resume_from_hold(account, event.detail, now, policy);
}

// A corrected list includes a dropped account again: that reason is
// lifted; other holds (support, interlocks) stay until released.
StepResult relisted(const Account& account, const Event& event, Instant now, const Policy& policy) {
  if (account.state != State::held && has_reason(account, k_dropped)) {
    // A drop kept pending while a deletion was under way: withdrawn.
    Transition transition{account, {}, "support", "listed again: the pending drop is withdrawn"};
    std::erase(transition.next.hold_reasons, std::string(k_dropped));
    return transition;
  }
  if (account.state != State::held || !account.held_from || !has_reason(account, k_dropped))
    return Refusal{"not held as dropped from the list"};
  std::vector<std::string> rest;
  for (const std::string& reason : account.hold_reasons)
    if (reason != k_dropped) rest.push_back(reason);
  if (rest.empty()) return resume_from_hold(account, "listed again: " + event.detail, now, policy);
  Transition transition{account, {}, "support", "listed again, still held: " + joined(rest)};
  transition.next.hold_reasons = rest;
  transition.next.state_reason = joined(rest);
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
  if (auto refusal = deletion_under_way(account)) return *refusal;
  Transition transition = support_move(account, State::cancelled, event.detail);
  transition.next.state_reason = event.detail;
  transition.next.hold_reasons.clear();
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
  if (auto refusal = deletion_under_way(account)) return *refusal;
  Instant wanted = *event.at;
  if (wanted <= *account.grace_end)
    return Refusal{"postpone only moves the deletion date later (now " +
                   format_date(local_date(*account.grace_end, policy.zone)) + ")"};
  // A date gone by would be mailed to the person and deleted that night.
  if (wanted <= now)
    return Refusal{"the new deletion date " + format_date(local_date(wanted, policy.zone)) +
                   " is already past: give a date still ahead"};
  // The cap is on dates, as the person reads them: told + max_postpone is
  // allowed whatever the time of day of the grace end.
  date::year_month_day told = account.told_deletion_date.value_or(local_date(*account.grace_end, policy.zone));
  date::year_month_day cap = local_date(add_span(local_midnight(told, policy.zone), policy.max_postpone, policy.zone),
                                        policy.zone);
  if (date::sys_days{local_date(wanted, policy.zone)} > date::sys_days{cap})
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

// The purge's holds that mean "the archive no longer holds the space":
// exporting again is their remedy.
bool held_for_a_new_export(const std::string& reason) {
  return reason == "evidence_missing" || reason == "activity_after_export" || reason == "files_changed_after_export";
}

// HELD only for those, from a state waiting for its deletion: exporting
// again lifts the hold, with no release that would first tell the person
// a new date and point them at an archive that does not hold their space.
std::optional<Refusal> hold_blocks_reexport(const Account& account) {
  if (!deletion_scheduled(account))
    return Refusal{"it is HELD since before its export was verified: release it"};
  std::vector<std::string> others;
  for (const std::string& reason : account.hold_reasons)
    if (!held_for_a_new_export(reason)) others.push_back(reason);
  if (account.hold_reasons.empty() || !others.empty())
    return Refusal{"it is HELD for " + (others.empty() ? std::string("no recorded reason") : joined(others)) +
                   ": release it first (that lifts every reason and tells the person a new deletion date), then "
                   "export it again"};
  return std::nullopt;
}

// Support asks for a fresh export (the person's link expired, or they
// added files): back to QUEUED with archive delivery, as after activity
// (steps_notice.cpp, stale), the 24-hour rule still deciding when the
// request goes. The deletion date never comes earlier: a new verification
// keeps the later of its own date and the one set (steps_common.cpp).
StepResult reexport(const Account& account, const Event& event, Instant now) {
  const State state = account.state;
  if (state == State::held) {
    if (auto refusal = hold_blocks_reexport(account)) return *refusal;
  } else if (!deletion_scheduled(account)) {
    return Refusal{"only an exported account waiting for its deletion (VERIFIED, NOTIFIED, GRACE, PURGE_DUE), "
                   "or one the purge held because its archive no longer holds the space, can be exported again; "
                   "it is " + std::string(to_string(state))};
  }
  if (auto refusal = deletion_under_way(account)) return *refusal;
  if (account.evidence.kind == "moved")
    return Refusal{"the space was moved to " + account.target + ": its data is there, nothing to export again"};
  Transition transition = support_move(account, State::queued, "export again: " + event.detail);
  transition.next.reexports = account.reexports + 1;
  transition.next.reexport_requested_by = "support";
  transition.next.delivery = "archive";
  transition.next.fallback_export = account.action == Action::move;
  transition.next.held_from.reset();
  transition.next.hold_reasons.clear();
  transition.next.state_reason.clear();
  transition.next.attempts = 0;
  transition.next.due_at = now;
  return transition;
}

}  // namespace

StepResult keep_hold_pending(const Account& account, const std::string& reason) {
  if (!account.delete_in_flight) return Refusal{"no deletion under way"};
  if (has_reason(account, reason)) return Refusal{"already pending: " + reason};
  Transition transition{account, {}, "support",
                        "hold kept pending (" + reason + "): a deletion is under way; if it does "
                        "not happen, the account is held instead of deleted"};
  transition.next.hold_reasons.push_back(reason);
  return transition;
}

Transition deletion_date_told(const Account& account, Instant now, const Policy& policy) {
  Transition transition{account, {}, "state", {}};
  if (!account.grace_end) return transition;
  const date::year_month_day day = local_date(*account.grace_end, policy.zone);
  transition.journal_detail = "deletion date told: " + format_date(day) + " (deletion_date_changed)";
  transition.next.told_deletion_date = day;
  if (auto latest = due_reminder(account, now, policy)) transition.next.reminded = latest;
  if (account.state == State::grace) transition.next.due_at = next_grace_timer(transition.next, now, policy);
  return transition;
}

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
    case EventKind::reexport:
      return reexport(account, event, now);
    case EventKind::relisted:
      return relisted(account, event, now, policy);
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
    case EventKind::reexport: return "reexport";
    case EventKind::postpone: return "postpone";
    case EventKind::relisted: return "relisted";
    case EventKind::list_corrected: return "list_corrected";
    case EventKind::grace_ended: return "grace_ended";
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
    case FailureKind::export_error: return "export_error";
  }
  return "unknown";
}

}  // namespace passage
