// Hostile answers at the HTTP layer (issue 12): oversized bodies and
// headers, a Content-Length announcing too much, wrong content types,
// redirects. Each is refused with a typed HttpRefusal, memory stays bounded,
// and nothing of a refused body reaches the caller's on_body.
#include <catch2/catch.hpp>

#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/net/http.hpp"
#include "support_http_server.hpp"

using namespace passage;
using passage::test::HttpTestServer;
using passage::test::Reply;
using passage::test::reply;
using passage::test::ServedRequest;
namespace asio = boost::asio;

namespace {

HttpResponse fetch(HttpRequest request) {
  asio::io_context io;
  HttpClient client(io);
  std::optional<HttpResponse> result;
  asio::co_spawn(io, client.perform(std::move(request)),
                 [&](std::exception_ptr, HttpResponse response) { result = std::move(response); });
  io.run_for(std::chrono::seconds(10));
  REQUIRE(result);
  return std::move(*result);
}

HttpRequest get(const HttpTestServer& server, std::string_view target) {
  HttpRequest request;
  request.url = server.url(target);
  request.connect_timeout = std::chrono::seconds(2);
  request.stall_timeout = std::chrono::seconds(2);
  request.total_timeout = std::chrono::seconds(5);
  return request;
}

// A 200 whose body comes in 64 KiB pieces, `total` bytes in all; the
// Content-Length says `announced` (none when negative).
Reply big_reply(std::size_t total, long long announced, std::string type = "application/zip") {
  std::string head = "HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\n";
  head += announced >= 0 ? "Content-Length: " + std::to_string(announced) + "\r\n\r\n"
                         : "Connection: close\r\n\r\n";
  Reply answer{{head}};
  for (std::size_t at = 0; at < total; at += 65536) answer.pieces.emplace_back(std::min<std::size_t>(65536, total - at), 'x');
  answer.close_after = true;
  return answer;
}

}  // namespace

TEST_CASE("http hostile: a collected body over its cap is refused too_large and not kept whole", "[http][hostile]") {
  HttpTestServer server([](const ServedRequest&) { return big_reply(4 * 1024 * 1024, -1, "application/json"); });
  HttpRequest request = get(server, "/instances/a.example");
  request.max_collected = 64 * 1024;
  const HttpResponse response = fetch(std::move(request));
  CHECK(response.refused == HttpRefusal::too_large);
  CHECK(response.transport_failed());
  CHECK(response.status == 200);
  CHECK(response.body.size() <= 64 * 1024);
  CHECK(response.body_bytes < 4 * 1024 * 1024);
}

TEST_CASE("http hostile: a streamed body longer than max_streamed stops at the limit", "[http][hostile]") {
  // The Content-Length lies (says 1000): only the bytes counted matter.
  HttpTestServer server([](const ServedRequest&) { return big_reply(2 * 1024 * 1024, 1000); });
  HttpTestServer unannounced([](const ServedRequest&) { return big_reply(2 * 1024 * 1024, -1); });
  for (const HttpTestServer* each : {&server, &unannounced}) {
    HttpRequest request = get(*each, "/part");
    request.max_streamed = 256 * 1024;
    std::int64_t handed = 0;
    request.on_body = [&](std::string_view chunk) {
      handed += static_cast<std::int64_t>(chunk.size());
      return true;
    };
    const HttpResponse response = fetch(std::move(request));
    CHECK(handed <= 256 * 1024);
    if (each == &unannounced) {
      CHECK(response.refused == HttpRefusal::too_large);
      CHECK(response.transport_failed());
    } else {
      // curl itself stops at the announced 1000 bytes: never more than the limit.
      CHECK(handed <= 1000);
    }
  }
}

TEST_CASE("http hostile: a Content-Length over the limit is refused before any byte is handed over", "[http][hostile]") {
  HttpTestServer server([](const ServedRequest&) { return big_reply(128 * 1024, 10LL * 1024 * 1024 * 1024); });
  HttpRequest request = get(server, "/part");
  request.max_streamed = 1024 * 1024;
  bool called = false;
  request.on_body = [&](std::string_view) { return called = true; };
  const HttpResponse response = fetch(std::move(request));
  CHECK(response.refused == HttpRefusal::too_large);
  CHECK_FALSE(called);
}

TEST_CASE("http hostile: a 2xx of a content type the request does not accept is refused", "[http][hostile]") {
  HttpTestServer server([](const ServedRequest& seen) {
    if (seen.target == "/html") return reply(200, "<html>login</html>", {{"Content-Type", "text/html"}});
    if (seen.target == "/json") return reply(200, "{}", {{"Content-Type", "Application/JSON; charset=utf-8"}});
    if (seen.target == "/error") return reply(500, "<html>oops</html>", {{"Content-Type", "text/html"}});
    return reply(200, "{}");  // no Content-Type at all
  });
  const auto with_types = [&](std::string_view target) {
    HttpRequest request = get(server, target);
    request.content_types = {"application/json", "application/vnd.api+json"};
    return fetch(std::move(request));
  };
  const HttpResponse html = with_types("/html");
  CHECK(html.refused == HttpRefusal::wrong_type);
  CHECK(html.error == "answer of content type text/html");
  CHECK(html.body.empty());
  CHECK(with_types("/json").refused == HttpRefusal::none);
  CHECK(with_types("/json").body == "{}");
  CHECK(with_types("/bare").refused == HttpRefusal::none);
  // An error answer is classified by its status, whatever its type.
  const HttpResponse error = with_types("/error");
  CHECK(error.refused == HttpRefusal::none);
  CHECK(error.status == 500);
  CHECK_FALSE(error.transport_failed());
}

TEST_CASE("http hostile: a redirect is never followed", "[http][hostile]") {
  HttpTestServer server([](const ServedRequest& seen) {
    if (seen.target == "/instances/a.example") return reply(302, "", {{"Location", "/elsewhere"}});
    return reply(200, "{}");
  });
  const HttpResponse response = fetch(get(server, "/instances/a.example"));
  CHECK(response.status == 302);
  CHECK(server.requests().size() == 1);
}

TEST_CASE("http hostile: an error body keeps its head only, headers are bounded", "[http][hostile]") {
  HttpTestServer server([](const ServedRequest& seen) {
    if (seen.target == "/big-error") return reply(500, std::string(3 * 1024 * 1024, 'e'));
    std::string head = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 20000; ++i) head += "X-Filler-" + std::to_string(i) + ": " + std::string(40, 'h') + "\r\n";
    return Reply{{head + "Content-Length: 2\r\n\r\n{}"}, true};
  });
  const HttpResponse error = fetch(get(server, "/big-error"));
  CHECK(error.status == 500);
  CHECK(error.body.size() == k_error_body_kept);
  const HttpResponse flood = fetch(get(server, "/many-headers"));
  CHECK(flood.transport_failed());
  CHECK(flood.headers.size() < 20000);
}
