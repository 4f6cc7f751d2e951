#pragma once
// A stream buffer that hands on what another one reads and keeps the
// SHA-256 of it: the import reads its accounts file twice and must know
// that the second reading saw the very bytes the first one checked.

#include <streambuf>
#include <string>

#include "engine/store/digest.hpp"

namespace passage {

class Sha256Reader : public std::streambuf {
 public:
  explicit Sha256Reader(std::streambuf& source) : m_source(source) {}
  // The SHA-256 (lowercase hex) of every byte read through this buffer;
  // once, at the end.
  std::string hex_final() { return m_sha256.hex_final(); }

 protected:
  std::streamsize xsgetn(char* out, std::streamsize count) override;
  int_type underflow() override;

 private:
  std::streambuf& m_source;
  Sha256 m_sha256;
  char m_byte = 0;  // underflow()'s one-byte window
};

}  // namespace passage
