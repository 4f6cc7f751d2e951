// libcurl's multi interface on the caller's io_context, in the shape of
// curl's docs/examples/multi-event.c: curl says which sockets it wants
// watched (CURLMOPT_SOCKETFUNCTION) and when it next needs a tick
// (CURLMOPT_TIMERFUNCTION); Asio waits and calls curl_multi_socket_action.
//
// Sockets stay curl's: Asio borrows each one in a stream_descriptor and
// release()s it (never closes it) when curl says CURL_POLL_REMOVE or is
// about to close it (CURLOPT_CLOSESOCKETFUNCTION, which then closes it).
//
// A waiting coroutine sleeps on its job's timer; completion cancels that
// timer. A coroutine cancelled while waiting takes its transfer out of the
// multi handle, so nothing of it outlives the wait.

#include "engine/net/http.hpp"

#include <unistd.h>

#include <optional>
#include <stdexcept>
#include <unordered_map>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/net/http_transfer.hpp"

namespace passage {

namespace asio = boost::asio;
using net_detail::Transfer;

namespace {

struct Job {
  Job(asio::io_context& io, HttpRequest request)
      : transfer(std::move(request)), done(io, asio::steady_timer::time_point::max()) {}
  Transfer transfer;
  asio::steady_timer done;  // cancelled when the transfer ends
  bool finished = false;
};

// One socket curl asked us to watch.
struct Watch {
  Watch(asio::io_context& io, curl_socket_t fd) : descriptor(io, fd) {}
  asio::posix::stream_descriptor descriptor;
  int wanted = CURL_POLL_NONE;
  bool reading = false;
  bool writing = false;
  bool released = false;
};

}  // namespace

class HttpClient::Impl {
 public:
  explicit Impl(asio::io_context& io);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  std::shared_ptr<Job> start(HttpRequest request);
  // Takes an unfinished transfer out of the multi handle.
  void abandon(const std::shared_ptr<Job>& job);
  int in_flight() const { return static_cast<int>(m_jobs.size()); }

  // Keeps a transfer in the multi handle for exactly as long as a coroutine
  // waits for it: a frame cancelled or destroyed mid-wait abandons it. Once
  // the client is gone every job is finished, so `impl` is not touched then.
  class WaitGuard {
   public:
    WaitGuard(Impl& impl, std::shared_ptr<Job> job) : m_impl(impl), m_job(std::move(job)) {}
    ~WaitGuard() {
      if (!m_job->finished) m_impl.abandon(m_job);
    }
    WaitGuard(const WaitGuard&) = delete;
    WaitGuard& operator=(const WaitGuard&) = delete;

   private:
    Impl& m_impl;
    std::shared_ptr<Job> m_job;
  };

 private:
  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* self, void* socket_data);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);
  static int on_close_socket(void* self, curl_socket_t fd);

  void watch(curl_socket_t fd, int what);
  void release(curl_socket_t fd);
  void arm(const std::shared_ptr<Watch>& watch, curl_socket_t fd);
  void on_ready(const std::shared_ptr<Watch>& watch, curl_socket_t fd, int event);
  void set_timer(long timeout_ms);
  void post_timeout();
  void arm_timer(asio::steady_timer::time_point at);
  void on_deadline();
  void drive(curl_socket_t fd, int events);
  void collect_finished();
  void end(const std::shared_ptr<Job>& job);
  CURL* take_easy();
  void recycle(CURL* easy);

  asio::io_context& m_io;
  CURLM* m_multi = nullptr;
  asio::steady_timer m_timer;
  bool m_timer_armed = false;
  bool m_timeout_posted = false;
  // libcurl's next deadline, as it last told it; none when -1.
  std::optional<asio::steady_timer::time_point> m_deadline;
  std::unordered_map<curl_socket_t, std::shared_ptr<Watch>> m_watches;
  std::unordered_map<CURL*, std::shared_ptr<Job>> m_jobs;
  // Easy handles of ended transfers, reset for the next: creating one for
  // every request costs more than the request itself on loopback.
  std::vector<CURL*> m_spare_easy;
  // Handlers hold a weak_ptr to this: none of them touches a destroyed Impl.
  std::shared_ptr<int> m_alive = std::make_shared<int>(0);
};

