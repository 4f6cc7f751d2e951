#include "engine/env/local_write.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "engine/env/file_modes.hpp"

namespace passage {

namespace {

// Every byte of `text` to `fd`; the errno of the first failure, 0 if none.
int write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

}  // namespace

std::filesystem::path unused_path(const std::filesystem::path& dir, const std::string& stem,
                                  const std::string& extension) {
  std::filesystem::path path = dir / (stem + extension);
  for (int n = 2; std::filesystem::exists(path) && n < 100000; ++n)
    path = dir / (stem + "_" + std::to_string(n) + extension);
  return path;
}

void write_whole_file(const std::filesystem::path& path, const std::string& text, unsigned mode,
                      int injected) {
  if (!prepare_file(path, static_cast<mode_t>(mode))) throw LocalWriteError(cannot_write(path, errno));
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) throw LocalWriteError(cannot_write(path, errno));
  int error = injected ? injected : write_all(fd, text);
  if (::close(fd) != 0 && !error) error = errno;
  if (error) {
    remove_quietly(path);
    throw LocalWriteError(cannot_write(path, error));
  }
}

namespace {

// fdatasync (or fsync, for a folder) of `path` opened with `flags`; the
// errno of the first failure, 0 if none.
int sync_path(const std::filesystem::path& path, int flags, bool data_only) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return errno;
  int error = (data_only ? ::fdatasync(fd) : ::fsync(fd)) == 0 ? 0 : errno;
  if (::close(fd) != 0 && !error) error = errno;
  return error;
}

}  // namespace

void sync_file_data(const std::filesystem::path& file, int injected) {
  const int error = injected ? injected : sync_path(file, O_RDONLY, true);
  if (error) throw LocalWriteError(cannot_write(file, error));
}

void sync_folder(const std::filesystem::path& folder) {
  const int error = sync_path(folder, O_RDONLY | O_DIRECTORY, false);
  if (error) throw LocalWriteError(cannot_write(folder, error));
}

void remove_quietly(const std::filesystem::path& path) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

void write_streamed_file(const std::filesystem::path& path, unsigned mode,
                         const std::function<void(std::ostream&)>& write) {
  const std::filesystem::path partial = path.string() + ".partial";
  if (!prepare_file(partial, static_cast<mode_t>(mode))) throw LocalWriteError(cannot_write(path, errno));
  std::ofstream file(partial, std::ios::binary | std::ios::trunc);
  try {
    write(file);
  } catch (...) {
    file.close();
    remove_quietly(partial);
    throw;
  }
  file.close();
  if (!file) {
    const int error = errno;
    remove_quietly(partial);
    throw LocalWriteError(cannot_write(path, error));
  }
  std::error_code renamed;
  std::filesystem::rename(partial, path, renamed);
  if (renamed) {
    remove_quietly(partial);
    throw LocalWriteError(cannot_write(path, renamed.value()));
  }
}

}  // namespace passage
