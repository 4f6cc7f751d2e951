// Why blocking libcurl on a pool rather than the multi handle of
// engine/net/http.cpp: an SMTP transaction is short and notices are rate
// limited to a few per second, so a handful of threads is never the
// bottleneck; the HTTP client's transfer type is HTTP-shaped (methods,
// headers, bodies, Retry-After), and one easy handle per call on a pool
// keeps the SMTP code self-contained, with nothing shared between threads
// but the stop flag. The rate limit and every result stay on the io_context.

#include "plugins/notifiers/smtp.hpp"

#include <atomic>
#include <chrono>
#include <cstring>
#include <string_view>
#include <utility>

#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <curl/curl.h>

#include "engine/net/http_transfer.hpp"
#include "engine/sched/token_bucket.hpp"
#include "plugins/notifiers/outbox.hpp"

namespace passage {

namespace {

namespace asio = boost::asio;

constexpr int k_threads = 4;
constexpr long k_connect_timeout_ms = 10'000;
constexpr long k_total_timeout_ms = 60'000;

// Everything a pool thread needs, copied: it shares nothing with the loop.
struct SmtpJob {
  std::string url;
  std::string mail_from;  // <address>
  std::string rcpt_to;    // <address>
  std::string message;    // the whole RFC 5322 message, CRLF line ends
  bool tls_required = false;
  // `config check`: connect, EHLO (STARTTLS, login as the URL says), QUIT;
  // no mail.
  bool connect_only = false;
};

struct SmtpReply {
  CURLcode code = CURLE_OK;
  long smtp_code = 0;  // the last reply code libcurl saw, 0 if none
};

struct Upload {
  std::string_view rest;
  const std::atomic<bool>* stop = nullptr;
};

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* self) {
  auto* upload = static_cast<Upload*>(self);
  const std::size_t n = std::min(size * count, upload->rest.size());
  std::memcpy(buffer, upload->rest.data(), n);
  upload->rest.remove_prefix(n);
  return n;
}

// Aborts a transfer when the notifier is being destroyed.
int on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Upload*>(self)->stop->load() ? 1 : 0;
}

bool configure(CURL* easy, const SmtpJob& job, Upload& upload, curl_slist* recipients) {
  bool ok = true;
  auto set = [&ok](CURLcode code) { ok = ok && code == CURLE_OK; };
  set(curl_easy_setopt(easy, CURLOPT_URL, job.url.c_str()));
  set(curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps"));
  if (job.connect_only) {
    // libcurl stops after the greeting, EHLO, STARTTLS and login, and
    // says QUIT when the handle is cleaned up.
    set(curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 1L));
  } else {
    set(curl_easy_setopt(easy, CURLOPT_MAIL_FROM, job.mail_from.c_str()));
    set(curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, recipients));
    set(curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L));
    set(curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read));
    set(curl_easy_setopt(easy, CURLOPT_READDATA, &upload));
  }
  set(curl_easy_setopt(easy, CURLOPT_USE_SSL,
                       static_cast<long>(job.tls_required ? CURLUSESSL_ALL : CURLUSESSL_TRY)));
  set(curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, k_connect_timeout_ms));
  set(curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, k_total_timeout_ms));
  set(curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L));
  set(curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, on_progress));
  set(curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &upload));
  return ok;
}

// One SMTP transaction, blocking. Runs on a pool thread; never throws.
SmtpReply perform(const SmtpJob& job, const std::atomic<bool>& stop) noexcept {
  SmtpReply reply;
  if (stop) return SmtpReply{CURLE_ABORTED_BY_CALLBACK, 0};
  CURL* easy = curl_easy_init();
  curl_slist* recipients = curl_slist_append(nullptr, job.rcpt_to.c_str());
  Upload upload{job.message, &stop};
  if (!easy || !recipients) {
    reply.code = CURLE_OUT_OF_MEMORY;
  } else if (!configure(easy, job, upload, recipients)) {
    reply.code = CURLE_FAILED_INIT;
  } else {
    reply.code = curl_easy_perform(easy);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &reply.smtp_code);
  }
  curl_slist_free_all(recipients);
  curl_easy_cleanup(easy);
  return reply;
}

