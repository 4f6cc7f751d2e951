// passage report NAME --format csv|json|html [--out PATH|-].

#include <cerrno>
#include <functional>
#include <ostream>

#include "engine/env/faults.hpp"
#include "engine/env/local_write.hpp"
#include "engine/app/app.hpp"
#include "engine/env/file_modes.hpp"
#include "plugins/reporters/campaign_report.hpp"

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

// Where the report goes: --out PATH, stdout for --out -, else
// <reports.dir>/<NAME>-<stamp>.<ext>, whose path is printed. `write` puts
// the report's text on the stream.
void deliver(AppContext& app, const Campaign& campaign, const std::string& format, Instant now,
             const std::function<void(std::ostream&)>& write) {
  if (app.line().out == std::optional<std::string>("-")) {
    write(app.out());
    return;
  }
  std::filesystem::path path = app.line().out
      ? std::filesystem::path(*app.line().out)
      : unused_path(app.config().reports_dir, campaign.name + "-" + format_stamp(now), "." + format);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  // A refused write (disk full, read-only folder) or a reading that fails
  // half-way names the path and leaves no partial report
  // (engine/env/local_write.hpp).
  if (int injected = faults::disk_error(faults::Site::report)) throw LocalWriteError(cannot_write(path, injected));
  write_streamed_file(path, k_shared_file_mode, write);
  app.out() << path.string() << '\n';
}

int cmd_report(AppContext& app) {
  const std::string& name = app.word(1, "campaign NAME");
  std::string format = app.line().format.value_or("");
  if (!report_format_known(format)) throw BadInput("report: --format csv, json or html is required");
  const char separator = csv_separator(app.line(), format);
  const Config& config = app.config();
  Campaign campaign = require_campaign(app, name);
  Instant now = app.clock().now();
  // Row by row from a cursor: a 1,000,000-account report in a few MB.
  deliver(app, campaign, format, now, [&](std::ostream& out) {
    write_campaign_report(app.store(), campaign, now, config, format, separator, out);
  });
  return k_exit_done;
}

}  // namespace passage
