#include "engine/serve/http_listener.hpp"

#include <csignal>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace passage {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

unsigned short HttpListener::listen(const ListenAddress& address) {
  const tcp::endpoint endpoint(asio::ip::make_address(address.host), address.port);
  m_acceptor.open(endpoint.protocol());
  m_acceptor.set_option(asio::socket_base::reuse_address(true));
  m_acceptor.bind(endpoint);
  m_acceptor.listen(asio::socket_base::max_listen_connections);
  return m_acceptor.local_endpoint().port();
}

void HttpListener::run(Session session) {
  asio::signal_set signals(m_io, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code&, int) {
    boost::system::error_code ignored;
    m_acceptor.close(ignored);
    m_io.stop();
  });
  asio::co_spawn(m_io, accept_loop(std::move(session)), asio::detached);
  m_io.run();
}

asio::awaitable<void> HttpListener::accept_loop(Session session) {
  for (;;) {
    auto [error, socket] = co_await m_acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (error == asio::error::operation_aborted) co_return;
    if (error) continue;
    asio::co_spawn(m_io, session(std::move(socket)), asio::detached);
  }
}

}  // namespace passage
