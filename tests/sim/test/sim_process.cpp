#include "sim_process.hpp"

#include <csignal>
#include <poll.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace simtest {

SimProcess::SimProcess(std::vector<std::string> args) {
  args.insert(args.begin(), {PASSAGE_SIM_BIN, "--port", "0", "--passphrase", k_passphrase});
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  const auto started = std::chrono::steady_clock::now();
  m_pid = fork();
  if (m_pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  m_out = fds[0];
  const std::string line = read_line();
  m_startup = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  m_port = port_after(line, "listening 127.0.0.1:");
  m_public_port = port_after(read_line(), "public 127.0.0.1:");
}

std::string SimProcess::read_line() {
  std::string line;
  char c = 0;
  while (line.size() < 200) {
    pollfd p{m_out, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0 || read(m_out, &c, 1) != 1) break;
    if (c == '\n') break;
    line += c;
  }
  return line;
}

std::uint16_t SimProcess::port_after(const std::string& line, const std::string& prefix) {
  if (line.rfind(prefix, 0) != 0) throw std::runtime_error("simulator did not start: '" + line + "'");
  return static_cast<std::uint16_t>(std::stoi(line.substr(prefix.size())));
}

SimProcess::~SimProcess() {
  if (m_pid > 0) {
    kill(m_pid, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
        m_pid = -1;
        break;
      }
      usleep(20'000);
    }
    if (m_pid > 0) {
      kill(m_pid, SIGKILL);
      waitpid(m_pid, nullptr, 0);
    }
  }
  if (m_out >= 0) close(m_out);
}

}  // namespace simtest
