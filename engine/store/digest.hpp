#pragma once
// Message digests over OpenSSL's EVP interface: SHA-256 for the journal's
// hash chain and the parts' evidence, MD5 to check a file's content against
// the `md5sum` cozy-stack writes in its metadata.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace passage {

enum class DigestKind { sha256, md5 };

// Incremental digest: update() any number of times, then one *_final().
// Throws std::runtime_error if OpenSSL fails (out of memory), or if used
// after a *_final().
class Digest {
 public:
  explicit Digest(DigestKind kind);
  ~Digest();
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // The digest of everything passed to update().
  std::string hex_final();     // lowercase hex
  std::string base64_final();  // standard base64 with padding

 private:
  std::string raw_final();
  struct Free {
    void operator()(evp_md_ctx_st* context) const;
  };
  std::unique_ptr<evp_md_ctx_st, Free> m_context;
};

class Sha256 : public Digest {
 public:
  Sha256() : Digest(DigestKind::sha256) {}
};

class Md5 : public Digest {
 public:
  Md5() : Digest(DigestKind::md5) {}
};

// The SHA-256 of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

}  // namespace passage
