#include "engine/lifecycle/reminders.hpp"

namespace passage {

namespace {

// Offsets not sent yet: smaller than the last one sent.
bool still_pending(const Account& account, const CalendarSpan& offset) {
  return !account.reminded || approximate_length(offset) < approximate_length(*account.reminded);
}

Instant reminder_at(const Account& account, const CalendarSpan& offset, const Policy& policy) {
  return add_span(*account.grace_end, offset, policy.zone, -1);
}

}  // namespace

std::optional<CalendarSpan> due_reminder(const Account& account, Instant now, const Policy& policy) {
  if (!account.grace_end || now >= *account.grace_end) return std::nullopt;
  std::optional<CalendarSpan> latest;
  for (const CalendarSpan& offset : policy.reminders) {
    if (!still_pending(account, offset) || reminder_at(account, offset, policy) > now) continue;
    if (!latest || approximate_length(offset) < approximate_length(*latest)) latest = offset;
  }
  return latest;
}

Instant next_grace_timer(const Account& account, Instant now, const Policy& policy) {
  Instant end = account.grace_end.value_or(now);
  Instant next = end;
  for (const CalendarSpan& offset : policy.reminders) {
    Instant at = reminder_at(account, offset, policy);
    if (still_pending(account, offset) && at > now && at < next) next = at;
  }
  return next;
}

bool deletion_date_untold(const Account& account, const Policy& policy) {
  if (!account.grace_end) return false;
  return account.told_deletion_date != local_date(*account.grace_end, policy.zone);
}

}  // namespace passage
