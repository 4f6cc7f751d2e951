#pragma once
// Is the data on an admin move's target Passage's own earlier import of
// the same account (CONTRACT.md "Admin moves")? An import is a restore that
// wipes the target first: without `move.overwrite`, data on the target is
// overwritten only when it is provably what Passage put there, never what
// the target's owner wrote since (the stack mails them when an import
// ends: they log in and use it).
//
// Provably Passage's own, when all of these hold:
//   - the target's disk usage, `files` and `versions`, equals exactly the
//     content of the first k parts of a verified export that
//     `passage serve --public` served under one of the account's move tokens,
//     each of those k parts sent whole (k ≥ 1: all of them for an import
//     that ended; fewer for one that stalled, as the stack restores part k
//     before it fetches part k+1, and whose target its hoster unblocked);
//   - the target shows no activity on or after the day that token was
//     issued (day precision, the stack's: a login the same day, before or
//     after the import, is not told apart and counts as activity).
// Anything else (bytes that differ, created, changed or deleted files, a
// login, or no earlier import) is not Passage's to wipe.

#include <optional>

#include <date/date.h>

#include "engine/accounts/account.hpp"
#include "engine/store/db.hpp"
#include "engine/store/move_tokens.hpp"

namespace passage {

// True when `usage` is exactly the content of the first k ≥ 1 parts of
// `evidence`, each of them sent whole according to `served`.
bool holds_only_served_parts(const Evidence& evidence, const MoveServed& served, const DiskUsage& usage);

// The token whose served parts the target holds exactly (newest first), if any.
std::optional<MoveToken> import_matching_target(Database& db, std::int64_t account_id, const DiskUsage& usage);

// True when the target's last activity (a day, the stack's local one) is on
// or after the day before the import's token was issued (UTC): someone
// used the target since, or may have. The stack's day can be a day behind
// UTC (CONTRACT.md "Reading the stack safely"); a use the day before the
// import is taken for one after it: a person then decides, nothing is
// overwritten.
bool used_since_import(date::year_month_day last_activity, Instant token_issued);

}  // namespace passage
