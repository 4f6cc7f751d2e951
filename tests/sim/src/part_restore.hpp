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
// not count.
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

// A part that is not a well-formed zip restores nothing and has one error.
// Entries are stored or deflated; a content whose CRC-32 differs is an error
// (Go's io.Copy returns zip.ErrChecksum), a document's is not (json.Decoder
// stops at the end of the value, before the check).
PartRestore restore_part(std::string_view zip);

}  // namespace sim
