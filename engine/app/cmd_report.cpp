// passage report NAME --format csv|json|html [--out PATH|-].

#include <fstream>
#include <ostream>

#include "engine/app/app.hpp"
#include "plugins/reporters/reporters.hpp"

namespace passage {

int cmd_report(AppContext& app) {
  const std::string& name = app.word(1, "campaign NAME");
  std::string format = app.line().format.value_or("");
  if (!report_format_known(format)) throw BadInput("report: --format csv, json or html is required");
  const Config& config = app.config();
  Campaign campaign = require_campaign(app, name);
  Instant now = app.clock().now();
  ReportInput input{campaign.name, now, app.store().accounts_of(campaign.id)};
  std::string text = format == "json"   ? report_json(input, config)
                     : format == "html" ? report_html(input, config)
                                        : report_csv(input, config);
  if (app.line().out == std::optional<std::string>("-")) {
    app.out() << text;
    return k_exit_done;
  }
  std::filesystem::path path = app.line().out
      ? std::filesystem::path(*app.line().out)
      : config.reports_dir / (campaign.name + "-" + format_stamp(now) + "." + format);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  if (!file) throw std::runtime_error("cannot write " + path.string());
  app.out() << path.string() << '\n';
  return k_exit_done;
}

}  // namespace passage
