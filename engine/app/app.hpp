#pragma once
// The command line (CONTRACT.md "Command line"): parsing, the shared
// context of a command, and one function per command.

#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/config.hpp"
#include "engine/env/clock.hpp"
#include "engine/store/store.hpp"
#include "engine/text/plural.hpp"

namespace passage {

enum ExitCode {
  k_exit_done = 0,
  k_exit_failed = 1,
  k_exit_bad_input = 2,
  k_exit_locked = 3,
  k_exit_breaker = 4,
  k_exit_audit_broken = 5,
  k_exit_held = 6,
  // The run or night was degraded: deletions failed, a stack or the mail
  // relay could not be reached, 404s not believed (CONTRACT.md).
  k_exit_degraded = 7,
};

// The exit code of a command that did several things (nightly: run, then
// purge): the one that matters most, in CONTRACT.md's precedence
// 5, 4, 7, 1, 0 (2 and 3 stop before any work).
inline int worst_exit(int a, int b) {
  for (int code : {k_exit_audit_broken, k_exit_breaker, k_exit_degraded, k_exit_held, k_exit_failed})
    if (a == code || b == code) return code;
  return k_exit_done;
}

// A user error: printed as one line on stderr, exit 2, nothing changed.
class BadInput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Errors that already name their place ("FILE:LINE: field: what is wrong"):
// printed one per line as they are, exit 2, nothing changed.
class BadInputLines : public BadInput {
 public:
  explicit BadInputLines(std::vector<std::string> lines)
      : BadInput(lines.empty() ? std::string("bad input") : lines.front()), m_lines(std::move(lines)) {}
  const std::vector<std::string>& lines() const { return m_lines; }

 private:
  std::vector<std::string> m_lines;
};

// Everything given on the command line, global and per command.
struct CommandLine {
  std::vector<std::string> words;    // command, subcommand, positional arguments
  std::vector<std::string> options;  // every option given, as "--name", in order
  std::optional<std::string> config, db, now, accounts, by, reason, until, format, out;
  std::optional<std::string> max_duration;
  std::optional<std::string> csv_separator;  // report --format csv
  // account list and bulk actions: a file of IDs, or selectors.
  std::optional<std::string> from, campaign, state, failure;
  std::optional<int> days;
  bool json = false, quiet = false, verbose = false, help = false, version = false;
  bool dry_run = false, until_idle = false, reset_breaker = false;
  bool public_server = false;  // serve --public
  bool all = false;            // campaign list --all: closed ones too
};

class AppContext {
 public:
  AppContext(CommandLine line, std::ostream& out, std::ostream& err);

  const CommandLine& line() const { return m_line; }
  std::ostream& out() { return m_out; }
  std::ostream& err() { return m_err; }

  // Loads and validates the config on first use (BadInput listing every error).
  const Config& config();
  // Where config() reads it: --config, else $PASSAGE_CONFIG, else /etc/passage/passage.yaml.
  std::string config_file() const;
  const Clock& clock();
  // Opens the database on first use. Under --dry-run it is opened
  // read-only, must exist and must not need a migration (else BadInput).
  Store& store();
  std::filesystem::path database_path();
  // `admin:<os user>` for admin commands; `--by` decides for support ones.
  std::string admin_actor() const;
  std::string support_actor() const;  // requires --by
  // The word at `index` (0 = command) or BadInput naming `what`.
  const std::string& word(std::size_t index, const char* what) const;

 private:
  CommandLine m_line;
  std::ostream& m_out;
  std::ostream& m_err;
  std::optional<Config> m_config;
  std::unique_ptr<Clock> m_clock;
  std::unique_ptr<Store> m_store;

  Store& open_read_only(const std::filesystem::path& path);
};

// Runs `passage` with argv; returns the exit code.
int run_cli(int argc, char** argv, std::ostream& out, std::ostream& err);

int cmd_config_check(AppContext& app);
int cmd_campaign(AppContext& app);
int cmd_plan(AppContext& app);
int cmd_run(AppContext& app);
struct RunSummary;
std::string run_summary_line(const RunSummary& summary);
int run_exit_code(const RunSummary& summary);
int cmd_status(AppContext& app);
int cmd_account(AppContext& app);
int cmd_purge(AppContext& app);
int cmd_nightly(AppContext& app);
int cmd_report(AppContext& app);
int cmd_audit(AppContext& app);
int cmd_plugins(AppContext& app);
int cmd_serve(AppContext& app);

// The campaign named `name`, or BadInput.
Campaign require_campaign(AppContext& app, const std::string& name);

// BadInput when accounts a run or a purge would step (of `campaign_id`,
// or of every campaign) belong to a stack the config no longer has: the
// command refuses to start rather than do part of its work.
void refuse_stacks_not_configured(AppContext& app, std::optional<std::int64_t> campaign_id);

// Takes the single-writer lock for `command` or throws LockedError. Under
// --dry-run the database is opened (read-only) first.
class DatabaseLock;
class LockedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
std::shared_ptr<DatabaseLock> take_writer_lock(AppContext& app, const std::string& command);

}  // namespace passage
