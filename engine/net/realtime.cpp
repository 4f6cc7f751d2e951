#include "engine/net/realtime.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/url/parse.hpp>

#include "engine/sched/request_gate.hpp"

namespace passage {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using WsStream = websocket::stream<beast::tcp_stream>;

// Errors come back as values: nothing is thrown across the coroutine frames.
constexpr auto k_use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr Millis k_connect_timeout = std::chrono::seconds(5);
constexpr Millis k_backoff_first = Millis(100);
constexpr Millis k_backoff_cap = std::chrono::seconds(5);
// Beast's suggested client timeouts never notice a dead server (no idle
// limit). The stack pings every 54 s, and Beast pings after half this much
// silence, so a live server always answers well within it; a silent one is
// dropped, and the drop is a reconnect.
constexpr std::chrono::seconds k_idle_timeout{60};
// How long stop() lets the closing handshake run before cutting the socket.
constexpr std::chrono::seconds k_close_grace{1};
// An event is one document (an instance's with its secrets: a few KiB); a
// larger message ends the connection, which reconnects at once.
constexpr std::size_t k_event_max = 1024 * 1024;
constexpr std::string_view k_subprotocol = "io.cozy.websocket";
constexpr std::string_view k_subscribe =
    R"({"method":"SUBSCRIBE","payload":{"type":"io.cozy.exports"}})";

struct Endpoint {
  std::string host;         // for the resolver (no brackets)
  std::string port;
  std::string host_header;  // Host: as sent
  std::string target;       // <base path>/realtime/
};

// Loopback http:// only for now. The message never quotes the URL (it could
// carry user info).
Endpoint parse_base_url(const std::string& base_url) {
  const auto parsed = boost::urls::parse_uri(base_url);
  if (!parsed || parsed->scheme_id() != boost::urls::scheme::http || !parsed->has_authority() ||
      parsed->encoded_host().empty()) {
    throw std::invalid_argument("realtime: the admin base URL must be http://host[:port][/path]");
  }
  Endpoint endpoint;
  endpoint.host = std::string(parsed->encoded_host_address());
  endpoint.port = parsed->has_port() ? std::string(parsed->port()) : std::string("80");
  endpoint.host_header = std::string(parsed->encoded_host()) + ":" + endpoint.port;
  std::string path(parsed->encoded_path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  endpoint.target = path + "/realtime/";
  return endpoint;
}

std::string basic_authorization(const std::string& passphrase) {
  namespace b64 = beast::detail::base64;
  const std::string credentials = ":" + passphrase;
  std::string encoded(b64::encoded_size(credentials.size()), '\0');
  encoded.resize(b64::encode(encoded.data(), credentials.data(), credentials.size()));
  return "Basic " + encoded;
}

websocket::stream_base::timeout keep_alive_timeouts() {
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
  timeouts.idle_timeout = k_idle_timeout;
  timeouts.keep_alive_pings = true;
  return timeouts;
}

Millis backoff_delay(int failures) {
  if (failures >= 16) return k_backoff_cap;
  return std::min(k_backoff_cap, k_backoff_first * (1 << std::max(failures, 0)));
}

}  // namespace

// Everything lives here, owned by shared_ptrs held by the coroutines too, so
// the RealtimeClient may go away while they wind down. Single-threaded: all
// calls come from the io_context's thread.
class RealtimeClient::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, const std::string& base_url, const std::string& passphrase,
       RequestGate& gate, EventHandler on_event)
      : m_io(io),
        m_endpoint(parse_base_url(base_url)),
        m_authorization(basic_authorization(passphrase)),
        m_gate(gate),
        m_on_event(std::move(on_event)),
        m_backoff(io) {}

  void start();
  void stop();
  static asio::awaitable<bool> wait_subscribed(std::shared_ptr<Impl> self, Millis timeout);

  bool subscribed() const { return m_subscribed; }
  int connections() const { return m_connections; }
  int attempts() const { return m_attempts; }

 private:
  // Removes a waiter's timer from the list however its wait ends.
  struct Waiter {
    Waiter(Impl& impl, Millis timeout) : impl(impl), timer(impl.m_io) {
      timer.expires_after(timeout);
      impl.m_waiters.push_back(&timer);
    }
    ~Waiter() { std::erase(impl.m_waiters, &timer); }
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;
    Impl& impl;
    asio::steady_timer timer;
  };

  static asio::awaitable<void> run(std::shared_ptr<Impl> self);
  static asio::awaitable<void> close_politely(std::shared_ptr<Impl> self);
  asio::awaitable<bool> session();
  asio::awaitable<bool> open(WsStream& ws);
  asio::awaitable<void> read_events(WsStream& ws);
  void deliver(std::string_view text);
  void set_subscribed(bool subscribed);

  asio::io_context& m_io;
  Endpoint m_endpoint;
  std::string m_authorization;  // secret: never logged nor put in a message
  RequestGate& m_gate;
  EventHandler m_on_event;
  asio::steady_timer m_backoff;
  std::optional<WsStream> m_ws;  // the current connection, for stop()
  std::vector<asio::steady_timer*> m_waiters;
  bool m_started = false;
  bool m_stopped = false;
  bool m_open = false;  // upgraded, not yet dropped
  bool m_subscribed = false;
  int m_connections = 0;
  int m_attempts = 0;
};

