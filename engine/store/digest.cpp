#include "engine/store/digest.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace passage {

namespace {

[[noreturn]] void fail(const char* what) {
  throw std::runtime_error(std::string("digest: ") + what + " failed");
}

std::string to_hex(std::string_view bytes) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    hex.push_back(k_digits[byte >> 4]);
    hex.push_back(k_digits[byte & 0x0f]);
  }
  return hex;
}

const EVP_MD* algorithm(DigestKind kind) { return kind == DigestKind::md5 ? EVP_md5() : EVP_sha256(); }

}  // namespace

void Digest::Free::operator()(evp_md_ctx_st* context) const { EVP_MD_CTX_free(context); }

Digest::Digest(DigestKind kind) : m_context(EVP_MD_CTX_new()) {
  if (!m_context) fail("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex(m_context.get(), algorithm(kind), nullptr) != 1) fail("EVP_DigestInit_ex");
}

Digest::~Digest() = default;
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

void Digest::update(const void* data, std::size_t size) {
  if (!m_context) fail("update after the final digest");
  if (EVP_DigestUpdate(m_context.get(), data, size) != 1) fail("EVP_DigestUpdate");
}

std::string Digest::raw_final() {
  if (!m_context) fail("final digest twice");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(m_context.get(), digest, &size) != 1) fail("EVP_DigestFinal_ex");
  m_context.reset();
  return std::string(reinterpret_cast<const char*>(digest), size);
}

std::string Digest::hex_final() { return to_hex(raw_final()); }

std::string Digest::base64_final() {
  const std::string raw = raw_final();
  std::string text(4 * ((raw.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                      reinterpret_cast<const unsigned char*>(raw.data()),
                                      static_cast<int>(raw.size()));
  text.resize(static_cast<std::size_t>(written));
  return text;
}

namespace {

// SHA-256 fetched once: EVP_DigestInit_ex with EVP_sha256() looks the
// algorithm up again at every call (OpenSSL 3).
const EVP_MD* fetched_sha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (!md) fail("EVP_MD_fetch SHA256");
  return md;
}

struct FreeContext {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

}  // namespace

// Run for every journal entry (a 1,000,000-account import writes as many):
// one context a thread, reused, and the algorithm fetched once.
std::string sha256_hex(std::string_view data) {
  thread_local std::unique_ptr<EVP_MD_CTX, FreeContext> context(EVP_MD_CTX_new());
  if (!context) fail("EVP_MD_CTX_new");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestInit_ex2(context.get(), fetched_sha256(), nullptr) != 1) fail("EVP_DigestInit_ex2");
  if (EVP_DigestUpdate(context.get(), data.data(), data.size()) != 1) fail("EVP_DigestUpdate");
  if (EVP_DigestFinal_ex(context.get(), digest, &size) != 1) fail("EVP_DigestFinal_ex");
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), size));
}

}  // namespace passage
