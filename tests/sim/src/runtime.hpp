#pragma once
// The seam between the core and the event loop: timers, websocket
// publication and outgoing HTTP. The server implements it with Asio.
#include <chrono>
#include <functional>
#include <string>

namespace sim {

struct FetchResult {
  int status = 0;  // 0: no HTTP answer (connection failed, refused URL)
  std::string body;
  std::string error;
  bool refused = false;  // not dialed: a loopback or private address, or a port other than 80/443 (safe_http.hpp)
};

class Runtime {
public:
  virtual ~Runtime() = default;
  virtual void after(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  // Sends `message` to every realtime client subscribed to `doctype`.
  virtual void publish(const std::string& doctype, std::string message) = 0;
  // GET `url` as cozy-stack's safehttp client would (fetch.hpp); `done`
  // runs on the event loop.
  virtual void fetch(const std::string& url, std::function<void(FetchResult)> done) = 0;
};

}  // namespace sim
