#include "engine/serve/desk_agents.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/serve/desk_session.hpp"
#include "engine/store/sha256.hpp"

namespace passage {

namespace {

bool is_sha256_hex(std::string_view text) {
  return text.size() == 64 &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

DeskCredentials agents_from_text(std::string_view text, const std::string& file) {
  DeskCredentials credentials;
  std::istringstream in{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream words(line);
    std::string name, hash, extra;
    words >> name >> hash >> extra;
    if (name.empty() || name[0] == '#') continue;
    const std::string where = file + ":" + std::to_string(number) + ": ";
    if (!valid_agent_name(name)) throw std::runtime_error(where + "'" + name + "' is not an agent name");
    std::transform(hash.begin(), hash.end(), hash.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
    if (!is_sha256_hex(hash) || !extra.empty())
      throw std::runtime_error(where + "expected `name sha256-hex-of-token`");
    if (!credentials.agent_hashes.emplace(name, hash).second)
      throw std::runtime_error(where + "agent '" + name + "' is listed twice");
  }
  if (credentials.agent_hashes.empty()) throw std::runtime_error(file + " lists no agent");
  return credentials;
}

DeskCredentials read_agents_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("serve.agents_file: cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return agents_from_text(text.str(), file.string());
}

bool credentials_accept(const DeskCredentials& credentials, std::string_view name, std::string_view token) {
  if (!valid_agent_name(name)) return false;
  if (credentials.shared_token) return same_secret(token, *credentials.shared_token);
  const std::string given = sha256_hex(token);
  auto found = credentials.agent_hashes.find(name);
  // An unknown name costs the same comparison as a known one.
  const std::string expected = found == credentials.agent_hashes.end() ? std::string(64, 'x') : found->second;
  const bool same = CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
  return same && found != credentials.agent_hashes.end();
}

}  // namespace passage
