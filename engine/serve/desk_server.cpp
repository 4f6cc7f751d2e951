// The network half of `passage serve`: Beast and Asio stay in this file.

#include "engine/serve/desk_server.hpp"

#include <cstdlib>
#include <fstream>
#include <ostream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "engine/serve/http_listener.hpp"
#include "engine/serve/desk_pages.hpp"
#include "engine/serve/desk_routes.hpp"
#include "engine/support/say.hpp"
#include "plugins/reporters/html_words.hpp"

namespace passage {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto k_use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto k_read_deadline = std::chrono::seconds(30);
constexpr auto k_write_deadline = std::chrono::seconds(30);
constexpr std::uint64_t k_header_limit = 8 * 1024;
constexpr std::uint64_t k_body_limit = 16 * 1024;

Instant real_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

// Every answer: nothing cached, nothing sniffed, no framing, no Referer,
// and a policy that allows only the desk's own stylesheet and forms.
void set_headers(http::response<http::string_body>& response, const DeskAnswer& answer, bool keep_alive) {
  response.set(http::field::server, "passage");
  response.set(http::field::content_type, answer.content_type);
  response.set(http::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.set("Content-Security-Policy", k_desk_csp);
  if (!answer.set_cookie.empty()) response.set(http::field::set_cookie, answer.set_cookie);
  if (!answer.location.empty()) response.set(http::field::location, answer.location);
  if (answer.status == 405) response.set(http::field::allow, "GET, POST");
  response.keep_alive(keep_alive);
}

class DeskServer {
 public:
  DeskServer(const Config& config, const std::filesystem::path& database, const Clock& clock,
             DeskCredentials credentials, std::ostream& out, std::ostream& err)
      : m_config(config), m_store(database), m_routes(m_store, config, clock, std::move(credentials)), m_out(out),
        m_err(err),
        m_listener(m_io) {}

  unsigned short listen(const ListenAddress& address) { return m_listener.listen(address); }

  void run() {
    m_listener.run([this](tcp::socket socket) { return session(std::move(socket)); });
  }

 private:
  asio::awaitable<void> session(tcp::socket socket) {
    boost::system::error_code peer_error;
    const auto peer = socket.remote_endpoint(peer_error);
    const std::string address = peer_error ? "unknown" : peer.address().to_string();
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(k_header_limit);
      parser.body_limit(k_body_limit);
      stream.expires_after(k_read_deadline);
      auto [error, read] = co_await http::async_read(stream, buffer, parser, k_use_tuple);
      if (error) break;
      const auto& request = parser.get();
      DeskRequest desk{std::string(request.method_string()), std::string(request.target()), request.body(),
                       std::string(request[http::field::cookie]), address};
      DeskAnswer answer = answer_safely(desk);
      if (!answer.log_line.empty()) m_out << answer.log_line << std::endl;
      http::response<http::string_body> response{static_cast<http::status>(answer.status), request.version()};
      const bool keep_alive = request.keep_alive();
      set_headers(response, answer, keep_alive);
      response.body() = std::move(answer.body);
      response.prepare_payload();
      stream.expires_after(k_write_deadline);
      auto [write_error, written] = co_await http::async_write(stream, response, k_use_tuple);
      if (write_error || !keep_alive) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // A database error (busy beyond its timeout, disk) must not take the
  // desk down: the page says so and the agent tries again.
  DeskAnswer answer_safely(const DeskRequest& request) {
    try {
      return m_routes.answer(request, real_now());
    } catch (const std::exception& error) {
      m_err << "passage: serve: " << error.what() << std::endl;
      DeskAnswer unavailable;
      unavailable.status = 503;
      const std::string_view lang = report_language(m_config.notify.language);
      unavailable.body = render_message_page(
          say(lang, "Indisponible", "Unavailable"),
          say(lang, "La base n'a pas pu être lue ou écrite : réessayez.",
              "The database could not be read or written: try again."),
          lang);
      return unavailable;
    }
  }

  asio::io_context m_io{1};
  const Config& m_config;
  Store m_store;
  DeskRoutes m_routes;
  std::ostream& m_out;
  std::ostream& m_err;
  HttpListener m_listener;
};

std::string first_line_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("serve.token_file: cannot read " + file.string());
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
  return line;
}

}  // namespace

std::string desk_token(const ServeConfig& serve) {
  if (serve.token_file) {
    std::string token = first_line_of(*serve.token_file);
    if (token.empty()) throw std::runtime_error("serve.token_file " + serve.token_file->string() + " is empty");
    return token;
  }
  const std::string variable = serve.token_env.empty() ? "PASSAGE_SERVE_TOKEN" : serve.token_env;
  const char* value = std::getenv(variable.c_str());
  if (!value || !*value)
    throw std::runtime_error("no desk token: set " + variable +
                             " (serve.token_env) or serve.token_file; the support page never starts without one");
  return value;
}

void run_desk_server(const Config& config, const ListenAddress& listen, const std::filesystem::path& database,
                     const Clock& clock, const DeskCredentials& credentials, std::ostream& out,
                     std::ostream& err) {
  DeskServer server(config, database, clock, credentials, out, err);
  unsigned short port = 0;
  try {
    port = server.listen(listen);
  } catch (const boost::system::system_error& error) {
    throw std::runtime_error("cannot listen on " + listen.host + ":" + std::to_string(listen.port) + ": " +
                             error.code().message());
  }
  const bool v6 = listen.host.find(':') != std::string::npos;
  out << "listening http://" << (v6 ? "[" + listen.host + "]" : listen.host) << ":" << port << std::endl;
  server.run();
}

}  // namespace passage
