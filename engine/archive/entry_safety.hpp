#pragma once
// Entry names and types a part must not hold (issue 12, "Hostile stack
// answers"). Passage verifies parts and never extracts them, so no entry
// name ever becomes a path on its disk; but a verified part is handed to a
// person (archive delivery) or to a target stack (admin move), whose
// extractor would follow `../`, an absolute path or a symlink. Such a part
// is refused as evidence, as is one that expands beyond what the space can
// hold (a zip bomb).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace passage {

// Reason codes (engine/support/reasons.cpp explains them).
inline constexpr std::string_view k_zip_unsafe_entry = "zip_unsafe_entry";
inline constexpr std::string_view k_zip_bomb = "zip_bomb";

enum class EntryType { regular, directory, symlink, hardlink, other };

// Why `name` of that type is unsafe to extract ("absolute path", "`..` in
// the path", "a symlink", ...); nullopt when it is an ordinary file or
// directory below the archive's root.
std::optional<std::string> entry_danger(std::string_view name, EntryType type);

// `name` fit for a reason or a log: control characters replaced by '?',
// at most 100 bytes (cut on a UTF-8 character boundary).
std::string printable_entry_name(std::string_view name);

}  // namespace passage
