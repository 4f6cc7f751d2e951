#include "engine/store/access_grants.hpp"

#include "engine/store/journal.hpp"

namespace passage {

namespace {

constexpr const char* k_columns =
    "SELECT id, account_id, domain, block, granted_at, until, reason, actor, closed_at, outcome "
    "FROM access_grants ";

AccessGrant grant_from_row(const Statement& row) {
  AccessGrant grant;
  grant.id = row.int_at(0);
  grant.account_id = row.int_at(1);
  grant.domain = row.text_at(2);
  grant.block = row.text_at(3);
  grant.granted_at = parse_utc(row.text_at(4)).value_or(Instant{});
  grant.until = parse_utc(row.text_at(5)).value_or(Instant{});
  grant.reason = row.text_at(6);
  grant.actor = row.text_at(7);
  if (auto closed = row.optional_text_at(8)) grant.closed_at = parse_utc(*closed);
  grant.outcome = row.optional_text_at(9).value_or("");
  return grant;
}

}  // namespace

std::int64_t record_access_grant(Database& db, const AccessGrant& grant, const std::string& until_text) {
  Transaction transaction(db);
  auto insert = db.prepare(
      "INSERT INTO access_grants (account_id, domain, block, granted_at, until, reason, actor) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, grant.account_id)
      .bind(2, grant.domain)
      .bind(3, grant.block)
      .bind(4, format_utc(grant.granted_at))
      .bind(5, format_utc(grant.until))
      .bind(6, grant.reason)
      .bind(7, grant.actor);
  insert.run();
  const std::int64_t id = db.last_insert_id();
  append_journal(db, grant.granted_at, grant.actor, grant.account_id, "support",
                 "access granted until " + until_text + " (" + grant.block +
                     " lifted on " + grant.domain + "): " + grant.reason);
  transaction.commit();
  return id;
}

void close_access_grant(Database& db, const AccessGrant& grant, Instant now, const std::string& actor,
                        const std::string& outcome) {
  Transaction transaction(db);
  auto update = db.prepare("UPDATE access_grants SET closed_at = ?, outcome = ? WHERE id = ? AND closed_at IS NULL");
  update.bind(1, format_utc(now)).bind(2, outcome).bind(3, grant.id);
  update.run();
  append_journal(db, now, actor, grant.account_id, "support", "access closed: " + outcome);
  transaction.commit();
}

std::optional<AccessGrant> open_access_grant(Database& db, std::int64_t account_id) {
  auto rows = db.prepare(std::string(k_columns) + "WHERE account_id = ? AND closed_at IS NULL ORDER BY id DESC");
  rows.bind(1, account_id);
  if (!rows.step()) return std::nullopt;
  return grant_from_row(rows);
}

std::vector<AccessGrant> expired_access_grants(Database& db, Instant now) {
  // until is stored as format_utc (fixed width, UTC): text order is time order.
  auto rows = db.prepare(std::string(k_columns) + "WHERE closed_at IS NULL AND until <= ? ORDER BY until, id");
  rows.bind(1, format_utc(now));
  std::vector<AccessGrant> grants;
  while (rows.step()) grants.push_back(grant_from_row(rows));
  return grants;
}

}  // namespace passage
