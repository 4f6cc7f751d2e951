// Fuzz target: the config loader (engine/config), YAML text as an admin
// may write it. Whatever the bytes: no crash, leak or exception; either a
// config or at least one error, each naming the file.

#include <string>

#include "engine/config/config_text.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace passage::fuzz {

void config(std::string_view input) {
  const ConfigResult result = parse_config_text("/fuzz/passage.yaml", std::string(input));
  require(result.config.has_value() == result.errors.empty(), "a config or errors, not both");
  for (const std::string& error : result.errors)
    require(error.rfind("/fuzz/passage.yaml", 0) == 0, "every error names the file");
}

}  // namespace passage::fuzz

PASSAGE_FUZZ_ENTRY(passage::fuzz::config)
