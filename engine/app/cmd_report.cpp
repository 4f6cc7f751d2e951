// passage report NAME --format csv|json|html [--out PATH|-].

#include <fstream>
#include <ostream>

#include "engine/env/faults.hpp"
#include "engine/env/local_write.hpp"
#include "engine/app/app.hpp"
#include "engine/env/file_modes.hpp"
#include "plugins/reporters/report_history.hpp"
#include "plugins/reporters/reporters.hpp"

namespace passage {

namespace {

// --csv-separator goes with --format csv only: an option that would do
// nothing is an error, never ignored.
char csv_separator(const CommandLine& line, const std::string& format) {
  if (!line.csv_separator) return ';';
  if (format != "csv") throw BadInput("report: --csv-separator goes with --format csv only");
  auto separator = parse_csv_separator(*line.csv_separator);
  if (!separator) throw BadInput("report: --csv-separator must be ';', ',' or tab, not '" + *line.csv_separator + "'");
  return *separator;
}

}  // namespace

int cmd_report(AppContext& app) {
  const std::string& name = app.word(1, "campaign NAME");
  std::string format = app.line().format.value_or("");
  if (!report_format_known(format)) throw BadInput("report: --format csv, json or html is required");
  const char separator = csv_separator(app.line(), format);
  const Config& config = app.config();
  Campaign campaign = require_campaign(app, name);
  Instant now = app.clock().now();
  ReportInput input{campaign.name, now, app.store().accounts_of(campaign.id)};
  if (format == "html") input.history = read_state_changes(app.store(), input.accounts);
  std::string text = format == "json"   ? report_json(input, config)
                     : format == "html" ? report_html(input, config)
                                        : report_csv(input, config, separator);
  if (app.line().out == std::optional<std::string>("-")) {
    app.out() << text;
    return k_exit_done;
  }
  std::filesystem::path path = app.line().out
      ? std::filesystem::path(*app.line().out)
      : config.reports_dir / (campaign.name + "-" + format_stamp(now) + "." + format);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  write_whole_file(path, text, k_shared_file_mode, faults::disk_error(faults::Site::report));
  app.out() << path.string() << '\n';
  return k_exit_done;
}

}  // namespace passage
