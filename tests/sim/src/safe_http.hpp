#pragma once
// What cozy-stack's pkg/safehttp lets an import fetch: it checks every
// address it dials (after name resolution), not the URL's text.
#include <cstdint>
#include <string>
#include <string_view>

namespace sim {

// Whether a fetch may dial `ip` (an IPv4 or IPv6 address, no brackets) on
// `port`. Unspecified and link-local addresses are never dialed. Loopback
// and private addresses (10/8, 172.16/12, 192.168/16, fc00::/7) are refused
// unless `trust_private_networks` (then any port is fine, as the stack's
// `safe_http.trusted_private_networks`); any other address needs port 80 or
// 443. On refusal `why` says so, in the stack's words.
bool safe_to_dial(std::string_view ip, std::uint16_t port, bool trust_private_networks, std::string& why);

// The schemes an import URL may have: http and https.
bool fetchable_scheme(std::string_view scheme);

}  // namespace sim
