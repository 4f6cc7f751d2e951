#include "plugins/reporters/campaign_report.hpp"

#include "plugins/reporters/html_chart.hpp"
#include "plugins/reporters/report_history.hpp"

namespace passage {

namespace {

// The HTML page's figures: a pass over the accounts, then the journal's.
ReportSummary summary_of(Store& store, const Campaign& campaign, Instant now, const Config& config) {
  ReportSummary summary{campaign.name, now};
  StatesPerDay days(config.zone, local_date(now, config.zone));
  store.for_each_account_of(campaign.id, [&](const Account& account) {
    add_to_summary(summary, account, config);
    days.add_account(account.id, account.state);
  });
  replay_state_changes(store, days);
  summary.days = days.finish();
  return summary;
}

}  // namespace

void write_campaign_report(Store& store, const Campaign& campaign, Instant now, const Config& config,
                           const std::string& format, char separator, std::ostream& out) {
  const AccountSource accounts = [&](const std::function<void(const Account&)>& visit) {
    store.for_each_account_of(campaign.id, visit);
  };
  if (format == "csv") {
    CsvReportWriter writer(out, config, separator);
    accounts([&](const Account& account) { writer.add(account); });
  } else if (format == "json") {
    write_report_json(out, campaign.name, now, accounts, config);
  } else {
    write_report_html(out, summary_of(store, campaign, now, config), accounts, config);
  }
}

}  // namespace passage
