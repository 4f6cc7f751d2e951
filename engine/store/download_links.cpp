#include "engine/store/download_links.hpp"

namespace passage {

void insert_download_link(Database& db, const DownloadLink& link) {
  auto insert = db.prepare(
      "INSERT INTO download_links (token_hash, account_id, message_id, created_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?)");
  insert.bind(1, link.token_hash).bind(2, link.account_id).bind(3, link.message_id)
      .bind(4, format_utc(link.created_at)).bind(5, format_utc(link.expires_at)).run();
}

std::optional<DownloadLink> find_download_link(Database& db, const std::string& token_hash) {
  auto select = db.prepare(
      "SELECT token_hash, account_id, message_id, created_at, expires_at FROM download_links "
      "WHERE token_hash = ?");
  select.bind(1, token_hash);
  if (!select.step()) return std::nullopt;
  auto created = parse_utc(select.text_at(3));
  auto expires = parse_utc(select.text_at(4));
  if (!created || !expires) return std::nullopt;
  return DownloadLink{select.text_at(0), select.int_at(1), select.text_at(2), *created, *expires};
}

void record_served(Database& db, const ServedRecord& record) {
  auto insert = db.prepare(
      "INSERT INTO served (at, account_id, token_hash, path, bytes) VALUES (?, ?, ?, ?, ?)");
  insert.bind(1, format_utc(record.at));
  if (record.account_id)
    insert.bind(2, *record.account_id);
  else
    insert.bind_null(2);
  insert.bind(3, record.token_hash).bind(4, record.path).bind(5, record.bytes).run();
}

}  // namespace passage
