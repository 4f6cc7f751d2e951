#pragma once
// Campaign reports (CONTRACT.md "Outputs"): JSON and CSV over the same
// per-account fields.

#include <string>
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

// The formats a report can be written in, and their file extension.
bool report_format_known(const std::string& format);

}  // namespace passage
