#include "engine/env/file_modes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace passage {

bool prepare_file(const std::filesystem::path& path, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, mode);
  if (fd < 0) return false;
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
