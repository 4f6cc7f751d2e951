#pragma once
// Who may log in to the desk (CONTRACT.md "Desk login"): either one shared
// token (the agent types any valid name) or serve.agents_file, lines
// `name sha256-hex-of-token` (the name must be listed and the token its
// own). Pure but for reading the file.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace passage {

struct DeskCredentials {
  std::optional<std::string> shared_token;
  std::map<std::string, std::string, std::less<>> agent_hashes;  // name → sha256 hex of the token
  // The agents file they were read from: read again at each login, so that
  // `serve add-agent` and a removed line apply without a restart.
  std::optional<std::filesystem::path> agents_file;
};

// Parses an agents file's text; throws std::runtime_error naming
// "FILE:LINE: problem" for a bad line, or when no agent is listed. Blank
// lines and lines starting with # are skipped.
DeskCredentials agents_from_text(std::string_view text, const std::string& file);
DeskCredentials read_agents_file(const std::filesystem::path& file);

// `passage serve add-agent NAME`: appends `NAME sha256-of-token` to `file`
// (made 0640 whatever the umask) and returns the new token, to be shown once.
// Throws std::runtime_error when NAME is not a valid name, is already
// listed, or the file cannot be read or written.
std::string add_agent(const std::filesystem::path& file, const std::string& name);

// True when `name` may log in with `token` (constant time in the token).
bool credentials_accept(const DeskCredentials& credentials, std::string_view name, std::string_view token);

}  // namespace passage
