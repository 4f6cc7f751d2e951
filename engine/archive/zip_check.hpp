#pragma once
// Export parts on disk (CONTRACT.md "Archive verification"): streamed to a
// `.part` file with SHA-256 updated per chunk, then verified from the file
// with libarchive's seekable zip reader on a small thread pool whose
// results are posted back to the event loop.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/archive/part_content.hpp"
#include "engine/store/sha256.hpp"

namespace passage {

// Writes one part as it arrives; never holds it whole.
class PartWriter {
 public:
  explicit PartWriter(std::filesystem::path file);  // truncates
  bool write(std::string_view chunk);                // false on a disk error
  // Flushes and closes; the byte count and SHA-256 of what was written.
  struct Written {
    bool ok = false;
    std::int64_t bytes = 0;
    std::string sha256;
  };
  // Call once; a second call returns ok=false.
  Written finish();
  const std::filesystem::path& file() const { return m_file; }
  // Why a write failed: "cannot write FILE: No space left on device".
  std::string problem() const;

 private:
  std::filesystem::path m_file;
  std::ofstream m_out;
  Sha256 m_hash;
  std::int64_t m_bytes = 0;
  bool m_ok = true;
  bool m_finished = false;
  int m_error = 0;           // errno of the failed write, 0 if none known
  int m_injected_error = 0;  // engine/env/faults.hpp: fail the first write with it
};

struct ZipCheck {
  bool valid = false;
  bool well_formed = false;  // libarchive read it to its end (even with no entry)
  std::int64_t entries = 0;
  std::int64_t uncompressed_bytes = 0;
  bool has_instance_json = false;  // "My Cozy/Data/instance.json"
  PartContent content;             // files and versions against their metadata
  std::string problem;             // why not valid
  // A reason code (k_zip_unsafe_entry, k_zip_bomb) when the part is
  // hostile, not damaged: downloading it again will not help.
  std::string refused;
};

// Valid only if the header loop ends in ARCHIVE_EOF and every entry reads
// to its end, every file's content has the size and MD5 its metadata
// promises (part_content.hpp); a first part must also hold
// My Cozy/Data/instance.json.
// Refused (entry_safety.hpp): an entry named with `../` or an absolute path,
// a link or a special file; more than `max_uncompressed` bytes once
// decompressed (0: no bound), by the sizes it declares or the bytes it
// yields. Nothing is ever extracted: entry names never become paths.
// Blocking: run it on the pool.
ZipCheck check_zip_part(const std::filesystem::path& file, bool first_part,
                        std::int64_t max_uncompressed = 0);
// The same, giving up (invalid, "check abandoned") soon after `stop`
// becomes true; the pool uses it to shut down without finishing big parts.
ZipCheck check_zip_part(const std::filesystem::path& file, bool first_part,
                        const std::atomic<bool>& stop, std::int64_t max_uncompressed = 0);

// The entries a zip's central directory lists, each matched with its
// local header, without reading any content: kilobytes an entry. Nothing
// if the file cannot be read or is not a zip. What the purge checks a
// verified part still is (its evidence's `entries`).
std::optional<std::int64_t> count_zip_entries(const std::filesystem::path& file);

// A small thread pool for blocking checks, posting results back to `io`:
// the awaiting coroutine resumes on its own executor (normally `io`'s),
// never on a pool thread. Destroy it before `io`; destruction abandons
// queued and running checks (they complete as invalid) and joins the pool.
class ZipCheckPool {
 public:
  ZipCheckPool(boost::asio::io_context& io, int threads);
  ~ZipCheckPool();
  ZipCheckPool(const ZipCheckPool&) = delete;
  ZipCheckPool& operator=(const ZipCheckPool&) = delete;
  boost::asio::awaitable<ZipCheck> check(std::filesystem::path file, bool first_part,
                                         std::int64_t max_uncompressed = 0);
  // count_zip_entries on the pool: hundreds of ms for a part of 20,000
  // entries read from disk, which must not stall the loop's requests.
  boost::asio::awaitable<std::optional<std::int64_t>> count_entries(std::filesystem::path file);

 private:
  class Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace passage
