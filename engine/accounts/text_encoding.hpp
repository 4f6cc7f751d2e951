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

// `byte 0xE9, probably "é" in Windows-1252`, or `byte 0x81` for the five
// bytes Windows-1252 leaves undefined.
std::string describe_non_utf8_byte(unsigned char byte);

}  // namespace passage
