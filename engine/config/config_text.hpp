#pragma once
// load_config() without the file read (config.hpp): for callers that hold
// the text already, and the config fuzz target (tests/fuzz/config.cpp).

#include <filesystem>
#include <string>

#include "engine/config/config.hpp"

namespace passage {

// Validates `text` as the content of `file`, exactly as load_config() does
// (every error "FILE:LINE: message"); nothing is read from disk, relative
// paths still resolve against the file's folder.
ConfigResult parse_config_text(const std::filesystem::path& file, const std::string& text);

}  // namespace passage
