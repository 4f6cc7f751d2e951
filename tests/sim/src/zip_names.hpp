#pragma once
// Entry names flagged as cozy-stack's parts flag them. ExportCopyData
// creates every entry with Go's archive/zip `Writer.CreateHeader`, which
// sets general-purpose bit 11 ("the name is UTF-8") when the name is valid
// UTF-8 and needs it (detectUTF8), and never otherwise. libarchive decides
// from the process's locale instead (never in the C locale), so the
// simulator sets the bit itself in the headers libarchive wrote.
#include <cstddef>
#include <string>
#include <string_view>

namespace sim {

// Go's rule: the name is valid UTF-8 and holds a rune below 0x20, above
// 0x7d (`~` included: EUC-KR and Shift-JIS replace it), or a backslash.
bool go_sets_utf8_flag(std::string_view name);

// Sets or clears bit 11 of the local file header at `at` in `zip`, by the
// name it holds. Nothing happens when no local header starts there.
void flag_utf8_local_header(std::string& zip, std::size_t at);

// The same for every central directory record from `at` on (they follow
// each other up to the end records).
void flag_utf8_central_directory(std::string& zip, std::size_t at);

}  // namespace sim
