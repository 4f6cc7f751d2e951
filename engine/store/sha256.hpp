#pragma once
// SHA-256 over OpenSSL's EVP interface, as lowercase hex. Used for the
// journal's hash chain and for archive evidence (streamed parts).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace passage {

// The SHA-256 of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

// Incremental SHA-256: update() any number of times, then hex_final() once.
// Throws std::runtime_error if OpenSSL fails (out of memory), or if used
// after hex_final().
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // The digest of everything passed to update(), as lowercase hex.
  std::string hex_final();

 private:
  struct Free {
    void operator()(evp_md_ctx_st* context) const;
  };
  std::unique_ptr<evp_md_ctx_st, Free> m_context;
};

}  // namespace passage
