#include "engine/env/file_modes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace passage {

// An existing file is never opened here: closing any descriptor of a file
// drops every POSIX lock this process holds on it, SQLite's included.
bool prepare_file(const std::filesystem::path& path, mode_t mode) {
  if (::chmod(path.c_str(), mode) == 0) return true;
  if (errno != ENOENT) return false;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return errno == EEXIST && ::chmod(path.c_str(), mode) == 0;
  const bool ok = ::fchmod(fd, mode) == 0;
  const int error = errno;
  ::close(fd);
  errno = error;
  return ok;
}

bool set_mode_if_exists(const std::filesystem::path& path, mode_t mode) {
  if (::chmod(path.c_str(), mode) == 0) return true;
  return errno == ENOENT;
}

}  // namespace passage
