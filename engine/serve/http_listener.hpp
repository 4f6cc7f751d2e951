#pragma once
// The accept loop both servers share (`serve` and `serve --public`): listen
// on one address, one coroutine per connection, until SIGINT or SIGTERM.

#include <functional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "engine/config/config.hpp"

namespace passage {

class HttpListener {
 public:
  using Session = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket)>;

  explicit HttpListener(boost::asio::io_context& io) : m_io(io), m_acceptor(io) {}

  // Binds and listens; the port bound (the one asked, or a free one for 0).
  unsigned short listen(const ListenAddress& address);

  // Serves each connection with `session` until SIGINT or SIGTERM.
  void run(Session session);

 private:
  boost::asio::awaitable<void> accept_loop(Session session);

  boost::asio::io_context& m_io;
  boost::asio::ip::tcp::acceptor m_acceptor;
};

}  // namespace passage
