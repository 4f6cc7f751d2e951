// passage purge, nightly.

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <ostream>

#include "engine/env/faults.hpp"
#include "engine/env/local_write.hpp"
#include "engine/app/app.hpp"
#include "engine/env/file_modes.hpp"
#include "engine/metrics/metrics.hpp"
#include "engine/sched/archive_retention.hpp"
#include "engine/sched/purge.hpp"
#include "engine/sched/runner.hpp"

namespace passage {

namespace {

// A clock far ahead must not delete real spaces (CONTRACT.md "Time"); a
// dry run deletes nothing and runs nothing, so it may look ahead.
void refuse_future_clock(AppContext& app) {
  if (app.config().allow_future_purge || app.line().dry_run) return;
  auto system_now = std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  if (app.clock().now() > system_now + std::chrono::hours(1))
    throw BadInput("--now is more than 1 hour ahead of the system clock; purge refuses to delete "
                   "(allow_future_purge: true is for test and demo configs only)");
}

// A dry run's report is marked and named apart, so that it never passes
// for a real night's; a report of the same second (a nightly, then a
// purge) is never replaced: the new one gets a suffix.
void write_purge_report(AppContext& app, const PurgeReport& report) {
  std::filesystem::path dir = app.config().reports_dir;
  std::filesystem::create_directories(dir);
  std::string stamp = format_stamp(app.clock().now());
  std::filesystem::path path =
      unused_path(dir, (report.dry_run ? "dry-run-purge-" : "purge-") + stamp, ".json");
  write_whole_file(path, purge_report_json(report), k_shared_file_mode,
                   faults::disk_error(faults::Site::report));
  if (!app.line().quiet) app.out() << path.string() << '\n';
}

void print_purge(AppContext& app, const PurgeReport& report, bool dry_run) {
  if (app.line().quiet) return;
  app.out() << (dry_run ? "purge (dry run): " : "purge: ") << report.due << " due, " << report.deleted
            << (dry_run ? " would be deleted, " : " deleted, ") << report.already_gone
            << " already gone, " << report.held << " held, " << report.reexport << " to export again, "
            << report.deferred << " for the next nights, " << report.unreadable << " unreadable, "
            << plural(report.delete_failed, "deletion", "deletions") << " failed\n";
  if (report.stopped)
    app.out() << "purge stopped by a signal: no DELETE started after it; the accounts left are due at the next purge\n";
  if (!report.directory_check)
    app.out() << "directory check: off (no directory configured: departures are not re-checked)\n";
  for (const std::string& stack : report.stacks_unreached) app.out() << "stack " << stack << " not answering\n";
  if (report.relay_unreached) app.out() << "mail relay not answering\n";
  if (report.tripped) app.out() << "breaker tripped: " << report.reason << '\n';
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// metrics.textfile, when configured: what this night did, for monitoring.
// A dry run changes nothing, the file included.
void write_metrics(AppContext& app, double started, int exit_code, const PurgeReport& report,
                   const RunSummary* run) {
  const auto& path = app.config().metrics_textfile;
  if (!path || app.line().dry_run) return;
  MetricsInput input;
  read_account_metrics(app.store(), input);
  input.last_purge = {{"deleted", report.deleted},     {"already_gone", report.already_gone},
                      {"failed", report.delete_failed}, {"held", report.held},
                      {"deferred", report.deferred}};
  input.breaker_tripped = app.store().breaker().tripped;
  for (const StackConfig& stack : app.config().stacks) {
    bool down = std::count(report.stacks_unreached.begin(), report.stacks_unreached.end(), stack.name) > 0;
    if (run) down = down || std::count(run->stacks_unreached.begin(), run->stacks_unreached.end(), stack.name) > 0;
    input.stack_up[stack.name] = !down;
  }
  if (app.config().notify.notifier == "smtp")
    input.relay_up = !(report.relay_unreached || (run && run->relay_unreached));
  input.run_start = started;
  input.run_end = unix_now();
  input.exit_code = exit_code;
  input.last_success = exit_code == k_exit_done ? std::optional<double>(input.run_end) : previous_last_success(*path);
  write_atomically(*path, metrics_text(input));
}

// A nightly or purge that could not start (another command holds the
// lock): monitoring must learn the night did not run (CONTRACT.md
// "Metrics": last run's times and exit code; the last success unchanged).
std::shared_ptr<DatabaseLock> lock_or_tell_monitoring(AppContext& app, const std::string& command, double started) {
  try {
    return take_writer_lock(app, command);
  } catch (const LockedError&) {
    const auto& path = app.config().metrics_textfile;
    if (path && !app.line().dry_run) {
      std::ifstream in(*path, std::ios::binary);
      std::string previous((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      try {
        write_atomically(*path, with_run_outcome(previous, started, unix_now(), k_exit_locked));
      } catch (const LocalWriteError& error) {
        app.err() << "passage: error: " << error.what() << '\n';  // the lock's exit code stands
      }
    }
    throw;
  }
}

// The caller refused a config that lost a stack (refuse_stacks_not_configured).
int purge_once(AppContext& app, const std::string& actor, PurgeReport& report) {
  PurgeOptions options{app.line().dry_run, actor};
  report = purge_night(app.config(), app.store(), app.clock(), options);
  print_purge(app, report, options.dry_run);
  write_purge_report(app, report);
  // Not on a night the breaker tripped: the list that tripped it may be wrong.
  if (!options.dry_run && !report.tripped) {
    int removed = remove_expired_archives(app.config(), app.store(), app.clock().now(), actor);
    if (removed > 0 && !app.line().quiet)
      app.out() << removed << " archives removed after their retention period\n";
  }
  if (report.tripped) {
    app.err() << "passage: purge: breaker tripped: " << report.reason << '\n';
    return k_exit_breaker;
  }
  for (const std::string& problem : report.local_write_errors) app.err() << "passage: error: " << problem << '\n';
  // Accounts left due because the stack failed them tonight, or a local
  // write refused: monitoring must see it (CONTRACT.md exit code 7).
  if (report.stopped || !report.local_write_errors.empty() || report.delete_failed > 0 || report.unreadable > 0 ||
      !report.stacks_unreached.empty() || report.relay_unreached)
    return k_exit_degraded;
  return k_exit_done;
}

int reset_breaker(AppContext& app) {
  if (app.line().dry_run)
    throw BadInput("purge: --dry-run and --reset-breaker do not go together (a dry run changes nothing)");
  if (!app.line().by) throw BadInput("purge --reset-breaker: --by NAME is required (who resets it)");
  std::string actor = app.support_actor();
  refuse_future_clock(app);
  auto lock = take_writer_lock(app, "purge --reset-breaker");
  app.store().set_breaker(false, "reset by " + actor, app.clock().now(), actor);
  if (!app.line().quiet) app.out() << "breaker reset by " << actor << '\n';
  return k_exit_done;
}

}  // namespace

// Under --dry-run the database is read-only (AppContext::store): the purge
// decides everything and writes at most its report.
int cmd_purge(AppContext& app) {
  if (app.line().reset_breaker) return reset_breaker(app);
  refuse_future_clock(app);
  const double started = unix_now();
  auto lock = lock_or_tell_monitoring(app, app.line().dry_run ? "purge --dry-run" : "purge", started);
  refuse_stacks_not_configured(app, std::nullopt);
  PurgeReport report;
  const int code = purge_once(app, app.admin_actor(), report);
  write_metrics(app, started, code, report, nullptr);
  return code;
}

int cmd_nightly(AppContext& app) {
  refuse_future_clock(app);
  if (app.line().dry_run) {
    auto lock = take_writer_lock(app, "nightly --dry-run");
    refuse_stacks_not_configured(app, std::nullopt);
    if (!app.line().quiet) app.out() << "nightly (dry run): run step skipped (it would change accounts)\n";
    PurgeReport report;
    return purge_once(app, "nightly", report);
  }
  const double started = unix_now();
  auto lock = lock_or_tell_monitoring(app, "nightly", started);
  RunOptions options;
  options.until_idle = true;
  options.actor = "nightly";
  refuse_stacks_not_configured(app, std::nullopt);
  RunSummary summary = run_accounts(app.config(), app.store(), app.clock(), options);
  if (!app.line().quiet) app.out() << run_summary_line(summary) << '\n';
  PurgeReport report;
  if (summary.stopped_by_signal) {
    // Ctrl-C or the service manager's stop: the night stops there, no
    // deletion starts, and monitoring is told (exit 7).
    if (!app.line().quiet) app.out() << "nightly: stopped by a signal during its run: no purge tonight\n";
    report.stopped = true;
    const int code = worst_exit(run_exit_code(summary), k_exit_degraded);
    write_metrics(app, started, code, report, &summary);
    return code;
  }
  const int code = worst_exit(run_exit_code(summary), purge_once(app, "nightly", report));
  write_metrics(app, started, code, report, &summary);
  return code;
}

int cmd_plan(AppContext& app);

}  // namespace passage
