#pragma once
// HTTP Basic auth of the admin API: the user name is ignored, the password
// is the admin passphrase. No header → 401; anything else wrong → 403.
#include <string>
#include <string_view>

namespace sim {

class AdminAuth {
public:
  explicit AdminAuth(std::string passphrase) : m_passphrase(std::move(passphrase)) {}
  // 0 when accepted, else the status to answer (401 or 403).
  int check(std::string_view authorization);

private:
  std::string m_passphrase;
  std::string m_last_good;  // the same header again is accepted without decoding
};

// Standard base64; empty result on bad input.
std::string base64_decode(std::string_view in, bool& ok);
std::string base64_encode(std::string_view in);

}  // namespace sim
