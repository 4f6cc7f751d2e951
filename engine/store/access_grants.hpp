#pragma once
// Access to a moved space granted by the support desk (issue 13,
// `passage account grant-access`): the block Passage itself put on the
// source after an admin-driven move (MOVED) is lifted for a few days, and
// the first run after that puts it back. One row a grant; each opening and
// closing is journaled on the account.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/env/time.hpp"
#include "engine/store/db.hpp"

namespace passage {

struct AccessGrant {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::string domain;
  std::string block;  // the block lifted, put back at the end ("MOVED")
  Instant granted_at;
  Instant until;
  std::string reason;
  std::string actor;
  std::optional<Instant> closed_at;
  std::string outcome;  // why it closed: "blocked MOVED again", "not opened: …"
};

// Records a grant before the stack is touched (a crash after the PATCH
// still leaves a grant the next run closes), journaled as `actor` with
// `until_text` (the end as the desk reads it, local time).
std::int64_t record_access_grant(Database& db, const AccessGrant& grant, const std::string& until_text);

// Closes a grant with its outcome, journaled as `actor` on the account.
void close_access_grant(Database& db, const AccessGrant& grant, Instant now, const std::string& actor,
                        const std::string& outcome);

// The account's grant not closed yet, if any.
std::optional<AccessGrant> open_access_grant(Database& db, std::int64_t account_id);

// Grants not closed whose time is up at `now`, oldest first.
std::vector<AccessGrant> expired_access_grants(Database& db, Instant now);

}  // namespace passage
