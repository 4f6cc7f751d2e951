#include "engine/store/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace passage {

namespace {

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(std::string("sha256: ") + what + " failed");
}

std::string to_hex(const unsigned char* bytes, unsigned int size) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(k_digits[bytes[i] >> 4]);
    hex.push_back(k_digits[bytes[i] & 0x0f]);
  }
  return hex;
}

}  // namespace

void Sha256::Free::operator()(evp_md_ctx_st* context) const { EVP_MD_CTX_free(context); }

Sha256::Sha256() : m_context(EVP_MD_CTX_new()) {
  if (!m_context) fail("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex(m_context.get(), EVP_sha256(), nullptr) != 1) fail("EVP_DigestInit_ex");
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, std::size_t size) {
  if (!m_context) fail("update after hex_final");
  if (EVP_DigestUpdate(m_context.get(), data, size) != 1) fail("EVP_DigestUpdate");
}

std::string Sha256::hex_final() {
  if (!m_context) fail("hex_final twice");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(m_context.get(), digest, &size) != 1) fail("EVP_DigestFinal_ex");
  m_context.reset();
  return to_hex(digest, size);
}

std::string sha256_hex(std::string_view data) {
  Sha256 hash;
  hash.update(data);
  return hash.hex_final();
}

}  // namespace passage
