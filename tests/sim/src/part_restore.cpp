#include "part_restore.hpp"

#include "content.hpp"
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

struct Reader {
  std::string_view zip;
  PartRestore& out;

  void fail(const ZipDirEntry& e, const std::string& why) { out.errors.push_back(e.name + ": " + why); }

  std::optional<std::string_view> bytes(const ZipDirEntry& e) {
    if (e.method == 0) return stored_bytes(zip, e);
    fail(e, "compressed entry (the simulator reads stored entries only)");
    return std::nullopt;
  }

  std::optional<json::object> document(const ZipDirEntry& e) {
    const auto text = bytes(e);
    if (!text) return std::nullopt;
    boost::system::error_code ec;
    json::value v = json::parse(*text, ec);
    if (ec || !v.is_object()) return fail(e, "unreadable document"), std::nullopt;
    return std::move(v.as_object());
  }

  void file(const ZipDirEntry& meta, const ZipDirEntry* content) {
    const auto doc = document(meta);
    if (!doc) return;
    if (text_field(*doc, "type") == "directory") {
      const std::string id = text_field(*doc, "_id");
      if (id != k_root_dir_id && id != k_trash_dir_id) ++out.restored.doc_count;  // those two exist already
      return;
    }
    if (!content) return fail(meta, "No content for file");
    const auto size = size_field(*doc);
    if (!size) return fail(meta, "size is not a number in a string");
    if (content->size != static_cast<std::uint64_t>(*size)) return fail(*content, "content length mismatch");
    const auto data = bytes(*content);
    if (!data) return;
    const std::string md5 = text_field(*doc, "md5sum");
    if (!md5.empty() && md5 != md5_base64(*data)) return fail(*content, "invalid hash");
    out.restored.files += *size;
    ++out.restored.doc_count;
  }

  void version(const ZipDirEntry& meta) {
    const auto doc = document(meta);
    if (!doc) return;
    const auto size = size_field(*doc);
    if (!size) return fail(meta, "size is not a number in a string");
    out.restored.versions += *size;
    ++out.restored.versions_count;
  }
};

}  // namespace

ContentUsage& ContentUsage::operator+=(const ContentUsage& o) {
  files += o.files;
  versions += o.versions;
  versions_count += o.versions_count;
  doc_count += o.doc_count;
  return *this;
}

PartRestore restore_part(std::string_view zip) {
  PartRestore out;
  std::string error;
  const auto entries = read_zip_directory(zip, error);
  if (!entries) {
    out.errors.push_back(error);
    return out;
  }
  Reader reader{zip, out};
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const ZipDirEntry* next = i + 1 < entries->size() ? &(*entries)[i + 1] : nullptr;
    const auto doctype = data_doctype((*entries)[i].name);
    if (doctype == "io.cozy.files") reader.file((*entries)[i], next);
    else if (doctype == "io.cozy.files.versions" && next) reader.version((*entries)[i]);
  }
  return out;
}

}  // namespace sim
