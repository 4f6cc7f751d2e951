#pragma once
// The append-only, hash-chained journal (DESIGN.md principle 6).
//
// Entry n holds prev_hash = hash of entry n-1 (64 zeros for entry 1) and
// hash = SHA-256 of a canonical, length-prefixed encoding of its own fields
// and prev_hash. Altering, removing or reordering any entry breaks the chain
// at that point, which verify_journal() reports. (Removing the newest
// entries leaves a valid, shorter chain: that needs an outside record of
// the head hash.)

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/env/time.hpp"
#include "engine/store/db.hpp"

namespace passage {

struct JournalEntry {
  std::int64_t seq = 0;
  std::string at;  // format_utc()
  std::string actor;
  std::optional<std::int64_t> account_id;
  std::string kind;
  std::string detail;
  std::string prev_hash;
  std::string hash;
};

// prev_hash of the first entry.
inline constexpr std::string_view k_genesis_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The hash an entry must hold: SHA-256 hex of the canonical encoding of
// (seq, at, actor, account_id or empty, kind, detail, prev_hash). Ignores
// entry.hash. Two different entries never share an encoding.
std::string journal_entry_hash(const JournalEntry& entry);

// Appends one entry after the newest one. Must be called inside the
// caller's open transaction (a BEGIN IMMEDIATE Transaction), so that two
// writers never fork the chain; throws StoreError otherwise, or on any
// SQLite error. The entry becomes durable when the caller commits.
void append_journal(Database& db, Instant at, std::string_view actor,
                    std::optional<std::int64_t> account_id, std::string_view kind,
                    std::string_view detail);

// Many entries appended inside one transaction the caller holds (a
// campaign's import: one `imported` entry an account). The caller's BEGIN
// IMMEDIATE transaction keeps every other writer out, so the chain's head
// is read once (here) and written once (finish()), and the entries are
// inserted a batch at a time. Every entry, hash and head are byte for byte
// what append_journal() would have written for the same calls. Until
// finish(), entries may wait in memory: nothing else may append to the
// journal through this connection meanwhile. Not finished (an exception,
// a refused file), the caller rolls back and nothing is left. Throws
// StoreError outside a transaction or on any SQLite error.
class JournalBatch {
 public:
  explicit JournalBatch(Database& db);
  JournalBatch(const JournalBatch&) = delete;
  JournalBatch& operator=(const JournalBatch&) = delete;

  void append(Instant at, std::string_view actor, std::optional<std::int64_t> account_id,
              std::string_view kind, std::string_view detail);
  // Writes what waits and the new head; call it before the commit.
  void finish();

 private:
  void insert_waiting();

  Database& m_db;
  std::int64_t m_seq = 0;  // of the newest entry, written or waiting
  std::string m_hash;      // of the newest entry
  Instant m_at{};          // the last `at` formatted, and its text
  std::string m_at_text;
  std::vector<JournalEntry> m_waiting;
};

// Calls `visit` for each entry in seq order, streaming (one row in memory
// at a time), until it returns false or the entries run out.
void for_each_journal_entry(Database& db, const std::function<bool(const JournalEntry&)>& visit);

struct AuditResult {
  bool ok = true;
  // Entries read: all of them when ok, else up to and including the first bad one.
  std::int64_t entries = 0;
  std::optional<std::int64_t> first_bad_seq;
  // Empty when ok, else e.g. "entry 42: hash does not match its content".
  std::string problem;
};

// Walks the whole chain in seq order (streaming; fine on millions of
// entries) and reports the first entry that is altered, follows a removed
// entry, is out of order, or breaks the genesis rule. Throws StoreError
// only on SQLite errors.
AuditResult verify_journal(Database& db);

}  // namespace passage
