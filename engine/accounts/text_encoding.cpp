#include "engine/accounts/text_encoding.hpp"

#include <array>
#include <cstdio>

namespace passage {
namespace {

// The well-formed UTF-8 sequence at `at`; length 0 if there is none.
Utf8Char decode_at(std::string_view text, std::size_t at) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[at + k]); };
  unsigned lead = byte(0);
  if (lead < 0x80) return {lead, 1};
  std::size_t length = 0;
  char32_t code = 0, lowest = 0;
  if ((lead & 0xE0) == 0xC0)
    length = 2, code = lead & 0x1F, lowest = 0x80;
  else if ((lead & 0xF0) == 0xE0)
    length = 3, code = lead & 0x0F, lowest = 0x800;
  else if ((lead & 0xF8) == 0xF0)
    length = 4, code = lead & 0x07, lowest = 0x10000;
  else
    return {0, 0};
  if (at + length > text.size()) return {0, 0};
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return {0, 0};
    code = (code << 6) | (byte(k) & 0x3F);
  }
  bool surrogate = code >= 0xD800 && code <= 0xDFFF;
  if (code < lowest || code > 0x10FFFF || surrogate) return {0, 0};
  return {code, length};
}

std::size_t sequence_length(std::string_view text, std::size_t at) { return decode_at(text, at).length; }

// Windows-1252 differs from Latin-1 only in 0x80-0x9F; 0 marks the bytes
// it leaves undefined.
constexpr std::array<char16_t, 32> k_windows_1252_high{
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

char32_t windows_1252_code_point(unsigned char byte) {
  if (byte >= 0x80 && byte < 0xA0) return k_windows_1252_high[byte - 0x80];
  return byte;
}

// A code point as UTF-8.
std::string to_utf8(char32_t code) {
  auto unit = [](char32_t bits) { return static_cast<char>(bits); };
  if (code < 0x80) return std::string(1, unit(code));
  if (code < 0x800) return {unit(0xC0 | (code >> 6)), unit(0x80 | (code & 0x3F))};
  if (code < 0x10000)
    return {unit(0xE0 | (code >> 12)), unit(0x80 | ((code >> 6) & 0x3F)), unit(0x80 | (code & 0x3F))};
  return {unit(0xF0 | (code >> 18)), unit(0x80 | ((code >> 12) & 0x3F)), unit(0x80 | ((code >> 6) & 0x3F)),
          unit(0x80 | (code & 0x3F))};
}

// The names an admin needs for the invisible characters spreadsheets add.
const char* invisible_name(char32_t code) {
  switch (code) {
    case 0x00A0: return "non-breaking space";
    case 0x202F: return "narrow non-breaking space";
    case 0x2007: return "figure space";
    case 0x2009: return "thin space";
    case 0x200B: return "zero-width space";
    case 0xFEFF: return "zero-width no-break space";
    case 0x0009: return "tab";
    default: return nullptr;
  }
}

}  // namespace

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    std::size_t length = sequence_length(text, at);
    if (length == 0) return at;
    at += length;
  }
  return std::nullopt;
}

Utf8Char utf8_char_at(std::string_view text, std::size_t at) {
  Utf8Char one = decode_at(text, at);
  if (one.length == 0) return {static_cast<unsigned char>(text[at]), 1};
  return one;
}

bool is_unicode_space(char32_t code) {
  return code == 0x00A0 || (code >= 0x2000 && code <= 0x200B) || code == 0x202F || code == 0x205F ||
         code == 0x3000 || code == 0xFEFF;
}

std::string describe_character(char32_t code) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(code));
  if (const char* name = invisible_name(code)) return std::string(hex) + " (" + name + ")";
  if (code < 0x20 || code == 0x7F || (code >= 0x80 && code < 0xA0) || is_unicode_space(code)) return hex;
  return "'" + to_utf8(code) + "' (" + hex + ")";
}

std::string describe_non_utf8_byte(unsigned char byte) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(byte));
  std::string text = std::string("byte ") + hex;
  char32_t code = windows_1252_code_point(byte);
  if (code == 0) return text;
  return text + ", probably \"" + to_utf8(code) + "\" in Windows-1252";
}

}  // namespace passage
