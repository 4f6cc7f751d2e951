#pragma once
// File modes in tests (issue 12, "Secrets"): the process umask set for a
// scope, and a file's permission bits. Header-only: the unit and the
// integration tests both use it.

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <filesystem>

namespace passage::testing {

// Sets the process umask for its lifetime.
class Umask {
 public:
  explicit Umask(mode_t mask) : m_previous(::umask(mask)) {}
  ~Umask() { ::umask(m_previous); }
  Umask(const Umask&) = delete;
  Umask& operator=(const Umask&) = delete;

 private:
  mode_t m_previous;
};

// The permission bits of `path` (which must exist).
inline mode_t mode_of(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

}  // namespace passage::testing
