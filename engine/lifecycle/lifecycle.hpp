#pragma once
// The account lifecycle as a pure function (DESIGN.md principle 3):
//   apply(account, event, now, policy) → (account', effects) or a refusal.
// No I/O and no clock here: the runner feeds events in and carries the
// effects out; the same inputs always give the same outputs.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/accounts/account.hpp"
#include "engine/env/time.hpp"
#include "engine/lifecycle/failure.hpp"

namespace passage {

// The detail of a notice failure when it needs a personal download link and
// `serve.public_url` is not configured: the account goes FAILED with this
// reason (a person must act; a FAILED account is never purged).
inline constexpr std::string_view k_no_public_url = "no_public_url";

// What the runner or a person reports about one account.
enum class EventKind {
  due,             // the account's timer fired
  resume,          // a run starts while a remote step is still open (EXPORTING, MOVING, INVITED)
  window_closed,   // nothing can start until `at`: the export window is closed, or
                   // (detail) serve --public does not answer for an admin move
  lookup_ok,       // the instance exists, not blocked, not moved
  lookup_missing,  // GET /instances/:domain answered 404
  lookup_moved,    // moved: true
  lookup_blocked,  // blocked; `detail` is the blocking reason
  export_queued,   // the export request was answered 202
  export_done,     // the export's event arrived; `detail` is the export id
  evidence_ok,     // parts verified or move checked; `evidence` holds the proof
  notice_sent,     // the notifier accepted the notice
  activity_clean,  // no activity on the space after its export
  activity_stale,  // activity on or after the export's day
  purged,          // DELETE succeeded
  already_gone,    // DELETE 404, then GET 404
  interlock_failed,  // a purge interlock failed; `detail` names it
  failure,         // the current step failed; `failure`, `detail`, `retry_after`
  hold,            // support: stop everything; `detail` is the reason
  release,         // support: resume where it stopped
  retry,           // support: a FAILED account starts again
  cancel,          // support or a corrected list: never touch it again
  reexport,        // support: export again (archive delivery), e.g. a link expired
  postpone,        // support: deletion no earlier than `at`
  relisted,        // a corrected list includes a dropped account again
  list_corrected,  // a corrected list changed the account's row; `correction`
  grace_ended,     // purge: the grace period of a GRACE account is over
};

const char* to_string(EventKind kind);

// A corrected list's row for an account (campaign update): its values,
// applied where they differ (list_correction.cpp).
struct ListCorrection {
  date::year_month_day departure_date;
  std::string email;
  Action action = Action::export_;
  std::string target;
  std::string target_host;
  bool admin_move = false;
};

struct Event {
  Event() = default;
  explicit Event(EventKind event_kind) : kind(event_kind) {}

