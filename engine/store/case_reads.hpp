#pragma once
// What the support desk reads about one person's case (issue 13): the
// account's journal entries, its notices, its download links; and the
// searches and selections of accounts. Plain reads over a Database, so
// `passage serve` can use them on a read-only connection.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/env/time.hpp"
#include "engine/store/db.hpp"
#include "engine/store/journal.hpp"

namespace passage {

// The journal entries of one account, oldest first.
std::vector<JournalEntry> journal_of_account(Database& db, std::int64_t account_id);

// One notice intent: committed before sending, finished with its outcome.
struct NoticeRecord {
  std::string message_id;  // "<kind>.<domain>.<YYYYMMDD>@passage"
  Instant created_at;
  std::optional<Instant> finished_at;
  std::string outcome;  // "sent", "refused: …", "failed: …", or "" while queued
};

// The account's notices, oldest first.
std::vector<NoticeRecord> notices_of_account(Database& db, std::int64_t account_id);

// When the newest personal download link (archive delivery) expires.
std::optional<Instant> latest_download_link_expiry(Database& db, std::int64_t account_id);

}  // namespace passage
