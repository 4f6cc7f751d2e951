#include "plugins/backends/cozy_answers.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json.hpp>

#include "plugins/backends/cozy_classify.hpp"

namespace passage {

namespace json = boost::json;

namespace {

const json::object* attributes_of(const json::value& document) {
  const json::object* root = document.if_object();
  const json::value* data = root ? root->if_contains("data") : nullptr;
  const json::value* attributes = data && data->is_object() ? data->as_object().if_contains("attributes") : nullptr;
  return attributes ? attributes->if_object() : nullptr;
}

bool flag(const json::object& attributes, const char* name) {
  const json::value* value = attributes.if_contains(name);
  return value && value->is_bool() && value->as_bool();
}

std::string text(const json::object& object, const char* name) {
  const json::value* value = object.if_contains(name);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

Failure bad_answer(const std::string& what) {
  return Failure{FailureKind::retryable, std::string(k_answer_unreadable) + ": " + what, {}};
}

// Numbers come as strings, zero values are omitted (COZY.md).
std::optional<std::int64_t> byte_count(const json::object& object, const char* name) {
  const std::string value = text(object, name);
  if (value.empty()) return object.contains(name) ? std::nullopt : std::optional<std::int64_t>(0);
  try {
    std::size_t used = 0;
    const long long count = std::stoll(value, &used);
    if (used != value.size() || count < 0) return std::nullopt;
    return count;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<json::value> parse_json(std::string_view body) {
  boost::system::error_code error;
  json::value value = json::parse(body, error);
  if (error) return std::nullopt;
  return value;
}

// total_size is informative only (the JSON documents' size, COZY.md): a
// value that is not an exact integer is left at 0 rather than thrown on.
ExportDone done_of(const json::object& doc, const std::string& id) {
  ExportDone done;
  done.export_id = id;
  if (const json::value* size = doc.if_contains("total_size"); size && size->is_number()) {
    boost::system::error_code error;
    const auto total = size->to_number<std::int64_t>(error);
    if (!error) done.total_size = total;
  }
  if (const json::value* cursors = doc.if_contains("parts_cursors"); cursors && cursors->is_array())
    for (const json::value& cursor : cursors->as_array())
      if (cursor.is_string()) done.parts_cursors.emplace_back(cursor.as_string());
  done.parts = static_cast<int>(done.parts_cursors.size()) + 1;
  return done;
}

}  // namespace

std::optional<DiskUsage> disk_usage_of(const json::object& document) {
  auto used = byte_count(document, "used");
  auto files = byte_count(document, "files");
  auto versions = byte_count(document, "versions");
  if (!used || !files || !versions) return std::nullopt;
  return DiskUsage{*used, *files, *versions};
}

std::optional<std::string> domain_alias_problem(const std::string& listed, const json::object& attributes) {
  const std::string main = text(attributes, "domain");
  if (main.empty() || boost::algorithm::iequals(main, listed)) return std::nullopt;
  return std::string(k_domain_alias) + ": " + main;
}

Outcome<InstanceInfo> read_instance_answer(const std::string& listed, std::string_view body) {
  const auto document = parse_json(body);
  const json::object* attributes = document ? attributes_of(*document) : nullptr;
  if (!attributes) return bad_answer("GET /instances/" + listed);
  if (auto alias = domain_alias_problem(listed, *attributes)) return Failure{FailureKind::permanent, *alias, {}};
  // Only the fields Passage needs are kept: the answer may carry secrets
  // (register_token, passphrase_reset_token) that must never be stored.
  InstanceInfo info;
  info.moved = flag(*attributes, "moved");
  info.blocked = flag(*attributes, "blocked");
  info.blocking_reason = text(*attributes, "blocking_reason");
  info.deleting = flag(*attributes, "deleting");
  info.quota = byte_count(*attributes, "disk_quota").value_or(0);
  return info;
}

std::optional<double> read_instance_count(std::string_view body) {
  const auto document = parse_json(body);
  const json::value* count = document && document->is_object() ? document->as_object().if_contains("count") : nullptr;
  if (!count || !count->is_number()) return std::nullopt;
  return count->to_number<double>();
}

Outcome<DiskUsage> read_disk_usage_answer(std::string_view body) {
  const auto document = parse_json(body);
  if (!document || !document->is_object()) return bad_answer("disk-usage");
  auto usage = disk_usage_of(document->as_object());
  if (!usage) return bad_answer("disk-usage numbers");
  return *usage;
}

Outcome<date::year_month_day> read_last_activity_answer(std::string_view body) {
  const auto document = parse_json(body);
  if (!document || !document->is_object()) return bad_answer("last-activity");
  auto day = parse_iso_date(text(document->as_object(), "last-activity"));
  if (!day) return bad_answer("last-activity date");
  return *day;
}

std::optional<Instant> queued_at_of(std::string_view body) {
  const auto value = parse_json(body);
  const json::object* doc = value ? value->if_object() : nullptr;
  if (doc && doc->contains("data") && doc->at("data").is_object()) {
    const json::object& data = doc->at("data").as_object();
    const json::value* attributes = data.if_contains("attributes");
    doc = attributes ? attributes->if_object() : nullptr;
  }
  if (!doc) return std::nullopt;
  return parse_utc(text(*doc, "queued_at"));
}

std::optional<ExportEvent> export_event_of(const RealtimeEvent& event) {
  if (event.doctype != "io.cozy.exports" || (event.event != "CREATED" && event.event != "UPDATED"))
    return std::nullopt;
  const auto value = parse_json(event.doc);
  if (!value || !value->is_object()) return std::nullopt;
  const json::object& doc = value->as_object();
  ExportEvent out;
  out.id = event.id.empty() ? text(doc, "_id") : event.id;
  out.domain = text(doc, "domain");
  out.state = text(doc, "state");
  out.error = text(doc, "error");
  out.created_at = parse_utc(text(doc, "created_at"));
  out.announced_done = event.event == "CREATED" && out.state == "done";
  if (const json::value* doctypes = doc.if_contains("with_doctypes"))
    out.partial = doctypes->is_array() ? !doctypes->as_array().empty() : !doctypes->is_null();
  if (out.id.empty() || out.domain.empty()) return std::nullopt;
  if (out.state == "done") out.done = done_of(doc, out.id);
  return out;
}

}  // namespace passage
