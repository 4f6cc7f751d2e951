#include <catch2/catch.hpp>

#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <random>
#include <optional>
#include <string>
#include <vector>

#include "engine/store/db.hpp"
#include "engine/store/journal.hpp"
#include "engine/store/schema.hpp"
#include "engine/store/sha256.hpp"

using namespace passage;

namespace {

using passage::testing::TempDir;

Instant at_second(int second) { return Instant{} + std::chrono::seconds(1'780'000'000 + second); }

void append_one(Database& db, int n) {
  Transaction transaction(db);
  append_journal(db, at_second(n), "nightly", n % 3 == 0 ? std::nullopt : std::optional<std::int64_t>(n),
                 "state", "entry number " + std::to_string(n));
  transaction.commit();
}

void append_many(Database& db, int count) {
  for (int n = 1; n <= count; ++n) append_one(db, n);
}

struct Fixture {
  TempDir dir;
  Database db{dir.path() / "passage.db"};
  Fixture() { migrate(db); }
};

}  // namespace

TEST_CASE("sha256 of known inputs", "[sha256]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 incremental;
  incremental.update("a", 1);
  incremental.update(std::string_view("bc"));
  CHECK(incremental.hex_final() == sha256_hex("abc"));
  CHECK_THROWS(incremental.hex_final());
}

TEST_CASE("an empty journal verifies", "[journal]") {
  Fixture f;
  const auto result = verify_journal(f.db);
  CHECK(result.ok);
  CHECK(result.entries == 0);
  CHECK_FALSE(result.first_bad_seq);
}

TEST_CASE("a chain of entries verifies and links", "[journal]") {
  Fixture f;
  append_many(f.db, 50);
  const auto result = verify_journal(f.db);
  CHECK(result.ok);
  CHECK(result.entries == 50);
  CHECK(result.problem.empty());

  std::string previous(k_genesis_hash);
  std::int64_t seq = 0;
  for_each_journal_entry(f.db, [&](const JournalEntry& entry) {
    CHECK(entry.seq == ++seq);
    CHECK(entry.prev_hash == previous);
    CHECK(entry.hash == journal_entry_hash(entry));
    CHECK(entry.actor == "nightly");
    CHECK(entry.account_id.has_value() == (seq % 3 != 0));
    previous = entry.hash;
    return true;
  });
  CHECK(seq == 50);
}

TEST_CASE("append outside a transaction is refused", "[journal]") {
  Fixture f;
  CHECK_THROWS_AS(append_journal(f.db, at_second(1), "nightly", std::nullopt, "state", "x"),
                  StoreError);
}

TEST_CASE("the encoding is unambiguous across field boundaries", "[journal]") {
  JournalEntry a{1, "t", "ab", std::nullopt, "c", "d", std::string(k_genesis_hash), {}};
  JournalEntry b{1, "t", "a", std::nullopt, "bc", "d", std::string(k_genesis_hash), {}};
  JournalEntry c{1, "t", "ab", std::int64_t{0}, "c", "d", std::string(k_genesis_hash), {}};
  CHECK(journal_entry_hash(a) != journal_entry_hash(b));
  CHECK(journal_entry_hash(a) != journal_entry_hash(c));
}

TEST_CASE("an edited detail is named", "[journal]") {
  Fixture f;
  append_many(f.db, 20);
  f.db.exec("UPDATE journal SET detail = 'nothing happened' WHERE seq = 7");
  const auto result = verify_journal(f.db);
  CHECK_FALSE(result.ok);
  REQUIRE(result.first_bad_seq);
  CHECK(*result.first_bad_seq == 7);
  CHECK(result.problem == "entry 7: hash does not match its content");
  CHECK(result.entries == 7);
}

TEST_CASE("an edited account or actor is named", "[journal]") {
  Fixture f;
  append_many(f.db, 10);
  SECTION("account") { f.db.exec("UPDATE journal SET account_id = NULL WHERE seq = 4"); }
  SECTION("actor") { f.db.exec("UPDATE journal SET actor = 'admin:eve' WHERE seq = 4"); }
  const auto result = verify_journal(f.db);
  CHECK_FALSE(result.ok);
  CHECK(result.first_bad_seq == std::optional<std::int64_t>(4));
}

TEST_CASE("a deleted middle entry names the next one", "[journal]") {
  Fixture f;
  append_many(f.db, 20);
  f.db.exec("DELETE FROM journal WHERE seq = 10");
  const auto result = verify_journal(f.db);
  CHECK_FALSE(result.ok);
  CHECK(result.first_bad_seq == std::optional<std::int64_t>(11));
  CHECK(result.problem == "entry 11: entry 10 is missing");
}

TEST_CASE("a renumbered chain after a deletion is caught", "[journal]") {
  Fixture f;
  append_many(f.db, 10);
  f.db.exec("DELETE FROM journal WHERE seq = 5");
  f.db.exec("UPDATE journal SET seq = seq - 1 WHERE seq > 5");
  const auto result = verify_journal(f.db);
  CHECK_FALSE(result.ok);
  CHECK(result.first_bad_seq == std::optional<std::int64_t>(5));
}

TEST_CASE("deleted first entries are a bad genesis", "[journal]") {
  Fixture f;
  append_many(f.db, 5);
  f.db.exec("DELETE FROM journal WHERE seq <= 2");
  const auto result = verify_journal(f.db);
  CHECK_FALSE(result.ok);
  CHECK(result.first_bad_seq == std::optional<std::int64_t>(3));
  CHECK(result.problem == "entry 3: entries 1 to 2 are missing");
}

TEST_CASE("a forged genesis is named", "[journal]") {
  Fixture f;
  append_many(f.db, 3);
  // A consistent-looking first entry whose prev_hash is not the genesis.
  JournalEntry forged{1, "t", "nightly", std::int64_t{1}, "state", "x", std::string(64, 'f'), {}};
  forged.hash = journal_entry_hash(forged);
  auto update = f.db.prepare("UPDATE journal SET at=?1, detail=?2, prev_hash=?3, hash=?4 WHERE seq=1");
  update.bind(1, forged.at).bind(2, forged.detail).bind(3, forged.prev_hash).bind(4, forged.hash);
  update.run();
  const auto result = verify_journal(f.db);
  CHECK_FALSE(result.ok);
  CHECK(result.first_bad_seq == std::optional<std::int64_t>(1));
  CHECK(result.problem == "entry 1: genesis prev_hash is not all zeros");
}

TEST_CASE("swapped entries are caught", "[journal]") {
  Fixture f;
  append_many(f.db, 10);
  const char* columns = "at, actor, account_id, kind, detail, prev_hash, hash";
  f.db.exec(std::string("CREATE TEMP TABLE saved AS SELECT seq, ") + columns + " FROM journal");
  f.db.exec(
      "UPDATE journal SET (at, actor, account_id, kind, detail, prev_hash, hash) = "
      "(SELECT at, actor, account_id, kind, detail, prev_hash, hash FROM saved "
      " WHERE saved.seq = CASE journal.seq WHEN 4 THEN 6 ELSE 4 END) WHERE seq IN (4, 6)");
  const auto result = verify_journal(f.db);
  CHECK_FALSE(result.ok);
  CHECK(result.first_bad_seq == std::optional<std::int64_t>(4));
}

TEST_CASE("an edit with a recomputed hash names the next entry", "[journal]") {
  Fixture f;
  append_many(f.db, 10);
  JournalEntry edited;
  for_each_journal_entry(f.db, [&](const JournalEntry& entry) {
    if (entry.seq != 6) return true;
    edited = entry;
    return false;
  });
  edited.detail = "nothing happened";
  edited.hash = journal_entry_hash(edited);
  auto update = f.db.prepare("UPDATE journal SET detail = ?1, hash = ?2 WHERE seq = 6");
  update.bind(1, edited.detail).bind(2, edited.hash);
  update.run();
  const auto result = verify_journal(f.db);
  CHECK_FALSE(result.ok);
  CHECK(result.first_bad_seq == std::optional<std::int64_t>(7));
  CHECK(result.problem == "entry 7: prev_hash does not match the hash of entry 6");
}

TEST_CASE("two connections appending alternately keep one chain", "[journal]") {
  TempDir dir;
  const auto file = dir.path() / "passage.db";
  Database first(file);
  migrate(first);
  Database second(file);
  for (int n = 1; n <= 20; ++n) append_one(n % 2 == 0 ? first : second, n);
  const auto result = verify_journal(first);
  CHECK(result.ok);
  CHECK(result.entries == 20);
  CHECK(verify_journal(second).ok);
}

TEST_CASE("a rolled-back append leaves no trace", "[journal]") {
  Fixture f;
  append_many(f.db, 3);
  {
    Transaction transaction(f.db);
    append_journal(f.db, at_second(9), "admin:root", 1, "state", "abandoned");
  }
  append_one(f.db, 4);
  const auto result = verify_journal(f.db);
  CHECK(result.ok);
  CHECK(result.entries == 4);
}

TEST_CASE("entries removed from the end are caught by the recorded head", "[journal]") {
  Fixture f;
  append_many(f.db, 5);
  REQUIRE(verify_journal(f.db).ok);
  f.db.exec("DELETE FROM journal WHERE seq = 5");
  AuditResult result = verify_journal(f.db);
  CHECK_FALSE(result.ok);
  REQUIRE(result.first_bad_seq);
  CHECK(*result.first_bad_seq == 5);
  CHECK(result.problem.find("entry 5") != std::string::npos);
}

namespace {

// Every column of every journal row, and the recorded head, as text.
std::vector<std::string> journal_rows(Database& db) {
  std::vector<std::string> rows;
  for_each_journal_entry(db, [&](const JournalEntry& entry) {
    rows.push_back(std::to_string(entry.seq) + "|" + entry.at + "|" + entry.actor + "|" +
                   (entry.account_id ? std::to_string(*entry.account_id) : "NULL") + "|" + entry.kind + "|" +
                   entry.detail + "|" + entry.prev_hash + "|" + entry.hash);
    return true;
  });
  auto head = db.prepare("SELECT seq, hash FROM journal_head WHERE id = 1");
  rows.push_back(head.step() ? "head " + std::to_string(head.int_at(0)) + " " + head.text_at(1) : "no head");
  return rows;
}

// The n-th entry of a batch: with and without an account, odd texts.
void append_nth(JournalBatch& batch, int n) {
  batch.append(at_second(n / 7), n % 5 == 0 ? "admin:root" : "nightly",
               n % 4 == 0 ? std::nullopt : std::optional<std::int64_t>(n), "imported",
               "spring: u" + std::to_string(n) + (n % 3 == 0 ? " é,\"quoted\"" : ""));
}

}  // namespace

TEST_CASE("a batch writes byte for byte the entries append_journal writes, head included", "[journal]") {
  // 0, one, fewer than a multi-row INSERT, and several of them with a rest.
  const int count = GENERATE(0, 1, 5, 200, 1000);
  Fixture one_by_one;
  Fixture batched;
  append_many(one_by_one.db, 3);
  append_many(batched.db, 3);
  {
    Transaction transaction(one_by_one.db);
    for (int n = 1; n <= count; ++n)
      append_journal(one_by_one.db, at_second(n / 7), n % 5 == 0 ? "admin:root" : "nightly",
                     n % 4 == 0 ? std::nullopt : std::optional<std::int64_t>(n), "imported",
                     "spring: u" + std::to_string(n) + (n % 3 == 0 ? " é,\"quoted\"" : ""));
    transaction.commit();
  }
  {
    Transaction transaction(batched.db);
    JournalBatch batch(batched.db);
    for (int n = 1; n <= count; ++n) append_nth(batch, n);
    batch.finish();
    transaction.commit();
  }
  CHECK(journal_rows(batched.db) == journal_rows(one_by_one.db));
  const AuditResult result = verify_journal(batched.db);
  CHECK(result.ok);
  CHECK(result.entries == 3 + count);
  // Appends after the batch continue its chain.
  append_one(batched.db, 4);
  CHECK(verify_journal(batched.db).ok);
}

TEST_CASE("a batch outside a transaction is refused, and one not finished leaves no trace", "[journal]") {
  Fixture f;
  append_many(f.db, 3);
  CHECK_THROWS_AS(JournalBatch(f.db), StoreError);
  {
    Transaction transaction(f.db);
    JournalBatch batch(f.db);
    for (int n = 1; n <= 150; ++n) append_nth(batch, n);
  }  // neither finished nor committed: rolled back
  const std::vector<std::string> before = journal_rows(f.db);
  CHECK(before.size() == 4);
  append_one(f.db, 4);
  CHECK(verify_journal(f.db).ok);
  CHECK(verify_journal(f.db).entries == 4);
}

TEST_CASE("an entry of a batch altered after its commit is caught", "[journal]") {
  Fixture f;
  {
    Transaction transaction(f.db);
    JournalBatch batch(f.db);
    for (int n = 1; n <= 300; ++n) append_nth(batch, n);
    batch.finish();
    transaction.commit();
  }
  REQUIRE(verify_journal(f.db).ok);
  f.db.exec("UPDATE journal SET detail = 'spring: someone else' WHERE seq = 137");
  const AuditResult result = verify_journal(f.db);
  CHECK_FALSE(result.ok);
  CHECK(result.first_bad_seq == std::optional<std::int64_t>(137));
  CHECK(result.problem == "entry 137: hash does not match its content");
}

TEST_CASE("an entry's hash is the SHA-256 of its length-prefixed fields, as every journal written so far holds",
          "[journal]") {
  // Computed outside Passage (Python's hashlib over "18:passage-journal-v1"
  // "2:42" ...): a faster hash must never change a stored chain's hashes.
  JournalEntry entry{42, "2026-12-01T02:00:00.000Z", "admin:root", std::int64_t{7}, "imported",
                     "spring: u1 \xC3\xA9", std::string(k_genesis_hash), {}};
  CHECK(journal_entry_hash(entry) == "5548ac7837569236849e1e32fc5f36bbab1ff0d51e070de9ab8950d313b7a0eb");
  entry.account_id = std::nullopt;
  CHECK(journal_entry_hash(entry) == "094a64303b331edcb58c61b4deb10df5c7afd9a79169bd2abffea468153e0e30");
}
