// Secrets are named by the config and read only by the commands that need
// them (CONTRACT.md "Secrets by command"), then kept only in memory. Errors
// name the variable or the file, never what they hold.

#include <cstdlib>

#include "engine/config/config_sections.hpp"

namespace passage {

namespace config_detail {

std::optional<SecretSource> env_secret_source(Reader& reader, const Field& field) {
  std::string name;
  if (!reader.string_value(field, name, "must be the name of an environment variable")) return std::nullopt;
  if (name.empty()) {
    reader.error(field, "must be the name of an environment variable");
    return std::nullopt;
  }
  return SecretSource{name, {}, reader.where(field)};
}

std::optional<SecretSource> file_secret_source(Reader& reader, const Field& field) {
  std::string written;
  if (!reader.string_value(field, written, "must be a path")) return std::nullopt;
  if (written.empty()) {
    reader.error(field, "must be a path");
    return std::nullopt;
  }
  return SecretSource{{}, reader.resolve(written), reader.where(field)};
}

}  // namespace config_detail

namespace {

std::optional<Secret> read_env(const SecretSource& source, std::vector<std::string>& errors) {
  const char* value = std::getenv(source.env.c_str());
  if (value == nullptr || *value == '\0') {
    errors.push_back(source.field + ": environment variable " + source.env +
                     (value == nullptr ? " is not set" : " is empty"));
    return std::nullopt;
  }
  return Secret{value};
}

std::optional<Secret> read_file(const SecretSource& source, std::vector<std::string>& errors) {
  std::string why;
  auto value = config_detail::read_file_text(source.file, why);
  if (!value) {
    errors.push_back(source.field + ": cannot read " + source.file.string() + " (" + why + ")");
    return std::nullopt;
  }
  // Editors add a final newline; it is never part of the passphrase.
  while (!value->empty() && (value->back() == '\n' || value->back() == '\r')) value->pop_back();
  if (value->empty()) {
    errors.push_back(source.field + ": " + source.file.string() + " is empty");
    return std::nullopt;
  }
  return Secret{std::move(*value)};
}

void resolve(const SecretSource& source, Secret& into, std::vector<std::string>& errors) {
  if (!source.given()) return;
  auto secret = source.env.empty() ? read_file(source, errors) : read_env(source, errors);
  if (secret) into = std::move(*secret);
}

}  // namespace

std::vector<std::string> resolve_secrets(Config& config) {
  std::vector<std::string> errors;
  for (StackConfig& stack : config.stacks) resolve(stack.passphrase_source, stack.passphrase, errors);
  if (config.directory) resolve(config.directory->password_source, config.directory->password, errors);
  return errors;
}

}  // namespace passage
