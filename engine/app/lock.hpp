#pragma once
// The single-writer lock (DESIGN.md principle 2, CONTRACT.md "Lock and
// concurrency"): flock on "<database>.lock". The kernel releases it when the
// holder exits, even on SIGKILL, so a stale lock file never blocks anyone.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "engine/env/time.hpp"

namespace passage {

// Holds the lock for as long as it lives (normally the whole process).
// Move-only; the file descriptor is close-on-exec, so child processes do
// not inherit the lock. The lock file is never removed (removing it would
// let two processes lock two different files).
class DatabaseLock {
 public:
  DatabaseLock(DatabaseLock&& other) noexcept;
  DatabaseLock& operator=(DatabaseLock&& other) noexcept;
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;
  ~DatabaseLock();

  const std::filesystem::path& path() const { return m_path; }

 private:
  friend struct LockAccess;
  DatabaseLock(int fd, std::filesystem::path path);

  int m_fd = -1;
  std::filesystem::path m_path;
};

struct LockAttempt {
  // Set when the lock was taken.
  std::optional<DatabaseLock> lock;
  // When not taken: who holds it, as "pid 1234 (run x, started 2026-...)",
  // ready for "passage: database <db> is locked by <holder>".
  std::string holder;
};

// The lock file of a database: "<database>.lock".
std::filesystem::path lock_path(const std::filesystem::path& database);

// Tries once, without waiting. On success records
// "pid=<pid> command=<command> started=<format_utc(now)>" in the lock file.
// Throws std::system_error when the lock file cannot be opened or written.
LockAttempt try_lock_database(const std::filesystem::path& database, std::string_view command,
                              Instant now);

// Turns the lock file's content into the holder description above.
std::string describe_lock_holder(std::string_view content);

}  // namespace passage
