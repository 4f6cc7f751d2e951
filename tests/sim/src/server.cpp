#include "server.hpp"

#include "api.hpp"
#include "fetch.hpp"
#include "realtime.hpp"

#include <optional>

namespace sim {

struct Server::Impl {
  explicit Impl(const SimOptions& o) : options(o), acceptor(ioc), public_acceptor(ioc) {}
  net::awaitable<void> accept_loop(tcp::acceptor& from, Listener listener);
  net::awaitable<void> session(tcp::socket socket, Listener listener);
  net::awaitable<bool> write(beast::tcp_stream& stream, const http::request<http::string_body>& req, Response& res);
  net::awaitable<void> sleep_ms(std::int64_t ms);
  net::awaitable<void> wait_idle(std::int64_t ms);

  SimOptions options;
  net::io_context ioc{1};
  tcp::acceptor acceptor;
  tcp::acceptor public_acceptor;
  Api* api = nullptr;
  std::optional<RealtimeHub> hub;
};

namespace {

std::uint16_t bind(tcp::acceptor& acceptor, std::uint16_t port) {
  const tcp::endpoint endpoint(net::ip::make_address_v4("127.0.0.1"), port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(net::socket_base::max_listen_connections);
  return acceptor.local_endpoint().port();
}

void reset(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().set_option(net::socket_base::linger(true, 0), ec);  // RST: the answer is lost
  stream.socket().close(ec);
}

template <class Message>
void set_headers(Message& m, const Response& res) {
  m.set(http::field::server, "cozy-stack-sim");
  if (res.status != 204) m.set(http::field::content_type, res.content_type);
  for (const auto& [name, value] : res.headers) m.set(name, value);
}

}  // namespace

Server::Server(const SimOptions& options) : m(std::make_unique<Impl>(options)) {}
Server::~Server() = default;

std::uint16_t Server::listen(std::uint16_t port) { return bind(m->acceptor, port); }

std::uint16_t Server::listen_public(std::uint16_t port) { return bind(m->public_acceptor, port); }

void Server::run(Api& api, std::function<double()> drop_period_s) {
  m->api = &api;
  m->hub.emplace(m->ioc.get_executor(), std::chrono::seconds(m->options.ws_ping_s),
                 std::chrono::seconds(m->options.ws_idle_s), std::move(drop_period_s));
  m->hub->start();
  net::signal_set signals(m->ioc, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code&, int) { m->ioc.stop(); });
  net::co_spawn(m->ioc, m->accept_loop(m->acceptor, Listener::admin), net::detached);
  if (m->public_acceptor.is_open())
    net::co_spawn(m->ioc, m->accept_loop(m->public_acceptor, Listener::instance), net::detached);
  m->ioc.run();
}

void Server::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto timer = std::make_shared<net::steady_timer>(m->ioc, delay);
  timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code&) { fn(); });
}

void Server::publish(const std::string& doctype, std::string message) {
  if (m->hub) m->hub->publish(doctype, message);
}

void Server::fetch(const std::string& url, std::function<void(FetchResult)> done) {
  net::co_spawn(m->ioc, fetch_url(url, m->options.trust_private_networks), [done = std::move(done)](std::exception_ptr e, FetchResult r) {
    if (e) {
      r = FetchResult{};
      r.error = "fetch failed";
    }
    done(std::move(r));
  });
}

net::awaitable<void> Server::Impl::accept_loop(tcp::acceptor& from, Listener listener) {
  for (;;) {
    auto [ec, socket] = co_await from.async_accept(k_use_tuple);
    if (ec) {
      if (ec == net::error::operation_aborted) co_return;
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    net::co_spawn(ioc, session(std::move(socket), listener), net::detached);
  }
}

net::awaitable<void> Server::Impl::sleep_ms(std::int64_t ms) {
  net::steady_timer timer(ioc, std::chrono::milliseconds(ms));
  co_await timer.async_wait(k_use_tuple);
}

// Until no client request is in flight, at most `ms`: the long poll of
// GET /_sim/idle. The waiter holds the timer weakly: a wait that timed
// out leaves a callback that finds nothing to cancel.
net::awaitable<void> Server::Impl::wait_idle(std::int64_t ms) {
  if (ms <= 0 || api->idle()) co_return;
  auto timer = std::make_shared<net::steady_timer>(ioc, std::chrono::milliseconds(ms));
  api->when_idle([weak = std::weak_ptr<net::steady_timer>(timer)] {
    if (auto t = weak.lock()) t->cancel();
  });
  co_await timer->async_wait(k_use_tuple);
}

net::awaitable<void> Server::Impl::session(tcp::socket socket, Listener listener) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, k_use_tuple);
    if (ec) co_return;
    http::request<http::string_body> req = parser.release();
    const Request view{req.method_string(), req.target(), req[http::field::authorization], req.body()};
    const bool upgrade = websocket::is_upgrade(req);
    Ticket ticket = api->begin(view, upgrade, listener);
    if (upgrade && ticket.route == RouteId::realtime && !ticket.early) {
      api->end(ticket, 101);
      co_await hub->serve(std::move(stream), std::move(req));
      co_return;
    }
    if (ticket.delay_ms > 0) co_await sleep_ms(ticket.delay_ms);
    if (ticket.reset_before) {
      api->end(ticket, k_status_reset);
      reset(stream);
      co_return;
    }
    if (ticket.route == RouteId::sim_idle && !ticket.early) co_await wait_idle(Api::idle_wait_ms(view));
    Response res = api->handle(ticket, view);
    while (res.finish) {  // a finish may answer with a further wait
      co_await sleep_ms(res.delay_ms);
      Response next = res.finish();
      res = std::move(next);
    }
    if (ticket.reset_after) {  // the effect happened, the answer is lost
      if (res.stream) res.stream->finished(false);
      api->end(ticket, k_status_reset);
      reset(stream);
      co_return;
    }
    const bool ok = co_await write(stream, req, res);
    api->end(ticket, res.status);
    if (!ok || !req.keep_alive() || upgrade) co_return;
  }
}

net::awaitable<bool> Server::Impl::write(beast::tcp_stream& stream, const http::request<http::string_body>& req,
                                         Response& res) {
  if (!res.stream) {
    http::response<http::string_body> out{static_cast<http::status>(res.status), req.version()};
    set_headers(out, res);
    out.body() = std::move(res.body);
    out.keep_alive(req.keep_alive());
    out.prepare_payload();
    auto [ec, n] = co_await http::async_write(stream, out, k_use_tuple);
    co_return !ec;
  }
  http::response<http::empty_body> head{static_cast<http::status>(res.status), req.version()};
  set_headers(head, res);
  head.keep_alive(req.keep_alive());
  head.chunked(true);
  http::response_serializer<http::empty_body> serializer{head};
  auto [hec, hn] = co_await http::async_write_header(stream, serializer, k_use_tuple);
  bool ok = !hec;
  std::string chunk;
  while (ok) {  // the status line is out: a failure from here on can only cut the body
    chunk.clear();
    if (!res.stream->next(chunk)) break;
    auto [ec, n] = co_await net::async_write(stream, http::make_chunk(net::buffer(chunk)), k_use_tuple);
    ok = !ec;
  }
  if (ok) {
    auto [ec, n] = co_await net::async_write(stream, http::make_chunk_last(), k_use_tuple);
    ok = !ec;
  }
  res.stream->finished(ok);
  co_return ok;
}

}  // namespace sim
