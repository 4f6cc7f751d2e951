#include "engine/support/access.hpp"

#include "engine/notices/notices.hpp"
#include "engine/support/local_time.hpp"

namespace passage {

namespace {

std::string deletion_words(const Account& account, const date::time_zone* zone) {
  if (!account.grace_end) return "its deletion";
  return "the deletion from " + format_long_date(local_date(*account.grace_end, zone), "en");
}

}  // namespace

std::string closed_by_stack_advice(const Account& account, const date::time_zone* zone) {
  const std::string target = account.target.empty() ? std::string("their new Cozy") : account.target;
  return account.domain + " was moved by the person and the stack closed it itself (moved: true): the "
         "admin API cannot open it again. Tell the person: everything the old space held is in " + target +
         " (they log in there); if something is missing there, tell us before " + deletion_words(account, zone) +
         ": until then the old space is kept, and a hold or a postpone keeps it longer while we look.";
}

GrantCheck check_grant(const Account& account, int days, const CalendarSpan& max_grant,
                       const std::optional<AccessGrant>& open_grant, Instant now, const date::time_zone* zone) {
  if (is_final(account.state))
    return {false, "no access to grant: " + account.domain + " is " + std::string(to_string(account.state))};
  if (account.evidence.kind != "moved")
    return {false, "no access to grant: " + account.domain + " was not moved; Passage put no block on it"};
  if (!account.admin_move) return {false, closed_by_stack_advice(account, zone)};
  if (days <= 0) return {false, "grant-access: --days must be a positive number"};
  if (add_span(now, CalendarSpan{days, SpanUnit::day}, zone) > add_span(now, max_grant, zone))
    return {false, "grant-access: support.max_grant is " + to_string(max_grant) + " (asked: " +
                       std::to_string(days) + " days)"};
  if (open_grant)
    return {false, "access to " + account.domain + " is already granted until " +
                       format_local_minute(open_grant->until, zone) + " (" + zone_name(zone) + ")"};
  return {true, {}};
}

}  // namespace passage
