#pragma once
// The Beast/Asio names used by the server's few heavy translation units.
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast.hpp>

namespace sim {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
// Errors come back as values: no exceptions across coroutine frames.
constexpr auto k_use_tuple = net::as_tuple(net::use_awaitable);
}  // namespace sim
