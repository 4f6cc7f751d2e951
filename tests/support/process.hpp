// Test support: run the real binaries as child processes, and a throw-away
// working directory that holds a config and an accounts file.
//
// Nothing here sleeps: every wait is bounded by a deadline and blocks in
// poll() on something observable (a pipe, or a short poll() timeout between
// two looks at a condition).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace passage::testing {

using Millis = std::chrono::milliseconds;

// Variables a child gets on top of the parent's environment, as
// {NAME, VALUE}; a NAME already set is replaced.
using Environment = std::vector<std::pair<std::string, std::string>>;

struct ProcessResult {
  int exit_code = -1;  // -1 when the child did not exit normally
  int signal = 0;      // the signal that ended it, 0 if none
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs argv (argv[0] is a path; no shell, no PATH search) in `cwd` (empty:
// the current directory), capturing stdout and stderr. A child still
// running after `timeout` is killed with SIGKILL and reported `timed_out`.
// `env` is added to the inherited environment.
ProcessResult run_process(const std::vector<std::string>& argv, Millis timeout,
                          const std::filesystem::path& cwd = {}, const Environment& env = {});

// A child started in the background, its stdout and stderr going to files
// (a pipe nobody reads would block it), `env` added to the inherited
// environment. The destructor kills and reaps it.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                    const std::filesystem::path& out_file, const std::filesystem::path& err_file,
                    const Environment& env = {});
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return m_pid; }
  // True while the child has not exited (reaps it when it has).
  bool running();
  // SIGKILL, then reap. Safe to call when it already exited.
  void kill();
  // Waits up to `timeout` for the child to exit on its own; false if it did not.
  bool wait_exit(Millis timeout);
  // Raw wait status once reaped (see waitpid), -1 before.
  int status() const { return m_status; }

 private:
  pid_t m_pid = -1;
  int m_status = -1;
};

// Polls `condition` until it holds or `timeout` passes, blocking in
// poll(nullptr, 0, step) between two looks. Returns the last answer.
bool wait_until(const std::function<bool()>& condition, Millis timeout, Millis step = Millis(10));

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& text);

// What the generated dry-run config may vary.
struct ConfigOptions {
  int seed = 7;
  double transient_failure_rate = 0.05;
  double permanent_failure_rate = 0.0;
  int max_per_run = 5000;
};

// A fresh directory under the system temp dir, removed on destruction,
// with a Passage config (`c.yaml`: two dry-run stacks, an outbox, database
// and reports under `var/`) and helpers to write accounts files.
class Workspace {
 public:
  explicit Workspace(const ConfigOptions& options = {});
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  const std::filesystem::path& dir() const { return m_dir; }
  std::filesystem::path config() const { return m_dir / "c.yaml"; }
  std::filesystem::path database() const { return m_dir / "var" / "passage.db"; }
  std::filesystem::path reports_dir() const { return m_dir / "var" / "reports"; }
  std::filesystem::path outbox_dir() const { return m_dir / "var" / "outbox"; }
  // The mails in the outbox whose file name starts with `prefix`
  // ("deletion_done." for a kind; 0 without an outbox).
  int outbox_count(const std::string& prefix) const;

  // Writes `name` with `count` accounts u0001…: a third exports, a third
  // user-driven moves (target outside every stack), a third admin-driven
  // moves (target on the `partner` stack); all departed on
  // `departure_date`. Returns its path.
  std::filesystem::path write_accounts(const std::string& name, int count,
                                       const std::string& departure_date = "2026-10-01") const;
  std::filesystem::path write(const std::string& name, const std::string& text) const;

  // argv for the passage binary with `args`, then `--config c.yaml`.
  std::vector<std::string> passage_argv(const std::vector<std::string>& args) const;
  // Runs passage in this directory, with environment().
  ProcessResult passage(const std::vector<std::string>& args, Millis timeout = Millis(120000)) const;

  // Variables every passage child of this workspace gets (e.g. the
  // variable a config's passphrase_env names). Empty by default.
  const Environment& environment() const { return m_env; }
  void set_environment(Environment env) { m_env = std::move(env); }

 private:
  std::filesystem::path m_dir;
  Environment m_env;
};

// The generated login of account number `n` (1-based), e.g. "u0007".
std::string login_of(int n);

}  // namespace passage::testing
