#pragma once
// HTTP through libcurl's multi interface, driven by the one Boost.Asio
// io_context (curl's socket and timer callbacks, in the shape of curl's
// docs/examples/multi-event.c: Asio watches the sockets curl opens, never
// closes them, and tells curl when they are ready).
//
// One HttpClient per io_context. Requests are coroutines; bodies can be
// streamed chunk by chunk (never held whole). No exception ever crosses a
// libcurl callback. Secrets (the Basic password) never reach a log.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/env/time.hpp"

namespace passage {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // HTTP Basic with an empty user name and this password (the Cozy admin
  // passphrase); empty = no Authorization header.
  std::string basic_password;
  // Not idempotent (POST export, DELETE, import): a fresh connection that is
  // never reused, so libcurl cannot silently resend it on a dead kept-alive
  // connection. Idempotent requests reuse connections.
  bool idempotent = true;
  Millis connect_timeout = std::chrono::seconds(5);
  // Abort when fewer than 1 byte/s arrive for this long (stalled transfer).
  Millis stall_timeout = std::chrono::seconds(30);
  // Whole-request limit; zero = none (a DELETE may take minutes).
  Millis total_timeout = Millis(0);
  // Streaming: called for each chunk of the body of a 2xx answer; return
  // false to abort. When empty, the body is collected in HttpResponse::body
  // (at most max_collected bytes, the rest is refused: too_large).
  std::function<bool(std::string_view chunk)> on_body;
  std::size_t max_collected = 16 * 1024 * 1024;
  // The most a streamed 2xx body may carry; 0 = no limit. Beyond it (or a
  // Content-Length announcing more) the transfer stops: too_large.
  std::int64_t max_streamed = 0;
  // Media types a 2xx body may have ("application/json"), compared without
  // parameters and case; empty = any. A body labelled otherwise is refused
  // (wrong_type) before any byte reaches on_body; an unlabelled one passes.
  std::vector<std::string> content_types;
};

// Why the client refused an answer it received (a broken or hostile peer).
enum class HttpRefusal {
  none,
  too_large,   // a 2xx body over its limit, or announced over it
  wrong_type,  // a 2xx body whose Content-Type the request does not accept
};

// A non-2xx body only explains its status: the client keeps its head.
inline constexpr std::size_t k_error_body_kept = 64 * 1024;

struct HttpResponse {
  // 0 when no HTTP status was received.
  int status = 0;
  // Header names in lower case; the last value wins.
  std::map<std::string, std::string> headers;
  // Collected body (non-2xx bodies are always collected, their first
  // k_error_body_kept bytes only).
  std::string body;
  // Transport failure (connection refused, reset, timeout), empty if none.
  std::string error;
  bool timed_out = false;
  // True when the request was (at least partly) sent before the failure:
  // its effect on the server is then unknown.
  bool request_sent = false;
  std::int64_t body_bytes = 0;
  // Set with an error when the answer was refused; status is then the
  // answer's (a write answered 2xx and refused did take effect).
  HttpRefusal refused = HttpRefusal::none;

  bool transport_failed() const { return !error.empty(); }
};

class HttpClient {
 public:
  explicit HttpClient(boost::asio::io_context& io);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  boost::asio::awaitable<HttpResponse> perform(HttpRequest request);

  // Requests currently running.
  int in_flight() const;

 private:
  class Impl;
  std::unique_ptr<Impl> m_impl;
};

// A Retry-After value (delay-seconds or an HTTP-date) as a wait from `now`;
// nullopt when absent or unreadable. Never negative.
std::optional<Millis> parse_retry_after(std::string_view value, Instant now);

}  // namespace passage
