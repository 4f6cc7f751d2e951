#include <boost/json.hpp>

#include "engine/accounts/account.hpp"

namespace passage {

namespace json = boost::json;

namespace {

json::object totals_to_json(const ContentTotals& totals) {
  return json::object{{"files", totals.files},
                      {"file_bytes", totals.file_bytes},
                      {"versions", totals.versions},
                      {"version_bytes", totals.version_bytes}};
}

// Records written before content checks existed have no totals: zeros.
ContentTotals totals_from_json(const json::object& holder) {
  ContentTotals totals;
  const json::value* value = holder.if_contains("content");
  if (!value || !value->is_object()) return totals;
  const json::object& object = value->as_object();
  totals.files = object.at("files").to_number<std::int64_t>();
  totals.file_bytes = object.at("file_bytes").to_number<std::int64_t>();
  totals.versions = object.at("versions").to_number<std::int64_t>();
  totals.version_bytes = object.at("version_bytes").to_number<std::int64_t>();
  return totals;
}

}  // namespace

ContentTotals& ContentTotals::operator+=(const ContentTotals& other) {
  files += other.files;
  file_bytes += other.file_bytes;
  versions += other.versions;
  version_bytes += other.version_bytes;
  return *this;
}

namespace {

json::object usage_to_object(const DiskUsage& usage) {
  return json::object{{"used", usage.used}, {"files", usage.files}, {"versions", usage.versions}};
}

std::optional<DiskUsage> usage_from_value(const json::value& value) {
  if (!value.is_object()) return std::nullopt;
  try {
    const json::object& object = value.as_object();
    return DiskUsage{object.at("used").to_number<std::int64_t>(), object.at("files").to_number<std::int64_t>(),
                     object.at("versions").to_number<std::int64_t>()};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::string disk_usage_to_json(const DiskUsage& usage) { return json::serialize(usage_to_object(usage)); }

std::optional<DiskUsage> disk_usage_from_json(const std::string& text) {
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error) return std::nullopt;
  return usage_from_value(value);
}

std::optional<std::string> content_gap(const Evidence& evidence) {
  if (evidence.kind != "export" || !evidence.usage) return std::nullopt;
  const ContentTotals& carried = evidence.content;
  const DiskUsage& usage = *evidence.usage;
  if (carried.file_bytes == usage.files && carried.version_bytes == usage.versions) return std::nullopt;
  std::string gap = "files " + std::to_string(carried.file_bytes) + " of " + std::to_string(usage.files) + " bytes";
  if (carried.version_bytes != usage.versions)
    gap += ", versions " + std::to_string(carried.version_bytes) + " of " + std::to_string(usage.versions) + " bytes";
  return gap + " (disk usage before the export)";
}

std::optional<std::string> written_during_download(const DiskUsage& before, const DiskUsage& after) {
  if (before.files == after.files && before.versions == after.versions) return std::nullopt;
  return "files " + std::to_string(before.files) + " then " + std::to_string(after.files) + " bytes, versions " +
         std::to_string(before.versions) + " then " + std::to_string(after.versions) +
         " bytes (disk usage before the export and after the download)";
}

std::optional<std::string> files_changed_since(const Evidence& evidence, const DiskUsage& now) {
  if (!evidence.usage) return std::nullopt;
  const DiskUsage& then = *evidence.usage;
  if (then.files == now.files && then.versions == now.versions) return std::nullopt;
  return "files " + std::to_string(then.files) + " then " + std::to_string(now.files) + " bytes, versions " +
         std::to_string(then.versions) + " then " + std::to_string(now.versions) +
         " bytes (disk usage before the export and at the purge)";
}

std::string evidence_to_json(const Evidence& evidence) {
  if (evidence.empty()) return "";
  json::array parts;
  for (const PartEvidence& part : evidence.parts)
    parts.push_back(json::object{{"n", part.n},
                                 {"bytes", part.bytes},
                                 {"entries", part.entries},
                                 {"sha256", part.sha256},
                                 {"content", totals_to_json(part.content)}});
  json::object document{{"kind", evidence.kind}, {"export_id", evidence.export_id}, {"parts", parts}};
  if (evidence.kind == "export") document["content"] = totals_to_json(evidence.content);
  if (evidence.usage) document["disk_usage"] = usage_to_object(*evidence.usage);
  return json::serialize(document);
}

std::optional<Evidence> evidence_from_json(const std::string& text) {
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error || !value.is_object()) return std::nullopt;
  const json::object& document = value.as_object();
  const auto* kind = document.if_contains("kind");
  const auto* export_id = document.if_contains("export_id");
  const auto* parts = document.if_contains("parts");
  if (!kind || !kind->is_string() || !export_id || !export_id->is_string() || !parts ||
      !parts->is_array())
    return std::nullopt;
  Evidence evidence{std::string(kind->as_string()), std::string(export_id->as_string()), {}, {}, {}};
  try {
    for (const json::value& item : parts->as_array()) {
      const json::object& part = item.as_object();
      evidence.parts.push_back(PartEvidence{part.at("n").to_number<int>(),
                                            part.at("bytes").to_number<std::int64_t>(),
                                            part.at("entries").to_number<std::int64_t>(),
                                            std::string(part.at("sha256").as_string()),
                                            totals_from_json(part)});
    }
    evidence.content = totals_from_json(document);
    if (const json::value* usage = document.if_contains("disk_usage"))
      evidence.usage = usage_from_value(*usage);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return evidence;
}

}  // namespace passage