  EventKind kind = EventKind::due;
  std::string detail;
  std::string payload;  // export_done: the export document (JSON); failure: the incomplete files, one per line
  std::optional<Instant> at;
  Evidence evidence;
  FailureKind failure = FailureKind::retryable;
  std::optional<Millis> retry_after;
  std::optional<ListCorrection> correction;  // list_corrected
  double jitter = 0.5;  // uniform in [0, 1): the randomness of backoff, supplied by the caller
};

// What the runner must do after committing the transition.
enum class Effect {
  lookup,             // GET the instance, report lookup_*
  request_export,     // commit an export intent with the transition, then POST
  await_export,       // wait for the export event until the account's due_at
  fetch_export,       // download and verify every part
  start_move,         // admin-driven move (import intent committed with the transition)
  check_move,         // after a restart: ask the stacks whether the open move finished
  send_invitation,    // mail the user-driven move instructions
  announce_user_move, // tell the backend an invitation is out (dry-run people)
  poll_move,          // GET the source; lookup_moved or lookup_ok
  send_notice,        // the notice of the current state (export ready, moved)
  send_reminder,      // GRACE: tell the deletion date (a reminder, or a new date)
  send_move_reminder, // INVITED: remind the person of the move deadline
  check_activity,     // read last-activity, report activity_clean or activity_stale
};

const char* to_string(Effect effect);

// Everything the lifecycle needs from the configuration.
struct Policy {
  const date::time_zone* zone = nullptr;
  CalendarSpan lead{21, SpanUnit::day};
  CalendarSpan grace{1, SpanUnit::month};
  CalendarSpan fallback_before_departure{7, SpanUnit::day};
  CalendarSpan max_postpone{60, SpanUnit::day};
  std::vector<CalendarSpan> reminders{{7, SpanUnit::day}, {1, SpanUnit::day}};
  std::vector<CalendarSpan> move_reminders{{7, SpanUnit::day}, {2, SpanUnit::day}};
  Millis export_deadline = std::chrono::hours(2);
  Millis import_deadline = std::chrono::hours(3);
  Millis poll_interval = std::chrono::hours(1);
  Millis backoff_base = std::chrono::seconds(1);
  Millis backoff_cap = std::chrono::minutes(10);  // idle_horizon
  Millis export_spacing = std::chrono::hours(24);
  Millis blocked_recheck = std::chrono::hours(1);
  Millis release_grace = std::chrono::days(7);
  int retry_budget = 8;
  int max_reexports = 1;
  bool final_export = true;  // export.final_export != none
};

struct Transition {
  Account next;
  std::vector<Effect> effects;
  std::string journal_kind;    // e.g. "state" or "support"
  std::string journal_detail;  // human-readable: "QUEUED -> EXPORTING: ..."
};

struct Refusal {
  std::string reason;
};

using StepResult = std::variant<Transition, Refusal>;

StepResult apply(const Account& account, const Event& event, Instant now, const Policy& policy);

// A hold refused because a DELETE of the account is under way is kept
// pending in its hold_reasons: the purge that finds the DELETE did not
// happen holds the account with it instead of deleting (purge.cpp). The
// refusal still stands for whoever asked: the deletion may complete.
StepResult keep_hold_pending(const Account& account, const std::string& reason);

// The person was sent the current deletion date (deletion_date_changed,
// by the command that changed it): it is the date told; reminders already
// due count as sent; a GRACE timer waits for the next reminder.
Transition deletion_date_told(const Account& account, Instant now, const Policy& policy);

// When an account becomes due for its first step: departure_date − lead at
// local midnight, or `now` if that is past.
Instant first_due(date::year_month_day departure, Instant now, const Policy& policy);

// The deadline a user-driven move would get: fallback_before_departure
// before the departure (local midnight).
Instant user_move_deadline(date::year_month_day departure, const Policy& policy);

// A user-driven move whose deadline would already have passed at `now`:
// the person is not invited, the account is exported instead and told why
// (the notice's move_not_offered).
bool too_close_to_invite(const Account& account, Instant now, const Policy& policy);

// The grace end for evidence verified at `verified_at` (CONTRACT.md "Grace").
Instant grace_end_for(Instant verified_at, date::year_month_day departure, const Policy& policy);

// Whether a space's last activity (the stack's day) makes the account's
// evidence stale. Export evidence: activity on or after the day before the
// UTC day the export completed (day precision cannot order events within a
// day, and the stack reports its local day, up to a day late).
// Moved evidence: activity strictly after the day the move's snapshot was
// taken (the source blocked MOVING by Passage, or `moved: true` first
// seen): the person's own login to start a move is not activity after it.
bool activity_after_evidence(const Account& account, date::year_month_day last_activity);

// Whether activity the stack reports for `last_activity` (its local day, a
// session's up to a day late) may have come at or after `at`: on or after
// the day before `at`'s UTC day (CONTRACT.md "Reading the stack safely").
bool activity_may_follow(date::year_month_day last_activity, Instant at);

// When an export again after activity may be requested: from the second
// UTC midnight after `now`, so that it completes at least two days after
// any activity reported until now, which then no longer makes it stale
// (activity_after_evidence). Sooner, it would be stale at once and, its
// re-export spent, the account HELD.
Instant clean_reexport_from(Instant now);
// An export whose parts do not add up to the disk usage read before its
// request: was the person active since that request (day precision, the
// same day counts)? Then the space changed and it is exported again.
bool activity_since_request(const Account& account, date::year_month_day last_activity);

// True when the account has a timer the runner (not purge) acts on.
bool runner_acts_on(State state);

}  // namespace passage
