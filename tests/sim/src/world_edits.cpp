// Files written after an export: a person, a konnector or a sharing
// changes a file's content (cozy-stack keeps its id, so its part).
#include "world.hpp"

namespace sim {
namespace {

// Every file of the space (not its old versions), as generated.
std::vector<SpaceFile> all_files(std::int64_t used, std::uint64_t key, double size_scale) {
  std::vector<SpaceFile> out;
  const PartPlan plan = plan_parts(used, key);
  for (std::size_t k = 0; k < plan.declared.size(); ++k)
    for (auto& f : part_files(key, part_share(plan, k, size_scale)).files) out.push_back(std::move(f));
  return out;
}

}  // namespace

std::vector<SpaceFile> World::edit_files(std::uint32_t index, std::size_t count, bool activity) {
  auto& s = touch(index);
  std::vector<SpaceFile> files = all_files(view(index).used, profile(index).key, m_options.size_scale);
  std::vector<SpaceFile> edited;
  for (std::size_t n = 0; n < count && !files.empty(); ++n) {
    const std::size_t pick = static_cast<std::size_t>(m_rng.next() % files.size());
    s.edits[files[pick].id] = next_edit(files[pick], &s.edits, m_rng.next());
    edited.push_back(as_edited(files[pick], &s.edits));
    files.erase(files.begin() + static_cast<std::ptrdiff_t>(pick));  // each file once per call
    ++m_stats.files_edited;
  }
  if (activity && !edited.empty()) s.activity_day = day_of(now_ms());
  return edited;
}

bool World::edit_file(std::uint32_t index, const std::string& id) {
  auto& s = touch(index);
  for (const auto& f : all_files(view(index).used, profile(index).key, m_options.size_scale)) {
    if (f.id != id) continue;
    s.edits[id] = next_edit(f, &s.edits, m_rng.next());
    ++m_stats.files_edited;
    return true;
  }
  return false;
}

const FileEdits* World::file_edits(std::uint32_t index) const {
  const auto* s = state(index);
  return s && !s->edits.empty() ? &s->edits : nullptr;
}

}  // namespace sim
