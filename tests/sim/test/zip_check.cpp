#include "zip_check.hpp"

#include "sim_base64.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <boost/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <locale.h>

namespace json = boost::json;

namespace simtest {

bool ZipCheck::has(const std::string& path) const {
  return std::find(entries.begin(), entries.end(), path) != entries.end();
}

namespace {

// Part entry names are UTF-8, the accented ones flagged so (as cozy-stack's
// Go writer does): libarchive converts a flagged name to the thread's
// locale charset, which the C locale cannot hold (ARCHIVE_WARN). The read
// runs in C.UTF-8, as Passage's check does, so names come back as written.
class Utf8Locale {
public:
  Utf8Locale() {
    static const locale_t k_utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    if (k_utf8) m_previous = uselocale(k_utf8);
  }
  ~Utf8Locale() {
    if (m_previous) uselocale(m_previous);
  }
  Utf8Locale(const Utf8Locale&) = delete;
  Utf8Locale& operator=(const Utf8Locale&) = delete;

private:
  locale_t m_previous = static_cast<locale_t>(0);
};

}  // namespace

ZipCheck check_zip(const std::string& data) {
  const Utf8Locale utf8;
  ZipCheck result;
  archive* a = archive_read_new();
  archive_read_support_format_zip(a);
  if (archive_read_open_memory(a, data.data(), data.size()) != ARCHIVE_OK) {
    result.error = archive_error_string(a) ? archive_error_string(a) : "cannot open";
    archive_read_free(a);
    return result;
  }
  archive_entry* entry = nullptr;
  int rc = ARCHIVE_OK;
  char buf[8192];
  for (int i = 0; i < 100'000; ++i) {
    rc = archive_read_next_header(a, &entry);
    if (rc != ARCHIVE_OK) break;
    result.entries.emplace_back(archive_entry_pathname(entry));
    result.contents.emplace_back();
    la_ssize_t n = 0;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
      result.bytes += n;
      result.contents.back().append(buf, static_cast<std::size_t>(n));
    }
    if (n < 0) {
      rc = static_cast<int>(n);
      break;
    }
  }
  result.ok = rc == ARCHIVE_EOF;
  if (!result.ok) result.error = archive_error_string(a) ? archive_error_string(a) : "not at ARCHIVE_EOF";
  archive_read_free(a);
  return result;
}

std::string md5_base64(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr);
  return sim::base64_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

namespace {

const std::string k_files_meta = "My Cozy/Data/io.cozy.files/";
const std::string k_versions_meta = "My Cozy/Data/io.cozy.files.versions/";
const std::string k_content = "My Cozy/Files/";

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::string text(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Checks the content entry after metadata `i` against it; returns its size.
long long check_content(const ZipCheck& zip, std::size_t i, const json::object& doc, const std::string& path,
                        PartAudit& audit) {
  const std::string id = text(doc, "_id");
  if (i + 1 >= zip.entries.size() || zip.entries[i + 1] != path) {
    audit.problems.push_back(id + ": content missing");
    return 0;
  }
  const std::string& bytes = zip.contents[i + 1];
  if (text(doc, "size") != std::to_string(bytes.size())) audit.problems.push_back(id + ": size differs");
  else if (text(doc, "md5sum") != md5_base64(bytes)) audit.problems.push_back(id + ": md5sum differs");
  return static_cast<long long>(bytes.size());
}

void audit_files_doc(const ZipCheck& zip, std::size_t i, const json::object& doc, PartAudit& audit) {
  if (text(doc, "type") == "directory") {
    ++audit.directories;
    if (i + 1 < zip.entries.size() && starts_with(zip.entries[i + 1], k_content))
      audit.problems.push_back(text(doc, "_id") + ": content after a directory");
    return;
  }
  // The content sits at My Cozy/Files/<folder path>/<name>.
  const std::string tail = "/" + text(doc, "name");
  const std::string next = i + 1 < zip.entries.size() ? zip.entries[i + 1] : std::string();
  const bool named = starts_with(next, k_content) && next.size() > tail.size() &&
                     next.compare(next.size() - tail.size(), tail.size(), tail) == 0;
  ++audit.files;
  audit.file_bytes += check_content(zip, i, doc, named ? next : "?", audit);
}

}  // namespace

PartAudit audit_part(const ZipCheck& zip) {
  PartAudit audit;
  for (std::size_t i = 0; i < zip.entries.size(); ++i) {
    const std::string& path = zip.entries[i];
    const bool file_meta = starts_with(path, k_files_meta), version_meta = starts_with(path, k_versions_meta);
    if (!file_meta && !version_meta) continue;
    boost::system::error_code ec;
    const json::value doc = json::parse(zip.contents[i], ec);
    if (ec || !doc.is_object()) {
      audit.problems.push_back(path + ": not a JSON document");
      continue;
    }
    if (file_meta) {
      audit_files_doc(zip, i, doc.as_object(), audit);
    } else {
      ++audit.versions;
      audit.version_bytes += check_content(zip, i, doc.as_object(), k_content + text(doc.as_object(), "_id"), audit);
    }
  }
  return audit;
}

}  // namespace simtest
