#pragma once
// Reads a zip held in memory from its central directory, as Go's
// archive/zip OpenReader does: a zip without its end of central directory
// record (cut off) is not a zip. Zip64 records are understood.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

struct ZipDirEntry {
  std::string name;
  std::uint16_t method = 0;       // 0: stored, 8: deflated
  std::uint16_t flags = 0;        // bit 3: a data descriptor follows the bytes
  std::uint32_t crc32 = 0;        // CRC-32 of the uncompressed bytes
  std::uint64_t compressed = 0;   // bytes in the zip
  std::uint64_t size = 0;         // uncompressed bytes
  std::uint64_t header_offset = 0;  // where its local header starts
  std::uint64_t data_offset = 0;  // where its bytes start (after its local header)
};

// The entries in central directory order; empty with `error` set when the
// zip is not well-formed (no end record, a record or an entry's bytes out
// of bounds).
std::optional<std::vector<ZipDirEntry>> read_zip_directory(std::string_view zip, std::string& error);

// The bytes of an entry as they sit in the zip, compressed or not
// (read_zip_directory checked their bounds).
std::string_view stored_bytes(std::string_view zip, const ZipDirEntry& entry);

}  // namespace sim
