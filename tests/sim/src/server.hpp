#pragma once
// The event loop: HTTP/1.1 and websocket on 127.0.0.1, timers and outgoing
// fetches for the core (it implements Runtime). Beast stays behind this
// header.
#include "options.hpp"
#include "runtime.hpp"

#include <cstdint>
#include <functional>
#include <memory>

namespace sim {

class Api;

class Server : public Runtime {
public:
  explicit Server(const SimOptions& options);
  ~Server() override;
  // Binds 127.0.0.1:port (0: a free port) for the admin API and returns
  // the port.
  std::uint16_t listen(std::uint16_t port);
  // Binds 127.0.0.1:port (0: a free port) for the instances' own routes
  // (/move/*), as a stack serves them on its public port, and returns it.
  std::uint16_t listen_public(std::uint16_t port);
  // Serves until SIGINT or SIGTERM. `drop_period_s` reads ws_drop_every_s.
  void run(Api& api, std::function<double()> drop_period_s);

  void after(std::chrono::milliseconds delay, std::function<void()> fn) override;
  void publish(const std::string& doctype, std::string message) override;
  void fetch(const std::string& url, std::function<void(FetchResult)> done) override;

private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

}  // namespace sim
