#pragma once
// The admin realtime websocket (`GET /realtime/`): subscriptions by
// doctype, events for every instance, pings and the idle drop.
#include "beast_fwd.hpp"

#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <string>

namespace sim {

class RealtimeHub {
public:
  RealtimeHub(net::any_io_executor executor, std::chrono::seconds ping, std::chrono::seconds idle,
              std::function<double()> drop_period_s);
  // Takes over a connection whose upgrade request the Api accepted.
  net::awaitable<void> serve(beast::tcp_stream stream, http::request<http::string_body> req);
  void publish(const std::string& doctype, const std::string& message);
  // Starts the ws_drop_every_s ticker.
  void start();

private:
  struct Client;
  net::awaitable<void> writer(std::shared_ptr<Client> c);
  net::awaitable<void> ticker();
  void handle_message(Client& c, const std::string& text);
  void close(Client& c);

  net::any_io_executor m_executor;
  std::chrono::seconds m_ping;
  std::chrono::seconds m_idle;
  std::function<double()> m_drop_period_s;
  std::list<std::shared_ptr<Client>> m_clients;
};

}  // namespace sim
