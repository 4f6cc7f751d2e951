#include "engine/store/case_reads.hpp"

namespace passage {

std::vector<JournalEntry> journal_of_account(Database& db, std::int64_t account_id) {
  auto rows = db.prepare(
      "SELECT seq, at, actor, kind, detail FROM journal WHERE account_id = ? ORDER BY seq");
  rows.bind(1, account_id);
  std::vector<JournalEntry> entries;
  while (rows.step()) {
    JournalEntry entry;
    entry.seq = rows.int_at(0);
    entry.at = rows.text_at(1);
    entry.actor = rows.text_at(2);
    entry.account_id = account_id;
    entry.kind = rows.text_at(3);
    entry.detail = rows.text_at(4);
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<NoticeRecord> notices_of_account(Database& db, std::int64_t account_id) {
  auto rows = db.prepare(
      "SELECT key, created_at, finished_at, outcome FROM intents "
      "WHERE account_id = ? AND kind = 'notice' ORDER BY id");
  rows.bind(1, account_id);
  std::vector<NoticeRecord> notices;
  while (rows.step()) {
    auto created = parse_utc(rows.text_at(1));
    if (!created) continue;
    NoticeRecord notice{rows.text_at(0), *created, std::nullopt, rows.optional_text_at(3).value_or("")};
    if (auto finished = rows.optional_text_at(2)) notice.finished_at = parse_utc(*finished);
    notices.push_back(std::move(notice));
  }
  return notices;
}

std::optional<Instant> latest_download_link_expiry(Database& db, std::int64_t account_id) {
  auto rows = db.prepare("SELECT MAX(expires_at) FROM download_links WHERE account_id = ?");
  rows.bind(1, account_id);
  if (!rows.step() || rows.is_null(0)) return std::nullopt;
  return parse_utc(rows.text_at(0));
}

}  // namespace passage
