#include "plugins/reporters/reporters.hpp"

#include <boost/json.hpp>

#include "engine/app/account_json.hpp"

namespace passage {

std::string report_json(const ReportInput& input, const Config& config) {
  boost::json::array accounts;
  for (const Account& account : input.accounts) accounts.push_back(account_json(account, config));
  boost::json::object document{{"campaign", input.campaign},
                               {"generated_at", format_utc(input.generated_at)},
                               {"accounts", accounts}};
  return boost::json::serialize(document) + "\n";
}

bool report_format_known(const std::string& format) {
  return format == "csv" || format == "json" || format == "html";
}

}  // namespace passage
