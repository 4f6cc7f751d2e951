#pragma once
// A real zip generated piece by piece, so a part of any declared size
// streams in bounded memory. Every entry is deflated, with a data
// descriptor after its bytes, as Go's zip.Writer writes ExportCopyData's
// entries (zip.Deflate, level 5), names flagged UTF-8 as Go flags them
// (zip_names.hpp); libarchive does the writing.
#include "export_layout.hpp"
#include "http_types.hpp"

#include <functional>
#include <optional>

struct archive;

namespace sim {

class ZipStream : public BodyStream {
public:
  // `cut_after`: end the body, without the zip's end, once that many bytes
  // of the entries' content went in, or before the end at the latest (the
  // truncate_part fault). `on_done(sent)` is told whether the whole body,
  // cut or not, reached the socket.
  ZipStream(std::vector<ZipEntry> entries, std::int64_t mtime_s, std::optional<std::int64_t> cut_after,
            std::function<void(bool)> on_done);
  ~ZipStream() override;
  ZipStream(const ZipStream&) = delete;
  ZipStream& operator=(const ZipStream&) = delete;

  bool next(std::string& out) override;
  void finished(bool complete) override;

  // Whole zip in memory (tests and small parts).
  static std::string render(std::vector<ZipEntry> entries, std::int64_t mtime_s);

private:
  static long on_write(struct archive*, void* self, const void* data, std::size_t size);
  void produce();
  void start_entry(ZipEntry& e);
  void write_entry_data();
  bool cut_due() const { return m_cut_after && m_consumed >= *m_cut_after; }

  struct archive* m_archive = nullptr;
  std::vector<ZipEntry> m_entries;
  std::int64_t m_mtime_s;
  std::optional<std::int64_t> m_cut_after;
  std::function<void(bool)> m_on_done;
  std::string m_pending;
  std::size_t m_entry = 0;
  std::int64_t m_entry_written = 0;
  bool m_header_written = false;
  bool m_closed = false;
  bool m_truncated = false;
  bool m_done = false;
  std::int64_t m_consumed = 0;  // content bytes given to the zip
};

}  // namespace sim
