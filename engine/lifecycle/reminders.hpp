#pragma once
// Reminders before a deadline (CONTRACT.md "Grace, deletion date,
// reminders"; move.reminders before a user-driven move's deadline): due at
// the deadline minus each offset. When several are due at once only the
// latest (smallest offset) is sent; none after the deadline. Pure.

#include <optional>
#include <vector>

#include "engine/accounts/account.hpp"
#include "engine/lifecycle/lifecycle.hpp"

namespace passage {

// The reminder to send now before `deadline`, if one is due and was not
// sent (`reminded`: the last one sent).
std::optional<CalendarSpan> due_reminder_before(Instant deadline,
                                                const std::vector<CalendarSpan>& offsets,
                                                const std::optional<CalendarSpan>& reminded,
                                                Instant now, const date::time_zone* zone);

// The next reminder time after `now` not sent yet, or the deadline.
Instant next_reminder_before(Instant deadline, const std::vector<CalendarSpan>& offsets,
                             const std::optional<CalendarSpan>& reminded, Instant now,
                             const date::time_zone* zone);

// GRACE: deletion reminders before grace end.
std::optional<CalendarSpan> due_reminder(const Account& account, Instant now, const Policy& policy);
Instant next_grace_timer(const Account& account, Instant now, const Policy& policy);

// INVITED: move reminders before the move deadline.
std::optional<CalendarSpan> due_move_reminder(const Account& account, Instant now,
                                              const Policy& policy);

// True when the person has not been told the current deletion date.
bool deletion_date_untold(const Account& account, const Policy& policy);

// True when the person was told a deletion date and the current one is
// another (a postpone, a release): the deletion_date_changed notice is owed.
bool deletion_date_changed_untold(const Account& account, const Policy& policy);

// The notice that tells the deletion date of a GRACE account now:
// "deletion_date_changed" when owed, else "deletion_reminder".
const char* deletion_notice_kind(const Account& account, const Policy& policy);

}  // namespace passage