HttpClient::Impl::Impl(asio::io_context& io) : m_io(io), m_timer(io) {
  net_detail::init_curl_once();
  m_multi = curl_multi_init();
  if (!m_multi) throw std::runtime_error("cannot create a libcurl multi handle");
  curl_multi_setopt(m_multi, CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
  curl_multi_setopt(m_multi, CURLMOPT_SOCKETDATA, static_cast<void*>(this));
  curl_multi_setopt(m_multi, CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
  curl_multi_setopt(m_multi, CURLMOPT_TIMERDATA, static_cast<void*>(this));
}

HttpClient::Impl::~Impl() {
  m_alive.reset();
  auto jobs = std::move(m_jobs);
  m_jobs.clear();
  for (auto& [easy, job] : jobs) {
    curl_multi_remove_handle(m_multi, easy);
    job->transfer.fail("HTTP client shut down");
    end(job);
  }
  // Closes the cached connections, through on_close_socket: still valid here.
  curl_multi_cleanup(m_multi);
  for (auto& [fd, watch] : m_watches) {
    watch->released = true;
    boost::system::error_code ignored;
    watch->descriptor.cancel(ignored);
    watch->descriptor.release();
  }
  m_watches.clear();
  for (CURL* easy : m_spare_easy) curl_easy_cleanup(easy);
}

std::shared_ptr<Job> HttpClient::Impl::start(HttpRequest request) {
  auto job = std::make_shared<Job>(m_io, std::move(request));
  if (!job->transfer.prepare(take_easy())) {
    end(job);
    return job;
  }
  CURL* easy = job->transfer.easy();
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &Impl::on_close_socket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, static_cast<void*>(this));
  m_jobs.emplace(easy, job);
  if (curl_multi_add_handle(m_multi, easy) != CURLM_OK) {
    m_jobs.erase(easy);
    job->transfer.fail("libcurl refused the transfer");
    end(job);
  }
  return job;
}

CURL* HttpClient::Impl::take_easy() {
  if (m_spare_easy.empty()) return curl_easy_init();
  CURL* easy = m_spare_easy.back();
  m_spare_easy.pop_back();
  return easy;
}

// Keeps as many handles as transfers ran at once, at most k_spare_max.
void HttpClient::Impl::recycle(CURL* easy) {
  constexpr std::size_t k_spare_max = 256;
  if (!easy) return;
  if (m_spare_easy.size() >= k_spare_max) {
    curl_easy_cleanup(easy);
    return;
  }
  curl_easy_reset(easy);
  m_spare_easy.push_back(easy);
}

void HttpClient::Impl::abandon(const std::shared_ptr<Job>& job) {
  if (job->finished) return;
  CURL* easy = job->transfer.easy();
  m_jobs.erase(easy);
  curl_multi_remove_handle(m_multi, easy);
  job->transfer.fail("cancelled");
  end(job);
}

// The easy handle is out of the multi handle (or never went in).
void HttpClient::Impl::end(const std::shared_ptr<Job>& job) {
  recycle(job->transfer.release_easy());
  job->finished = true;
  job->done.cancel();  // the waiting coroutine resumes from the io_context, not from here
}

int HttpClient::Impl::on_socket(CURL*, curl_socket_t fd, int what, void* self, void*) {
  try {
    auto* impl = static_cast<Impl*>(self);
    if (what == CURL_POLL_REMOVE)
      impl->release(fd);
    else
      impl->watch(fd, what);
    return 0;
  } catch (...) {
    // Only an allocation or epoll failure gets here. libcurl (7.88,
    // multi.c) then marks the whole multi handle dead, not only this
    // socket's transfers: this transfer and every later one of this client
    // fail as transport errors ("libcurl refused the transfer"), never as
    // answers: a write already sent keeps an unknown outcome, later ones are
    // never sent, and the run ends degraded.
    return -1;
  }
}

int HttpClient::Impl::on_timer(CURLM*, long timeout_ms, void* self) {
  try {
    static_cast<Impl*>(self)->set_timer(timeout_ms);
    return 0;
  } catch (...) {
    return -1;
  }
}

int HttpClient::Impl::on_close_socket(void* self, curl_socket_t fd) {
  try {
    static_cast<Impl*>(self)->release(fd);
  } catch (...) {
    // release() does not throw in practice; the socket must be closed anyway.
  }
  return ::close(fd);
}

void HttpClient::Impl::watch(curl_socket_t fd, int what) {
  auto found = m_watches.find(fd);
  if (found == m_watches.end())
    found = m_watches.emplace(fd, std::make_shared<Watch>(m_io, fd)).first;
  found->second->wanted = what;
  arm(found->second, fd);
}

void HttpClient::Impl::release(curl_socket_t fd) {
  const auto found = m_watches.find(fd);
  if (found == m_watches.end()) return;
  const std::shared_ptr<Watch> watch = found->second;
  m_watches.erase(found);
  watch->released = true;
  // release() deregisters from the reactor and aborts pending waits; the
  // descriptor stays open for curl.
  watch->descriptor.release();
}

void HttpClient::Impl::arm(const std::shared_ptr<Watch>& watch, curl_socket_t fd) {
  using Descriptor = asio::posix::stream_descriptor;
  const std::weak_ptr<int> alive = m_alive;
  if ((watch->wanted & CURL_POLL_IN) && !watch->reading) {
    watch->reading = true;
    watch->descriptor.async_wait(Descriptor::wait_read, [this, alive, watch, fd](boost::system::error_code ec) {
      watch->reading = false;
      if (alive.expired() || watch->released) return;
      on_ready(watch, fd, ec ? CURL_CSELECT_ERR : CURL_CSELECT_IN);
    });
  }
  if ((watch->wanted & CURL_POLL_OUT) && !watch->writing) {
    watch->writing = true;
    watch->descriptor.async_wait(Descriptor::wait_write, [this, alive, watch, fd](boost::system::error_code ec) {
      watch->writing = false;
      if (alive.expired() || watch->released) return;
      on_ready(watch, fd, ec ? CURL_CSELECT_ERR : CURL_CSELECT_OUT);
    });
  }
}

void HttpClient::Impl::on_ready(const std::shared_ptr<Watch>& watch, curl_socket_t fd, int event) {
  const int wanted_for_event = event == CURL_CSELECT_IN ? CURL_POLL_IN : event == CURL_CSELECT_OUT ? CURL_POLL_OUT : 0;
  // A wait armed for a direction curl no longer wants: nothing to say.
  if (wanted_for_event != 0 && !(watch->wanted & wanted_for_event)) return;
  drive(fd, event);
  if (!watch->released) arm(watch, fd);
}

// libcurl tells its next deadline (-1: none) each time it changes, about
// twice a request. Every re-arm of an Asio timer that becomes the loop's
// earliest is a timerfd_settime, a dear system call on a virtual machine,
// so: a deadline of now is a post (never a call into curl from inside its
// own callback), and a timer already armed for an earlier time is kept —
// it fires early, and is then armed for the deadline curl last asked for
// (curl would not ask again: its deadline did not change). Driving curl
// before its deadline is harmless; after it, never.
void HttpClient::Impl::set_timer(long timeout_ms) {
  if (timeout_ms < 0) {
    m_deadline.reset();
    m_timer.cancel();  // no system call: the loop's timerfd is left as it is
    m_timer_armed = false;
    return;
  }
  const auto now = asio::steady_timer::clock_type::now();
  m_deadline = now + std::chrono::milliseconds(timeout_ms);
  if (timeout_ms == 0) {
    post_timeout();
    return;
  }
  if (m_timer_armed && m_timer.expiry() <= *m_deadline) return;
  arm_timer(*m_deadline);
}

void HttpClient::Impl::post_timeout() {
  if (m_timeout_posted) return;
  m_timeout_posted = true;
  const std::weak_ptr<int> alive = m_alive;
  asio::post(m_io, [this, alive] {
    if (alive.expired()) return;
    m_timeout_posted = false;
    on_deadline();
  });
}

void HttpClient::Impl::arm_timer(asio::steady_timer::time_point at) {
  m_timer.expires_at(at);  // cancels a wait armed later
  m_timer_armed = true;
  const std::weak_ptr<int> alive = m_alive;
  m_timer.async_wait([this, alive](boost::system::error_code ec) {
    if (ec || alive.expired()) return;  // cancelled: a new wait is armed
    m_timer_armed = false;
    on_deadline();
  });
}

// The timer fired or a zero deadline was posted: drive curl when its
// deadline has come, else wait for it.
void HttpClient::Impl::on_deadline() {
  if (!m_deadline) return;
  if (*m_deadline > asio::steady_timer::clock_type::now()) {
    if (!m_timer_armed) arm_timer(*m_deadline);
    return;
  }
  // curl tells its next deadline while it runs, if it has one.
  m_deadline.reset();
  drive(CURL_SOCKET_TIMEOUT, 0);
}

void HttpClient::Impl::drive(curl_socket_t fd, int events) {
  int running = 0;
  curl_multi_socket_action(m_multi, fd, events, &running);
  collect_finished();
}

void HttpClient::Impl::collect_finished() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(m_multi, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    const CURLcode code = message->data.result;
    const auto found = m_jobs.find(easy);
    if (found == m_jobs.end()) continue;
    const std::shared_ptr<Job> job = found->second;
    m_jobs.erase(found);
    curl_multi_remove_handle(m_multi, easy);  // `message` is invalid from here
    job->transfer.finish(code);
    end(job);
  }
}

HttpClient::HttpClient(asio::io_context& io) : m_impl(std::make_unique<Impl>(io)) {}

HttpClient::~HttpClient() = default;

int HttpClient::in_flight() const { return m_impl->in_flight(); }

asio::awaitable<HttpResponse> HttpClient::perform(HttpRequest request) {
  const std::shared_ptr<Job> job = m_impl->start(std::move(request));
  {
    Impl::WaitGuard guard(*m_impl, job);
    if (!job->finished) {
      boost::system::error_code ec;
      auto token = asio::redirect_error(asio::use_awaitable, ec);
      co_await job->done.async_wait(token);
    }
  }
  HttpResponse response = job->transfer.take_response();
  co_return response;
}

}  // namespace passage
