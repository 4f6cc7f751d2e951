#include "zip_entry.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>

namespace sim {
namespace {

constexpr std::size_t k_piece = 64 * 1024;
constexpr std::uint64_t k_max_feed = 1U << 30;  // zlib counts input in 32 bits
constexpr std::uint32_t k_descriptor_signature = 0x08074b50;
constexpr std::uint16_t k_flag_descriptor = 0x8;

// Counts and checksums the bytes on their way to the sink.
struct Tally {
  const ZipDirEntry& entry;
  const std::function<void(std::string_view)>& sink;
  std::uint64_t bytes = 0;
  uLong crc = crc32(0, nullptr, 0);

  // False once more bytes came than the directory announces.
  bool take(std::string_view piece) {
    if (piece.size() > entry.size - bytes) return false;
    bytes += piece.size();
    crc = crc32_z(crc, reinterpret_cast<const Bytef*>(piece.data()), piece.size());
    sink(piece);
    return true;
  }
};

EntryError read_stored(std::string_view data, Tally& tally) {
  for (std::size_t at = 0; at < data.size(); at += k_piece)
    if (!tally.take(data.substr(at, k_piece))) return EntryError::too_long;
  return EntryError::none;
}

struct Inflater {
  z_stream z{};
  bool open = inflateInit2(&z, -MAX_WBITS) == Z_OK;  // raw deflate, as in a zip
  ~Inflater() {
    if (open) inflateEnd(&z);
  }
};

EntryError read_deflated(std::string_view data, Tally& tally) {
  Inflater inflater;
  if (!inflater.open) return EntryError::corrupt;
  z_stream& z = inflater.z;
  std::array<char, k_piece> out;
  std::size_t fed = 0;
  for (;;) {
    if (z.avail_in == 0 && fed < data.size()) {
      const auto n = std::min<std::uint64_t>(data.size() - fed, k_max_feed);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + fed));
      z.avail_in = static_cast<uInt>(n);
      fed += n;
    }
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_NO_FLUSH);
    if (!tally.take(std::string_view(out.data(), out.size() - z.avail_out))) return EntryError::too_long;
    if (rc == Z_STREAM_END) return EntryError::none;
    if (rc == Z_BUF_ERROR && z.avail_in == 0 && fed == data.size()) return EntryError::too_short;
    if (rc != Z_OK && rc != Z_BUF_ERROR) return EntryError::corrupt;
  }
}

std::uint32_t le32(std::string_view zip, std::uint64_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(zip[at + static_cast<std::uint64_t>(i)]);
  return v;
}

// The data descriptor's CRC-32 (its signature is optional); none when it
// does not fit in the zip.
std::optional<std::uint32_t> descriptor_crc(std::string_view zip, const ZipDirEntry& entry) {
  std::uint64_t at = entry.data_offset + entry.compressed;
  if (at + 4 > zip.size()) return std::nullopt;
  if (le32(zip, at) == k_descriptor_signature) at += 4;
  if (at + 4 > zip.size()) return std::nullopt;
  return le32(zip, at);
}

// What the end of the entry says, once all its bytes were read.
EntryError check_end(std::string_view zip, const ZipDirEntry& entry, const Tally& tally) {
  if (tally.bytes != entry.size) return EntryError::too_short;
  if (entry.flags & k_flag_descriptor) {
    const auto crc = descriptor_crc(zip, entry);
    if (!crc) return EntryError::too_short;
    if (*crc != entry.crc32 || tally.crc != entry.crc32) return EntryError::checksum;
    return EntryError::none;
  }
  return entry.crc32 != 0 && tally.crc != entry.crc32 ? EntryError::checksum : EntryError::none;
}

}  // namespace

const char* describe(EntryError error) {
  switch (error) {
    case EntryError::none: return "";
    case EntryError::unsupported_method: return "zip: unsupported compression algorithm";
    case EntryError::corrupt: return "flate: corrupt input";
    case EntryError::too_long: return "zip: not a valid zip file";
    case EntryError::too_short: return "unexpected EOF";
    case EntryError::checksum: return "zip: checksum error";
  }
  return "zip: unknown error";
}

EntryError read_entry_data(std::string_view zip, const ZipDirEntry& entry,
                           const std::function<void(std::string_view)>& sink) {
  Tally tally{entry, sink};
  const std::string_view data = stored_bytes(zip, entry);
  EntryError error = EntryError::unsupported_method;
  if (entry.method == 0) error = read_stored(data, tally);
  else if (entry.method == 8) error = read_deflated(data, tally);
  return error != EntryError::none ? error : check_end(zip, entry, tally);
}

}  // namespace sim
