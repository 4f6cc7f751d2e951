#include "engine/store/move_tokens.hpp"

#include <charconv>

namespace passage {

namespace {

constexpr std::string_view k_part_prefix = "/move/exports/data/*/";

std::optional<int> part_of(const std::string& path) {
  if (!path.starts_with(k_part_prefix)) return std::nullopt;
  int n = 0;
  const char* begin = path.data() + k_part_prefix.size();
  const char* end = path.data() + path.size();
  auto [stop, error] = std::from_chars(begin, end, n);
  if (error != std::errc{} || stop != end || n < 0) return std::nullopt;
  return n;
}

}  // namespace

std::string served_part_path(int n) { return std::string(k_part_prefix) + std::to_string(n); }

void insert_move_token(Database& db, const MoveToken& token) {
  auto insert = db.prepare(
      "INSERT INTO move_tokens (token_hash, account_id, export_doc, created_at, expires_at, evidence) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  insert.bind(1, token.token_hash).bind(2, token.account_id).bind(3, token.export_doc)
      .bind(4, format_utc(token.created_at)).bind(5, format_utc(token.expires_at)).bind(6, token.evidence)
      .run();
}

namespace {

constexpr std::string_view k_token_columns =
    "SELECT token_hash, account_id, export_doc, created_at, expires_at, revoked_at, evidence FROM move_tokens ";

std::optional<MoveToken> token_at(Statement& select) {
  auto created = parse_utc(select.text_at(3));
  auto expires = parse_utc(select.text_at(4));
  if (!created || !expires) return std::nullopt;
  MoveToken token{select.text_at(0), select.int_at(1), select.text_at(2), *created, *expires, {}, select.text_at(6)};
  if (auto revoked = select.optional_text_at(5)) token.revoked_at = parse_utc(*revoked);
  return token;
}

}  // namespace

std::optional<MoveToken> find_move_token(Database& db, const std::string& token_hash) {
  auto select = db.prepare(std::string(k_token_columns) + "WHERE token_hash = ?");
  select.bind(1, token_hash);
  if (!select.step()) return std::nullopt;
  return token_at(select);
}

std::optional<MoveToken> latest_move_token(Database& db, std::int64_t account_id) {
  auto select = db.prepare(std::string(k_token_columns) + "WHERE account_id = ? ORDER BY rowid DESC LIMIT 1");
  select.bind(1, account_id);
  if (!select.step()) return std::nullopt;
  return token_at(select);
}

std::vector<MoveToken> move_tokens_of(Database& db, std::int64_t account_id) {
  auto select = db.prepare(std::string(k_token_columns) + "WHERE account_id = ? ORDER BY rowid DESC");
  select.bind(1, account_id);
  std::vector<MoveToken> tokens;
  while (select.step())
    if (auto token = token_at(select)) tokens.push_back(std::move(*token));
  return tokens;
}

void revoke_move_token(Database& db, const std::string& token_hash, Instant now) {
  auto update = db.prepare(
      "UPDATE move_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL");
  update.bind(1, format_utc(now)).bind(2, token_hash).run();
}

bool move_parts_served(Database& db, std::int64_t account_id) {
  auto select = db.prepare(
      "SELECT 1 FROM served s JOIN move_tokens t ON t.token_hash = s.token_hash "
      "WHERE t.account_id = ? AND s.path LIKE '/move/exports/data/%' AND s.bytes > 0 LIMIT 1");
  select.bind(1, account_id);
  return select.step();
}

MoveServed move_served(Database& db, const std::string& token_hash, int parts) {
  MoveServed served;
  served.part_bytes.assign(static_cast<std::size_t>(std::max(parts, 0)), 0);
  auto select = db.prepare("SELECT path, bytes FROM served WHERE token_hash = ?");
  select.bind(1, token_hash);
  while (select.step()) {
    const std::string path = select.text_at(0);
    const std::int64_t bytes = select.int_at(1);
    served.total_bytes += bytes;
    if (path == k_served_manifest) served.manifest = true;
    auto n = part_of(path);
    if (n && *n < parts)
      served.part_bytes[static_cast<std::size_t>(*n)] =
          std::max(served.part_bytes[static_cast<std::size_t>(*n)], bytes);
  }
  return served;
}

}  // namespace passage
