#include "ws_client.hpp"

#include <boost/json/parse.hpp>

#include "sim_base64.hpp"

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace simtest {

struct WsClient::Impl {
  net::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;
  int pings = 0;
  bool pending = false;
  bool done = false;
  beast::error_code ec;
};

WsClient::WsClient(std::uint16_t port, const std::string& auth) : m(std::make_unique<Impl>()) {
  beast::error_code ec;
  beast::get_lowest_layer(m->ws).connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return;
  m->ws.set_option(websocket::stream_base::decorator([auth](websocket::request_type& req) {
    req.set(http::field::sec_websocket_protocol, "io.cozy.websocket");
    if (!auth.empty()) req.set(http::field::authorization, "Basic " + sim::base64_encode(auth));
  }));
  websocket::response_type res;
  beast::get_lowest_layer(m->ws).expires_after(std::chrono::seconds(5));
  m->ws.handshake(res, "127.0.0.1:" + std::to_string(port), "/realtime/", ec);
  beast::get_lowest_layer(m->ws).expires_never();
  m_status = static_cast<int>(res.result_int());
  m_protocol = std::string(res[http::field::sec_websocket_protocol]);
  if (ec) m_closed = true;
  m->ws.control_callback([impl = m.get()](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) ++impl->pings;
  });
}

int WsClient::pings() const { return m->pings; }

WsClient::~WsClient() = default;

bool WsClient::send(const std::string& text) {
  beast::error_code ec;
  m->ws.text(true);
  m->ws.write(net::buffer(text), ec);
  return !ec;
}

std::optional<std::string> WsClient::read(std::chrono::milliseconds limit) {
  if (m_closed) return std::nullopt;
  if (!m->pending) {
    m->pending = true;
    m->done = false;
    m->ws.async_read(m->buffer, [this](beast::error_code ec, std::size_t) {
      m->ec = ec;
      m->done = true;
    });
  }
  m->ioc.restart();
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!m->done && std::chrono::steady_clock::now() < until) m->ioc.run_one_until(until);
  if (!m->done) return std::nullopt;
  m->pending = false;
  if (m->ec) {
    m_closed = true;
    return std::nullopt;
  }
  std::string text = beast::buffers_to_string(m->buffer.data());
  m->buffer.consume(m->buffer.size());
  return text;
}

std::vector<boost::json::object> read_events(WsClient& ws, std::size_t n) {
  std::vector<boost::json::object> out;
  while (out.size() < n) {
    auto message = ws.read(std::chrono::seconds(3));
    if (!message) break;
    out.push_back(boost::json::parse(*message).as_object());
  }
  return out;
}

}  // namespace simtest
