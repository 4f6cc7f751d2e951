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
// not count. A file or version over the disk quota is not restored, nor a
// file whose folder does not exist (see FolderIndex).
#include <cstdint>
#include <set>
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

// The folders an import has restored so far, and the names taken in each
// (the target's VFS after the wipe: the root and the trash only). A file
// whose `dir_id` names no folder restored before it is refused
// (vfs.ErrParentDoesNotExist: CreateFile reads the parent's path first), and
// so is a file or folder whose name is already taken in its folder
// (DirChildExists, os.ErrExist); the import goes on with the next entry.
struct FolderIndex {
  std::set<std::string> dirs;   // restored folders' ids (root and trash implied)
  std::set<std::string> names;  // "<dir_id>/<name>" of what was restored
  bool knows(const std::string& dir_id) const;
};

// A part that is not a well-formed zip restores nothing and has one error.
// Entries are stored or deflated; a content whose CRC-32 differs is an error
// (Go's io.Copy returns zip.ErrChecksum), a document's is not (json.Decoder
// stops at the end of the value, before the check).
// With `folders`, files are checked against the folders restored before
// them (the import job passes one index through all its parts); without,
// the part is read alone and folders are not checked.
PartRestore restore_part(std::string_view zip, QuotaCheck quota = {}, FolderIndex* folders = nullptr);

}  // namespace sim
