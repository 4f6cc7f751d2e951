#pragma once
// The files and old versions of a simulated space, part by part, as an
// export serves them. A pure function of the instance's key: every export of
// the same space (and disk-usage) sees the same files.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sim {

// A file (io.cozy.files) or an old version of one (io.cozy.files.versions).
struct SpaceFile {
  std::string id;          // a file id, or `<file id>/<version id>` for a version (as the stack's)
  std::string file_id;     // the file a version belongs to; empty for a file
  std::string name;        // the file's name
  std::size_t folder = 0;  // index in space_folders()
  std::int64_t size = 0;   // bytes served
  std::uint64_t content = 0;  // seed of the bytes (content.hpp)
};

struct PartFiles {
  std::vector<SpaceFile> files;
  std::vector<SpaceFile> versions;  // written after the files, as copyVersions does
};

// What one part of an export serves: files, then old versions. An export
// lists every file before any old version (exportFiles splits the files,
// then the versions), so only the last part holding files can hold both.
struct PartShare {
  std::size_t part = 0;
  std::int64_t files = 0;      // bytes of files served (0: none)
  std::int64_t versions = 0;   // bytes of old versions served after them (0: none)
  std::size_t file_parts = 1;  // parts holding files: each version's file is in one of them
};

struct Folder {
  const char* path;  // below the root, no leading slash
  const char* name;
  int parent;        // index in space_folders(), -1 for the root
};

std::span<const Folder> space_folders();
// The stack's root directory id.
constexpr const char* k_root_dir_id = "io.cozy.files.root-dir";
// The directory id of space_folders()[folder]; -1 gives the root's.
std::string folder_id(std::uint64_t key, int folder);

// Bytes a part serves for its declared bytes (at least 1).
std::int64_t served_bytes(std::int64_t declared, double size_scale);
// About 30 % of spaces have old versions.
bool has_versions(std::uint64_t key);
// The files (2-8) and old versions (1-2) of a part, whose contents add up
// to exactly `share.files` and `share.versions` bytes, each at least 1
// byte. Ids depend on the part, not on the sizes, and are sorted across
// parts (part k's files all sort after part k-1's, spread over the id
// space); a version's id is `<file id>/<version id>`, of a file of one of the
// first `file_parts` parts.
PartFiles part_files(std::uint64_t key, const PartShare& share);
// A file created now (a random CouchDB id, a name `new-<hex>.<ext>`, a
// folder), of `size` bytes (at least 1); `draw` decides everything else.
SpaceFile new_file(std::uint64_t draw, std::int64_t size);

}  // namespace sim
