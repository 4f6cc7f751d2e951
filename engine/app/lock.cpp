#include "engine/app/lock.hpp"
#include "engine/env/file_modes.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>

namespace passage {

struct LockAccess {
  static DatabaseLock make(int fd, std::filesystem::path path) {
    return DatabaseLock(fd, std::move(path));
  }
};

namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

// A command with a newline would break the one-line message.
std::string one_line(std::string_view text) {
  std::string line(text);
  std::replace_if(line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return line;
}

void write_holder(int fd, const std::filesystem::path& path, std::string_view command,
                  Instant now) {
  const std::string content = "pid=" + std::to_string(::getpid()) +
                              " command=" + one_line(command) + " started=" + format_utc(now) +
                              "\n";
  if (::ftruncate(fd, 0) != 0) fail("cannot truncate", path);
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::pwrite(fd, content.data() + written, content.size() - written,
                               static_cast<off_t>(written));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot write", path);
    written += static_cast<std::size_t>(n);
  }
}

std::string read_all(int fd) {
  std::string content;
  char buffer[512];
  off_t offset = 0;
  while (content.size() < 4096) {
    const ssize_t n = ::pread(fd, buffer, sizeof buffer, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
    offset += n;
  }
  return content;
}

}  // namespace

DatabaseLock::DatabaseLock(int fd, std::filesystem::path path)
    : m_fd(fd), m_path(std::move(path)) {}

DatabaseLock::DatabaseLock(DatabaseLock&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_path(std::move(other.m_path)) {}

DatabaseLock& DatabaseLock::operator=(DatabaseLock&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = std::exchange(other.m_fd, -1);
    m_path = std::move(other.m_path);
  }
  return *this;
}

// Closing the descriptor releases the flock.
DatabaseLock::~DatabaseLock() {
  if (m_fd >= 0) ::close(m_fd);
}

std::filesystem::path lock_path(const std::filesystem::path& database) {
  std::filesystem::path path = database;
  path += ".lock";
  return path;
}

std::string describe_lock_holder(std::string_view content) {
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r'))
    content.remove_suffix(1);
  const auto command_at = content.find(" command=");
  const auto started_at = content.rfind(" started=");
  if (!content.starts_with("pid=") || command_at == std::string_view::npos ||
      started_at == std::string_view::npos || started_at < command_at)
    return "another process (its lock file does not say which)";
  const auto pid = content.substr(4, command_at - 4);
  const auto command = content.substr(command_at + 9, started_at - command_at - 9);
  const auto started = content.substr(started_at + 9);
  return "pid " + std::string(pid) + " (" + std::string(command) + ", started " +
         std::string(started) + ")";
}

LockAttempt try_lock_database(const std::filesystem::path& database, std::string_view command,
                              Instant now) {
  const std::filesystem::path path = lock_path(database);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, k_private_file_mode);
  if (fd < 0) fail("cannot open lock file", path);
  if (::fchmod(fd, k_private_file_mode) != 0) {  // whatever the umask (engine/env/file_modes.hpp)
    ::close(fd);
    fail("cannot set the mode of lock file", path);
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    LockAttempt attempt;
    if (error == EWOULDBLOCK) attempt.holder = describe_lock_holder(read_all(fd));
    ::close(fd);
    if (error != EWOULDBLOCK) {
      errno = error;
      fail("cannot lock", path);
    }
    return attempt;
  }
  DatabaseLock lock = LockAccess::make(fd, path);
  write_holder(fd, path, command, now);
  return LockAttempt{std::move(lock), {}};
}

}  // namespace passage
