#include "plugins/reporters/reporters.hpp"

#include <ostream>
#include <sstream>

#include <boost/json.hpp>

#include "engine/app/account_json.hpp"

namespace passage {

AccountSource accounts_in(const std::vector<Account>& accounts) {
  return [&accounts](const std::function<void(const Account&)>& visit) {
    for (const Account& account : accounts) visit(account);
  };
}

// Written piece by piece, the document is what boost::json::serialize
// writes for the whole object: no whitespace, the keys in this order.
void write_report_json(std::ostream& out, const std::string& campaign, Instant generated_at,
                       const AccountSource& accounts, const Config& config) {
  out << "{\"campaign\":" << boost::json::serialize(boost::json::value(campaign))
      << ",\"generated_at\":" << boost::json::serialize(boost::json::value(format_utc(generated_at)))
      << ",\"accounts\":[";
  bool first = true;
  accounts([&](const Account& account) {
    out << (first ? "" : ",") << boost::json::serialize(account_json(account, config));
    first = false;
  });
  out << "]}\n";
}

std::string report_json(const ReportInput& input, const Config& config) {
  std::ostringstream json;
  write_report_json(json, input.campaign, input.generated_at, accounts_in(input.accounts), config);
  return json.str();
}

bool report_format_known(const std::string& format) {
  return format == "csv" || format == "json" || format == "html";
}

}  // namespace passage
