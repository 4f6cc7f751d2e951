#include "content.hpp"

#include "auth.hpp"
#include "hash.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace sim {
namespace {

constexpr std::size_t k_md5_piece = 256 * 1024;

}  // namespace

Md5::Md5() : m_ctx(EVP_MD_CTX_new()) { EVP_DigestInit_ex(m_ctx, EVP_md5(), nullptr); }

Md5::~Md5() { EVP_MD_CTX_free(m_ctx); }

void Md5::update(std::string_view bytes) { EVP_DigestUpdate(m_ctx, bytes.data(), bytes.size()); }

std::string Md5::base64() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(m_ctx, digest, &length);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

void fill_content(std::string& buf, std::uint64_t seed, std::int64_t offset, std::size_t n) {
  buf.resize(n);
  // Byte `at` is byte (at % 8) of mix64(seed + at / 8 * 8): any slice can be
  // regenerated on its own, whatever the piece boundaries.
  auto at = static_cast<std::uint64_t>(offset);
  std::uint64_t v = mix64(seed + (at & ~std::uint64_t{7})) >> (8 * (at & 7));
  for (std::size_t i = 0; i < n; ++i, ++at) {
    if (i > 0 && (at & 7) == 0) v = mix64(seed + at);
    buf[i] = static_cast<char>('a' + (v & 0xff) % 26);
    v >>= 8;
  }
}

std::string content_md5_base64(std::uint64_t seed, std::int64_t size) {
  Md5 md5;
  std::string piece;
  for (std::int64_t at = 0; at < size; at += static_cast<std::int64_t>(k_md5_piece)) {
    const auto n = static_cast<std::size_t>(std::min<std::int64_t>(size - at, k_md5_piece));
    fill_content(piece, seed, at, n);
    md5.update(piece);
  }
  return md5.base64();
}

std::string md5_base64(std::string_view bytes) {
  Md5 md5;
  md5.update(bytes);
  return md5.base64();
}

}  // namespace sim
