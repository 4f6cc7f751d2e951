// check_zip_part: a part is valid only if libarchive's seekable reader
// (which trusts the central directory, not the local headers) walks every
// entry to ARCHIVE_EOF and decompresses every entry to its end, so a bad
// CRC or a cut-off deflate stream is caught, not only a missing directory.

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "engine/archive/zip_check.hpp"
#include "engine/archive/entry_safety.hpp"

namespace passage {

namespace {

constexpr std::string_view k_instance_json = "My Cozy/Data/instance.json";
constexpr std::size_t k_block_size = 64 * 1024;

struct ArchiveFree {
  void operator()(archive* reader) const { archive_read_free(reader); }
};
using Reader = std::unique_ptr<archive, ArchiveFree>;

// libarchive reports a truncated zip sometimes with no message at all.
std::string problem_of(archive* reader) {
  const char* message = archive_error_string(reader);
  if (message == nullptr || *message == '\0') return "truncated or damaged archive";
  return message;
}

// Entry names are UTF-8: cozy-stack's zip writer (Go's archive/zip) flags
// the accented ones as such. libarchive converts every name to the
// thread's locale charset; in the C locale an accented name cannot be
// converted (ARCHIVE_WARN, so a sound part was invalid), and each
// archive_entry_pathname_utf8 opened a new iconv descriptor (issue 15).
// The check runs with C.UTF-8 as its thread's LC_CTYPE: names pass as
// they are. Without C.UTF-8 nothing changes.
class Utf8Names {
 public:
  Utf8Names() {
    if (locale_t utf8 = c_utf8()) m_previous = uselocale(utf8);
  }
  ~Utf8Names() {
    if (m_previous) uselocale(m_previous);
  }
  Utf8Names(const Utf8Names&) = delete;
  Utf8Names& operator=(const Utf8Names&) = delete;

