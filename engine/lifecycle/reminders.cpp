#include "engine/lifecycle/reminders.hpp"

namespace passage {

namespace {

// Offsets not sent yet: smaller than the last one sent.
bool still_pending(const std::optional<CalendarSpan>& reminded, const CalendarSpan& offset) {
  return !reminded || approximate_length(offset) < approximate_length(*reminded);
}

}  // namespace

std::optional<CalendarSpan> due_reminder_before(Instant deadline,
                                                const std::vector<CalendarSpan>& offsets,
                                                const std::optional<CalendarSpan>& reminded,
                                                Instant now, const date::time_zone* zone) {
  if (now >= deadline) return std::nullopt;
  std::optional<CalendarSpan> latest;
  for (const CalendarSpan& offset : offsets) {
    if (!still_pending(reminded, offset) || add_span(deadline, offset, zone, -1) > now) continue;
    if (!latest || approximate_length(offset) < approximate_length(*latest)) latest = offset;
  }
  return latest;
}

Instant next_reminder_before(Instant deadline, const std::vector<CalendarSpan>& offsets,
                             const std::optional<CalendarSpan>& reminded, Instant now,
                             const date::time_zone* zone) {
  Instant next = deadline;
  for (const CalendarSpan& offset : offsets) {
    Instant at = add_span(deadline, offset, zone, -1);
    if (still_pending(reminded, offset) && at > now && at < next) next = at;
  }
  return next;
}

std::optional<CalendarSpan> due_reminder(const Account& account, Instant now, const Policy& policy) {
  if (!account.grace_end) return std::nullopt;
  return due_reminder_before(*account.grace_end, policy.reminders, account.reminded, now, policy.zone);
}

Instant next_grace_timer(const Account& account, Instant now, const Policy& policy) {
  if (!account.grace_end) return now;
  return next_reminder_before(*account.grace_end, policy.reminders, account.reminded, now, policy.zone);
}

std::optional<CalendarSpan> due_move_reminder(const Account& account, Instant now,
                                              const Policy& policy) {
  if (!account.move_deadline) return std::nullopt;
  return due_reminder_before(*account.move_deadline, policy.move_reminders, account.reminded, now,
                             policy.zone);
}

bool deletion_date_untold(const Account& account, const Policy& policy) {
  if (!account.grace_end) return false;
  return account.told_deletion_date != local_date(*account.grace_end, policy.zone);
}

bool deletion_date_changed_untold(const Account& account, const Policy& policy) {
  return account.told_deletion_date && deletion_date_untold(account, policy);
}

const char* deletion_notice_kind(const Account& account, const Policy& policy) {
  return deletion_date_changed_untold(account, policy) ? "deletion_date_changed" : "deletion_reminder";
}

}  // namespace passage
