#pragma once
// Reads one entry's bytes as Go's archive/zip File.Open reader does:
// stored or deflated, never more than the directory's size, and at the end
// the CRC-32 (and the data descriptor's, when there is one) against the
// directory's. Bytes are handed out in pieces: an entry of any size is read
// in bounded memory.
#include "zip_read.hpp"

#include <functional>
#include <optional>
#include <string_view>

namespace sim {

enum class EntryError : std::uint8_t {
  none,
  unsupported_method,  // neither stored nor deflated
  corrupt,             // the deflate stream is not valid
  too_long,            // more bytes than the directory says
  too_short,           // the bytes end before the directory's size
  checksum,            // every byte read, but the CRC-32 differs
};

// Go's error text for it: "zip: checksum error", "unexpected EOF", ...
const char* describe(EntryError error);

// Gives the entry's uncompressed bytes to `sink`, in order; the bytes given
// before an error are those a reader got before it.
EntryError read_entry_data(std::string_view zip, const ZipDirEntry& entry,
                           const std::function<void(std::string_view)>& sink);

}  // namespace sim
