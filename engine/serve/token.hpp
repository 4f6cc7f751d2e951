#pragma once
// Tokens of personal download links (CONTRACT.md "Two servers"): random
// from OpenSSL's CSPRNG, URL-safe, kept only as their SHA-256.

#include <cstddef>
#include <string>
#include <string_view>

namespace passage {

// `bytes` random bytes (at least 16: 128 bits) from RAND_bytes, in
// unpadded base64url (letters, digits, '-' and '_'). Throws
// std::runtime_error when the generator fails.
std::string random_token(std::size_t bytes = 32);

// What is stored of a token: its SHA-256, lowercase hex.
std::string token_hash(std::string_view token);

// True when `text` could be a token: 22 to 128 base64url characters.
bool looks_like_token(std::string_view text);

}  // namespace passage
