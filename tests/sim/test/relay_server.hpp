#pragma once
// A one-thread HTTP server for import tests, standing where Passage serves
// parts: it answers GET <path> with what <upstream><path> answers, and can
// hold back or spoil the parts after the first (those with `cursor=`).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace simtest {

struct RelayOptions {
  std::chrono::milliseconds later_part_delay{0};  // wait this long before answering a later part
  bool spoil_later_parts = false;                  // answer later parts 200 with a body that is no zip
};

class RelayServer {
public:
  RelayServer(std::string upstream, RelayOptions options);
  ~RelayServer();
  RelayServer(const RelayServer&) = delete;
  RelayServer& operator=(const RelayServer&) = delete;
  std::string base() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  int later_parts_served() const { return m_later_parts; }

private:
  void serve();
  void answer(int fd);

  std::string m_upstream;
  RelayOptions m_options;
  int m_listen = -1;
  std::uint16_t m_port = 0;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_later_parts{0};
  std::thread m_thread;
};

}  // namespace simtest
