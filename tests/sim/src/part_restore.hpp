#pragma once
// What cozy-stack's importer (model/move/importer.go, importZip) restores
// from one part, counted as the target's disk-usage then counts it. Pure:
// the zip is already in memory.
//
// Each `My Cozy/Data/io.cozy.files/<id>.json` is a document; a file's
// content is the entry right after it, whatever its name, and is restored
// only when its length and MD5 match the metadata's `size` and `md5sum`
// (the VFS refuses it otherwise). Each
// `My Cozy/Data/io.cozy.files.versions/<id>.json` followed by an entry is an
// old version, restored unless its content cannot be read whole (bad
// stream, CRC), without checking length or MD5, and counted at its
// metadata's `size` (VersionsUsage sums the documents). Other entries do
// not count. A file or version over the disk quota is not restored.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

// The target's content as disk-usage reports it.
struct ContentUsage {
  std::int64_t files = 0;           // bytes of files
  std::int64_t versions = 0;        // bytes of old versions
  std::int64_t versions_count = 0;  // old versions
  std::int64_t doc_count = 0;       // io.cozy.files documents: files and directories
  ContentUsage& operator+=(const ContentUsage& o);
};

struct PartRestore {
  ContentUsage restored;
  std::vector<std::string> errors;  // what the importer reports; any error fails the import
};

// The target's disk quota as the VFS checks it before each file and version
// (vfs.CheckAvailableDiskSpace, ImportFileVersion): one that would take the
// usage (files + versions) past `limit` is refused with ErrFileTooBig, and
// the import goes on with the next entry. `limit` 0: no quota.
struct QuotaCheck {
  std::int64_t limit = 0;
  std::int64_t used = 0;  // grows with what is restored
  bool refuses(std::int64_t size) const { return limit > 0 && size > limit - used; }
};

// A part that is not a well-formed zip restores nothing and has one error.
// Entries are stored or deflated; a content whose CRC-32 differs is an error
// (Go's io.Copy returns zip.ErrChecksum), a document's is not (json.Decoder
// stops at the end of the value, before the check).
PartRestore restore_part(std::string_view zip, QuotaCheck quota = {});

}  // namespace sim
