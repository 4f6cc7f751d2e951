#pragma once
// Campaign reports (CONTRACT.md "Outputs"): JSON, CSV and HTML over the
// same per-account fields.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/accounts/account.hpp"
#include "engine/config/config.hpp"

namespace passage {

struct ReportInput {
  std::string campaign;
  Instant generated_at;
  std::vector<Account> accounts;
};

std::string report_json(const ReportInput& input, const Config& config);
// One row per account; evidence parts flattened into parts, part_bytes,
// part_entries and part_sha256 columns (values joined with ';').
std::string report_csv(const ReportInput& input, const Config& config);

// A self-contained HTML5 page (lang="fr", UTF-8, inline CSS, no script and
// no external resource) for IT admins and the support desk: the campaign and
// generation time, accounts per state (states with a count > 0) and per
// evidence kind, then one row per account in `input` order. Every value is
// HTML-escaped. Rendered from the built-in "campaign.html" template; throws
// std::runtime_error if that template does not render.
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
