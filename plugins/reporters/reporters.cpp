#include "plugins/reporters/reporters.hpp"

#include <boost/json.hpp>

#include "engine/app/account_json.hpp"

namespace passage {

namespace {

// RFC 4180: quote a field holding a comma, a quote or a line break.
std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string text_of(const boost::json::value& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return std::string(value.as_string());
  return boost::json::serialize(value);
}

template <class Get>
std::string joined_parts(const Evidence& evidence, Get get) {
  std::string joined;
  for (const PartEvidence& part : evidence.parts) joined += (joined.empty() ? "" : ";") + get(part);
  return joined;
}

}  // namespace

std::string report_json(const ReportInput& input, const Config& config) {
  boost::json::array accounts;
  for (const Account& account : input.accounts) accounts.push_back(account_json(account, config));
  boost::json::object document{{"campaign", input.campaign},
                               {"generated_at", format_utc(input.generated_at)},
                               {"accounts", accounts}};
  return boost::json::serialize(document) + "\n";
}

std::string report_csv(const ReportInput& input, const Config& config) {
  static const char* k_columns[] = {"login", "domain", "action", "state", "reason", "departure_date",
                                    "verified_at", "deletion_date", "purged_at", "purge_kind"};
  std::string csv;
  for (const char* column : k_columns) csv += std::string(column) + ",";
  csv += "evidence_kind,export_id,parts,part_bytes,part_entries,part_sha256\r\n";
  for (const Account& account : input.accounts) {
    boost::json::object row = account_json(account, config);
    for (const char* column : k_columns) csv += csv_field(text_of(row.at(column))) + ",";
    const Evidence& evidence = account.evidence;
    csv += csv_field(evidence.kind) + "," + csv_field(evidence.export_id) + "," +
           std::to_string(evidence.parts.size()) + "," +
           joined_parts(evidence, [](const PartEvidence& p) { return std::to_string(p.bytes); }) + "," +
           joined_parts(evidence, [](const PartEvidence& p) { return std::to_string(p.entries); }) + "," +
           joined_parts(evidence, [](const PartEvidence& p) { return p.sha256; }) + "\r\n";
  }
  return csv;
}

bool report_format_known(const std::string& format) {
  return format == "csv" || format == "json" || format == "html";
}

}  // namespace passage
