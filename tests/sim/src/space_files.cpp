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
                                // Accented, as people name folders: cozy-stack's
                                // zip writer flags such names UTF-8 (zip_names.hpp).
                                {"\xc3\x89t\xc3\xa9 2026", "\xc3\x89t\xc3\xa9 2026", -1}};  // "Été 2026"
constexpr const char* k_exts[] = {"pdf", "odt", "jpg", "png", "txt"};

// Splits `total` into `n` sizes of at least 1 (total >= n), the remainder on the first.
std::vector<std::int64_t> split(std::int64_t total, std::size_t n) {
  if (n == 0) return {};
  const auto count = static_cast<std::int64_t>(n);
  std::vector<std::int64_t> out(n, total / count);
  out[0] += total % count;
  return out;
}

// Ids sorted across parts, as CouchDB lists io.cozy.files (a cursor is a
// range start): file i (< 8) of part p gets a 16-hex-digit prefix in slot
// p*8+i of the id space, so a new file's random id can land in any part.
std::string file_id(std::size_t part, std::size_t i, std::size_t file_parts, std::uint64_t h) {
  const std::uint64_t slots = static_cast<std::uint64_t>(std::max<std::size_t>(1, file_parts)) * 8;
  const std::uint64_t width = ~0ULL / slots;
  const std::uint64_t prefix = width * (part * 8 + i) + mix64(h) % width;
  return hex64(prefix) + hex64(mix64(h ^ 0xf11e));
}

// Names by the file's rank in its part, so that every part of two files or
// more holds a plain ASCII name and an accented one, and most hold an ASCII
// name with a `~` and a `\` (which Go's zip writer flags UTF-8 too; the
// stack refuses only `/`, NUL, CR and LF in names, so "..\x" is a legal
// name, which a Windows extractor reads as a climb of one folder).
constexpr const char* k_name_formats[] = {"file-%03zu-%02zu.%s",
                                          "compte-rendu r\xc3\xa9union %03zu-%02zu.%s",  // "réunion"
                                          "na\xc3\xafve ~ caf\xc3\xa9 %03zu-%02zu.%s",  // "naïve ~ café"
                                          "..\\brouillon~%03zu-%02zu.%s"};

SpaceFile make_file(std::uint64_t key, std::size_t part, std::size_t i, std::size_t file_parts, std::int64_t size) {
  const auto h = mix64(mix64(key ^ mix64(part + 1)) + i);
  char name[64];
  std::snprintf(name, sizeof name, k_name_formats[i % std::size(k_name_formats)], part, i,
                k_exts[h % std::size(k_exts)]);
  return {file_id(part, i, file_parts, h), {}, name, (h >> 8) % std::size(k_folders), size, h};
}

// Old version `n` of `file` (n unique in the space: a file may have several).
SpaceFile make_version(const SpaceFile& file, std::size_t n, std::int64_t size) {
  const auto h = mix64(file.content ^ (0x7e5 + n));
  return {file.id + "/" + couch_id(h), file.id, file.name, file.folder, size, h};
}

std::vector<SpaceFile> files_of(std::uint64_t key, const PartShare& share, std::uint64_t part_key) {
  if (share.files <= 0) return {};
  const auto count = static_cast<std::size_t>(std::min<std::int64_t>(2 + part_key % 7, share.files));
  const auto sizes = split(share.files, count);
  std::vector<SpaceFile> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back(make_file(key, share.part, i, share.file_parts, sizes[i]));
  return out;
}

// Each version belongs to the first file of a part drawn among those holding files.
std::vector<SpaceFile> versions_of(std::uint64_t key, const PartShare& share, std::uint64_t part_key) {
  if (share.versions <= 0) return {};
  const auto count = static_cast<std::size_t>(std::min<std::int64_t>(1 + part_key % 2, share.versions));
  const auto sizes = split(share.versions, count);
  const std::size_t file_parts = std::max<std::size_t>(1, share.file_parts);
  std::vector<SpaceFile> out;
  for (std::size_t v = 0; v < count; ++v) {
    const SpaceFile owner = make_file(key, mix64(part_key + v) % file_parts, 0, file_parts, 0);
    out.push_back(make_version(owner, share.part * 2 + v, sizes[v]));
  }
  return out;
}

}  // namespace

SpaceFile new_file(std::uint64_t draw, std::int64_t size) {
  const auto h = mix64(draw ^ 0x9e3f11e);
  char name[64];
  std::snprintf(name, sizeof name, "new-%s.%s", hex64(h).substr(0, 8).c_str(), k_exts[h % std::size(k_exts)]);
  return {couch_id(h), {}, name, (h >> 8) % std::size(k_folders), std::max<std::int64_t>(1, size), mix64(h)};
}

std::span<const Folder> space_folders() { return k_folders; }

std::string folder_id(std::uint64_t key, int folder) {
  if (folder < 0) return k_root_dir_id;
  return couch_id(mix64(key ^ 0xd1d1) + static_cast<std::uint64_t>(folder));
}

std::int64_t served_bytes(std::int64_t declared, double size_scale) {
  return std::max<std::int64_t>(1, std::llround(static_cast<double>(declared) * size_scale));
}

bool has_versions(std::uint64_t key) { return unit(mix64(key ^ 0x7e55)) < 0.3; }

PartFiles part_files(std::uint64_t key, const PartShare& share) {
  const std::uint64_t part_key = mix64(key ^ mix64(share.part + 1));
  return {files_of(key, share, part_key), versions_of(key, share, part_key)};
}

}  // namespace sim
