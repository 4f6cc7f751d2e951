#include "realtime.hpp"

#include <boost/json.hpp>

#include <deque>
#include <set>

namespace json = boost::json;

namespace sim {

using Clock = std::chrono::steady_clock;

struct RealtimeHub::Client {
  explicit Client(beast::tcp_stream s) : ws(std::move(s)), wake(ws.get_executor()) {}
  websocket::stream<beast::tcp_stream> ws;
  net::steady_timer wake;
  std::set<std::string> types;
  std::deque<std::string> outbox;
  Clock::time_point last_seen = Clock::now();
  bool closed = false;
};

RealtimeHub::RealtimeHub(net::any_io_executor executor, std::chrono::seconds ping, std::chrono::seconds idle,
                         std::function<double()> drop_period_s)
    : m_executor(std::move(executor)), m_ping(ping), m_idle(idle), m_drop_period_s(std::move(drop_period_s)) {}

void RealtimeHub::start() { net::co_spawn(m_executor, ticker(), net::detached); }

net::awaitable<void> RealtimeHub::serve(beast::tcp_stream stream, http::request<http::string_body> req) {
  auto c = std::make_shared<Client>(std::move(stream));
  const bool wants_protocol =
      std::string_view(req[http::field::sec_websocket_protocol]).find("io.cozy.websocket") != std::string_view::npos;
  c->ws.set_option(websocket::stream_base::decorator([wants_protocol](websocket::response_type& res) {
    if (wants_protocol) res.set(http::field::sec_websocket_protocol, "io.cozy.websocket");
  }));
  c->ws.read_message_max(1024);  // the stack's limit on client messages
  auto [ec] = co_await c->ws.async_accept(req, k_use_tuple);
  if (ec) co_return;
  std::weak_ptr<Client> weak = c;
  c->ws.control_callback([weak](websocket::frame_type, beast::string_view) {
    if (auto p = weak.lock()) p->last_seen = Clock::now();
  });
  m_clients.push_back(c);
  net::co_spawn(m_executor, writer(c), net::detached);
  beast::flat_buffer buffer;
  while (!c->closed) {
    auto [rec, n] = co_await c->ws.async_read(buffer, k_use_tuple);
    if (rec) break;
    c->last_seen = Clock::now();
    handle_message(*c, beast::buffers_to_string(buffer.data()));
    buffer.consume(n);
  }
  close(*c);
}

net::awaitable<void> RealtimeHub::writer(std::shared_ptr<Client> c) {
  auto next_ping = Clock::now() + m_ping;
  while (!c->closed) {
    if (c->outbox.empty()) {
      c->wake.expires_at(std::min(next_ping, c->last_seen + m_idle));
      co_await c->wake.async_wait(k_use_tuple);
    }
    while (!c->closed && !c->outbox.empty()) {
      const std::string message = std::move(c->outbox.front());
      c->outbox.pop_front();
      c->ws.text(true);
      auto [ec, n] = co_await c->ws.async_write(net::buffer(message), k_use_tuple);
      if (ec) close(*c);
    }
    const auto now = Clock::now();
    if (c->closed) break;
    if (now - c->last_seen >= m_idle) {
      close(*c);  // silent for too long: the stack drops it
    } else if (now >= next_ping) {
      auto [ec] = co_await c->ws.async_ping({}, k_use_tuple);
      if (ec) close(*c);
      next_ping = now + m_ping;
    }
  }
}

net::awaitable<void> RealtimeHub::ticker() {
  net::steady_timer timer(m_executor);
  auto last_drop = Clock::now();
  for (;;) {
    timer.expires_after(std::chrono::milliseconds(250));
    co_await timer.async_wait(k_use_tuple);
    const double period = m_drop_period_s();
    if (period <= 0) {
      last_drop = Clock::now();
      continue;
    }
    if (Clock::now() - last_drop < std::chrono::duration<double>(period)) continue;
    last_drop = Clock::now();
    auto clients = m_clients;
    for (auto& c : clients) close(*c);
  }
}

void RealtimeHub::publish(const std::string& doctype, const std::string& message) {
  for (auto& c : m_clients) {
    if (c->closed || !c->types.count(doctype)) continue;
    c->outbox.push_back(message);
    c->wake.cancel();
  }
}

namespace {

std::string error_event(const char* status, const char* code, const char* title, const std::string& source) {
  json::object payload{{"status", status}, {"code", code}, {"title", title}, {"source", source}};
  return json::serialize(json::object{{"event", "error"}, {"payload", std::move(payload)}});
}

}  // namespace

void RealtimeHub::handle_message(Client& c, const std::string& text) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  const json::object* o = !ec && v.is_object() ? &v.as_object() : nullptr;
  const json::value* method = o ? o->if_contains("method") : nullptr;
  const json::value* payload = o ? o->if_contains("payload") : nullptr;
  const json::value* type = payload && payload->is_object() ? payload->as_object().if_contains("type") : nullptr;
  if (!method || !method->is_string()) {
    c.outbox.push_back(error_event("400", "bad request", "The message is not valid", text));
  } else if (method->as_string() != "SUBSCRIBE" && method->as_string() != "UNSUBSCRIBE") {
    c.outbox.push_back(error_event("405", "method not allowed", "The method is not supported", text));
  } else if (!type || !type->is_string() || type->as_string().empty()) {
    c.outbox.push_back(error_event("400", "bad request", "payload.type is required", text));
  } else if (method->as_string() == "SUBSCRIBE") {
    c.types.insert(std::string(type->as_string()));
  } else {
    c.types.erase(std::string(type->as_string()));
  }
  c.wake.cancel();
}

void RealtimeHub::close(Client& c) {
  if (c.closed) return;
  c.closed = true;
  beast::error_code ec;
  beast::get_lowest_layer(c.ws).socket().close(ec);
  c.wake.cancel();
  m_clients.remove_if([&](const std::shared_ptr<Client>& p) { return p.get() == &c; });
}

}  // namespace sim
