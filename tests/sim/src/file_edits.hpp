#pragma once
// Files of a space written after an export (a person, a konnector, a sync):
// cozy-stack's data route lists the files as they are when a part is
// downloaded (listFilesFromCursor), so later downloads, and disk-usage,
// serve the new bytes. An edit keeps the file's id (and so its part: the
// cursors name ids) and gives it new content of a new size.
#include "space_files.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace sim {

struct FileEdit {
  std::uint64_t content = 0;        // seed of the new bytes
  std::int64_t size = 0;            // bytes served now
  std::int64_t original_size = 0;   // bytes the space's generator gives it
};

// By file id.
using FileEdits = std::map<std::string, FileEdit>;

// `file` as it is now: its edit applied, if any (`edits` may be null).
SpaceFile as_edited(const SpaceFile& file, const FileEdits* edits);
// The next edit of `file` (as it is now): another seed, a size between half
// and one and a half times the current one, at least 1 byte.
FileEdit next_edit(const SpaceFile& file, const FileEdits* edits, std::uint64_t draw);
// Bytes the edits add to (or take from) the space's files.
std::int64_t edited_bytes_delta(const FileEdits* edits);

}  // namespace sim
