// A corrected accounts list applied to an account (campaign update,
// CONTRACT.md "campaign update"). A new e-mail and a new departure date
// apply; a new action or target only before anything was started. A
// correction never brings a deletion earlier: a later departure moves it
// later (the person is told the new date), an earlier one leaves it where
// it is.

#include <algorithm>

#include "engine/accounts/accounts_file.hpp"
#include "engine/lifecycle/lifecycle.hpp"

namespace passage {

namespace {

// Nothing exported, invited or verified yet: the action may still change.
bool nothing_started(const Account& account) {
  return account.state == State::queued && !account.last_export_request && !account.move_deadline &&
         !account.verified_at && account.reexports == 0;
}

// The new departure's deletion, never earlier than the current one.
void move_deletion_later(Transition& transition, const Account& account, date::year_month_day departure,
                         const Policy& policy) {
  if (!account.grace_end || !account.verified_at) return;
  Instant end = std::max(grace_end_for(*account.verified_at, departure, policy), *account.grace_end);
  if (end == *account.grace_end) return;
  transition.next.grace_end = end;
  transition.next.reminded.reset();  // the reminders count down to the new date
  if (account.state == State::purge_due) transition.next.state = State::grace;
  transition.journal_detail += "; deletion from " + format_date(local_date(*account.grace_end, policy.zone)) +
                               " -> " + format_date(local_date(end, policy.zone));
}

void correct_departure(Transition& transition, const Account& account, date::year_month_day departure,
                       Instant now, const Policy& policy) {
  transition.next.departure_date = departure;
  transition.journal_detail += "; departure_date " + format_date(account.departure_date) + " -> " +
                               format_date(departure);
  // Not started: it starts `lead` before the new departure.
  if (account.state == State::queued && nothing_started(account))
    transition.next.due_at = first_due(departure, now, policy);
  // Invited: a later departure gives more time; the deadline told never shrinks.
  if (account.state == State::invited && account.move_deadline)
    transition.next.move_deadline = std::max(*account.move_deadline, user_move_deadline(departure, policy));
  move_deletion_later(transition, account, departure, policy);
  // A new date to tell, or new timers: the account looks again now.
  if (transition.next.grace_end != account.grace_end && account.state != State::held)
    transition.next.due_at = now;
}

}  // namespace

StepResult apply_list_correction(const Account& account, const Event& event, Instant now,
                                 const Policy& policy) {
  if (!event.correction) return Refusal{"no corrected row"};
  const ListCorrection& row = *event.correction;
  if (is_final(account.state))
    return Refusal{"the account is " + std::string(to_string(account.state)) + ": nothing to correct"};
  if (account.delete_in_flight)
    return Refusal{"a deletion of " + account.domain + " is under way; it cannot be corrected now"};
  const bool new_action = row.action != account.action || row.target != account.target;
  if (new_action && !nothing_started(account))
    return Refusal{"its action or target can change only before its first export or invitation"};
  Transition transition{account, {}, "list", "corrected by the list"};
  if (row.email != account.email) {
    transition.next.email = row.email;
    transition.journal_detail += "; email " + account.email + " -> " + row.email;
  }
  if (new_action) {
    transition.next.action = row.action;
    transition.next.target = row.target;
    transition.next.target_host = row.target_host;
    transition.next.admin_move = row.admin_move;
    transition.next.fallback_export = false;
    transition.journal_detail += "; action " + std::string(to_string(account.action)) + " -> " +
                                 std::string(to_string(row.action));
  }
  if (row.departure_date != account.departure_date)
    correct_departure(transition, account, row.departure_date, now, policy);
  return transition;
}

}  // namespace passage
