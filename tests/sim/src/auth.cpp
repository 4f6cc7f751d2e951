#include "auth.hpp"

#include <cctype>

namespace sim {
namespace {

constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int value_of(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

}  // namespace

std::string base64_decode(std::string_view in, bool& ok) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  ok = true;
  for (char c : in) {
    if (c == '=') break;
    const int v = value_of(c);
    if (v < 0) return ok = false, std::string();
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

std::string base64_encode(std::string_view in) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += k_alphabet[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += k_alphabet[(buffer << (6 - bits)) & 0x3f];
  while (out.size() % 4) out += '=';
  return out;
}

int AdminAuth::check(std::string_view authorization) {
  if (authorization.empty()) return 401;
  if (!m_last_good.empty() && authorization == m_last_good) return 0;
  if (!iequals_prefix(authorization, "basic ")) return 403;
  bool ok = false;
  const std::string decoded = base64_decode(authorization.substr(6), ok);
  const auto colon = decoded.find(':');
  if (!ok || colon == std::string::npos || decoded.substr(colon + 1) != m_passphrase) return 403;
  m_last_good = std::string(authorization);
  return 0;
}

}  // namespace sim
