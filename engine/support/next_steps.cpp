#include "engine/support/next_steps.hpp"

#include <algorithm>

#include "engine/lifecycle/reminders.hpp"
#include "engine/notices/notices.hpp"
#include "engine/support/reasons.hpp"

namespace passage {

namespace {

std::string long_date(Instant at, const Policy& policy) {
  return format_long_date(local_date(at, policy.zone), "en");
}

// "on 8 January 2027", or "at the next run" when the timer is already due.
std::string when(const std::optional<Instant>& at, Instant now, const Policy& policy) {
  if (!at || *at <= now) return "at the next run";
  return "on " + long_date(*at, policy);
}

std::string reason_in_words(const Account& account) {
  return account.state_reason.empty() ? std::string() : " (" + explain_reasons(account.state_reason) + ")";
}

// The deletion and the reminders not sent yet before it, as the runner
// sends them from `from` on (now in GRACE, the departure before it):
// reminders whose time has come by then go as one at `from` (only the
// latest is sent); a date the person was not told yet is told first, and
// counts as those reminders. Past the grace end only the purge is left.
std::vector<NextStep> deletion_steps(const Account& account, const Policy& policy, Instant now, Instant from) {
  std::vector<NextStep> steps;
  if (!account.grace_end) return steps;
  const std::string end_day = long_date(*account.grace_end, policy);
  if (*account.grace_end <= now)
    return {{now, "deletion at the next nightly purge (the grace period ended on " + end_day + ")"}};
  bool due_at_from = false;
  for (const CalendarSpan& offset : policy.reminders) {
    Instant at = add_span(*account.grace_end, offset, policy.zone, -1);
    bool pending = !account.reminded || approximate_length(offset) < approximate_length(*account.reminded);
    if (!pending || at >= *account.grace_end) continue;
    if (at <= from) due_at_from = true;
    else steps.push_back({at, "reminder on " + long_date(at, policy)});
  }
  if (deletion_date_untold(account, policy) && account.told_deletion_date)
    steps.push_back({from, "the new deletion date (" + end_day + ") sent to the person " + when(from, now, policy)});
  else if (due_at_from)
    steps.push_back({from, std::string("reminder ") + when(from, now, policy)});
  steps.push_back({*account.grace_end, "deletion in the night of " + end_day});
  return steps;
}

std::vector<NextStep> waiting_for_a_person(const Account& account, const std::string& what) {
  return {{std::nullopt, what + reason_in_words(account)}};
}

std::vector<NextStep> first_step(const Account& account, Instant now, const Policy& policy) {
  std::string what = account.action == Action::export_ || account.fallback_export ? "export"
                     : account.admin_move                                         ? "move to " + account.target_host
                                                                                  : "move invitation to the person";
  return {{account.due_at, what + " starts " + when(account.due_at, now, policy)}};
}

std::vector<NextStep> steps_in_state(const Account& account, const Policy& policy, Instant now) {
  switch (account.state) {
    case State::queued: return first_step(account, now, policy);
    case State::exporting:
      return {{account.due_at, "export under way on the stack; asked again if no result by " +
                                   (account.due_at ? long_date(*account.due_at, policy) : std::string("its deadline"))}};
    case State::verifying: return {{account.due_at, "the export's parts are being downloaded and checked"}};
    case State::moving: return {{account.due_at, "move under way to " + account.target_host}};
    case State::invited: {
      std::vector<NextStep> steps{{account.due_at, "waiting for the person to move the space"}};
      if (account.move_deadline)
        steps.push_back({account.move_deadline, "export instead if not moved by " + long_date(*account.move_deadline, policy)});
      return steps;
    }
    case State::retry_wait:
      return {{account.due_at, "retry of " + std::string(to_string(account.retry_step.value_or(State::queued))) +
                                   " " + when(account.due_at, now, policy) + reason_in_words(account)}};
    case State::verified: {
      std::vector<NextStep> steps{{account.due_at, "notice to the person " + when(account.due_at, now, policy)}};
      const Instant from = std::max(now, local_midnight(account.departure_date, policy.zone));
      for (NextStep& step : deletion_steps(account, policy, now, from)) steps.push_back(std::move(step));
      return steps;
    }
    case State::notified: {
      Instant departure = local_midnight(account.departure_date, policy.zone);
      std::vector<NextStep> steps;
      if (departure > now) steps.push_back({departure, "departure on " + long_date(departure, policy)});
      for (NextStep& step : deletion_steps(account, policy, now, std::max(now, departure)))
        steps.push_back(std::move(step));
      return steps;
    }
    case State::grace: return deletion_steps(account, policy, now, now);
    case State::purge_due:
      return {{now, "deletion at the next nightly purge (the grace period ended" +
                        (account.grace_end ? " on " + long_date(*account.grace_end, policy) : std::string()) + ")"}};
    case State::held:
      return waiting_for_a_person(account, "nothing happens until the hold is lifted");
    case State::failed:
      return waiting_for_a_person(account, "nothing happens until a person retries or cancels it");
    case State::purged: return {{std::nullopt, "nothing: the space is deleted"}};
    case State::cancelled: return {{std::nullopt, "nothing: the account is cancelled"}};
    case State::no_space: return {{std::nullopt, "nothing: the stack has no space for this domain"}};
  }
  return {};
}

}  // namespace

namespace {

void soonest_first(std::vector<NextStep>& steps) {
  std::stable_sort(steps.begin(), steps.end(), [](const NextStep& a, const NextStep& b) {
    return a.at.has_value() && (!b.at.has_value() || *a.at < *b.at);
  });
}

}  // namespace

void add_access_end(std::vector<NextStep>& steps, Instant until, const Policy& policy, Instant now) {
  const std::string when_text = until <= now ? std::string("at the next run")
                                             : "at the first run after " + format_long_date(local_date(until, policy.zone), "en");
  steps.push_back({until, "the old space, opened by the desk, is blocked again " + when_text});
  soonest_first(steps);
}

std::vector<NextStep> next_steps(const Account& account, const Policy& policy, Instant now) {
  std::vector<NextStep> steps = steps_in_state(account, policy, now);
  if (account.state == State::held && account.grace_end)
    steps.push_back({std::nullopt, "deletion not before " + long_date(*account.grace_end, policy) +
                                       " (later if released after it)"});
  soonest_first(steps);
  return steps;
}

std::string next_steps_in_words(const std::vector<NextStep>& steps) {
  std::string text;
  for (const NextStep& step : steps) text += (text.empty() ? "" : "; ") + step.text;
  return text;
}

}  // namespace passage
