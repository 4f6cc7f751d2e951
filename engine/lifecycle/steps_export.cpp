// Transitions of QUEUED, EXPORTING, VERIFYING and MOVING.

#include <algorithm>

#include "engine/lifecycle/move_check_failed.hpp"
#include "engine/lifecycle/steps.hpp"

namespace passage::steps {

// --- QUEUED -------------------------------------------------------------

StepResult queued_due(const Account& account, const Event&, Instant, const Policy&) {
  Transition transition = stay(account, "looking the instance up");
  transition.journal_kind.clear();  // a read: nothing to journal
  transition.effects = {Effect::lookup};
  return transition;
}

StepResult queued_window_closed(const Account& account, const Event& event, Instant now,
                                const Policy&) {
  Transition transition = stay(account, event.detail.empty() ? "export window closed" : event.detail);
  transition.next.due_at = event.at.value_or(now);
  return transition;
}

StepResult queued_lookup_ok(const Account& account, const Event&, Instant now,
                            const Policy& policy) {
  Account fresh = account;
  fresh.blocked_since.reset();
  if (wants_export(fresh)) return start_export(fresh, now, policy);
  if (fresh.admin_move) {
    // The move exports the source: the same 24-hour rule as an export.
    if (auto waiting = wait_for_export_spacing(fresh, now, policy)) return *waiting;
    Transition transition = move_to(fresh, State::moving, "admin-driven move to " + fresh.target_host);
    transition.next.due_at = now + policy.import_deadline;
    // Write-ahead: the move blocks the source MOVING before its export; a
    // MOVING block seen later is Passage's own. The first block's time is
    // the snapshot the activity rule measures from (the earliest: safe).
    if (fresh.own_block != "MOVING") {
      transition.next.own_block = "MOVING";
      transition.next.own_block_since = now;
    }
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
  return verified(account, Evidence{"moved", {}, {}, {}, {}}, now, policy);
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
  return act(account, "waiting again for the export event", {Effect::await_export});
}

StepResult exporting_due(const Account& account, const Event& event, Instant now,
                         const Policy& policy) {
  if (account.due_at && now < *account.due_at) return exporting_resume(account, event, now, policy);
  Event silent = event;
  silent.failure = FailureKind::retryable;
  silent.detail = "no export event by the deadline";
  Transition transition = retry_or_fail(account, State::queued, silent, now, policy);
  retry_after_export_spacing(transition, account, policy);
  return transition;
}

// A person already departed may no longer reach their space: whatever the
// configured delivery, Passage keeps the parts and sends a download link
// (CONTRACT.md "Meaning of 'safely out'"). Decided before the parts are
// fetched, since the delivery says where they go.
StepResult exporting_done(const Account& account, const Event& event, Instant now,
                          const Policy& policy) {
  const bool departed = now >= departure_instant(account, policy);
  Transition transition = move_to(account, State::verifying,
                                  "export " + event.detail + " done" +
                                      (departed && account.delivery != "archive"
                                           ? ", already departed: archive delivery"
                                           : ""));
  if (departed) transition.next.delivery = "archive";
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
  if (event.failure == FailureKind::export_error) {
    // The stack ran it and said why it failed, at once rather than at the
    // deadline; the request still counts for the 24-hour rule.
    retry_after_export_spacing(transition, account, policy);
    return transition;
  }
  transition.next.last_export_request.reset();  // answered by the stack: not queued
  return transition;
}

// --- VERIFYING, MOVING --------------------------------------------------

StepResult verifying_due(const Account& account, const Event&, Instant, const Policy&) {
  return act(account, "downloading the parts", {Effect::fetch_export});
}

StepResult evidence_ok(const Account& account, const Event& event, Instant now,
                       const Policy& policy) {
  Transition transition = verified(account, event.evidence, now, policy);
  // A finished admin-driven move leaves the source blocked MOVED by Passage.
  if (account.state == State::moving) transition.next.own_block = "MOVED";
  return transition;
}

// Files missing from a verified-looking export (CONTRACT.md "Incomplete
// evidence"): export again; the same files missing on two exports in a row
// (cozy-stack skips files it cannot read) → FAILED, a person decides.
StepResult evidence_incomplete(const Account& account, const Event& event, Instant now,
                               const Policy& policy) {
  const std::string& files = event.payload;
  if (!account.incomplete_files.empty() && account.incomplete_files == files)
    return fail(account, std::string(k_evidence_incomplete) +
                             ": the same files are missing on two exports in a row: " + event.detail);
  Event again = event;
  again.failure = FailureKind::retryable;
  Transition transition = retry_or_fail(account, State::queued, again, now, policy);
  transition.next.incomplete_files = files;
  retry_after_export_spacing(transition, account, policy);
  return transition;
}

StepResult verifying_failure(const Account& account, const Event& event, Instant now,
                             const Policy& policy) {
  if (event.detail.find(k_evidence_incomplete) != std::string::npos)
    return evidence_incomplete(account, event, now, policy);
  if (event.failure == FailureKind::not_found) {
    // The export is gone (expired or replaced): export again, 24-hour rule first.
    Event again = event;
    again.failure = FailureKind::retryable;
    return retry_or_fail(account, State::queued, again, now, policy);
  }
  return retry_or_fail(account, State::verifying, event, now, policy);
}

// Before and after the import deadline, the move is checked first: it may
// have finished while the commit recording it was refused (or the run was
// killed). The runner reports an unfinished move past the deadline as a
// failure (moving_failure), never before.
StepResult moving_due(const Account& account, const Event&, Instant, const Policy&) {
  return act(account, "checking whether the move finished", {Effect::check_move});
}

StepResult moving_failure(const Account& account, const Event& event, Instant now,
                          const Policy& policy) {
  const State step = event.payload == k_move_check_failed ? State::moving : State::queued;
  Transition transition = retry_or_fail(account, step, event, now, policy);
  // The move's export on the source may have been queued: 24-hour rule.
  retry_after_export_spacing(transition, account, policy);
  return transition;
}

}  // namespace passage::steps
