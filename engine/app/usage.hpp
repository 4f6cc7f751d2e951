#pragma once
// `--help` texts, one per command.

#include <string>

namespace passage {

// The help of `command`, or the general help when empty or unknown.
std::string usage_text(const std::string& command);

}  // namespace passage
