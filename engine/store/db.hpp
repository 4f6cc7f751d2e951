#pragma once
// A thin RAII wrapper over SQLite: one connection, prepared statements,
// transactions. Errors throw StoreError (they are bugs or a broken disk,
// never expected outcomes); no exception crosses a SQLite callback.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace passage {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;

  // Binds by 1-based index; empty optionals bind NULL.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::optional<std::string>& value);
  Statement& bind_null(int index);
  // Binds text without copying it (SQLITE_STATIC): `value` must stay alive
  // and unchanged until the statement has run and is reset. For rows bound
  // by the million (an import); bind() otherwise.
  Statement& bind_static(int index, std::string_view value);

  // Steps once: true while a row is available.
  bool step();
  // Steps until done (for statements that return no rows).
  void run();
  void reset();

  std::int64_t int_at(int column) const;
  double double_at(int column) const;
  std::string text_at(int column) const;
  std::optional<std::string> optional_text_at(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* m_db = nullptr;
  sqlite3_stmt* m_stmt = nullptr;
};

enum class OpenMode {
  read_write,  // created if missing, WAL
  read_only,   // must exist; every write fails (SQLITE_OPEN_READONLY and query_only)
};

class Database {
 public:
  // Opens with foreign keys and a busy timeout. read_write creates the file
  // if needed and puts it in WAL mode; read_only opens an existing file as
  // it is and never writes it (SQLite may create the empty -wal and -shm
  // files a reader of a WAL database needs).
  explicit Database(const std::filesystem::path& file, OpenMode mode = OpenMode::read_write);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql) { return Statement(m_db, sql); }
  // The statement for `sql`, prepared on its first use and kept for the
  // connection's life: for statements run once per account or journal
  // entry, whose parsing would otherwise cost more than running them
  // (issue 15). It comes reset, with no bindings; reset() it once its row
  // is read, so that no read stays open. Not reentrant: never hold it
  // across another use of the same SQL.
  Statement& cached(std::string_view sql);
  std::int64_t last_insert_id() const;
  int changes() const;
  int user_version();
  void set_user_version(int version);

  sqlite3* handle() { return m_db; }
  // The database file (for messages).
  std::filesystem::path file() const;

 private:
  sqlite3* m_db = nullptr;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> m_cached;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit().
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& m_db;
  bool m_done = false;
};

}  // namespace passage
