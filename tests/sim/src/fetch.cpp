#include "fetch.hpp"

#include "safe_http.hpp"

#include <boost/url.hpp>

#include <vector>

namespace sim {
namespace {

FetchResult failed(std::string error, bool refused = false) {
  FetchResult r;
  r.error = std::move(error);
  r.refused = refused;
  return r;
}

// The resolved endpoints safehttp would dial; `why` tells the last refusal.
std::vector<tcp::endpoint> safe_endpoints(const tcp::resolver::results_type& all, bool trust_private_networks,
                                          std::string& why) {
  std::vector<tcp::endpoint> kept;
  for (const auto& entry : all) {
    const tcp::endpoint ep = entry.endpoint();
    if (safe_to_dial(ep.address().to_string(), ep.port(), trust_private_networks, why)) kept.push_back(ep);
  }
  return kept;
}

}  // namespace

net::awaitable<FetchResult> fetch_url(std::string url, bool trust_private_networks) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || !fetchable_scheme(parsed->scheme())) co_return failed("not an http(s) URL");
  const bool https = parsed->scheme() == "https";
  std::string host(parsed->encoded_host());
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : https ? "443" : "80";
  std::string target(parsed->encoded_target());
  if (target.empty()) target = "/";

  auto executor = co_await net::this_coro::executor;
  tcp::resolver resolver(executor);
  // Named, not a temporary: g++ 12 mishandles temporaries inside co_await expressions.
  const std::string resolve_host = host == "localhost" ? std::string("127.0.0.1") : host;
  auto [rec, resolved] = co_await resolver.async_resolve(resolve_host, port, k_use_tuple);
  if (rec) co_return failed(rec.message());
  std::string why;
  const auto endpoints = safe_endpoints(resolved, trust_private_networks, why);
  if (endpoints.empty()) co_return failed(why, true);
  if (https) co_return failed("https is not supported by the simulator");
  beast::tcp_stream stream(executor);
  stream.expires_after(std::chrono::seconds(30));  // safehttp's dial timeout
  auto [cec, ep] = co_await stream.async_connect(endpoints, k_use_tuple);
  if (cec) co_return failed(cec.message());
  stream.expires_never();  // the stack's import client has no timeout: a stalled source stalls it

  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, std::string(parsed->encoded_host_and_port()));
  req.set(http::field::user_agent, "cozy-stack-sim import");
  auto [wec, wn] = co_await http::async_write(stream, req, k_use_tuple);
  if (wec) co_return failed(wec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::uint64_t{4} << 30);
  auto [hec, hn] = co_await http::async_read(stream, buffer, parser, k_use_tuple);
  if (hec) co_return failed(hec.message());
  FetchResult result;
  result.status = static_cast<int>(parser.get().result_int());
  result.body = std::move(parser.get().body());
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return result;
}

}  // namespace sim
