#include "file_docs.hpp"

#include "hash.hpp"
#include "sim_time.hpp"

#include <boost/json.hpp>

namespace json = boost::json;

namespace sim {
namespace {

// When the document was last written: up to 200 days before now.
std::string date_before(std::int64_t now_ms, std::uint64_t h) {
  return format_iso(now_ms - static_cast<std::int64_t>(h % (200 * 86'400ULL)) * 1000);
}

std::string rev(std::uint64_t h) { return "1-" + hex64(mix64(h ^ 0x2e5)); }

const char* mime_of(const std::string& name) {
  const auto ext = name.substr(name.rfind('.') + 1);
  if (ext == "pdf") return "application/pdf";
  if (ext == "odt") return "application/vnd.oasis.opendocument.text";
  if (ext == "jpg") return "image/jpeg";
  if (ext == "png") return "image/png";
  return "text/plain";
}

const char* class_of(const std::string& mime) {
  if (mime.rfind("image/", 0) == 0) return "image";
  if (mime.rfind("text/", 0) == 0) return "text";
  return mime == "application/pdf" ? "pdf" : "text";
}

}  // namespace

std::string file_doc(const SpaceFile& f, std::uint64_t key, std::int64_t now_ms, const std::string& md5) {
  const std::string date = date_before(now_ms, f.content);
  const std::string mime = mime_of(f.name);
  json::object o{{"type", "file"},
                 {"_id", f.id},
                 {"_rev", rev(f.content)},
                 {"name", f.name},
                 {"dir_id", folder_id(key, static_cast<int>(f.folder))},
                 {"created_at", date},
                 {"updated_at", date},
                 {"size", std::to_string(f.size)},
                 {"md5sum", md5},
                 {"mime", mime},
                 {"class", class_of(mime)},
                 {"executable", false},
                 {"trashed", false},
                 {"encrypted", false}};
  return json::serialize(o);
}

std::string version_doc(const SpaceFile& v, std::int64_t now_ms, const std::string& md5) {
  json::object file{{"data", {{"_id", v.file_id}, {"_type", "io.cozy.files"}}}};
  json::object o{{"_id", v.id},
                 {"_rev", rev(v.content)},
                 {"updated_at", date_before(now_ms, v.content)},
                 {"size", std::to_string(v.size)},
                 {"md5sum", md5},
                 {"tags", json::array()},
                 {"relationships", {{"file", std::move(file)}}}};
  return json::serialize(o);
}

std::string directory_doc(std::uint64_t key, int folder, std::int64_t now_ms) {
  const std::string id = folder_id(key, folder);
  const std::string date = date_before(now_ms, mix64(key ^ static_cast<std::uint64_t>(folder + 7)));
  json::object o{{"type", "directory"}, {"_id", id}, {"_rev", rev(mix64(key) + static_cast<std::uint64_t>(folder + 1))}};
  if (folder >= 0) {
    const Folder& f = space_folders()[static_cast<std::size_t>(folder)];
    o["name"] = f.name;
    o["dir_id"] = folder_id(key, f.parent);
    o["path"] = std::string("/") + f.path;
  } else {
    o["path"] = "/";
  }
  o["created_at"] = date;
  o["updated_at"] = date;
  return json::serialize(o);
}

}  // namespace sim
