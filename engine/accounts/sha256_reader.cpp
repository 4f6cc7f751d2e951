#include "engine/accounts/sha256_reader.hpp"

namespace passage {

// Bulk reads (std::istream::read, which CsvStream uses) come here: the
// bytes are hashed as they pass, with no copy.
std::streamsize Sha256Reader::xsgetn(char* out, std::streamsize count) {
  std::streamsize taken = 0;
  if (gptr() < egptr() && count > 0) {  // the byte underflow() showed comes first
    *out++ = *gptr();
    gbump(1);
    --count;
    taken = 1;
  }
  const std::streamsize got = m_source.sgetn(out, count);
  if (got <= 0) return taken;
  m_sha256.update(out, static_cast<std::size_t>(got));
  return taken + got;
}

// Byte-wise reads (peek, get): one byte at a time, hashed when taken from
// the source.
Sha256Reader::int_type Sha256Reader::underflow() {
  const int_type next = m_source.sbumpc();
  if (traits_type::eq_int_type(next, traits_type::eof())) return traits_type::eof();
  m_byte = traits_type::to_char_type(next);
  m_sha256.update(&m_byte, 1);
  setg(&m_byte, &m_byte, &m_byte + 1);
  return next;
}

}  // namespace passage
