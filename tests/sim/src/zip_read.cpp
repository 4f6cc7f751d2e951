#include "zip_read.hpp"

namespace sim {
namespace {

constexpr std::uint32_t k_local_header = 0x04034b50;
constexpr std::uint32_t k_central_header = 0x02014b50;
constexpr std::uint32_t k_end_record = 0x06054b50;
constexpr std::uint32_t k_zip64_locator = 0x07064b50;
constexpr std::uint32_t k_zip64_end_record = 0x06064b50;
constexpr std::uint32_t k_zip64_marker = 0xffffffff;

bool fits(std::string_view zip, std::uint64_t at, std::uint64_t n) { return at <= zip.size() && n <= zip.size() - at; }

// Little-endian integer of `bytes` bytes at `at`; the caller checked fits().
std::uint64_t le(std::string_view zip, std::uint64_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(zip[at + static_cast<std::uint64_t>(i)]);
  return v;
}

struct Directory {
  std::uint64_t entries = 0;
  std::uint64_t offset = 0;
};

std::optional<std::uint64_t> find_end_record(std::string_view zip) {
  if (zip.size() < 22) return std::nullopt;
  const std::uint64_t lowest = zip.size() > 65'557 ? zip.size() - 65'557 : 0;
  for (std::uint64_t at = zip.size() - 22;; --at) {
    if (le(zip, at, 4) == k_end_record) return at;
    if (at == lowest) return std::nullopt;
  }
}

// The zip64 end record, when the classic one says its fields overflowed.
std::optional<Directory> zip64_directory(std::string_view zip, std::uint64_t end_at) {
  if (end_at < 20 || le(zip, end_at - 20, 4) != k_zip64_locator) return std::nullopt;
  const std::uint64_t at = le(zip, end_at - 20 + 8, 8);
  if (!fits(zip, at, 56) || le(zip, at, 4) != k_zip64_end_record) return std::nullopt;
  return Directory{le(zip, at + 32, 8), le(zip, at + 48, 8)};
}

std::optional<Directory> find_directory(std::string_view zip) {
  const auto end_at = find_end_record(zip);
  if (!end_at) return std::nullopt;
  Directory d{le(zip, *end_at + 10, 2), le(zip, *end_at + 16, 4)};
  if (d.entries == 0xffff || d.offset == k_zip64_marker) return zip64_directory(zip, *end_at);
  return d;
}

// Sizes and offset too large for 32 bits are in the zip64 extra field (id 1), in this order.
void read_zip64_extra(std::string_view extra, ZipDirEntry& e, std::uint64_t& local_offset) {
  for (std::size_t at = 0; at + 4 <= extra.size();) {
    const auto id = le(extra, at, 2), n = le(extra, at + 2, 2);
    if (at + 4 + n > extra.size()) return;
    std::uint64_t field = at + 4;
    for (std::uint64_t* value : {&e.size, &e.compressed, &local_offset}) {
      if (id != 1 || *value != k_zip64_marker || field + 8 > at + 4 + n) continue;
      *value = le(extra, field, 8);
      field += 8;
    }
    at += 4 + n;
  }
}

// One central directory record at `at`; advances `at` past it.
std::optional<ZipDirEntry> read_entry(std::string_view zip, std::uint64_t& at) {
  if (!fits(zip, at, 46) || le(zip, at, 4) != k_central_header) return std::nullopt;
  ZipDirEntry e;
  e.flags = static_cast<std::uint16_t>(le(zip, at + 8, 2));
  e.method = static_cast<std::uint16_t>(le(zip, at + 10, 2));
  e.crc32 = static_cast<std::uint32_t>(le(zip, at + 16, 4));
  e.compressed = le(zip, at + 20, 4);
  e.size = le(zip, at + 24, 4);
  const auto name_n = le(zip, at + 28, 2), extra_n = le(zip, at + 30, 2), comment_n = le(zip, at + 32, 2);
  std::uint64_t local = le(zip, at + 42, 4);
  if (!fits(zip, at + 46, name_n + extra_n + comment_n)) return std::nullopt;
  e.name = std::string(zip.substr(at + 46, name_n));
  read_zip64_extra(zip.substr(at + 46 + name_n, extra_n), e, local);
  at += 46 + name_n + extra_n + comment_n;
  if (!fits(zip, local, 30) || le(zip, local, 4) != k_local_header) return std::nullopt;
  e.header_offset = local;
  e.data_offset = local + 30 + le(zip, local + 26, 2) + le(zip, local + 28, 2);
  if (!fits(zip, e.data_offset, e.compressed)) return std::nullopt;
  return e;
}

}  // namespace

std::optional<std::vector<ZipDirEntry>> read_zip_directory(std::string_view zip, std::string& error) {
  const auto dir = find_directory(zip);
  if (!dir) return error = "zip: not a valid zip file", std::nullopt;
  std::vector<ZipDirEntry> entries;
  std::uint64_t at = dir->offset;
  for (std::uint64_t i = 0; i < dir->entries; ++i) {
    auto e = read_entry(zip, at);
    if (!e) return error = "zip: bad central directory or local header", std::nullopt;
    entries.push_back(std::move(*e));
  }
  return entries;
}

std::string_view stored_bytes(std::string_view zip, const ZipDirEntry& entry) {
  return zip.substr(entry.data_offset, entry.compressed);
}

}  // namespace sim
