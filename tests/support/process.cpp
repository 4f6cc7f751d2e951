#include "tests/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#ifndef PASSAGE_BIN
#error "PASSAGE_BIN must name the passage binary"
#endif

namespace passage::testing {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// argv as execv wants it, built before fork (the child may only call
// async-signal-safe functions).
std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> result;
  for (const std::string& arg : argv) result.push_back(const_cast<char*>(arg.c_str()));
  result.push_back(nullptr);
  return result;
}

// The parent's environment with `extra` added or replacing, as
// NAME=VALUE strings (kept alive by the caller across fork and exec).
std::vector<std::string> merged_environment(const Environment& extra) {
  std::vector<std::string> result;
  auto overridden = [&](const char* entry) {
    for (const auto& [name, value] : extra)
      if (std::strncmp(entry, name.c_str(), name.size()) == 0 && entry[name.size()] == '=')
        return true;
    return false;
  };
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry)
    if (!overridden(*entry)) result.emplace_back(*entry);
  for (const auto& [name, value] : extra) result.push_back(name + "=" + value);
  return result;
}

// In the child: move to `cwd`, wire fds 1 and 2, exec. Exits 127 on failure.
[[noreturn]] void exec_child(char* const* argv, char* const* envp, const char* cwd, int out_fd,
                             int err_fd) {
  if (cwd != nullptr && ::chdir(cwd) != 0) ::_exit(127);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull >= 0) ::dup2(devnull, 0);
  if (::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) ::_exit(127);
  ::execve(argv[0], argv, envp);
  ::_exit(127);
}

void record_status(ProcessResult& result, int status) {
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
}

Millis left_until(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
  return std::max(left, Millis(0));
}

// Reads both pipes until both are closed or the deadline passes.
bool drain(int out_fd, int err_fd, ProcessResult& result,
           std::chrono::steady_clock::time_point deadline) {
  std::array<pollfd, 2> fds{pollfd{out_fd, POLLIN, 0}, pollfd{err_fd, POLLIN, 0}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open = 2;
  std::array<char, 8192> buffer{};
  while (open > 0) {
    const Millis left = left_until(deadline);
    if (left.count() == 0) return false;
    int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) fail("poll");
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
      } else {
        fds[i].fd = -1;  // poll() ignores negative fds
        --open;
      }
    }
  }
  return true;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, Millis timeout,
                          const fs::path& cwd, const Environment& env) {
  if (argv.empty()) throw std::invalid_argument("run_process: empty argv");
  auto args = c_argv(argv);
  const std::vector<std::string> env_text = merged_environment(env);
  auto envp = c_argv(env_text);
  const std::string cwd_text = cwd.string();
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) fail("pipe2");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) fail("pipe2");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pid_t pid = ::fork();
  if (pid < 0) fail("fork");
  if (pid == 0)
    exec_child(args.data(), envp.data(), cwd_text.empty() ? nullptr : cwd_text.c_str(),
               out_pipe[1], err_pipe[1]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);

  ProcessResult result;
  result.timed_out = !drain(out_pipe[0], err_pipe[0], result, deadline);
  if (result.timed_out) ::kill(pid, SIGKILL);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  // Both pipes closed: the child is exiting (or was killed); reap it. A child
  // that closed its outputs but keeps running is killed at the deadline.
  int status = 0;
  while (true) {
    pid_t done = ::waitpid(pid, &status, result.timed_out ? 0 : WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) fail("waitpid");
    if (done == 0) {
      if (left_until(deadline).count() == 0) {
        ::kill(pid, SIGKILL);
        result.timed_out = true;
      } else {
        ::poll(nullptr, 0, 5);
      }
    }
  }
  record_status(result, status);
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, const fs::path& cwd,
                                     const fs::path& out_file, const fs::path& err_file,
                                     const Environment& env) {
  if (argv.empty()) throw std::invalid_argument("BackgroundProcess: empty argv");
  auto args = c_argv(argv);
  const std::vector<std::string> env_text = merged_environment(env);
  auto envp = c_argv(env_text);
  const std::string cwd_text = cwd.string();
  int out_fd = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0) fail("open " + out_file.string());
  int err_fd = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (err_fd < 0) fail("open " + err_file.string());
  m_pid = ::fork();
  if (m_pid < 0) fail("fork");
  if (m_pid == 0)
    exec_child(args.data(), envp.data(), cwd_text.empty() ? nullptr : cwd_text.c_str(), out_fd,
               err_fd);
  ::close(out_fd);
  ::close(err_fd);
}

