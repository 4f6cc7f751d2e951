#include "engine/store/journal.hpp"

#include <sqlite3.h>

#include <charconv>

#include "engine/store/sha256.hpp"

namespace passage {

namespace {

// Bumping this tag would change every hash: never edit it once shipped.
constexpr std::string_view k_encoding_tag = "passage-journal-v1";

// Appends "LENGTH:FIELD" to the canonical encoding.
void add_field(std::string& encoding, std::string_view field) {
  char prefix[24];
  char* end = std::to_chars(prefix, prefix + sizeof prefix - 1, field.size()).ptr;
  *end++ = ':';
  encoding.append(prefix, end);
  encoding.append(field);
}

void add_field(std::string& encoding, std::int64_t number) {
  char text[24];
  const char* end = std::to_chars(text, text + sizeof text, number).ptr;
  add_field(encoding, std::string_view(text, static_cast<std::size_t>(end - text)));
}

struct ChainHead {
  std::int64_t seq = 0;
  std::string hash{k_genesis_hash};
};

// Run once per entry: cached statements (Database::cached).
ChainHead read_head(Database& db) {
  Statement& statement = db.cached("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1");
  ChainHead head;
  if (statement.step()) {
    head.seq = statement.int_at(0);
    head.hash = statement.text_at(1);
  }
  statement.reset();
  return head;
}

constexpr int k_entry_columns = 8;

// Binds `entry` as the `row`-th (from 0) row of an INSERT's VALUES,
// without copying its text: `entry` outlives the statement's run.
void bind_entry(Statement& statement, int row, const JournalEntry& entry) {
  const int first = row * k_entry_columns;
  statement.bind(first + 1, entry.seq).bind_static(first + 2, entry.at).bind_static(first + 3, entry.actor);
  if (entry.account_id)
    statement.bind(first + 4, *entry.account_id);
  else
    statement.bind_null(first + 4);
  statement.bind_static(first + 5, entry.kind).bind_static(first + 6, entry.detail)
      .bind_static(first + 7, entry.prev_hash).bind_static(first + 8, entry.hash);
}

// "INSERT INTO journal(...) VALUES (?, ...), ..." with `rows` rows.
std::string insert_sql(int rows) {
  std::string sql = "INSERT INTO journal(seq, at, actor, account_id, kind, detail, prev_hash, hash) VALUES ";
  for (int row = 0; row < rows; ++row) sql += row == 0 ? "(?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?)";
  return sql;
}

void insert_entry(Database& db, const JournalEntry& entry) {
  static const std::string sql = insert_sql(1);
  Statement& statement = db.cached(sql);
  bind_entry(statement, 0, entry);
  statement.run();
  statement.reset();  // no binding left pointing at the entry
}

// Rows of one multi-row INSERT of a JournalBatch: one statement run for
// many entries (SQLite allows 32,766 bound values).
constexpr int k_batch_rows = 64;

void insert_batch(Database& db, const JournalEntry* entries) {
  static const std::string sql = insert_sql(k_batch_rows);
  Statement& statement = db.cached(sql);
  for (int row = 0; row < k_batch_rows; ++row) bind_entry(statement, row, entries[row]);
  statement.run();
  statement.reset();  // no binding left pointing at the entries
}

void write_head(Database& db, std::int64_t seq, const std::string& hash) {
  Statement& update_head = db.cached(
      "INSERT INTO journal_head (id, seq, hash) VALUES (1, ?, ?) "
      "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash");
  update_head.bind(1, seq).bind(2, hash).run();
}

void require_transaction(Database& db, const char* what) {
  if (sqlite3_get_autocommit(db.handle()) != 0) throw StoreError(std::string(what) + " called outside a transaction");
}

JournalEntry read_entry(const Statement& row) {
  JournalEntry entry;
  entry.seq = row.int_at(0);
  entry.at = row.text_at(1);
  entry.actor = row.text_at(2);
  if (!row.is_null(3)) entry.account_id = row.int_at(3);
  entry.kind = row.text_at(4);
  entry.detail = row.text_at(5);
  entry.prev_hash = row.text_at(6);
  entry.hash = row.text_at(7);
  return entry;
}

std::string missing_range(std::int64_t first, std::int64_t last) {
  if (first == last) return "entry " + std::to_string(first) + " is missing";
  return "entries " + std::to_string(first) + " to " + std::to_string(last) + " are missing";
}

// What is wrong with `entry` given the entry before it; empty when fine.
std::string check_entry(const JournalEntry& entry, const ChainHead& previous) {
  const std::string name = "entry " + std::to_string(entry.seq);
  if (entry.seq <= previous.seq)  // only a seq below 1 can get here
    return name + ": out of sequence (expected entry " + std::to_string(previous.seq + 1) + ")";
  if (entry.seq != previous.seq + 1) return name + ": " + missing_range(previous.seq + 1, entry.seq - 1);
  if (entry.hash != journal_entry_hash(entry)) return name + ": hash does not match its content";
  if (entry.prev_hash != previous.hash) {
    return previous.seq == 0 ? name + ": genesis prev_hash is not all zeros"
                             : name + ": prev_hash does not match the hash of entry " +
                                   std::to_string(previous.seq);
  }
  return {};
}

}  // namespace

// The encoding is built in one buffer, hashed at once: the same bytes as
// hashing each piece in turn, without a digest context an entry.
std::string journal_entry_hash(const JournalEntry& entry) {
  thread_local std::string encoding;
  encoding.clear();
  add_field(encoding, k_encoding_tag);
  add_field(encoding, entry.seq);
  add_field(encoding, entry.at);
  add_field(encoding, entry.actor);
  if (entry.account_id)
    add_field(encoding, *entry.account_id);
  else
    add_field(encoding, std::string_view());
  add_field(encoding, entry.kind);
  add_field(encoding, entry.detail);
  add_field(encoding, entry.prev_hash);
  return sha256_hex(encoding);
}

void append_journal(Database& db, Instant at, std::string_view actor,
                    std::optional<std::int64_t> account_id, std::string_view kind,
                    std::string_view detail) {
  require_transaction(db, "append_journal");
  const ChainHead head = read_head(db);
  JournalEntry entry{head.seq + 1,         format_utc(at),      std::string(actor), account_id,
                     std::string(kind),    std::string(detail), head.hash,          {}};
  entry.hash = journal_entry_hash(entry);
  insert_entry(db, entry);
  write_head(db, entry.seq, entry.hash);
}

JournalBatch::JournalBatch(Database& db) : m_db(db) {
  require_transaction(db, "JournalBatch");
  const ChainHead head = read_head(db);
  m_seq = head.seq;
  m_hash = head.hash;
  m_waiting.reserve(k_batch_rows);
}

void JournalBatch::append(Instant at, std::string_view actor, std::optional<std::int64_t> account_id,
                          std::string_view kind, std::string_view detail) {
  // An import stamps every entry with one instant: formatted once.
  if (m_at_text.empty() || at != m_at) {
    m_at = at;
    m_at_text = format_utc(at);
  }
  JournalEntry entry{m_seq + 1,         m_at_text,           std::string(actor), account_id,
                     std::string(kind), std::string(detail), std::move(m_hash),  {}};
  entry.hash = journal_entry_hash(entry);
  m_seq = entry.seq;
  m_hash = entry.hash;
  m_waiting.push_back(std::move(entry));
  if (m_waiting.size() == k_batch_rows) insert_waiting();
}

void JournalBatch::insert_waiting() {
  if (m_waiting.size() == k_batch_rows)
    insert_batch(m_db, m_waiting.data());
  else
    for (const JournalEntry& entry : m_waiting) insert_entry(m_db, entry);
  m_waiting.clear();
}

void JournalBatch::finish() {
  require_transaction(m_db, "JournalBatch::finish");
  insert_waiting();
  if (m_seq > 0) write_head(m_db, m_seq, m_hash);
}

void for_each_journal_entry(Database& db, const std::function<bool(const JournalEntry&)>& visit) {
  auto rows = db.prepare(
      "SELECT seq, at, actor, account_id, kind, detail, prev_hash, hash "
      "FROM journal ORDER BY seq");
  while (rows.step()) {
    if (!visit(read_entry(rows))) return;
  }
}

namespace {

// The chain must end where its recorded head says: entries removed from
// the end leave an intact but shorter chain.
void check_head(Database& db, const ChainHead& last, AuditResult& result) {
  auto statement = db.prepare("SELECT seq, hash FROM journal_head WHERE id = 1");
  ChainHead head;
  if (statement.step()) head = ChainHead{statement.int_at(0), statement.text_at(1)};
  if (head.seq == last.seq && head.hash == last.hash) return;
  result.ok = false;
  result.first_bad_seq = last.seq + 1;
  result.problem = head.seq > last.seq
                       ? "entry " + std::to_string(last.seq + 1) + ": missing (the journal's head is entry " +
                             std::to_string(head.seq) + ")"
                       : "entry " + std::to_string(last.seq) + ": does not match the journal's recorded head";
}

}  // namespace

AuditResult verify_journal(Database& db) {
  AuditResult result;
  ChainHead previous;
  for_each_journal_entry(db, [&](const JournalEntry& entry) {
    ++result.entries;
    std::string problem = check_entry(entry, previous);
    if (!problem.empty()) {
      result.ok = false;
      result.first_bad_seq = entry.seq;
      result.problem = std::move(problem);
      return false;
    }
    previous = ChainHead{entry.seq, entry.hash};
    return true;
  });
  if (result.ok) check_head(db, previous, result);
  return result;
}

}  // namespace passage
