#include "space_files.hpp"

#include "hash.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sim {
namespace {

constexpr Folder k_folders[] = {{"Documents", "Documents", -1},
                                {"Documents/Cours", "Cours", 0},
                                {"Photos", "Photos", -1},
                                {"Administratif", "Administratif", -1},
                                {"Notes", "Notes", -1}};
constexpr const char* k_exts[] = {"pdf", "odt", "jpg", "png", "txt"};

// Splits `total` into `n` sizes of at least 1 (total >= n), the remainder on the first.
std::vector<std::int64_t> split(std::int64_t total, std::size_t n) {
  if (n == 0) return {};
  const auto count = static_cast<std::int64_t>(n);
  std::vector<std::int64_t> out(n, total / count);
  out[0] += total % count;
  return out;
}

SpaceFile make_file(std::uint64_t key, std::size_t part, std::size_t i, std::int64_t size) {
  const auto h = mix64(mix64(key ^ mix64(part + 1)) + i);
  char name[64];
  std::snprintf(name, sizeof name, "file-%03zu-%02zu.%s", part, i, k_exts[h % std::size(k_exts)]);
  return {couch_id(h ^ 0xf11e), {}, name, (h >> 8) % std::size(k_folders), size, h};
}

SpaceFile make_version(const SpaceFile& file, std::size_t v, std::int64_t size) {
  const auto h = mix64(file.content ^ (0x7e5 + v));
  return {file.id + "/" + couch_id(h), file.id, file.name, file.folder, size, h};
}

}  // namespace

std::span<const Folder> space_folders() { return k_folders; }

std::string folder_id(std::uint64_t key, int folder) {
  if (folder < 0) return k_root_dir_id;
  return couch_id(mix64(key ^ 0xd1d1) + static_cast<std::uint64_t>(folder));
}

std::int64_t served_bytes(std::int64_t declared, double size_scale) {
  return std::max<std::int64_t>(1, std::llround(static_cast<double>(declared) * size_scale));
}

bool has_versions(std::uint64_t key) { return unit(mix64(key ^ 0x7e55)) < 0.3; }

PartFiles part_files(std::uint64_t key, std::size_t part, std::int64_t served) {
  const std::uint64_t part_key = mix64(key ^ mix64(part + 1));
  const std::size_t wanted_versions = has_versions(key) && served >= 64 ? 1 + part_key % 2 : 0;
  const auto room =
      static_cast<std::size_t>(std::max<std::int64_t>(1, served - static_cast<std::int64_t>(wanted_versions)));
  const std::size_t files = std::min<std::size_t>(2 + part_key % 7, room);
  // Old versions take about 5 % of the part's bytes.
  const auto version_bytes =
      wanted_versions ? std::max<std::int64_t>(static_cast<std::int64_t>(wanted_versions), served / 20) : 0;
  PartFiles out;
  const auto file_sizes = split(served - version_bytes, files);
  for (std::size_t i = 0; i < files; ++i) out.files.push_back(make_file(key, part, i, file_sizes[i]));
  const auto version_sizes = split(version_bytes, wanted_versions);
  for (std::size_t v = 0; v < wanted_versions; ++v)
    out.versions.push_back(make_version(out.files[v % files], v, version_sizes[v]));
  return out;
}

}  // namespace sim
