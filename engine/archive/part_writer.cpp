// PartWriter: a part streamed to disk with its SHA-256 kept up to date, so
// the evidence is ready the moment the last chunk lands.

#include <cerrno>
#include <cstring>

#include "engine/archive/zip_check.hpp"
#include "engine/env/faults.hpp"
#include "engine/env/file_modes.hpp"

namespace passage {

PartWriter::PartWriter(std::filesystem::path file) : m_file(std::move(file)) {
  // Archived parts are readable by an admin group, whatever the umask.
  m_ok = prepare_file(m_file, k_shared_file_mode);
  if (!m_ok) m_error = errno;
  if (m_ok) m_out.open(m_file, std::ios::binary | std::ios::trunc);
  if (m_ok && !m_out.is_open()) m_error = errno;
  m_ok = m_ok && m_out.is_open();
  m_injected_error = faults::disk_error(faults::Site::part_file);
}

bool PartWriter::write(std::string_view chunk) {
  if (!m_ok || m_finished) return false;
  if (m_injected_error) {
    m_error = m_injected_error;
    m_ok = false;
    return false;
  }
  m_out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  if (!m_out) {
    m_error = errno;
    m_ok = false;
    return false;
  }
  m_hash.update(chunk);
  m_bytes += static_cast<std::int64_t>(chunk.size());
  return true;
}

PartWriter::Written PartWriter::finish() {
  Written written;
  if (m_finished) return written;  // the hash is spent
  m_finished = true;
  if (m_out.is_open()) {
    m_out.flush();
    if (!m_out && m_ok) m_error = errno;
    if (!m_out) m_ok = false;
    m_out.close();
    if (m_out.fail() && m_ok) m_error = errno;
    if (m_out.fail()) m_ok = false;
  }
  written.ok = m_ok;
  written.bytes = m_bytes;
  written.sha256 = m_hash.hex_final();
  return written;
}

std::string PartWriter::problem() const {
  return "cannot write " + m_file.string() + (m_error ? std::string(": ") + std::strerror(m_error) : "");
}

}  // namespace passage
