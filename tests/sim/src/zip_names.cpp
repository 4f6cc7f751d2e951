#include "zip_names.hpp"

#include <cstdint>

namespace sim {
namespace {

constexpr std::uint16_t k_utf8_flag = 0x800;
constexpr std::string_view k_local_signature{"PK\x03\x04", 4};
constexpr std::string_view k_central_signature{"PK\x01\x02", 4};

unsigned byte_at(std::string_view s, std::size_t at) { return static_cast<unsigned char>(s[at]); }

bool continuation(std::string_view s, std::size_t at, unsigned low = 0x80, unsigned high = 0xbf) {
  return at < s.size() && byte_at(s, at) >= low && byte_at(s, at) <= high;
}

// Bytes of the well-formed UTF-8 sequence at `at` (Go's DecodeRune
// accepts no overlong form, no surrogate, nothing above U+10FFFF); 0 when
// it is not one.
std::size_t sequence_length(std::string_view s, std::size_t at) {
  const unsigned lead = byte_at(s, at);
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return continuation(s, at + 1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const unsigned low = lead == 0xe0 ? 0xa0 : 0x80, high = lead == 0xed ? 0x9f : 0xbf;
    return continuation(s, at + 1, low, high) && continuation(s, at + 2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const unsigned low = lead == 0xf0 ? 0x90 : 0x80, high = lead == 0xf4 ? 0x8f : 0xbf;
    return continuation(s, at + 1, low, high) && continuation(s, at + 2) && continuation(s, at + 3) ? 4 : 0;
  }
  return 0;
}

std::uint16_t le16(const std::string& zip, std::size_t at) {
  return static_cast<std::uint16_t>(byte_at(zip, at) | byte_at(zip, at + 1) << 8);
}

// The flags field at `flags_at` set as Go would for `name`.
void set_flag(std::string& zip, std::size_t flags_at, std::string_view name) {
  std::uint16_t flags = le16(zip, flags_at);
  flags = static_cast<std::uint16_t>(go_sets_utf8_flag(name) ? flags | k_utf8_flag : flags & ~k_utf8_flag);
  zip[flags_at] = static_cast<char>(flags & 0xff);
  zip[flags_at + 1] = static_cast<char>(flags >> 8);
}

}  // namespace

bool go_sets_utf8_flag(std::string_view name) {
  bool required = false;
  for (std::size_t at = 0; at < name.size();) {
    const std::size_t length = sequence_length(name, at);
    if (length == 0) return false;  // not UTF-8: Go leaves the flag clear
    const unsigned first = byte_at(name, at);
    if (length > 1 || first < 0x20 || first > 0x7d || first == '\\') required = true;
    at += length;
  }
  return required;
}

void flag_utf8_local_header(std::string& zip, std::size_t at) {
  if (at + 30 > zip.size() || zip.compare(at, 4, k_local_signature) != 0) return;
  const std::size_t name_length = le16(zip, at + 26);
  if (at + 30 + name_length > zip.size()) return;
  set_flag(zip, at + 6, std::string_view(zip).substr(at + 30, name_length));
}

void flag_utf8_central_directory(std::string& zip, std::size_t at) {
  while (at + 46 <= zip.size() && zip.compare(at, 4, k_central_signature) == 0) {
    const std::size_t name_length = le16(zip, at + 28);
    const std::size_t record = 46 + name_length + le16(zip, at + 30) + le16(zip, at + 32);
    if (at + record > zip.size()) return;
    set_flag(zip, at + 8, std::string_view(zip).substr(at + 46, name_length));
    at += record;
  }
}

}  // namespace sim
