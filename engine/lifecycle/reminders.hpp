#pragma once
// Deletion reminders (CONTRACT.md "Grace, deletion date, reminders"): due at
// grace end minus each offset of `reminders`. When several are due at once
// only the latest (smallest offset) is sent; none after grace end. Pure.

#include <optional>

#include "engine/accounts/account.hpp"
#include "engine/lifecycle/lifecycle.hpp"

namespace passage {

// The reminder to send now, if one is due and not sent yet.
std::optional<CalendarSpan> due_reminder(const Account& account, Instant now, const Policy& policy);

// When the GRACE timer should fire next: the next reminder, or grace end.
Instant next_grace_timer(const Account& account, Instant now, const Policy& policy);

// True when the person has not been told the current deletion date.
bool deletion_date_untold(const Account& account, const Policy& policy);

}  // namespace passage
