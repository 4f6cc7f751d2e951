#include "engine/store/db.hpp"
#include "engine/env/faults.hpp"
#include "engine/env/file_modes.hpp"
#include "engine/env/local_write.hpp"

#include <cstring>

#include <sqlite3.h>

namespace passage {

namespace {

// The disk refused the write (full, read-only, an I/O error): the
// command stops naming the database (engine/env/local_write.hpp).
bool refused_by_disk(sqlite3* db) {
  const int code = db ? (sqlite3_errcode(db) & 0xff) : SQLITE_NOMEM;
  return code == SQLITE_FULL || code == SQLITE_READONLY || code == SQLITE_IOERR || code == SQLITE_CANTOPEN;
}

[[noreturn]] void throw_disk_refusal(sqlite3* db, const std::string& message) {
  const char* file = sqlite3_db_filename(db, "main");
  throw LocalWriteError("cannot write database " + std::string(file ? file : "") + ": " + message);
}

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  if (refused_by_disk(db)) throw_disk_refusal(db, sqlite3_errmsg(db));
  throw StoreError(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : m_db(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr) != SQLITE_OK)
    fail(db, "prepare '" + std::string(sql.substr(0, 60)) + "'");
}

Statement::~Statement() { sqlite3_finalize(m_stmt); }

Statement::Statement(Statement&& other) noexcept : m_db(other.m_db), m_stmt(other.m_stmt) {
  other.m_stmt = nullptr;
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(m_stmt, index, value) != SQLITE_OK) fail(m_db, "bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (sqlite3_bind_double(m_stmt, index, value) != SQLITE_OK) fail(m_db, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text(m_stmt, index, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK)
    fail(m_db, "bind");
  return *this;
}

Statement& Statement::bind_static(int index, std::string_view value) {
  if (sqlite3_bind_text(m_stmt, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC) != SQLITE_OK)
    fail(m_db, "bind");
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(m_stmt, index) != SQLITE_OK) fail(m_db, "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(m_db, "step");
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
}

std::int64_t Statement::int_at(int column) const { return sqlite3_column_int64(m_stmt, column); }

double Statement::double_at(int column) const { return sqlite3_column_double(m_stmt, column); }

std::string Statement::text_at(int column) const {
  auto* text = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column)))
              : std::string();
}

std::optional<std::string> Statement::optional_text_at(int column) const {
  if (is_null(column)) return std::nullopt;
  return text_at(column);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

Database::Database(const std::filesystem::path& file, OpenMode mode) {
  const int flags = mode == OpenMode::read_only ? SQLITE_OPEN_READONLY
                                                : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  // Created 0600 before SQLite sees it: SQLite gives its -wal, -shm and
  // -journal the database file's mode (engine/env/file_modes.hpp).
  if (mode != OpenMode::read_only && !prepare_file(file, k_private_file_mode))
    throw StoreError("cannot create database " + file.string() + " with mode 0600");
  if (sqlite3_open_v2(file.c_str(), &m_db, flags, nullptr) != SQLITE_OK) {
    std::string message = "cannot open database " + file.string() + ": " + sqlite3_errmsg(m_db);
    sqlite3_close(m_db);
    throw StoreError(message);
  }
  sqlite3_busy_timeout(m_db, 5000);
  if (mode == OpenMode::read_only) {
    // Belt and braces: a write reaching this connection fails in SQLite.
    exec("PRAGMA query_only=ON");
    exec("PRAGMA foreign_keys=ON");
    return;
  }
  exec("PRAGMA journal_mode=WAL");
  for (const char* suffix : {"-wal", "-shm", "-journal"})
    set_mode_if_exists(file.string() + suffix, k_private_file_mode);
  // NORMAL in WAL mode survives any process crash; commits that carry an
  // intent switch to FULL (Store::commit), so an intent also survives a
  // power cut before its side effect is sent, and with it every commit
  // before it (the WAL is synced in order).
  exec("PRAGMA synchronous=NORMAL");
  exec("PRAGMA foreign_keys=ON");
}

Database::~Database() {
  m_cached.clear();  // finalized before the connection closes
  sqlite3_close(m_db);
}

Statement& Database::cached(std::string_view sql) {
  auto found = m_cached.find(sql);
  if (found == m_cached.end())
    found = m_cached.emplace(std::string(sql), std::make_unique<Statement>(m_db, sql)).first;
  found->second->reset();
  return *found->second;
}

void Database::exec(std::string_view sql) {
  char* message = nullptr;
  std::string text(sql);
  if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string error = message ? message : "unknown error";
    sqlite3_free(message);
    if (refused_by_disk(m_db)) throw_disk_refusal(m_db, error);
    throw StoreError("exec '" + text.substr(0, 60) + "': " + error);
  }
}

std::int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(m_db); }

int Database::changes() const { return sqlite3_changes(m_db); }

int Database::user_version() {
  auto statement = prepare("PRAGMA user_version");
  statement.step();
  return static_cast<int>(statement.int_at(0));
}

void Database::set_user_version(int version) {
  exec("PRAGMA user_version=" + std::to_string(version));
}

Transaction::Transaction(Database& db) : m_db(db) { m_db.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!m_done) {
    try {
      m_db.exec("ROLLBACK");
    } catch (...) {
      // A failed rollback leaves SQLite to roll back on close.
    }
  }
}

std::filesystem::path Database::file() const {
  const char* name = sqlite3_db_filename(m_db, "main");
  return name ? std::filesystem::path(name) : std::filesystem::path();
}

void Transaction::commit() {
  // The seam fails the commit as a full disk or a read-only database
  // would: the destructor rolls the transaction back.
  if (int error = faults::disk_error(faults::Site::journal_write))
    throw LocalWriteError("cannot write database " + m_db.file().string() + ": " + std::strerror(error) +
                          " (" + faults::reason(faults::Site::journal_write) + ")");
  m_db.exec("COMMIT");
  m_done = true;
}

}  // namespace passage
