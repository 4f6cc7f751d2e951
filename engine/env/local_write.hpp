#pragma once
// A local write that failed: the disk is full, or a folder or the database
// is read-only. Commands stop, print the path and the system's reason, and
// exit 7 (degraded); nothing is advanced on a write that failed, and the
// next command resumes once the disk takes writes again.

#include <cstring>
#include <filesystem>
#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>

namespace passage {

class LocalWriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "cannot write PATH: No space left on device" (`error` is an errno).
inline std::string cannot_write(const std::filesystem::path& path, int error) {
  return "cannot write " + path.string() + (error ? std::string(": ") + std::strerror(error) : std::string());
}

// `dir`/`stem``extension` if no such file exists yet, else the first free
// `dir`/`stem`_N`extension` (N = 2, 3, …): a report never replaces another
// written in the same second, and sorts after it by name.
std::filesystem::path unused_path(const std::filesystem::path& dir, const std::string& stem,
                                  const std::string& extension);

// Writes `text` to `path`, created with `mode` (engine/env/file_modes.hpp),
// flushed and closed, every step checked; `injected` (an errno from
// engine/env/faults.hpp, 0 for none) fails it as the disk would. Throws
// LocalWriteError naming the path; a partial file is removed.
void write_whole_file(const std::filesystem::path& path, const std::string& text, unsigned mode,
                      int injected);

// Removes `path` if it is there; a failure is ignored (a partial file
// left behind an error already reported).
void remove_quietly(const std::filesystem::path& path);

// Makes `file`'s bytes durable (fdatasync): a power failure after this
// does not leave it empty or cut. `injected` (an errno, 0 for none) fails
// it as the disk would. Throws LocalWriteError naming the file.
void sync_file_data(const std::filesystem::path& file, int injected);
// Makes the names in `folder` durable (fsync): a file renamed into it is
// still there after a power failure. Throws LocalWriteError naming it.
void sync_folder(const std::filesystem::path& folder);

// `write` puts the text on a stream into `path`.partial (created with
// `mode`), which becomes `path` only once every byte is on disk: a report
// whose reading failed half-way (a database error, a template) or whose
// write was refused leaves no file that looks whole; the error goes on
// (LocalWriteError naming `path` for a refused write).
void write_streamed_file(const std::filesystem::path& path, unsigned mode,
                         const std::function<void(std::ostream&)>& write);

}  // namespace passage
