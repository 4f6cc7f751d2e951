#include "file_changes.hpp"

#include "hash.hpp"

#include <algorithm>

namespace sim {

SpaceFile as_changed(const SpaceFile& file, const FileChanges* changes) {
  if (!changes) return file;
  SpaceFile now = file;
  if (const auto it = changes->rewritten.find(file.id); it != changes->rewritten.end()) {
    now.content = it->second.content;
    now.size = it->second.size;
  }
  if (const auto it = changes->placed.find(file.id); it != changes->placed.end()) {
    now.name = it->second.name;
    now.folder = it->second.folder;
  }
  return now;
}

bool is_deleted(const SpaceFile& file, const FileChanges* changes) {
  if (!changes) return false;
  return changes->deleted.count(file.file_id.empty() ? file.id : file.file_id) != 0;
}

FileEdit next_edit(const SpaceFile& file, const FileChanges* changes, std::uint64_t draw) {
  const SpaceFile now = as_changed(file, changes);
  const std::int64_t low = std::max<std::int64_t>(1, now.size / 2);
  const std::int64_t high = std::max<std::int64_t>(low, now.size + now.size / 2);
  FileEdit edit;
  edit.content = mix64(now.content ^ draw);
  edit.size = low + static_cast<std::int64_t>(mix64(draw) % static_cast<std::uint64_t>(high - low + 1));
  return edit;
}

}  // namespace sim
