#pragma once
// Files of a space changed after an export (a person, a konnector, a sync):
// cozy-stack's data route lists a part's files when the part is downloaded
// (listFilesFromCursor: every io.cozy.files document whose id is in the
// part's range), so later downloads, and disk-usage, see the space as it is
// then. A rewrite keeps the file's id (so its part) and gives it new
// content; a move or a rename keeps the id and changes the path; a new file
// lands in whichever part's id range holds its id; a destroyed one vanishes
// from its part, metadata and content, with its old versions (DestroyFile).
#include "space_files.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace sim {

struct FileEdit {
  std::uint64_t content = 0;        // seed of the new bytes
  std::int64_t size = 0;            // bytes served now
};

// Where a moved or renamed file is now.
struct FilePlace {
  std::string name;
  std::size_t folder = 0;
};

// A file created since the space was generated.
struct NewFile {
  SpaceFile file;              // as created (its rewrites and moves apply on top)
  std::int64_t created_ms = 0;  // sim time
};

// The content a rewrite replaced, kept as an old version (`<file id>/<version id>`).
struct KeptVersion {
  SpaceFile version;
  std::int64_t created_ms = 0;  // sim time of the rewrite
};

struct FileChanges {
  std::map<std::string, FileEdit> rewritten;  // by file id
  std::map<std::string, KeptVersion> versions;  // by version id: sorted as CouchDB lists them
  std::map<std::string, FilePlace> placed;    // by file id
  std::map<std::string, NewFile> created;     // by file id: sorted as CouchDB lists them
  std::map<std::string, std::int64_t> deleted;  // file id (generated or created) → sim time destroyed
  std::set<std::string> cleaned;  // old versions cleaned by the 20-version limit (generated or kept)
  bool empty() const {
    return rewritten.empty() && versions.empty() && placed.empty() && created.empty() && deleted.empty() &&
           cleaned.empty();
  }
};

// `file` as it is now: its rewrite and its place applied (`changes` may be null).
SpaceFile as_changed(const SpaceFile& file, const FileChanges* changes);
// Whether the file (or, for an old version, its file) was destroyed, or
// the old version cleaned.
bool is_deleted(const SpaceFile& file, const FileChanges* changes);
// The next rewrite of `file` (as it is now): another seed, a size between
// half and one and a half times the current one, at least 1 byte.
FileEdit next_edit(const SpaceFile& file, const FileChanges* changes, std::uint64_t draw);

// cozy-stack's defaults (fs.versioning): at most 20 versions of a file
// (the current one counted), a new one only 15 minutes after the previous.
constexpr std::size_t k_max_versions = 20;
constexpr std::int64_t k_min_version_delay_ms = 15 * 60 * 1000;

// A rewrite of `now` (the file as it is before it) at `now_ms` in a space
// that keeps versions: as the VFS's detectVersionsToClean decides, its
// content is kept as an old version unless the file's last version is
// under 15 minutes old; beyond 20, the oldest ones are cleaned. `generated`:
// the ids of the file's old versions the space was generated with, still
// there; they date from before the simulator's start, older than any kept
// since, so they count against the limit and are cleaned first. True when
// the content was kept (the stack then still holds the old content under
// its former object name).
bool keep_old_version(FileChanges& changes, const SpaceFile& now, std::int64_t now_ms,
                      const std::vector<std::string>& generated);

}  // namespace sim
