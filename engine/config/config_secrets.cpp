// Secrets are read once, at load time, and kept only in memory. Errors
// name the variable or the file, never what they hold.

#include <cstdlib>

#include "engine/config/config_sections.hpp"

namespace passage::config_detail {

std::optional<Secret> read_env_secret(Reader& reader, const Field& field) {
  std::string name;
  if (!reader.string_value(field, name, "must be the name of an environment variable")) {
    return std::nullopt;
  }
  if (name.empty()) {
    reader.error(field, "must be the name of an environment variable");
    return std::nullopt;
  }
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    reader.error(field, "environment variable " + name + " is not set");
    return std::nullopt;
  }
  if (*value == '\0') {
    reader.error(field, "environment variable " + name + " is empty");
    return std::nullopt;
  }
  return Secret{value};
}

std::optional<Secret> read_file_secret(Reader& reader, const Field& field) {
  std::string written;
  if (!reader.string_value(field, written, "must be a path")) return std::nullopt;
  if (written.empty()) {
    reader.error(field, "must be a path");
    return std::nullopt;
  }
  const auto path = reader.resolve(written);
  std::string why;
  auto value = read_file_text(path, why);
  if (!value) {
    reader.error(field, "cannot read " + path.string() + " (" + why + ")");
    return std::nullopt;
  }
  // Editors add a final newline; it is never part of the passphrase.
  while (!value->empty() && (value->back() == '\n' || value->back() == '\r')) value->pop_back();
  if (value->empty()) {
    reader.error(field, path.string() + " is empty");
    return std::nullopt;
  }
  return Secret{std::move(*value)};
}

}  // namespace passage::config_detail
