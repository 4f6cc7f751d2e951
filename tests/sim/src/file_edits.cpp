#include "file_edits.hpp"

#include "hash.hpp"

#include <algorithm>

namespace sim {

SpaceFile as_edited(const SpaceFile& file, const FileEdits* edits) {
  if (!edits) return file;
  const auto it = edits->find(file.id);
  if (it == edits->end()) return file;
  SpaceFile now = file;
  now.content = it->second.content;
  now.size = it->second.size;
  return now;
}

FileEdit next_edit(const SpaceFile& file, const FileEdits* edits, std::uint64_t draw) {
  const SpaceFile now = as_edited(file, edits);
  const std::int64_t low = std::max<std::int64_t>(1, now.size / 2);
  const std::int64_t high = std::max<std::int64_t>(low, now.size + now.size / 2);
  FileEdit edit;
  edit.content = mix64(now.content ^ draw);
  edit.size = low + static_cast<std::int64_t>(mix64(draw) % static_cast<std::uint64_t>(high - low + 1));
  edit.original_size = file.size;
  return edit;
}

std::int64_t edited_bytes_delta(const FileEdits* edits) {
  std::int64_t delta = 0;
  if (edits)
    for (const auto& [id, edit] : *edits) delta += edit.size - edit.original_size;
  return delta;
}

}  // namespace sim
