// libFuzzer target: the config loader (engine/config), YAML text as an
// admin may write it. Whatever the bytes: no crash, no leak, no exception
// out of parse_config_text; either a config or at least one error, each
// naming the file.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const passage::ConfigResult result = passage::parse_config_text("/fuzz/passage.yaml", text);
  if (result.config.has_value() != result.errors.empty()) std::abort();
  for (const std::string& error : result.errors)
    if (error.rfind("/fuzz/passage.yaml", 0) != 0) std::abort();
  return 0;
}
