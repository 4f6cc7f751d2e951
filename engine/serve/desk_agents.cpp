#include "engine/serve/desk_agents.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/env/file_modes.hpp"
#include "engine/serve/desk_session.hpp"
#include "engine/serve/token.hpp"
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
  DeskCredentials credentials = agents_from_text(text.str(), file.string());
  credentials.agents_file = file;
  return credentials;
}

std::string add_agent(const std::filesystem::path& file, const std::string& name) {
  if (!valid_agent_name(name))
    throw std::runtime_error("'" + name + "' is not an agent name (1 to 64 letters, digits, '.', '_' or '-')");
  std::error_code error;
  if (std::filesystem::exists(file, error)) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    // An empty file lists no agent yet: only its lines are checked.
    if (text.str().find_first_not_of(" \t\r\n") != std::string::npos &&
        agents_from_text(text.str(), file.string()).agent_hashes.contains(name))
      throw std::runtime_error("agent '" + name + "' is already listed in " + file.string() +
                               ": remove its line first to give them a new token");
  }
  const std::string token = random_token(32);
  const std::string line = name + " " + sha256_hex(token) + "\n";
  // 0640 whatever the umask (it holds hashes, never a token).
  if (!prepare_file(file, k_shared_file_mode)) throw std::runtime_error("cannot create " + file.string());
  const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot write " + file.string());
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) throw std::runtime_error("cannot write " + file.string());
  return token;
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