// host:port of the URL, without user name or password, for failure reasons.
std::string server_of(const std::string& url) {
  std::string server = "server";
  CURLU* parsed = curl_url();
  if (parsed && curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK) server = host;
    if (curl_url_get(parsed, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
      server += std::string(":") + port;
    curl_free(host);
    curl_free(port);
  }
  curl_url_cleanup(parsed);
  return server;
}

Failure retryable(std::string reason) {
  return Failure{Failure::Kind::retryable, std::move(reason), {}};
}

Outcome<Done> classify(const SmtpReply& reply, const std::string& server) {
  if (reply.code == CURLE_OK) return Done{};
  const std::string where = "smtp " + server;
  const std::string code = std::to_string(reply.smtp_code);
  // A server-wide problem, not this recipient's: a person fixes the relay.
  if (reply.code == CURLE_USE_SSL_FAILED)
    return retryable(where + ": STARTTLS not offered (notify.starttls: required)");
  if (reply.code == CURLE_LOGIN_DENIED) return retryable(where + ": login refused (" + code + ")");
  if (reply.smtp_code >= 500 && reply.smtp_code < 600)
    return Failure{Failure::Kind::permanent, where + ": refused " + code, {}};
  if (reply.smtp_code >= 400 && reply.smtp_code < 500) return retryable(where + ": deferred " + code);
  return retryable(where + ": " + curl_easy_strerror(reply.code));
}

ReachResult reach_of(const SmtpReply& reply, const std::string& server) {
  const std::string where = "smtp " + server;
  const std::string code = std::to_string(reply.smtp_code);
  if (reply.code == CURLE_OK) return ReachResult{Reach::answered, where + ": " + code};
  if (reply.code == CURLE_LOGIN_DENIED)
    return ReachResult{Reach::refused, where + ": login refused (" + code + ")"};
  if (reply.code == CURLE_USE_SSL_FAILED)
    return ReachResult{Reach::failing, where + ": STARTTLS not offered (notify.starttls: required)"};
  if (reply.smtp_code != 0) return ReachResult{Reach::failing, where + ": " + code};
  return ReachResult{Reach::unreachable, where + ": " + curl_easy_strerror(reply.code)};
}

std::string angle(const std::string& address) { return "<" + address + ">"; }

class SmtpNotifier final : public Notifier {
 public:
  SmtpNotifier(const NotifyConfig& config, asio::io_context& io)
      : m_io(io), m_url(config.smtp_url), m_server(server_of(config.smtp_url)),
        m_from(config.from), m_tls_required(config.starttls == "required"),
        m_bucket(RateLimit{config.rate_per_second, 1}), m_pool(k_threads) {
    net_detail::init_curl_once();
  }

  ~SmtpNotifier() override {
    m_stop = true;
    m_pool.join();
  }

  asio::awaitable<Outcome<Done>> send(Notice notice) override {
    if (notice.to.empty()) co_return Failure{Failure::Kind::permanent, "smtp: no recipient", {}};
    if (notice.from.empty()) notice.from = m_from;
    SmtpJob job;
    job.url = m_url;
    job.mail_from = angle(notice.from);
    job.rcpt_to = angle(notice.to);
    job.message = format_message(notice);
    job.tls_required = m_tls_required;
    co_await wait_for_turn();
    SmtpReply reply = co_await transfer(std::move(job));
    m_answered_last = reply.code == CURLE_OK || reply.smtp_code != 0;
    co_return classify(reply, m_server);
  }

  asio::awaitable<std::optional<ReachResult>> check_reach() override {
    SmtpJob job;
    job.url = m_url;
    job.tls_required = m_tls_required;
    job.connect_only = true;
    SmtpReply reply = co_await transfer(std::move(job));
    co_return reach_of(reply, m_server);
  }

  std::optional<bool> answered_last() const override { return m_answered_last; }

 private:
  std::optional<bool> m_answered_last;
  // Reserves the bucket's next token (so waiters are served in order, each
  // woken once) and waits on a steady timer until it is due.
  asio::awaitable<void> wait_for_turn() {
    const auto now = std::chrono::steady_clock::now();
    const auto slot = m_bucket.next_token_at(now);
    // A take at the bucket's own next_token_at() always succeeds.
    (void)m_bucket.try_take(slot);
    if (slot <= now) co_return;
    asio::steady_timer timer(m_io, slot);
    co_await timer.async_wait(asio::use_awaitable);
  }

  asio::awaitable<SmtpReply> transfer(SmtpJob job) {
    auto initiation = [this](auto handler, SmtpJob job) { start(std::move(handler), std::move(job)); };
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(SmtpReply)>(
        std::move(initiation), asio::use_awaitable, std::move(job));
  }

  // Runs the transaction on the pool, then hands the reply to `handler`
  // through the io_context (the work guard keeps the loop running meanwhile).
  template <typename Handler>
  void start(Handler handler, SmtpJob job) {
    auto io_work = asio::make_work_guard(m_io);
    asio::post(m_pool, [this, io_work = std::move(io_work), handler = std::move(handler),
                        job = std::move(job)]() mutable {
      SmtpReply reply = perform(job, m_stop);
      try {
        asio::post(m_io, asio::append(std::move(handler), reply));
      } catch (...) {
        // Out of memory while posting: nothing left to report it to.
      }
      io_work.reset();
    });
  }

  asio::io_context& m_io;
  std::string m_url;
  std::string m_server;
  std::string m_from;
  bool m_tls_required;
  TokenBucket m_bucket;
  std::atomic<bool> m_stop{false};
  asio::thread_pool m_pool;  // last: joined before the members its jobs read
};

}  // namespace

std::unique_ptr<Notifier> make_smtp_notifier(const NotifyConfig& config, asio::io_context& io) {
  return std::make_unique<SmtpNotifier>(config, io);
}

}  // namespace passage
