#include "fetch.hpp"

#include <boost/url.hpp>

namespace sim {
namespace {

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  boost::system::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

}  // namespace

net::awaitable<FetchResult> fetch_url(std::string url) {
  FetchResult result;
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http") {
    result.error = "not an http URL";
    co_return result;
  }
  const std::string host(parsed->encoded_host());
  if (!is_loopback_host(host)) {
    result.error = "refusing a non-loopback address";
    co_return result;
  }
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  std::string target(parsed->encoded_target());
  if (target.empty()) target = "/";

  auto executor = co_await net::this_coro::executor;
  tcp::resolver resolver(executor);
  // Named, not a temporary: g++ 12 mishandles temporaries inside co_await expressions.
  const std::string resolve_host = host == "localhost" ? std::string("127.0.0.1") : host;
  auto [rec, endpoints] = co_await resolver.async_resolve(resolve_host, port, k_use_tuple);
  if (rec) {
    result.error = rec.message();
    co_return result;
  }
  beast::tcp_stream stream(executor);
  stream.expires_after(std::chrono::seconds(60));
  auto [cec, ep] = co_await stream.async_connect(endpoints, k_use_tuple);
  if (cec) {
    result.error = cec.message();
    co_return result;
  }
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, host + ":" + port);
  req.set(http::field::user_agent, "cozy-stack-sim import");
  auto [wec, wn] = co_await http::async_write(stream, req, k_use_tuple);
  if (wec) {
    result.error = wec.message();
    co_return result;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::uint64_t{4} << 30);
  auto [hec, hn] = co_await http::async_read(stream, buffer, parser, k_use_tuple);
  if (hec) {
    result.error = hec.message();
    co_return result;
  }
  result.status = static_cast<int>(parser.get().result_int());
  result.body = std::move(parser.get().body());
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return result;
}

}  // namespace sim