 private:
  // Made once, shared by every thread, never freed (uselocale may use it).
  static locale_t c_utf8() {
    static const locale_t k_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    return k_locale;
  }
  locale_t m_previous = static_cast<locale_t>(0);
};

std::string entry_name(archive_entry* entry) {
  if (const char* utf8 = archive_entry_pathname_utf8(entry)) return utf8;
  if (const char* name = archive_entry_pathname(entry)) return name;
  return {};
}

// "evidence_incomplete: 3 files: a.pdf: 120 of 4096 bytes; b.jpg: content missing ..."
std::string describe_incomplete(const PartContent& content) {
  std::string text = std::string(k_evidence_incomplete) + ": " + std::to_string(content.problems) +
                     (content.problems == 1 ? " file: " : " files: ");
  for (std::size_t i = 0; i < content.named.size() && i < 5; ++i) text += (i ? "; " : "") + content.named[i];
  if (content.problems > 5) text += "; ...";
  return text;
}

ZipCheck invalid(ZipCheck check, std::string problem) {
  check.valid = false;
  check.problem = std::move(problem);
  return check;
}

ZipCheck refuse(ZipCheck check, std::string_view code, const std::string& detail) {
  check.refused = std::string(code);
  return invalid(std::move(check), std::string(code) + ": " + detail);
}

EntryType entry_type(archive_entry* entry) {
  if (archive_entry_hardlink(entry) != nullptr) return EntryType::hardlink;
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
      return EntryType::regular;
    case AE_IFDIR:
      return EntryType::directory;
    case AE_IFLNK:
      return EntryType::symlink;
    default:
      return EntryType::other;
  }
}

bool over(std::int64_t bytes, std::int64_t max_uncompressed) {
  return max_uncompressed > 0 && bytes > max_uncompressed;
}

// What the entry declares it expands to, added to what was read so far.
bool declares_too_much(archive_entry* entry, const ZipCheck& check, std::int64_t max_uncompressed) {
  if (!archive_entry_size_is_set(entry)) return false;
  return over(check.uncompressed_bytes + archive_entry_size(entry), max_uncompressed);
}

std::string bomb_detail(std::int64_t max_uncompressed) {
  return "expands beyond " + std::to_string(max_uncompressed) + " bytes, more than the space can hold";
}
// Reads the current entry to its end; an empty string when it did.
std::string read_entry(archive* reader, std::vector<char>& buffer, ZipCheck& check,
                       PartContentCheck& content, const std::atomic<bool>* stop,
                       std::int64_t max_uncompressed) {
  for (;;) {
    if (stop != nullptr && stop->load(std::memory_order_relaxed)) return "check abandoned";
    const la_ssize_t got = archive_read_data(reader, buffer.data(), buffer.size());
    if (got == 0) return {};
    // ARCHIVE_WARN here is how libarchive reports a bad CRC.
    if (got < 0) return problem_of(reader);
    check.uncompressed_bytes += got;
    if (over(check.uncompressed_bytes, max_uncompressed)) return "over the bound";
    if (!content.data(buffer.data(), static_cast<std::size_t>(got)))
      return "longer than the size its metadata announces";
  }
}

// An empty zip is only its 22-byte end of central directory record, with
// no entry (libarchive does not recognise it as a zip at all).
bool is_empty_zip(const std::filesystem::path& file) {
  std::error_code error;
  if (std::filesystem::file_size(file, error) != 22 || error) return false;
  std::ifstream in(file, std::ios::binary);
  std::string bytes(22, '\0');
  if (!in.read(bytes.data(), 22)) return false;
  return bytes.compare(0, 4, "PK\x05\x06", 4) == 0 && bytes.compare(8, 4, std::string(4, '\0')) == 0;
}

ZipCheck check_part(const std::filesystem::path& file, bool first_part,
                    const std::atomic<bool>* stop, std::int64_t max_uncompressed) {
  ZipCheck check;
  const Utf8Names utf8_names;
  if (is_empty_zip(file)) {
    check.well_formed = true;
    return invalid(check, "an empty zip, without any entry");
  }
  Reader reader(archive_read_new());
  if (!reader) return invalid(check, "out of memory");
  archive_read_support_format_zip_seekable(reader.get());
  if (archive_read_open_filename(reader.get(), file.c_str(), k_block_size) != ARCHIVE_OK) {
    return invalid(check, problem_of(reader.get()));
  }
  std::vector<char> buffer(k_block_size);
  PartContentCheck content;
  for (;;) {
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) break;
    // Anything but OK, ARCHIVE_WARN included, leaves the part in doubt.
    if (status != ARCHIVE_OK) return invalid(check, problem_of(reader.get()));
    ++check.entries;
    const std::string name = entry_name(entry);
    if (auto danger = entry_danger(name, entry_type(entry)))
      return refuse(check, k_zip_unsafe_entry, printable_entry_name(name) + ": " + *danger);
    if (declares_too_much(entry, check, max_uncompressed))
      return refuse(check, k_zip_bomb, bomb_detail(max_uncompressed));
    if (name == k_instance_json) check.has_instance_json = true;
    content.begin(name);
    std::string problem = read_entry(reader.get(), buffer, check, content, stop, max_uncompressed);
    if (over(check.uncompressed_bytes, max_uncompressed))
      return refuse(check, k_zip_bomb, bomb_detail(max_uncompressed));
    if (!problem.empty()) return invalid(check, name + ": " + problem);
    content.end();
  }
  if (archive_read_close(reader.get()) != ARCHIVE_OK) {
    return invalid(check, problem_of(reader.get()));
  }
  check.well_formed = true;
  if (first_part && !check.has_instance_json) {
    return invalid(check, "the first part has no " + std::string(k_instance_json));
  }
  check.content = content.finish();
  if (!check.content.complete()) return invalid(check, describe_incomplete(check.content));
  check.valid = true;
  return check;
}

}  // namespace

ZipCheck check_zip_part(const std::filesystem::path& file, bool first_part, std::int64_t max_uncompressed) {
  return check_part(file, first_part, nullptr, max_uncompressed);
}

ZipCheck check_zip_part(const std::filesystem::path& file, bool first_part,
                        const std::atomic<bool>& stop, std::int64_t max_uncompressed) {
  return check_part(file, first_part, &stop, max_uncompressed);
}

std::optional<std::int64_t> count_zip_entries(const std::filesystem::path& file) {
  const Utf8Names utf8_names;
  if (is_empty_zip(file)) return 0;
  Reader reader(archive_read_new());
  if (!reader) return std::nullopt;
  archive_read_support_format_zip_seekable(reader.get());
  if (archive_read_open_filename(reader.get(), file.c_str(), k_block_size) != ARCHIVE_OK) return std::nullopt;
  std::int64_t entries = 0;
  for (;;) {
    archive_entry* entry = nullptr;
    const int status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) break;
    if (status != ARCHIVE_OK) return std::nullopt;
    ++entries;
    if (archive_read_data_skip(reader.get()) != ARCHIVE_OK) return std::nullopt;
  }
  if (archive_read_close(reader.get()) != ARCHIVE_OK) return std::nullopt;
  return entries;
}

}  // namespace passage