BackgroundProcess::~BackgroundProcess() {
  try {
    kill();
  } catch (...) {
  }
}

bool BackgroundProcess::running() {
  if (m_status != -1 || m_pid <= 0) return false;
  int status = 0;
  pid_t done = ::waitpid(m_pid, &status, WNOHANG);
  if (done == m_pid) {
    m_status = status;
    return false;
  }
  return done == 0;
}

void BackgroundProcess::kill() {
  if (!running()) return;
  ::kill(m_pid, SIGKILL);
  int status = 0;
  while (::waitpid(m_pid, &status, 0) < 0)
    if (errno != EINTR) fail("waitpid");
  m_status = status;
}

bool BackgroundProcess::wait_exit(Millis timeout) {
  return wait_until([this] { return !running(); }, timeout);
}

bool wait_until(const std::function<bool()>& condition, Millis timeout, Millis step) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    const Millis left = left_until(deadline);
    if (left.count() == 0) return condition();
    ::poll(nullptr, 0, static_cast<int>(std::min(left, step).count()));
  }
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

namespace {

std::string config_text(const ConfigOptions& options) {
  std::ostringstream dry_run;
  dry_run << "{ seed: " << options.seed
          << ", transient_failure_rate: " << options.transient_failure_rate
          << ", permanent_failure_rate: " << options.permanent_failure_rate
          << ", duration_ms: [1, 5] }";
  std::ostringstream text;
  text << "database: var/passage.db\n"
          "timezone: Europe/Paris\n"
          "allow_future_purge: true\n"
          "stacks:\n";
  for (const char* stack : {"academy", "partner"}) {
    text << "  - name: " << stack << "\n"
         << "    backend: dry-run\n"
         << "    domains: [\"*."
         << (std::string(stack) == "academy" ? "mytoutatice.cloud" : "partner.cloud") << "\"]\n"
         << "    rate: { per_second: 2000, burst: 200 }\n"
            "    max_in_flight: 32\n"
            "    max_exports_in_flight: 32\n"
         << "    dry_run: " << dry_run.str() << "\n";
  }
  // People already departed get archive delivery: its links need a public URL.
  text << "notify: { notifier: outbox, dir: var/outbox }\n"
          "serve: { public_listen: 127.0.0.1:0, public_url: https://passage.test }\n"
          "reports: { dir: var/reports }\n"
          "purge: { max_per_run: "
       << options.max_per_run << " }\n";
  return text.str();
}

}  // namespace

std::string login_of(int n) {
  char text[16];
  std::snprintf(text, sizeof text, "u%04d", n);
  return text;
}

Workspace::Workspace(const ConfigOptions& options) {
  std::string pattern = (fs::temp_directory_path() / "passage-it-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) fail("mkdtemp");
  m_dir = pattern;
  write("c.yaml", config_text(options));
}

int Workspace::outbox_count(const std::string& prefix) const {
  int count = 0;
  std::error_code error;
  if (!std::filesystem::exists(outbox_dir(), error)) return 0;
  for (const auto& entry : std::filesystem::directory_iterator(outbox_dir()))
    if (entry.path().filename().string().starts_with(prefix)) ++count;
  return count;
}

Workspace::~Workspace() {
  std::error_code ignored;
  fs::remove_all(m_dir, ignored);
}

fs::path Workspace::write_accounts(const std::string& name, int count,
                                   const std::string& departure_date) const {
  std::ostringstream text;
  text << "login,domain,action,email,target,departure_date,reason\n";
  for (int n = 1; n <= count; ++n) {
    const std::string login = login_of(n);
    text << login << ',' << login << ".mytoutatice.cloud,";
    switch (n % 3) {
      case 0: text << "export," << login << "@example.org,,"; break;
      case 1: text << "move," << login << "@example.org,https://" << login << ".mycozy.cloud,"; break;
      default: text << "move," << login << "@example.org,https://" << login << ".partner.cloud,";
    }
    text << departure_date << ",\"left, n " << n << "\"\n";
  }
  return write(name, text.str());
}

fs::path Workspace::write(const std::string& name, const std::string& text) const {
  fs::path path = m_dir / name;
  write_file(path, text);
  return path;
}

std::vector<std::string> Workspace::passage_argv(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{PASSAGE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--config");
  argv.push_back(config().string());
  return argv;
}

ProcessResult Workspace::passage(const std::vector<std::string>& args, Millis timeout) const {
  return run_process(passage_argv(args), timeout, m_dir, m_env);
}

}  // namespace passage::testing
