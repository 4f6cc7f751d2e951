#include "file_changes.hpp"

#include "hash.hpp"

#include <algorithm>
#include <vector>

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
  if (!file.file_id.empty() && changes->cleaned.count(file.id) != 0) return true;
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

bool keep_old_version(FileChanges& changes, const SpaceFile& now, std::int64_t now_ms,
                      const std::vector<std::string>& generated) {
  const std::string prefix = now.id + "/";
  std::vector<std::map<std::string, KeptVersion>::iterator> olds;
  for (auto it = changes.versions.lower_bound(prefix); it != changes.versions.end() && it->first.rfind(prefix, 0) == 0; ++it)
    olds.push_back(it);
  std::sort(olds.begin(), olds.end(), [](auto a, auto b) { return a->second.created_ms < b->second.created_ms; });
  if (!olds.empty() && olds.back()->second.created_ms + k_min_version_delay_ms > now_ms) return false;
  SpaceFile v = now;
  v.id = prefix + couch_id(mix64(now.content ^ static_cast<std::uint64_t>(now_ms)));
  v.file_id = now.id;
  changes.versions[v.id] = KeptVersion{v, now_ms};
  // The current version counts: 20 in all, the oldest cleaned first (the
  // generated ones, then those kept since).
  const std::size_t before = generated.size() + olds.size();
  const std::size_t excess = before + 2 > k_max_versions ? before + 2 - k_max_versions : 0;
  for (std::size_t i = 0; i < excess; ++i) {
    if (i < generated.size()) {
      changes.cleaned.insert(generated[i]);
    } else {  // an export made before still plans it: cleaned, so no part lists it
      changes.cleaned.insert(olds[i - generated.size()]->first);
      changes.versions.erase(olds[i - generated.size()]);
    }
  }
  return true;
}

}  // namespace sim
