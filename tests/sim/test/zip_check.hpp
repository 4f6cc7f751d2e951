#pragma once
// Reads a zip from memory with libarchive, the way Passage verifies parts,
// and audits a part's files against their metadata.
#include <string>
#include <vector>

namespace simtest {

struct ZipCheck {
  bool ok = false;  // header loop ended in ARCHIVE_EOF, every entry read whole
  std::vector<std::string> entries;
  std::vector<std::string> contents;  // the bytes of each entry read
  long long bytes = 0;
  std::string error;
  bool has(const std::string& path) const;
};

ZipCheck check_zip(const std::string& data);

// A part checked the way a careful client can: each io.cozy.files metadata
// entry of a file must be followed by its content with that `size` and
// `md5sum`; a version's metadata by `My Cozy/Files/<_id>` likewise.
struct PartAudit {
  int files = 0;
  int versions = 0;
  int directories = 0;
  long long file_bytes = 0;
  long long version_bytes = 0;
  std::vector<std::string> problems;
  bool complete() const { return problems.empty(); }
};

PartAudit audit_part(const ZipCheck& zip);
// base64 of the MD5 of `bytes`, computed here (OpenSSL), not by the simulator.
std::string md5_base64(const std::string& bytes);

}  // namespace simtest