void RealtimeClient::Impl::start() {
  if (m_started || m_stopped) return;
  m_started = true;
  asio::co_spawn(m_io, run(shared_from_this()), [](const std::exception_ptr&) {});
}

void RealtimeClient::Impl::stop() {
  if (m_stopped) return;
  m_stopped = true;
  m_backoff.cancel();
  set_subscribed(false);  // wakes the waiters, who now read false
  if (!m_ws) return;
  if (m_open) {
    asio::co_spawn(m_io, close_politely(shared_from_this()), [](const std::exception_ptr&) {});
  } else {
    beast::get_lowest_layer(*m_ws).close();  // aborts a resolve/connect/upgrade
  }
}

asio::awaitable<bool> RealtimeClient::Impl::wait_subscribed(std::shared_ptr<Impl> self,
                                                            Millis timeout) {
  if (self->m_subscribed || self->m_stopped) co_return self->m_subscribed;
  Waiter waiter(*self, timeout);
  co_await waiter.timer.async_wait(k_use_tuple);
  co_return self->m_subscribed;
}

void RealtimeClient::Impl::set_subscribed(bool subscribed) {
  m_subscribed = subscribed;
  if (!subscribed && !m_stopped) return;
  for (asio::steady_timer* timer : m_waiters) timer->cancel();
}

// Connects for good: at once after a drop, with a capped doubling backoff
// while connecting fails. Exceptions (only bad_alloc is expected) count as a
// failed attempt; none reaches the io_context.
asio::awaitable<void> RealtimeClient::Impl::run(std::shared_ptr<Impl> self) {
  int failures = 0;
  while (!self->m_stopped) {
    co_await self->m_gate.take_token_only();
    if (self->m_stopped) break;
    ++self->m_attempts;
    bool was_up = false;
    try {
      was_up = co_await self->session();
    } catch (...) {
      was_up = false;
    }
    self->m_open = false;
    self->set_subscribed(false);
    if (self->m_stopped) break;
    if (was_up) {
      failures = 0;
      continue;
    }
    self->m_backoff.expires_after(backoff_delay(failures));
    ++failures;
    co_await self->m_backoff.async_wait(k_use_tuple);
  }
}

