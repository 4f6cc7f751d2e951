// RealtimeClient against the real passage-cozy-sim: subscription, events,
// wrong passphrase, dropped sockets, stop-and-destroy. Each test runs its
// scenario as a coroutine on one io_context; every wait is a timer.
#include <catch2/catch.hpp>

#include <curl/curl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "engine/net/realtime.hpp"
#include "engine/sched/request_gate.hpp"
#include "tests/support/process.hpp"

using namespace passage;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr const char* k_passphrase = "rt-s3cret";
constexpr auto k_use_tuple = asio::as_tuple(asio::use_awaitable);
const RateLimit k_rate{50, 50};

// A directory of its own, removed last.
struct TempDir {
  TempDir() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() /
           ("passage-realtime-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  fs::path path;
};

// passage-cozy-sim on a free port, 10 instances.
class Sim {
 public:
  Sim()
      : m_process({PASSAGE_SIM_BIN, "--port", "0", "--passphrase", k_passphrase, "--instances",
                   "10"},
                  m_dir.path, m_dir.path / "out.txt", m_dir.path / "err.txt") {
    const fs::path out = m_dir.path / "out.txt";
    const bool started = testing::wait_until(
        [&] { return testing::read_file(out).find('\n') != std::string::npos; }, 10s);
    const std::string text = testing::read_file(out);
    const std::string prefix = "listening 127.0.0.1:";
    if (!started || text.rfind(prefix, 0) != 0) throw std::runtime_error("simulator did not start");
    m_port = std::stoi(text.substr(prefix.size()));
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(m_port); }

 private:
  TempDir m_dir;
  testing::BackgroundProcess m_process;
  int m_port = 0;
};

struct HttpAnswer {
  long status = 0;
  std::string body;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* sink) {
  static_cast<std::string*>(sink)->append(data, size * count);
  return size * count;
}

// A blocking libcurl call (the sim is another process: no deadlock).
HttpAnswer http(const std::string& method, const std::string& url, const std::string& body = {}) {
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return answer;
  const std::string credentials = std::string(":") + k_passphrase;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_USERPWD, credentials.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return answer;
}

long request_export(const Sim& sim, const std::string& domain) {
  return http("POST", sim.base() + "/instances/" + domain + "/export?admin-req=true").status;
}

long set_faults(const Sim& sim, const std::string& faults) {
  return http("PUT", sim.base() + "/_sim/faults", faults).status;
}

// Upgrades of GET /realtime/ the sim answered with `status`.
std::int64_t realtime_upgrades(const Sim& sim, const std::string& status) {
  const HttpAnswer answer = http("GET", sim.base() + "/_sim/stats");
  boost::system::error_code ec;
  const json::value stats = json::parse(answer.body, ec);
  if (ec) return -1;
  const json::value* counts = stats.find_pointer("/requests/GET ~1realtime~1/" + status, ec);
  return counts != nullptr && counts->is_int64() ? counts->get_int64() : 0;
}

// The completion of `domain`'s export, as the stack announces it.
bool is_done_export(const RealtimeEvent& event, const std::string& domain) {
  if (event.event != "CREATED" || event.doctype != "io.cozy.exports") return false;
  boost::system::error_code ec;
  const json::value doc = json::parse(event.doc, ec);
  if (ec || !doc.is_object()) return false;
  const json::value* doc_domain = doc.get_object().if_contains("domain");
  const json::value* state = doc.get_object().if_contains("state");
  return doc_domain != nullptr && state != nullptr && *doc_domain == domain.c_str() &&
         *state == "done";
}

int count_done(const std::vector<RealtimeEvent>& events, const std::string& domain) {
  int count = 0;
  for (const RealtimeEvent& event : events) count += is_done_export(event, domain) ? 1 : 0;
  return count;
}

// Fired once; a wait ends when fired or after its timeout.
class Signal {
 public:
  explicit Signal(asio::io_context& io) : m_timer(io) {}
  void fire() {
    m_fired = true;
    m_timer.cancel();
  }
  asio::awaitable<bool> wait(Millis timeout) {
    if (m_fired) co_return true;
    m_timer.expires_after(timeout);
    co_await m_timer.async_wait(k_use_tuple);
    co_return m_fired;
  }

