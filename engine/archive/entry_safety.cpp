#include "engine/archive/entry_safety.hpp"

#include <cctype>

namespace passage {

namespace {

constexpr std::size_t k_shown_max = 100;

bool is_separator(char c) { return c == '/' || c == '\\'; }

// A `..` segment between slashes, which no stack writes (cozy-stack
// refuses ".." as a name), or a path that, read as Windows extractors read
// it (the backslash a separator too), climbs above the archive's root.
// cozy-stack allows `\` in names (only `/`, NUL, CR and LF are refused:
// vfs.ForbiddenFilenameChars), so "Docs/..\notes" is a person's file
// whose Windows reading stays inside: refusing it would fail the account
// for good on a legal name.
bool climbs(std::string_view name) {
  std::size_t start = 0;
  int depth = 0;
  for (std::size_t at = 0; at <= name.size(); ++at) {
    if (at < name.size() && !is_separator(name[at])) continue;
    const std::string_view segment = name.substr(start, at - start);
    const bool slash_segment = (start == 0 || name[start - 1] == '/') && (at == name.size() || name[at] == '/');
    if (segment == ".." && slash_segment) return true;
    if (segment == "..") --depth;
    else if (!segment.empty() && segment != ".") ++depth;
    if (depth < 0) return true;
    start = at + 1;
  }
  return false;
}

bool is_absolute(std::string_view name) {
  if (!name.empty() && is_separator(name.front())) return true;
  // "C:..." is a drive on Windows.
  return name.size() >= 2 && std::isalpha(static_cast<unsigned char>(name[0])) && name[1] == ':';
}

}  // namespace

std::optional<std::string> entry_danger(std::string_view name, EntryType type) {
  if (name.empty()) return "an entry without a name";
  if (is_absolute(name)) return "an absolute path";
  if (climbs(name)) return "`..` in the path";
  switch (type) {
    case EntryType::regular:
    case EntryType::directory:
      return std::nullopt;
    case EntryType::symlink:
      return "a symbolic link";
    case EntryType::hardlink:
      return "a hard link";
    case EntryType::other:
      break;
  }
  return "neither a file nor a directory";
}

std::string printable_entry_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 || byte == 0x7f) ? '?' : c;
  }
  if (out.size() <= k_shown_max) return out;
  std::size_t cut = k_shown_max;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "...";
}

}  // namespace passage