// True when the socket got as far as SUBSCRIBE and then dropped.
asio::awaitable<bool> RealtimeClient::Impl::session() {
  m_ws.emplace(m_io);
  WsStream& ws = *m_ws;
  const bool opened = co_await open(ws);
  if (!opened || m_stopped) co_return false;
  ++m_connections;
  m_open = true;
  ws.text(true);
  const auto subscribe = asio::buffer(k_subscribe);
  auto [ec, written] = co_await ws.async_write(subscribe, k_use_tuple);
  if (ec || m_stopped) co_return false;
  set_subscribed(true);  // the stack sends no acknowledgement
  co_await read_events(ws);
  co_return true;
}

// Resolve, connect (bounded), upgrade with Basic auth and the subprotocol.
asio::awaitable<bool> RealtimeClient::Impl::open(WsStream& ws) {
  tcp::resolver resolver(m_io);
  auto [resolve_ec, results] =
      co_await resolver.async_resolve(m_endpoint.host, m_endpoint.port, k_use_tuple);
  if (resolve_ec || m_stopped) co_return false;
  beast::tcp_stream& stream = beast::get_lowest_layer(ws);
  stream.expires_after(k_connect_timeout);
  auto [connect_ec, peer] = co_await stream.async_connect(results, k_use_tuple);
  if (connect_ec || m_stopped) co_return false;
  stream.expires_never();  // the websocket's own timeouts take over
  ws.set_option(keep_alive_timeouts());
  ws.read_message_max(k_event_max);
  ws.set_option(websocket::stream_base::decorator(
      [authorization = m_authorization](websocket::request_type& request) {
        request.set(http::field::authorization, authorization);
        request.set(http::field::sec_websocket_protocol, k_subprotocol);
        request.set(http::field::user_agent, "passage");
      }));
  auto [upgrade_ec] =
      co_await ws.async_handshake(m_endpoint.host_header, m_endpoint.target, k_use_tuple);
  co_return !upgrade_ec;
}

asio::awaitable<void> RealtimeClient::Impl::read_events(WsStream& ws) {
  beast::flat_buffer buffer;
  while (!m_stopped) {
    auto [ec, size] = co_await ws.async_read(buffer, k_use_tuple);
    if (ec) break;
    if (ws.got_text()) deliver(beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
  }
}

void RealtimeClient::Impl::deliver(std::string_view text) {
  std::optional<RealtimeEvent> event = parse_realtime_event(text);
  if (!event || m_stopped || !m_on_event) return;
  try {
    m_on_event(*event);
  } catch (...) {
    // The caller's handler failing must not take the socket down.
  }
}

// The closing handshake, bounded: after k_close_grace the socket is cut.
asio::awaitable<void> RealtimeClient::Impl::close_politely(std::shared_ptr<Impl> self) {
  asio::steady_timer guard(self->m_io);
  guard.expires_after(k_close_grace);
  guard.async_wait([weak = std::weak_ptr<Impl>(self)](boost::system::error_code ec) {
    if (ec) return;
    if (auto impl = weak.lock(); impl && impl->m_ws) {
      beast::get_lowest_layer(*impl->m_ws).close();
    }
  });
  const websocket::close_reason reason(websocket::close_code::going_away);
  co_await self->m_ws->async_close(reason, k_use_tuple);
}

RealtimeClient::RealtimeClient(boost::asio::io_context& io, std::string base_url,
                               std::string passphrase, RequestGate& gate, EventHandler on_event)
    : m_impl(std::make_shared<Impl>(io, base_url, passphrase, gate, std::move(on_event))) {}

RealtimeClient::~RealtimeClient() { m_impl->stop(); }

void RealtimeClient::start() { m_impl->start(); }

boost::asio::awaitable<bool> RealtimeClient::wait_subscribed(Millis timeout) {
  return Impl::wait_subscribed(m_impl, timeout);
}

bool RealtimeClient::subscribed() const { return m_impl->subscribed(); }

void RealtimeClient::stop() { m_impl->stop(); }

int RealtimeClient::connections() const { return m_impl->connections(); }

int RealtimeClient::attempts() const { return m_impl->attempts(); }

}  // namespace passage
