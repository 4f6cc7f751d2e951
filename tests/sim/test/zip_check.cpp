#include "zip_check.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>

namespace simtest {

bool ZipCheck::has(const std::string& path) const {
  return std::find(entries.begin(), entries.end(), path) != entries.end();
}

ZipCheck check_zip(const std::string& data) {
  ZipCheck result;
  archive* a = archive_read_new();
  archive_read_support_format_zip(a);
  if (archive_read_open_memory(a, data.data(), data.size()) != ARCHIVE_OK) {
    result.error = archive_error_string(a) ? archive_error_string(a) : "cannot open";
    archive_read_free(a);
    return result;
  }
  archive_entry* entry = nullptr;
  int rc = ARCHIVE_OK;
  char buf[8192];
  for (int i = 0; i < 100'000; ++i) {
    rc = archive_read_next_header(a, &entry);
    if (rc != ARCHIVE_OK) break;
    result.entries.emplace_back(archive_entry_pathname(entry));
    la_ssize_t n = 0;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) result.bytes += n;
    if (n < 0) {
      rc = static_cast<int>(n);
      break;
    }
  }
  result.ok = rc == ARCHIVE_EOF;
  if (!result.ok) result.error = archive_error_string(a) ? archive_error_string(a) : "not at ARCHIVE_EOF";
  archive_read_free(a);
  return result;
}

}  // namespace simtest
