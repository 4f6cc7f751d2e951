// The CSV campaign report, made for the spreadsheets people open it in
// (French Excel and LibreOffice): UTF-8 with a BOM so that accents survive,
// ';' between cells unless told otherwise, local times, and no cell a
// spreadsheet would run as a formula (OWASP "CSV injection").

#include <array>
#include <ostream>
#include <sstream>

#include "plugins/reporters/report_time.hpp"
#include "plugins/reporters/reporters.hpp"

namespace passage {

namespace {

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

// The columns, in order. The first sixteen are CONTRACT.md's (the JSON
// fields, evidence parts flattened); the others are what people ask for.
constexpr std::array<std::string_view, 21> k_columns = {
    "login",         "domain",        "action",        "state",         "reason",
    "departure_date", "verified_at",  "deletion_date", "purged_at",     "purge_kind",
    "evidence_kind", "export_id",     "parts",         "part_bytes",    "part_entries",
    "part_sha256",   "email",         "target",        "list_reason",   "fell_back_to_export",
    "told_deletion_date"};

// A cell a spreadsheet would read as a formula (or as a formula after
// trimming a tab or carriage return) gets a leading quote, which makes it
// text; then RFC 4180 quoting for the separator, quotes and line breaks.
std::string cell(std::string value, char separator) {
  if (!value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos)
    value.insert(value.begin(), '\'');
  if (value.find_first_of(std::string("\"\r\n") + separator) == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string date_or_empty(const std::optional<date::year_month_day>& day) {
  return day ? format_date(*day) : "";
}

template <class Get>
std::string joined_parts(const Evidence& evidence, Get get) {
  std::string joined;
  for (const PartEvidence& part : evidence.parts) joined += (joined.empty() ? "" : ";") + get(part);
  return joined;
}

// "yes" when a move ended as an export because the person did not move by
// the deadline, "no" for a move that did not; empty for an export.
std::string fell_back(const Account& account) {
  if (account.action != Action::move) return "";
  return account.fallback_export ? "yes" : "no";
}

std::array<std::string, k_columns.size()> row_of(const Account& account, const Config& config) {
  const Evidence& evidence = account.evidence;
  std::optional<date::year_month_day> deletion;
  if (account.grace_end) deletion = local_date(*account.grace_end, config.zone);
  return {account.login,
          account.domain,
          to_string(account.action),
          std::string(to_string(account.state)),
          account.state_reason,
          format_date(account.departure_date),
          local_date_time(account.verified_at, config.zone),
          date_or_empty(deletion),
          local_date_time(account.purged_at, config.zone),
          account.purge_kind,
          evidence.kind,
          evidence.export_id,
          std::to_string(evidence.parts.size()),
          joined_parts(evidence, [](const PartEvidence& p) { return std::to_string(p.bytes); }),
          joined_parts(evidence, [](const PartEvidence& p) { return std::to_string(p.entries); }),
          joined_parts(evidence, [](const PartEvidence& p) { return p.sha256; }),
          account.email,
          account.target,
          account.reason,
          fell_back(account),
          date_or_empty(account.told_deletion_date)};
}

template <class Cells>
std::string line_of(const Cells& cells, char separator) {
  std::string line;
  for (const auto& value : cells) {
    if (!line.empty()) line += separator;
    line += cell(std::string(value), separator);
  }
  return line + "\r\n";
}

}  // namespace

std::optional<char> parse_csv_separator(const std::string& text) {
  if (text == ";" || text == "," || text == "\t") return text.front();
  if (text == "tab") return '\t';
  return std::nullopt;
}

CsvReportWriter::CsvReportWriter(std::ostream& out, const Config& config, char separator)
    : m_out(out), m_config(config), m_separator(separator) {
  m_out << k_bom << line_of(k_columns, m_separator);
}

void CsvReportWriter::add(const Account& account) { m_out << line_of(row_of(account, m_config), m_separator); }

std::string report_csv(const ReportInput& input, const Config& config, char separator) {
  std::ostringstream csv;
  CsvReportWriter writer(csv, config, separator);
  for (const Account& account : input.accounts) writer.add(account);
  return csv.str();
}

}  // namespace passage
