#pragma once
// May the desk open a moved space again for a few days (`account
// grant-access`, issue 13)? Only a block Passage itself put on the source
// (an admin-driven move's MOVED) can be lifted: a source the stack closed
// itself after the person's own move (`moved: true`) cannot be opened by
// the admin API, and the desk is told what to say instead. Pure.

#include <optional>
#include <string>

#include "engine/accounts/account.hpp"
#include "engine/env/time.hpp"
#include "engine/store/access_grants.hpp"

namespace passage {

struct GrantCheck {
  bool allowed = false;
  std::string problem;  // why not, and what the desk can tell the person
};

// `days` of access from `now` for `account`, at most `max_grant`;
// `open_grant` is a grant not closed yet.
GrantCheck check_grant(const Account& account, int days, const CalendarSpan& max_grant,
                       const std::optional<AccessGrant>& open_grant, Instant now, const date::time_zone* zone);

// "the person moved it themselves": what the desk can tell the person when
// the stack closed the source (user-driven move).
std::string closed_by_stack_advice(const Account& account, const date::time_zone* zone);

}  // namespace passage
