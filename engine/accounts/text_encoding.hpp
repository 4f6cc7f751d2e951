#pragma once
// Telling UTF-8 from what spreadsheets save instead. French Excel's plain
// "CSV" is Windows-1252: a byte that breaks UTF-8 is named with the
// character it most likely stands for, so that an admin sees "é", not 0xE9.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace passage {

// The offset of the first byte that does not start a well-formed UTF-8
// sequence (no overlong forms, no surrogates, nothing past U+10FFFF);
// nullopt when `text` is well-formed.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

// One character of UTF-8 text: its code point and byte length.
struct Utf8Char {
  char32_t code = 0;
  std::size_t length = 0;
};

// The character starting at `at` (< text.size()); a byte that starts no
// well-formed sequence reads as itself, length 1.
Utf8Char utf8_char_at(std::string_view text, std::size_t at);

// The spaces that are not ASCII: U+00A0 (French Excel's thousands and
// "«" spacing), U+2000-U+200B, U+202F, U+205F, U+3000, U+FEFF.
bool is_unicode_space(char32_t code);

// A character named for an error message: `'é' (U+00E9)`, or for the
// invisible ones `U+00A0 (non-breaking space)`.
std::string describe_character(char32_t code);

// `byte 0xE9, probably "é" in Windows-1252`, or `byte 0x81` for the five
// bytes Windows-1252 leaves undefined.
std::string describe_non_utf8_byte(unsigned char byte);

}  // namespace passage
