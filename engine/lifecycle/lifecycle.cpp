#include "engine/lifecycle/lifecycle.hpp"

#include <algorithm>
#include <array>

#include "engine/lifecycle/steps.hpp"

namespace passage {

namespace {

using namespace steps;

using Handler = StepResult (*)(const Account&, const Event&, Instant, const Policy&);

Refusal refuse(const Account& account, const Event& event) {
  return Refusal{std::string(to_string(event.kind)) + " is not allowed in state " +
                 std::string(to_string(account.state))};
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
    {State::grace, EventKind::grace_ended, grace_ended},
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
StepResult apply_list_correction(const Account& account, const Event& event, Instant now,
                                 const Policy& policy);

StepResult apply(const Account& account, const Event& event, Instant now, const Policy& policy) {
  switch (event.kind) {
    case EventKind::hold:
    case EventKind::release:
    case EventKind::retry:
    case EventKind::cancel:
    case EventKind::reexport:
    case EventKind::postpone:
    case EventKind::relisted:
      return apply_support(account, event, now, policy);
    case EventKind::list_corrected:
      return apply_list_correction(account, event, now, policy);
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

bool activity_after_evidence(const Account& account, date::year_month_day last_activity) {
  auto day_of = [](Instant at) { return date::year_month_day{date::floor<date::days>(at)}; };
  if (account.evidence.kind == "moved") {
    Instant snapshot = account.own_block_since.value_or(account.verified_at.value_or(Instant{}));
    return date::sys_days{last_activity} > date::sys_days{day_of(snapshot)};
  }
  // The stack reports its own local day, and a session's activity up to a
  // day late (last_seen is refreshed once a day): activity reported for the
  // day before the completion day may have come after the export.
  return activity_may_follow(last_activity, account.export_completed_at.value_or(account.verified_at.value_or(Instant{})));
}

bool activity_may_follow(date::year_month_day last_activity, Instant at) {
  return date::sys_days{last_activity} >= date::floor<date::days>(at) - date::days{1};
}

Instant clean_reexport_from(Instant now) {
  return std::max(now, Instant{date::floor<date::days>(now) + date::days{2}});
}

bool activity_since_request(const Account& account, date::year_month_day last_activity) {
  if (!account.last_export_request) return true;  // unknown: assume it changed
  const auto requested = date::floor<date::days>(*account.last_export_request);
  return date::sys_days{last_activity} >= requested;
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
