#include "zip_stream.hpp"

#include "content.hpp"
#include "zip_names.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <cstring>

namespace sim {
namespace {

constexpr std::size_t k_piece = 64 * 1024;

}  // namespace

ZipStream::ZipStream(std::vector<ZipEntry> entries, std::int64_t mtime_s, std::optional<std::int64_t> cut_after,
                     std::function<void(bool)> on_done)
    : m_entries(std::move(entries)), m_mtime_s(mtime_s), m_cut_after(cut_after), m_on_done(std::move(on_done)) {
  m_archive = archive_write_new();
  archive_write_set_format_zip(m_archive);
  // Go's archive/zip compresses with compress/flate at level 5.
  archive_write_set_options(m_archive, "zip:compression=deflate,zip:compression-level=5");
  archive_write_set_bytes_per_block(m_archive, 0);
  archive_write_open(m_archive, this, nullptr, &ZipStream::on_write, nullptr);
}

ZipStream::~ZipStream() {
  // A stream dropped midway must not write its central directory anywhere.
  m_done = true;
  archive_write_free(m_archive);
}

long ZipStream::on_write(struct archive*, void* self, const void* data, std::size_t size) {
  auto* me = static_cast<ZipStream*>(self);
  if (!me->m_done) me->m_pending.append(static_cast<const char*>(data), size);
  return static_cast<long>(size);
}

void ZipStream::write_entry_data() {
  const ZipEntry& e = m_entries[m_entry];
  if (!e.text.empty()) {
    archive_write_data(m_archive, e.text.data(), e.text.size());
    m_entry_written = static_cast<std::int64_t>(e.text.size());
    m_consumed += m_entry_written;
    return;
  }
  const auto left = e.size - m_entry_written;
  const auto n = static_cast<std::size_t>(std::min<std::int64_t>(left, k_piece));
  std::string buf;
  fill_content(buf, e.content, m_entry_written, n);
  archive_write_data(m_archive, buf.data(), n);
  m_entry_written += static_cast<std::int64_t>(n);
  m_consumed += static_cast<std::int64_t>(n);
}

void ZipStream::start_entry(ZipEntry& e) {
  if (e.render) {  // a file's metadata: its md5sum is computed now, not before the part starts
    e.text = e.render();
    e.render = nullptr;
  }
  archive_entry* entry = archive_entry_new();
  archive_entry_set_pathname(entry, e.path.c_str());
  archive_entry_set_size(entry, e.text.empty() ? e.size : static_cast<std::int64_t>(e.text.size()));
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_perm(entry, 0644);
  archive_entry_set_mtime(entry, m_mtime_s, 0);
  const std::size_t header_at = m_pending.size();  // libarchive writes the header through at once
  archive_write_header(m_archive, entry);
  flag_utf8_local_header(m_pending, header_at);
  archive_entry_free(entry);
  m_header_written = true;
  m_entry_written = 0;
}

void ZipStream::produce() {
  while (m_pending.size() < k_piece && !m_closed && !m_truncated) {
    const bool at_end = m_entry >= m_entries.size();
    if (cut_due() || (m_cut_after && at_end)) {  // a cut zip never gets its end
      m_truncated = true;
      break;
    }
    if (at_end) {
      const std::size_t directory_at = m_pending.size();
      archive_write_close(m_archive);
      flag_utf8_central_directory(m_pending, directory_at);
      m_closed = true;
      break;
    }
    ZipEntry& e = m_entries[m_entry];
    if (!m_header_written) start_entry(e);
    const std::int64_t size = e.text.empty() ? e.size : static_cast<std::int64_t>(e.text.size());
    if (m_entry_written < size) write_entry_data();
    if (m_entry_written >= size) {
      archive_write_finish_entry(m_archive);
      ++m_entry;
      m_header_written = false;
    }
  }
}

bool ZipStream::next(std::string& out) {
  if (m_done) return false;
  produce();
  if (m_pending.empty()) {
    m_done = true;
    return false;
  }
  out += m_pending;
  m_pending.clear();
  if (m_closed || m_truncated) m_done = true;
  return true;
}

void ZipStream::finished(bool complete) {
  if (m_on_done) m_on_done(complete);
  m_on_done = nullptr;
}

std::string ZipStream::render(std::vector<ZipEntry> entries, std::int64_t mtime_s) {
  ZipStream z(std::move(entries), mtime_s, std::nullopt, nullptr);
  std::string all;
  while (z.next(all)) {
  }
  return all;
}

}  // namespace sim
