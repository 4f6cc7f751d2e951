#pragma once
// The bytes of a simulated file: printable pseudo-random bytes, a pure
// function of (seed, offset), so a file of any size is regenerated piece by
// piece instead of stored, and its MD5 is computed the same way.
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace sim {

// Replaces `buf` with bytes [offset, offset + n) of the content `seed`.
void fill_content(std::string& buf, std::uint64_t seed, std::int64_t offset, std::size_t n);

// base64 of the 16-byte MD5 of the first `size` bytes of content `seed`
// (the `md5sum` of a cozy-stack file document). Generates the bytes in
// bounded pieces: memory stays small whatever the size.
std::string content_md5_base64(std::uint64_t seed, std::int64_t size);

// base64 of the 16-byte MD5 of `bytes`.
std::string md5_base64(std::string_view bytes);

// An MD5 fed piece by piece (a restored file's content as it is inflated).
class Md5 {
public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void update(std::string_view bytes);
  // base64 of the digest; the object is spent afterwards.
  std::string base64();

private:
  evp_md_ctx_st* m_ctx;
};

}  // namespace sim
