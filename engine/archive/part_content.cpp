#include "engine/archive/part_content.hpp"

#include <boost/json.hpp>

namespace passage {

namespace json = boost::json;

namespace {

constexpr std::string_view k_files_meta = "My Cozy/Data/io.cozy.files/";
constexpr std::string_view k_versions_meta = "My Cozy/Data/io.cozy.files.versions/";
constexpr std::string_view k_content = "My Cozy/Files/";
constexpr std::string_view k_data = "My Cozy/Data/";
constexpr std::size_t k_max_meta_bytes = 4 * 1024 * 1024;

std::string_view base_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string text_field(const json::object& doc, std::string_view key) {
  const json::value* value = doc.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

// `size` is a string in cozy-stack's JSON ("size,string"); a number is
// accepted too. nullopt when absent or not a whole number.
std::optional<std::int64_t> size_field(const json::object& doc) {
  const json::value* value = doc.if_contains("size");
  if (!value) return std::nullopt;
  if (value->is_int64()) return value->as_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->as_uint64());
  if (!value->is_string()) return std::nullopt;
  try {
    std::size_t used = 0;
    const std::string text(value->as_string());
    const long long size = std::stoll(text, &used);
    if (used != text.size() || size < 0) return std::nullopt;
    return size;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string describe_bytes(std::int64_t got, std::int64_t promised) {
  return std::to_string(got) + " of " + std::to_string(promised) + " bytes";
}

}  // namespace

void PartContentCheck::begin(std::string_view name) {
  m_name = std::string(name);
  m_entry_bytes = 0;
  const bool is_content = name.starts_with(k_content);
  if (m_promise && !is_content) missing(*m_promise);
  if (is_content) {
    m_kind = EntryKind::content;
    m_md5 = Md5();
    m_content_bytes = 0;
    if (!m_promise) problem(std::string(name) + ": content without its metadata", std::string(name));
    return;
  }
  m_kind = name.starts_with(k_versions_meta) ? EntryKind::version_meta
           : name.starts_with(k_files_meta)  ? EntryKind::file_meta
                                              : EntryKind::other;
  m_meta.clear();
  m_meta_too_big = false;
}

bool PartContentCheck::data(const char* bytes, std::size_t size) {
  m_entry_bytes += static_cast<std::int64_t>(size);
  if (m_kind == EntryKind::content) {
    m_content_bytes += static_cast<std::int64_t>(size);
    if (m_promise && m_content_bytes > m_promise->size) return false;
    m_md5.update(bytes, size);
  } else if (m_kind == EntryKind::file_meta || m_kind == EntryKind::version_meta) {
    if (m_meta.size() + size > k_max_meta_bytes) {
      m_meta_too_big = true;
      return true;
    }
    m_meta.append(bytes, size);
  }
  return true;
}

void PartContentCheck::end() {
  if (m_kind == EntryKind::content) content_ended();
  if (m_kind == EntryKind::file_meta || m_kind == EntryKind::version_meta) meta_ended();
  // A document of the job's archive: anything under My Cozy/Data/ that
  // promised no content (a directory's document included).
  if (m_kind != EntryKind::content && !m_promise && m_name.starts_with(k_data))
    m_result.document_bytes += m_entry_bytes;
  m_kind = EntryKind::other;
}

PartContent PartContentCheck::finish() {
  if (m_promise) missing(*m_promise);
  return m_result;
}

// A file's (or version's) metadata: its content must come next.
void PartContentCheck::meta_ended() {
  if (m_meta_too_big) return problem(m_name + ": metadata too large to check", m_name);
  boost::system::error_code error;
  json::value value = json::parse(m_meta, error);
  if (error || !value.is_object()) return problem(m_name + ": unreadable metadata", m_name);
  const json::object& doc = value.as_object();
  const bool version = m_kind == EntryKind::version_meta;
  if (!version && text_field(doc, "type") == "directory") return;
  const auto size = size_field(doc);
  if (!size) return problem(m_name + ": metadata without a size", m_name);
  Promise promise;
  promise.version = version;
  promise.id = text_field(doc, "_id");
  if (promise.id.empty()) promise.id = std::string(base_name(m_name).substr(0, base_name(m_name).size() - 5));
  const std::string file_name = text_field(doc, "name");
  promise.label = version ? "version " + promise.id : (file_name.empty() ? promise.id : file_name);
  promise.size = *size;
  promise.md5_base64 = text_field(doc, "md5sum");
  m_promise = std::move(promise);
}

void PartContentCheck::content_ended() {
  if (!m_promise) return;
  const Promise promise = *m_promise;
  m_promise.reset();
  const std::string md5 = m_md5.base64_final();
  // A version's content is named by its id, a file's by its path.
  const bool named_right = promise.version ? m_name == std::string(k_content) + promise.id
                                           : base_name(m_name) == base_name(promise.label) ||
                                                 promise.label == promise.id;
  if (!named_right)
    return problem(m_name + ": not the content its metadata (" + promise.label + ") announced", promise.label);
  if (m_content_bytes != promise.size)
    return problem(m_name + ": " + describe_bytes(m_content_bytes, promise.size), promise.label);
  if (!promise.md5_base64.empty() && md5 != promise.md5_base64)
    return problem(m_name + ": content differs from its md5sum", promise.label);
  ContentTotals& totals = m_result.totals;
  if (promise.version) {
    ++totals.versions;
    totals.version_bytes += m_content_bytes;
  } else {
    ++totals.files;
    totals.file_bytes += m_content_bytes;
  }
}

void PartContentCheck::missing(const Promise& promise) {
  std::string text = promise.label + ": content missing (" + std::to_string(promise.size) + " bytes announced)";
  std::string label = promise.label;
  m_promise.reset();  // `promise` may be *m_promise: not used after this
  problem(std::move(text), std::move(label));
}

void PartContentCheck::problem(std::string text, std::string file) {
  ++m_result.problems;
  if (m_result.named.size() >= PartContent::k_max_named) return;
  m_result.named.push_back(std::move(text));
  m_result.files.push_back(std::move(file));
}

}  // namespace passage
