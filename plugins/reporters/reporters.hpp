#pragma once
// Campaign reports (CONTRACT.md "Outputs"): JSON, CSV and HTML over the
// same per-account fields.

#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/accounts/account.hpp"
#include "engine/config/config.hpp"

namespace passage {

// One state change of an account, as the journal recorded it.
struct StateChange {
  std::int64_t account_id = 0;
  Instant at;
  State to = State::queued;
};

struct ReportInput {
  std::string campaign;
  Instant generated_at;
  std::vector<Account> accounts;
  // The accounts' state changes in journal order (the HTML report's chart
  // of states per day); may be empty.
  std::vector<StateChange> history = {};
};

// The accounts a report is written from: calls `visit` once per account,
// in the report's order (a cursor over a campaign's accounts, or a vector).
using AccountSource = std::function<void(const std::function<void(const Account&)>& visit)>;

// Every account of `accounts`, in order.
AccountSource accounts_in(const std::vector<Account>& accounts);

// The JSON report, {"campaign", "generated_at", "accounts": [...]}, written
// to `out` as the accounts come (never in memory whole).
void write_report_json(std::ostream& out, const std::string& campaign, Instant generated_at,
                       const AccountSource& accounts, const Config& config);
std::string report_json(const ReportInput& input, const Config& config);
// The CSV report for spreadsheets: UTF-8 with a BOM, CRLF lines, `separator`
// between cells (';' for French spreadsheets by default), RFC 4180 quoting.
// One row per account: CONTRACT.md's columns (evidence parts flattened into
// parts, part_bytes, part_entries and part_sha256, values joined with ';'),
// then email, target, list_reason (the accounts file's reason),
// fell_back_to_export (yes/no for a move, empty for an export) and
// told_deletion_date. Times are local in config.zone ("YYYY-MM-DD HH:MM:SS").
// A cell starting with = + - @, a tab or a carriage return is prefixed with
// a single quote, so that no spreadsheet runs it as a formula.
std::string report_csv(const ReportInput& input, const Config& config, char separator = ';');

// The same CSV written to `out` as the accounts come (a 1,000,000-account
// report is never in memory whole): the BOM and header at construction,
// then one row per add().
class CsvReportWriter {
 public:
  CsvReportWriter(std::ostream& out, const Config& config, char separator = ';');
  void add(const Account& account);

 private:
  std::ostream& m_out;
  const Config& m_config;
  char m_separator;
};

// The separator `--csv-separator` names: ";", ",", a tab or "tab"; nullopt
// for anything else.
std::optional<char> parse_csv_separator(const std::string& text);

struct DayStates {
  date::year_month_day day;
  std::map<State, int> counts;  // accounts in each state at the end of `day`
};

// What the HTML report shows above its rows: counts only, so that it is
// gathered in a pass over the accounts without keeping any.
struct ReportSummary {
  std::string campaign;
  Instant generated_at;
  std::size_t accounts = 0;
  std::map<State, int> states = {};
  std::map<std::string, int> evidence_kinds = {};   // "" for the accounts without evidence
  std::map<std::string, int> failure_reasons = {};  // see count_failure (html_chart.hpp)
  std::vector<DayStates> days = {};                 // see StatesPerDay (html_chart.hpp)
};

// Counts `account` in the summary's figures (its days aside), the reasons
// worded in the language of a report for `config`.
void add_to_summary(ReportSummary& summary, const Account& account, const Config& config);

// A self-contained HTML5 page (UTF-8, inline CSS and SVG, no script and no
// external resource) for IT admins and the support desk, in the academy's
// language (config.notify.language: French unless "en"): the campaign and
// generation time, accounts per state (states with a count > 0) and per
// evidence kind, a chart of states per day and one of failures and holds
// by reason (from `summary`), then one row per account of `accounts`, in
// its order, written to `out` as they come. States, evidence kinds,
// actions and known reasons are in words; dates are local in config.zone.
// Every value is HTML-escaped. Rendered from the built-in "campaign.html"
// template; throws std::runtime_error if that template does not render.
void write_report_html(std::ostream& out, const ReportSummary& summary, const AccountSource& accounts,
                       const Config& config);
// The same page for accounts in memory, its chart from `input.history`.
std::string report_html(const ReportInput& input, const Config& config);

struct BuiltinReportTemplate {
  std::string_view name;  // the file name without ".mustache", e.g. "campaign.html"
  std::string_view text;  // the exact bytes of reports/templates/<name>.mustache
};

// The report templates compiled into the binary, sorted by name. Defined in
// the generated builtin_report_templates.cpp (scripts/embed-report-templates).
std::span<const BuiltinReportTemplate> builtin_report_templates();

// The formats a report can be written in, and their file extension.
bool report_format_known(const std::string& format);

}  // namespace passage
