#pragma once
// A test websocket client (Beast, run step by step with deadlines).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace simtest {

class WsClient {
public:
  // `auth` "user:password", empty for none.
  WsClient(std::uint16_t port, const std::string& auth);
  ~WsClient();
  bool connected() const { return m_status == 101; }
  int handshake_status() const { return m_status; }
  std::string protocol() const { return m_protocol; }
  bool send(const std::string& text);
  // The next message, or empty after `limit` (the read stays pending).
  std::optional<std::string> read(std::chrono::milliseconds limit);
  // True once the server closed or dropped the connection.
  bool closed() const { return m_closed; }
  // Pings received from the server (answered automatically while reading).
  int pings() const;

private:
  struct Impl;
  std::unique_ptr<Impl> m;
  int m_status = 0;
  std::string m_protocol;
  bool m_closed = false;
};

// The next `n` JSON messages of `ws` (fewer if none comes for 3 s).
std::vector<boost::json::object> read_events(WsClient& ws, std::size_t n);

}  // namespace simtest
