#include "part_restore.hpp"

#include "content.hpp"
#include "zip_entry.hpp"
#include "zip_read.hpp"

#include <boost/json.hpp>

#include <optional>

namespace json = boost::json;

namespace sim {
namespace {

constexpr std::string_view k_data_dir = "My Cozy/Data/";
constexpr std::string_view k_root_dir_id = "io.cozy.files.root-dir";
constexpr std::string_view k_trash_dir_id = "io.cozy.files.trash-dir";

// The doctype of `My Cozy/Data/<doctype>/<id>.json`, else empty
// (instance.json, contents).
std::string_view data_doctype(std::string_view name) {
  if (!name.starts_with(k_data_dir)) return {};
  name.remove_prefix(k_data_dir.size());
  const auto slash = name.find('/');
  return slash == std::string_view::npos ? std::string_view() : name.substr(0, slash);
}

std::string text_field(const json::object& doc, std::string_view key) {
  const json::value* v = doc.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// `size` as Go decodes `json:"size,string"`: absent is 0, a string of
// digits its value, anything else an error.
std::optional<std::int64_t> size_field(const json::object& doc) {
  const json::value* v = doc.if_contains("size");
  if (!v) return 0;
  if (!v->is_string() || v->as_string().empty() || v->as_string().size() > 18) return std::nullopt;
  std::int64_t n = 0;
  for (char c : v->as_string()) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

constexpr std::size_t k_max_document = 16 << 20;

// A content entry as the VFS takes it: its bytes counted and hashed on the way.
struct ContentRead {
  EntryError error = EntryError::none;
  std::uint64_t bytes = 0;
  std::string md5;
};

constexpr const char* k_file_too_big = "The file is too big and exceeds the disk quota";
constexpr const char* k_no_parent = "Parent directory with given DirID does not exist";
constexpr const char* k_exists = "file already exists";

struct Reader {
  std::string_view zip;
  PartRestore& out;
  QuotaCheck& quota;
  FolderIndex* folders;

  static std::string name_key(const json::object& doc) { return text_field(doc, "dir_id") + "/" + text_field(doc, "name"); }

  // CreateDir: refused when the name is taken in its folder.
  void directory(const ZipDirEntry& meta, const json::object& doc) {
    const std::string id = text_field(doc, "_id");
    if (id == k_root_dir_id || id == k_trash_dir_id) return;  // those two exist already
    if (folders && !folders->names.insert(name_key(doc)).second) return fail(meta, k_exists);
    if (folders) folders->dirs.insert(id);
    ++out.restored.doc_count;
  }

  // CreateFile, before any byte: the parent's path, then the name.
  bool file_refused(const ZipDirEntry& meta, const json::object& doc) {
    if (!folders) return false;
    const char* refusal = !folders->knows(text_field(doc, "dir_id")) ? k_no_parent
                          : folders->names.count(name_key(doc))      ? k_exists
                                                                      : nullptr;
    if (refusal) fail(meta, refusal);
    return refusal != nullptr;
  }

  void fail(const ZipDirEntry& e, const std::string& why) { out.errors.push_back(e.name + ": " + why); }

  // json.Decoder stops at the end of the value: a CRC mismatch found at the
  // entry's end never reaches it, a broken stream before that does.
  std::optional<json::object> document(const ZipDirEntry& e) {
    std::string text;
    const EntryError error = read_entry_data(zip, e, [&](std::string_view piece) {
      if (text.size() < k_max_document) text.append(piece);
    });
    if (error != EntryError::none && error != EntryError::checksum) return fail(e, describe(error)), std::nullopt;
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return fail(e, "unreadable document"), std::nullopt;
    return std::move(v.as_object());
  }

  ContentRead content(const ZipDirEntry& e) {
    ContentRead read;
    Md5 md5;
    read.error = read_entry_data(zip, e, [&](std::string_view piece) {
      read.bytes += piece.size();
      md5.update(piece);
    });
    read.md5 = md5.base64();
    return read;
  }

  // io.Copy into the VFS file, then its Close: the copy's error wins, but
  // the file stays whenever its length and MD5 match the metadata.
  void file(const ZipDirEntry& meta, const ZipDirEntry* next) {
    const auto doc = document(meta);
    if (!doc) return;
    if (text_field(*doc, "type") == "directory") return directory(meta, *doc);
    if (!next) return fail(meta, "No content for file");
    const auto size = size_field(*doc);
    if (!size) return fail(meta, "size is not a number in a string");
    if (quota.refuses(*size)) return fail(meta, k_file_too_big);  // CreateFile refuses it before any byte
    if (file_refused(meta, *doc)) return;
    const ContentRead read = content(*next);
    const std::string md5 = text_field(*doc, "md5sum");
    const bool length_ok = read.bytes == static_cast<std::uint64_t>(*size);
    const bool hash_ok = md5.empty() || md5 == read.md5;
    if (read.error != EntryError::none) fail(*next, describe(read.error));
    else if (!length_ok) fail(*next, "content length mismatch");
    else if (!hash_ok) fail(*next, "invalid hash");
    if (!length_ok || !hash_ok) return;
    out.restored.files += *size;
    quota.used += *size;
    ++out.restored.doc_count;
    if (folders) folders->names.insert(name_key(*doc));
  }

  // ImportFileVersion copies the content without checking it: only a read
  // error keeps the version out.
  void version(const ZipDirEntry& meta, const ZipDirEntry& next) {
    const auto doc = document(meta);
    if (!doc) return;
    const auto size = size_field(*doc);
    if (!size) return fail(meta, "size is not a number in a string");
    if (quota.refuses(*size)) return fail(meta, k_file_too_big);
    const EntryError error = read_entry_data(zip, next, [](std::string_view) {});
    if (error != EntryError::none) return fail(next, describe(error));
    out.restored.versions += *size;
    quota.used += *size;
    ++out.restored.versions_count;
  }
};

}  // namespace

bool FolderIndex::knows(const std::string& dir_id) const {
  return dir_id == k_root_dir_id || dir_id == k_trash_dir_id || dirs.count(dir_id) > 0;
}

ContentUsage& ContentUsage::operator+=(const ContentUsage& o) {
  files += o.files;
  versions += o.versions;
  versions_count += o.versions_count;
  doc_count += o.doc_count;
  return *this;
}

PartRestore restore_part(std::string_view zip, QuotaCheck quota, FolderIndex* folders) {
  PartRestore out;
  std::string error;
  const auto entries = read_zip_directory(zip, error);
  if (!entries) {
    out.errors.push_back(error);
    return out;
  }
  Reader reader{zip, out, quota, folders};
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const ZipDirEntry* next = i + 1 < entries->size() ? &(*entries)[i + 1] : nullptr;
    const auto doctype = data_doctype((*entries)[i].name);
    if (doctype == "io.cozy.files") reader.file((*entries)[i], next);
    else if (doctype == "io.cozy.files.versions" && next) reader.version((*entries)[i], *next);
  }
  return out;
}

}  // namespace sim
