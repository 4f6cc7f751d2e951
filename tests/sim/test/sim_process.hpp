#pragma once
// Starts the real passage-cozy-sim binary on free ports (admin and public) and stops it
// (SIGTERM, then SIGKILL) when it goes out of scope.
#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace simtest {

constexpr const char* k_passphrase = "s3cret";

class SimProcess {
public:
  explicit SimProcess(std::vector<std::string> args = {});
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;
  std::uint16_t port() const { return m_port; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  // The public listener: the instances' own routes (/move/*), not the admin API.
  std::uint16_t public_port() const { return m_public_port; }
  std::string public_base() const { return "http://127.0.0.1:" + std::to_string(m_public_port); }
  std::chrono::milliseconds startup() const { return m_startup; }

private:
  std::string read_line();
  static std::uint16_t port_after(const std::string& line, const std::string& prefix);

  pid_t m_pid = -1;
  int m_out = -1;
  std::uint16_t m_port = 0;
  std::uint16_t m_public_port = 0;
  std::chrono::milliseconds m_startup{0};
};

}  // namespace simtest
