#pragma once
// Reads a zip from memory with libarchive, the way Passage verifies parts.
#include <string>
#include <vector>

namespace simtest {

struct ZipCheck {
  bool ok = false;  // header loop ended in ARCHIVE_EOF, every entry read whole
  std::vector<std::string> entries;
  long long bytes = 0;
  std::string error;
  bool has(const std::string& path) const;
};

ZipCheck check_zip(const std::string& data);

}  // namespace simtest
