// Files changed after an export: a person, a konnector or a sharing
// rewrites, creates, destroys, moves or renames files (cozy-stack keeps a
// file's id through a rewrite, a move or a rename, so its part).
#include "world.hpp"

#include <algorithm>

namespace sim {
namespace {

// Every file the space was generated with (not its old versions).
std::vector<SpaceFile> generated_files(std::int64_t used, std::uint64_t key, double size_scale) {
  std::vector<SpaceFile> out;
  const PartPlan plan = plan_parts(used, key, size_scale);
  for (const auto& part : plan.parts) out.insert(out.end(), part.files.begin(), part.files.end());
  return out;
}

// Another folder than `folder`, drawn.
std::size_t other_folder(std::size_t folder, std::uint64_t draw) {
  const std::size_t n = space_folders().size();
  return (folder + 1 + draw % (n - 1)) % n;
}

std::string renamed(const std::string& name, std::uint64_t draw) {
  return "renamed-" + hex64(draw).substr(0, 6) + "-" + name;
}

// A space wiped by an import reports what was restored since (its
// `imported` usage), not its drawn files: a change made after the import
// must show there, as the VFS sums the documents as they are now. Bytes
// `removed` and `added` to the files, and an old version kept (0: none).
void count_after_import(InstanceState& s, std::int64_t removed, std::int64_t added, std::int64_t version_kept) {
  if (!s.imported) return;
  s.imported->files = std::max<std::int64_t>(0, s.imported->files - removed + added);
  if (version_kept <= 0) return;
  s.imported->versions += version_kept;
  ++s.imported->versions_count;
}

}  // namespace

std::vector<SpaceFile> World::current_files(std::uint32_t index) const {
  const FileChanges* changes = file_changes(index);
  std::vector<SpaceFile> out;
  for (const auto& f : generated_files(view(index).used, profile(index).key, m_options.size_scale))
    if (!is_deleted(f, changes)) out.push_back(f);
  if (changes)
    for (const auto& [id, created] : changes->created)
      if (!is_deleted(created.file, changes)) out.push_back(created.file);
  return out;
}

// A new file, its size drawn around the space's mean file size.
SpaceFile World::create_file(std::uint32_t index, InstanceState& s) {
  const auto files = current_files(index);
  std::int64_t total = 0;
  for (const auto& f : files) total += as_changed(f, &s.files).size;
  const std::int64_t mean = files.empty() ? 1000 : std::max<std::int64_t>(1, total / static_cast<std::int64_t>(files.size()));
  const SpaceFile f = new_file(m_rng.next(), m_rng.between(std::max<std::int64_t>(1, mean / 2), mean + mean / 2));
  s.files.created[f.id] = NewFile{f, now_ms()};
  ++s.content_rev;
  ++m_stats.files_created;
  count_after_import(s, 0, f.size, 0);
  return f;
}

std::vector<std::string> World::generated_versions(std::uint32_t index, const std::string& file_id) const {
  std::vector<std::string> out;
  const FileChanges* changes = file_changes(index);
  const PartPlan plan = plan_parts(view(index).used, profile(index).key, m_options.size_scale);
  for (const auto& part : plan.parts)
    for (const auto& v : part.versions)
      if (v.file_id == file_id && !is_deleted(v, changes)) out.push_back(v.id);
  return out;
}

SpaceFile World::change_file(std::uint32_t index, InstanceState& s, const SpaceFile& file, FileOp op, bool* kept) {
  const SpaceFile now = as_changed(file, &s.files);
  bool version_kept = false;
  if (op != FileOp::rewrite_same) ++s.content_rev;
  switch (op) {
    case FileOp::rewrite:
      if (keeps_versions(index)) {
        version_kept = keep_old_version(s.files, now, now_ms(), generated_versions(index, file.id));
        if (kept) *kept = version_kept;
      }
      s.files.rewritten[file.id] = next_edit(file, &s.files, m_rng.next());
      ++m_stats.files_edited;
      break;
    case FileOp::rewrite_same:
      // The same bytes written again: the md5sum is unchanged, so the VFS
      // cleans the candidate version (vfsswift/vfsafero CreateFile's Close)
      // and the content stays as it was.
      ++m_stats.files_edited;
      break;
    case FileOp::destroy:
      s.files.deleted[file.id] = now_ms();
      ++m_stats.files_destroyed;
      count_after_import(s, now.size, 0, 0);
      return now;
    case FileOp::move:
      s.files.placed[file.id] = FilePlace{now.name, other_folder(now.folder, m_rng.next())};
      ++m_stats.files_moved;
      break;
    case FileOp::rename:
      s.files.placed[file.id] = FilePlace{renamed(now.name, m_rng.next()), now.folder};
      ++m_stats.files_moved;
      break;
    case FileOp::create: break;
  }
  const SpaceFile after = as_changed(file, &s.files);
  count_after_import(s, now.size, after.size, version_kept ? now.size : 0);
  return after;
}

std::vector<SpaceFile> World::change_files(std::uint32_t index, FileOp op, std::size_t count, bool activity) {
  auto& s = touch(index);
  std::vector<SpaceFile> files = op == FileOp::create ? std::vector<SpaceFile>{} : current_files(index);
  std::vector<SpaceFile> changed;
  for (std::size_t n = 0; n < count && (op == FileOp::create || !files.empty()); ++n) {
    if (op == FileOp::create) {
      changed.push_back(create_file(index, s));
      continue;
    }
    const std::size_t pick = static_cast<std::size_t>(m_rng.next() % files.size());
    changed.push_back(change_file(index, s, files[pick], op));
    files.erase(files.begin() + static_cast<std::ptrdiff_t>(pick));  // each file once per call
  }
  if (activity && !changed.empty()) s.activity_day = day_of(now_ms());
  return changed;
}

World::EditOutcome World::edit_file(std::uint32_t index, const std::string& id) {
  auto& s = touch(index);
  for (const auto& f : current_files(index)) {
    if (f.id != id) continue;
    bool kept = false;
    change_file(index, s, f, FileOp::rewrite, &kept);
    return kept ? EditOutcome::content_kept : EditOutcome::content_replaced;
  }
  return EditOutcome::no_such_file;
}

// The spaces drawn with old versions are those whose context keeps them
// (max_number_of_versions_to_keep above 0); the others' keeps none.
bool World::keeps_versions(std::uint32_t index) const { return has_versions(profile(index).key); }

const FileChanges* World::file_changes(std::uint32_t index) const {
  const auto* s = state(index);
  return s && !s->files.empty() ? &s->files : nullptr;
}

}  // namespace sim