 private:
  asio::steady_timer m_timer;
  bool m_fired = false;
};

asio::awaitable<void> pause(Millis duration) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, duration);
  co_await timer.async_wait(k_use_tuple);
}

// Looks at `condition` every 20 ms until it holds or `timeout` passes.
asio::awaitable<bool> eventually(std::function<bool()> condition, Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    co_await pause(20ms);
  }
  co_return true;
}

// Runs `scenario` to its end (at most `limit`), then stops the io_context
// unless `drain`: then it runs on until it has no work left.
struct Outcome {
  bool finished = false;
  bool drained = false;
};

Outcome run(asio::io_context& io, const std::function<asio::awaitable<void>()>& scenario,
            Millis limit, bool drain = false) {
  Outcome outcome;
  std::exception_ptr failure;
  asio::co_spawn(io, scenario(), [&](const std::exception_ptr& error) {
    outcome.finished = true;
    failure = error;
    if (!drain) io.stop();
  });
  io.run_for(limit);
  outcome.drained = drain && io.stopped();
  if (failure) std::rethrow_exception(failure);
  return outcome;
}

const std::string k_domain = "u000003.mytoutatice.cloud";

}  // namespace

TEST_CASE("realtime: an export's completion arrives once as a CREATED event") {
  Sim sim;
  asio::io_context io;
  RequestGate gate(io, k_rate, 4);
  std::vector<RealtimeEvent> events;
  Signal arrived(io);
  RealtimeClient client(io, sim.base(), k_passphrase, gate, [&](const RealtimeEvent& event) {
    events.push_back(event);
    if (is_done_export(event, k_domain)) arrived.fire();
  });
  bool subscribed = false;
  long status = 0;
  bool seen = false;
  const Outcome outcome = run(
      io,
      [&]() -> asio::awaitable<void> {
        client.start();
        subscribed = co_await client.wait_subscribed(5s);
        status = request_export(sim, k_domain);
        seen = co_await arrived.wait(10s);
        co_await pause(300ms);  // room for a duplicate to show up
        client.stop();
      },
      30s);
  REQUIRE(outcome.finished);
  CHECK(subscribed);
  CHECK(status == 202);
  CHECK(seen);
  CHECK(count_done(events, k_domain) == 1);
  for (const RealtimeEvent& event : events) {
    if (!is_done_export(event, k_domain)) continue;
    CHECK_FALSE(event.id.empty());
    CHECK(json::parse(event.doc).at("_id") == event.id.c_str());
  }
  CHECK(client.connections() == 1);
  CHECK_FALSE(client.subscribed());
}

TEST_CASE("realtime: a wrong passphrase never subscribes and keeps retrying") {
  Sim sim;
  asio::io_context io;
  RequestGate gate(io, k_rate, 4);
  int calls = 0;
  RealtimeClient client(io, sim.base(), "not-the-passphrase", gate,
                        [&](const RealtimeEvent&) { ++calls; });
  bool subscribed = true;
  int attempts_seen = 0;
  const Outcome outcome = run(
      io,
      [&]() -> asio::awaitable<void> {
        client.start();
        subscribed = co_await client.wait_subscribed(1500ms);
        attempts_seen = client.attempts();
        client.stop();
      },
      10s);
  REQUIRE(outcome.finished);
  CHECK_FALSE(subscribed);
  // Backoff 100, 200, 400, 800 ms: four or five attempts in 1.5 s.
  CHECK(attempts_seen >= 4);
  CHECK(attempts_seen <= 6);
  CHECK(client.connections() == 0);
  CHECK(calls == 0);
  CHECK(realtime_upgrades(sim, "403") + realtime_upgrades(sim, "401") >= 4);
  CHECK(realtime_upgrades(sim, "101") == 0);
}

