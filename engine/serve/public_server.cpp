// The network half of `serve --public`: Beast and Asio stay in this file.

#include "engine/serve/public_server.hpp"

#include <ostream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "engine/serve/http_listener.hpp"
#include "engine/serve/download_page.hpp"
#include "engine/serve/public_routes.hpp"
#include "engine/store/download_links.hpp"
#include "engine/store/schema.hpp"

namespace passage {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto k_use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto k_read_deadline = std::chrono::seconds(30);
constexpr auto k_write_deadline = std::chrono::seconds(60);  // per piece of a part
constexpr std::uint64_t k_header_limit = 8 * 1024;

// Headers every answer carries: nothing cached, nothing sniffed, the link
// never sent on as a Referer, no script.
template <class Message>
void set_common_headers(Message& message, const PublicAnswer& answer, bool keep_alive) {
  message.set(http::field::server, "passage");
  message.set(http::field::content_type, answer.content_type);
  message.set(http::field::cache_control, "no-store");
  message.set("X-Content-Type-Options", "nosniff");
  message.set("Referrer-Policy", "no-referrer");
  message.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  if (answer.status == 405) message.set(http::field::allow, "GET, HEAD");
  if (!answer.download_name.empty())
    message.set(http::field::content_disposition,
                "attachment; filename=\"" + answer.download_name + "\"");
  message.keep_alive(keep_alive);
}

class PublicServer {
 public:
  PublicServer(const Config& config, const std::filesystem::path& database, const Clock& clock,
               std::ostream& err)
      : m_config(config), m_db(database), m_clock(clock), m_err(err), m_listener(m_io) {}

  unsigned short listen(const ListenAddress& address) { return m_listener.listen(address); }

  void run() {
    m_listener.run([this](tcp::socket socket) { return session(std::move(socket)); });
  }

 private:
  asio::awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::empty_body> parser;
      parser.header_limit(k_header_limit);
      parser.body_limit(0);
      stream.expires_after(k_read_deadline);
      auto [error, read] = co_await http::async_read(stream, buffer, parser, k_use_tuple);
      if (error) co_return;
      const auto& request = parser.get();
      const bool keep_alive = request.keep_alive();
      PublicAnswer answer = answer_safely(request.method_string(), request.target());
      const bool head = request.method() == http::verb::head;
      std::int64_t sent = 0;
      const bool ok = answer.file ? co_await write_file(stream, answer, keep_alive, head, request.version(), sent)
                                  : co_await write_text(stream, answer, keep_alive, head, request.version(), sent);
      if (answer.account_id && !head) record(answer, sent);
      if (!ok || !keep_alive) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // A database error must not take the server down: it answers 503 and says so.
  PublicAnswer answer_safely(std::string_view method, std::string_view target) {
    try {
      return answer_public(m_db, m_config, method, target, m_clock.now());
    } catch (const std::exception& error) {
      m_err << "passage: serve --public: " << error.what() << std::endl;
      PublicAnswer unavailable;
      unavailable.status = 503;
      unavailable.content_type = "text/plain; charset=utf-8";
      unavailable.body = "Service momentanément indisponible.\n";
      return unavailable;
    }
  }

  asio::awaitable<bool> write_text(beast::tcp_stream& stream, PublicAnswer& answer, bool keep_alive,
                                   bool head, unsigned version, std::int64_t& sent) {
    http::response<http::string_body> response{static_cast<http::status>(answer.status), version};
    set_common_headers(response, answer, keep_alive);
    response.body() = std::move(answer.body);
    response.prepare_payload();
    stream.expires_after(k_write_deadline);
    if (head) {
      http::response_serializer<http::string_body> serializer{response};
      auto [error, n] = co_await http::async_write_header(stream, serializer, k_use_tuple);
      co_return !error;
    }
    auto [error, n] = co_await http::async_write(stream, response, k_use_tuple);
    if (!error) sent = static_cast<std::int64_t>(response.body().size());
    co_return !error;
  }

  // The part streamed from its file (Beast's file_body reads it piece by
  // piece), each piece under its own deadline; `sent` counts body bytes.
  asio::awaitable<bool> write_file(beast::tcp_stream& stream, PublicAnswer& answer, bool keep_alive,
                                   bool head, unsigned version, std::int64_t& sent) {
    http::file_body::value_type file;
    beast::error_code open_error;
    file.open(answer.file->c_str(), beast::file_mode::scan, open_error);
    if (open_error) {
      PublicAnswer gone;  // removed between the look and the read: the one 404
      gone.body = not_found_page();
      co_return co_await write_text(stream, gone, keep_alive, head, version, sent);
    }
    http::response<http::file_body> response{http::status::ok, version};
    set_common_headers(response, answer, keep_alive);
    response.body() = std::move(file);
    response.prepare_payload();
    http::response_serializer<http::file_body> serializer{response};
    stream.expires_after(k_write_deadline);
    auto [header_error, header_bytes] = co_await http::async_write_header(stream, serializer, k_use_tuple);
    if (header_error) co_return false;
    if (head) co_return true;
    while (!serializer.is_done()) {
      stream.expires_after(k_write_deadline);
      auto [error, n] = co_await http::async_write_some(stream, serializer, k_use_tuple);
      if (error) co_return false;
      sent += static_cast<std::int64_t>(n);
    }
    co_return true;
  }

  void record(const PublicAnswer& answer, std::int64_t bytes) {
    try {
      record_served(m_db, ServedRecord{m_clock.now(), answer.account_id, answer.token_hash,
                                       answer.served_path, bytes});
    } catch (const std::exception& error) {
      m_err << "passage: serve --public: cannot record what was served: " << error.what() << std::endl;
    }
  }

  const Config& m_config;
  Database m_db;
  const Clock& m_clock;
  std::ostream& m_err;
  asio::io_context m_io{1};
  HttpListener m_listener;
};

// The database must exist and be at this passage's schema: the public
// server never creates nor migrates it (that would be a write).
void check_database(const std::filesystem::path& database) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(database, error))
    throw std::runtime_error("no database at " + database.string());
  Database db(database);
  const int version = db.user_version();
  if (version < latest_schema_version())
    throw std::runtime_error("the database " + database.string() + " is at schema version " +
                             std::to_string(version) + ", this passage needs " +
                             std::to_string(latest_schema_version()) +
                             ": open it once with this passage first (e.g. passage status)");
}

}  // namespace

void run_public_server(const Config& config, const ListenAddress& listen,
                       const std::filesystem::path& database, const Clock& clock, std::ostream& out,
                       std::ostream& err) {
  check_database(database);
  PublicServer server(config, database, clock, err);
  unsigned short port = 0;
  try {
    port = server.listen(listen);
  } catch (const boost::system::system_error& error) {
    throw std::runtime_error("cannot listen on " + listen.host + ":" + std::to_string(listen.port) +
                             ": " + error.code().message());
  }
  const bool v6 = listen.host.find(':') != std::string::npos;
  out << "listening http://" << (v6 ? "[" + listen.host + "]" : listen.host) << ":" << port
      << std::endl;
  server.run();
}

}  // namespace passage