TEST_CASE("realtime: dropped sockets are reconnected and later events still arrive") {
  Sim sim;
  asio::io_context io;
  RequestGate gate(io, k_rate, 4);
  std::vector<RealtimeEvent> events;
  Signal arrived(io);
  RealtimeClient client(io, sim.base(), k_passphrase, gate, [&](const RealtimeEvent& event) {
    events.push_back(event);
    if (is_done_export(event, k_domain)) arrived.fire();
  });
  bool first = false;
  bool reconnected = false;
  bool again = false;
  long faults_on = 0;
  long faults_off = 0;
  long status = 0;
  bool seen = false;
  const Outcome outcome = run(
      io,
      [&]() -> asio::awaitable<void> {
        client.start();
        first = co_await client.wait_subscribed(5s);
        faults_on = set_faults(sim, R"({"ws_drop_every_s": 1})");
        reconnected = co_await eventually([&] { return client.connections() >= 2; }, 5s);
        faults_off = set_faults(sim, "{}");
        again = co_await client.wait_subscribed(5s);
        status = request_export(sim, k_domain);
        seen = co_await arrived.wait(10s);
        client.stop();
      },
      40s);
  REQUIRE(outcome.finished);
  CHECK(first);
  CHECK(faults_on == 200);
  CHECK(reconnected);
  CHECK(faults_off == 200);
  CHECK(again);
  CHECK(status == 202);
  CHECK(seen);
  CHECK(count_done(events, k_domain) == 1);
  CHECK(client.connections() >= 2);
  CHECK(realtime_upgrades(sim, "101") == client.connections());
}

TEST_CASE("realtime: stop then destroy while the io_context runs is clean") {
  Sim sim;
  asio::io_context io;
  RequestGate gate(io, k_rate, 4);
  int calls = 0;
  auto client = std::make_unique<RealtimeClient>(io, sim.base(), k_passphrase, gate,
                                                 [&](const RealtimeEvent&) { ++calls; });
  bool subscribed = false;
  long status = 0;
  const auto started = std::chrono::steady_clock::now();
  const Outcome outcome = run(
      io,
      [&]() -> asio::awaitable<void> {
        client->start();
        subscribed = co_await client->wait_subscribed(5s);
        client->stop();
        client.reset();
        // The export's event would come now: nobody must be called.
        status = request_export(sim, k_domain);
        co_await pause(500ms);
      },
      20s, true);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  REQUIRE(outcome.finished);
  CHECK(outcome.drained);  // no reconnect loop left behind
  CHECK(elapsed < 10s);
  CHECK(subscribed);
  CHECK(status == 202);
  CHECK(calls == 0);
}

TEST_CASE("realtime: stop while connecting ends a pending wait at once") {
  Sim sim;
  asio::io_context io;
  RequestGate gate(io, k_rate, 4);
  auto client = std::make_unique<RealtimeClient>(io, sim.base(), k_passphrase, gate,
                                                 [](const RealtimeEvent&) {});
  bool waited = false;
  bool result = true;
  std::chrono::steady_clock::duration took{};
  const Outcome outcome = run(
      io,
      [&]() -> asio::awaitable<void> {
        client->start();
        const auto executor = co_await asio::this_coro::executor;
        asio::co_spawn(
            executor,
            [&]() -> asio::awaitable<void> {
              const auto from = std::chrono::steady_clock::now();
              result = co_await client->wait_subscribed(5s);
              took = std::chrono::steady_clock::now() - from;
              waited = true;
            },
            asio::detached);
        co_await pause(0ms);  // the wait is now pending; the upgrade is under way
        client->stop();
        client.reset();
        co_await pause(50ms);
      },
      20s, true);
  REQUIRE(outcome.finished);
  CHECK(outcome.drained);
  CHECK(waited);
  CHECK_FALSE(result);
  CHECK(took < 1s);
}
