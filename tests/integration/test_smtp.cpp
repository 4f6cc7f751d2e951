// The smtp notifier against a real local SMTP server (tests/support/
// smtp_sink.py on Debian's python3-aiosmtpd): delivery, the classification
// of refusals, the rate limit, STARTTLS required, and a dry-run campaign
// whose notices all go through SMTP.
#include <catch2/catch.hpp>

#include "tests/integration/smtp_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <map>
#include <optional>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/json.hpp>

#include "plugins/notifiers/smtp.hpp"
#include "tests/integration/probe.hpp"
#include "tests/support/process.hpp"

using namespace passage;
using namespace passage::testing;
namespace fs = std::filesystem;
namespace asio = boost::asio;

namespace {

NotifyConfig smtp_config(const std::string& url, double per_second = 100) {
  NotifyConfig config;
  config.notifier = "smtp";
  config.smtp_url = url;
  config.from = "mytoutatice.cloud@ac-test.fr";
  config.rate_per_second = per_second;
  return config;
}

Notice sample_notice(const std::string& to, int n = 1) {
  Notice notice;
  notice.kind = "export_ready";
  notice.message_id = "export_ready." + std::to_string(n) + ".test@passage";
  notice.to = to;
  notice.from = "mytoutatice.cloud@ac-test.fr";
  notice.subject = "Votre espace : l'export est prêt";
  notice.body = "Bonjour Anne-Hélène,\nvos données sont prêtes — suppression le 15 janvier 2027.\n";
  notice.headers["X-Passage-Kind"] = "export_ready";
  notice.headers["X-Passage-Account"] = "anne.mytoutatice.cloud";
  notice.headers["X-Passage-Deletion-Date"] = "2027-01-15";
  return notice;
}

asio::awaitable<void> send_one(Notifier& notifier, Notice notice, std::optional<Outcome<Done>>& slot) {
  auto outcome = co_await notifier.send(std::move(notice));
  slot.emplace(std::move(outcome));
}

// Sends every notice concurrently through a fresh smtp notifier; the
// outcomes in order.
std::vector<Outcome<Done>> send_all(const NotifyConfig& config, std::vector<Notice> notices) {
  asio::io_context io;
  std::unique_ptr<Notifier> notifier = make_smtp_notifier(config, io);
  std::vector<std::optional<Outcome<Done>>> slots(notices.size());
  for (std::size_t i = 0; i < notices.size(); ++i)
    asio::co_spawn(io, send_one(*notifier, std::move(notices[i]), slots[i]),
                   [](std::exception_ptr error) {
                     if (error) std::rethrow_exception(error);
                   });
  io.run();
  std::vector<Outcome<Done>> outcomes;
  for (auto& slot : slots) {
    REQUIRE(slot.has_value());
    outcomes.push_back(std::move(*slot));
  }
  return outcomes;
}

Outcome<Done> send_once(const NotifyConfig& config, Notice notice) {
  std::vector<Notice> notices;
  notices.push_back(std::move(notice));
  return send_all(config, std::move(notices)).front();
}

// A port on which nothing listens: bound (so nobody else takes it) but
// never listening, so a connection is refused at once.
class DeadPort {
 public:
  DeadPort() {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(m_fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t size = sizeof address;
    REQUIRE(::getsockname(m_fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    m_port = ntohs(address.sin_port);
  }
  ~DeadPort() { ::close(m_fd); }
  int port() const { return m_port; }

 private:
  int m_fd = -1;
  int m_port = 0;
};

}  // namespace

TEST_CASE("an smtp notice arrives with its envelope, headers and a UTF-8 body that decodes back",
          "[smtp]") {
  Workspace ws;
  SmtpSink sink(ws.dir());
  const Notice notice = sample_notice("anne.personal@example.org");
  auto outcome = send_once(smtp_config(sink.url()), notice);
  INFO((outcome.ok() ? std::string() : outcome.failure().reason));
  REQUIRE(outcome.ok());
  REQUIRE(sink.wait_for(1));
  const auto messages = sink.messages();
  REQUIRE(messages.size() == 1);
  const SinkMessage& message = messages.front();
  CHECK(message.mail_from == "<mytoutatice.cloud@ac-test.fr>");
  CHECK(message.rcpt_to == std::vector<std::string>{"<anne.personal@example.org>"});
  CHECK(message.headers.at("Message-ID") == "<export_ready.1.test@passage>");
  CHECK(message.headers.at("X-Passage-Kind") == "export_ready");
  CHECK(message.headers.at("X-Passage-Account") == "anne.mytoutatice.cloud");
  CHECK(message.headers.at("X-Passage-Deletion-Date") == "2027-01-15");
  CHECK(message.headers.at("Content-Transfer-Encoding") == "base64");
  CHECK(message.headers.at("Content-Type") == "text/plain; charset=UTF-8");
  const std::string subject = message.headers.at("Subject");
  REQUIRE(subject.starts_with("=?UTF-8?B?"));
  CHECK(decode_base64(subject.substr(10, subject.size() - 12)) == notice.subject);
  CHECK(decode_base64(message.body) == notice.body);
}

TEST_CASE("a mailbox the server refuses with 550 is a permanent failure naming server and code",
          "[smtp]") {
  Workspace ws;
  SmtpSink sink(ws.dir());
  auto outcome = send_once(smtp_config(sink.url()), sample_notice("refuse.me@example.org"));
  REQUIRE_FALSE(outcome.ok());
  const Failure& failure = outcome.failure();
  CHECK(failure.kind == FailureKind::permanent);
  INFO(failure.reason);
  CHECK(failure.reason.find("550") != std::string::npos);
  CHECK(failure.reason.find("127.0.0.1:" + std::to_string(sink.port())) != std::string::npos);
  CHECK(failure.reason.find("refuse.me") == std::string::npos);
  CHECK(failure.reason.find("Bonjour") == std::string::npos);
  CHECK(sink.messages().empty());
}

TEST_CASE("a 451 answer is retryable", "[smtp]") {
  Workspace ws;
  SmtpSink sink(ws.dir());
  auto outcome = send_once(smtp_config(sink.url()), sample_notice("later.please@example.org"));
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.failure().kind == FailureKind::retryable);
  INFO(outcome.failure().reason);
  CHECK(outcome.failure().reason.find("451") != std::string::npos);
  CHECK(sink.messages().empty());
}

TEST_CASE("an smtp server that is not listening is retryable", "[smtp]") {
  DeadPort dead;
  auto outcome = send_once(smtp_config("smtp://127.0.0.1:" + std::to_string(dead.port())),
                           sample_notice("anne@example.org"));
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.failure().kind == FailureKind::retryable);
  INFO(outcome.failure().reason);
  CHECK(outcome.failure().reason.find("127.0.0.1:" + std::to_string(dead.port())) !=
        std::string::npos);
}

TEST_CASE("at 5 notices per second 10 notices take more than one second", "[smtp]") {
  Workspace ws;
  SmtpSink sink(ws.dir());
  std::vector<Notice> notices;
  for (int n = 1; n <= 10; ++n) notices.push_back(sample_notice("anne@example.org", n));
  const auto started = std::chrono::steady_clock::now();
  auto outcomes = send_all(smtp_config(sink.url(), 5), std::move(notices));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  for (const auto& outcome : outcomes) CHECK(outcome.ok());
  // Burst 1: the 10th transaction starts 9 intervals (1.8 s) after the first.
  CHECK(elapsed >= std::chrono::milliseconds(1700));
  REQUIRE(sink.wait_for(10));
  std::set<std::string> ids;
  for (const auto& message : sink.messages()) ids.insert(message.headers.at("Message-ID"));
  CHECK(ids.size() == 10);
}

TEST_CASE("starttls required against a server without STARTTLS sends nothing", "[smtp]") {
  Workspace ws;
  SmtpSink sink(ws.dir());
  NotifyConfig config = smtp_config(sink.url());
  config.starttls = "required";
  auto outcome = send_once(config, sample_notice("anne@example.org"));
  REQUIRE_FALSE(outcome.ok());
  INFO(outcome.failure().reason);
  CHECK(outcome.failure().reason.find("STARTTLS") != std::string::npos);
  // The sink stores a message before it answers 250: none can be on its way.
  CHECK(sink.messages().empty());
}

TEST_CASE("a dry-run campaign announces each export once over smtp and a refused mailbox fails",
          "[smtp]") {
  ConfigOptions options;
  options.transient_failure_rate = 0.0;
  Workspace ws(options);
  SmtpSink sink(ws.dir());

  std::string config = read_file(ws.config());
  const std::string outbox = "notify: { notifier: outbox, dir: var/outbox }\n";
  const std::size_t at = config.find(outbox);
  REQUIRE(at != std::string::npos);
  config.replace(at, outbox.size(),
                 "notify: { notifier: smtp, smtp_url: \"" + sink.url() +
                     "\", from: mytoutatice.cloud@ac-test.fr, rate: { per_second: 50 } }\n");
  ws.write("c.yaml", config);

  constexpr int k_accounts = 6;
  const int refused = 4;
  std::string accounts = "login,domain,action,email,target,departure_date,reason\n";
  for (int n = 1; n <= k_accounts; ++n) {
    const std::string login = login_of(n);
    const std::string email = n == refused ? "refuse." + login + "@example.org" : login + "@example.org";
    accounts += login + "," + login + ".mytoutatice.cloud,export," + email + ",,2026-10-01,left\n";
  }
  ws.write("accounts.csv", accounts);
  const std::string now = "2026-11-25T10:00:00";
  ProcessResult create = ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", now});
  INFO("create: " << create.out << create.err);
  REQUIRE(create.exit_code == 0);
  ProcessResult run = ws.passage({"run", "--until-idle", "--now", now});
  INFO("run: " << run.out << run.err);
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 1);  // one account failed

  ProcessResult report = ws.passage({"report", "c1", "--format", "json", "--out", "-"});
  INFO("report: " << report.err);
  REQUIRE(report.exit_code == 0);
  std::map<std::string, std::string> deletion_by_domain;
  const boost::json::value doc = boost::json::parse(report.out);
  for (const auto& item : doc.at("accounts").as_array()) {
    const auto& account = item.as_object();
    if (account.at("deletion_date").is_string())
      deletion_by_domain[std::string(account.at("domain").as_string())] =
          std::string(account.at("deletion_date").as_string());
  }

  REQUIRE(sink.wait_for(k_accounts - 1));
  std::map<std::string, int> export_ready_by_domain;
  for (const auto& message : sink.messages()) {
    if (message.headers.at("X-Passage-Kind") != "export_ready") continue;
    const std::string domain = message.headers.at("X-Passage-Account");
    ++export_ready_by_domain[domain];
    INFO("domain " << domain);
    REQUIRE(deletion_by_domain.count(domain) == 1);
    CHECK(message.headers.at("X-Passage-Deletion-Date") == deletion_by_domain.at(domain));
    CHECK(message.rcpt_to == std::vector<std::string>{"<" + domain.substr(0, 5) + "@example.org>"});
  }
  for (int n = 1; n <= k_accounts; ++n) {
    const std::string domain = login_of(n) + ".mytoutatice.cloud";
    INFO("domain " << domain);
    CHECK(export_ready_by_domain[domain] == (n == refused ? 0 : 1));
  }

  ProcessResult show = ws.passage({"account", "show", login_of(refused), "--json"});
  INFO("show: " << show.out << show.err);
  REQUIRE(show.exit_code == 0);
  const auto account = boost::json::parse(show.out).as_object();
  CHECK(account.at("state").as_string() == "FAILED");
  CHECK(account.at("reason").as_string() == "notice_refused");
}

TEST_CASE("a run whose mail relay does not answer exits 7 and says so", "[smtp][exit]") {
  ConfigOptions options;
  options.transient_failure_rate = 0.0;
  Workspace ws(options);
  DeadPort dead;
  std::string config = read_file(ws.config());
  const std::string outbox = "notify: { notifier: outbox, dir: var/outbox }\n";
  const std::size_t at = config.find(outbox);
  REQUIRE(at != std::string::npos);
  config.replace(at, outbox.size(),
                 "notify: { notifier: smtp, smtp_url: \"smtp://127.0.0.1:" + std::to_string(dead.port()) +
                     "\", from: mytoutatice.cloud@ac-test.fr }\nretry_budget: 2\nidle_horizon: 1 second\n");
  ws.write("c.yaml", config);
  std::string accounts = "login,domain,action,email,target,departure_date,reason\n";
  for (int n = 1; n <= 3; ++n)
    accounts += login_of(n) + "," + login_of(n) + ".mytoutatice.cloud,export," + login_of(n) +
                "@example.org,,2026-10-01,left\n";
  ws.write("accounts.csv", accounts);
  const std::string now = "2026-11-25T10:00:00";
  REQUIRE(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", now}).exit_code == 0);
  ProcessResult run = ws.passage({"run", "--until-idle", "--now", now});
  INFO("run: " << run.out << run.err);
  REQUIRE_FALSE(run.timed_out);
  CHECK(run.exit_code == 7);
  CHECK(run.out.find("mail relay not answering") != std::string::npos);
}

// Three export accounts whose notices find the relay down during a first
// run: a port a sink held, then closed. `relay_back()` starts a sink on it.
struct RelayOutage {
  ConfigOptions options = [] {
    ConfigOptions o;
    o.transient_failure_rate = 0.0;
    return o;
  }();
  Workspace ws{options};
  int port = 0;
  ProcessResult down;
  std::set<std::string> message_ids;

  RelayOutage() {
    {
      fs::create_directories(ws.dir() / "before");
      fs::create_directories(ws.dir() / "after");
      SmtpSink before(ws.dir() / "before");  // the relay's port; stopped at the end of this block
      port = before.port();
    }
    std::string config = read_file(ws.config());
    const std::string outbox = "notify: { notifier: outbox, dir: var/outbox }\n";
    const std::size_t at = config.find(outbox);
    REQUIRE(at != std::string::npos);
    // A small retry budget: an outage outlasts it, as ~75 s do with the default.
    config.replace(at, outbox.size(),
                   "notify: { notifier: smtp, smtp_url: \"smtp://127.0.0.1:" + std::to_string(port) +
                       "\", from: mytoutatice.cloud@ac-test.fr }\nretry_budget: 2\nidle_horizon: 2 seconds\n");
    ws.write("c.yaml", config);
    std::string accounts = "login,domain,action,email,target,departure_date,reason\n";
    for (int n = 1; n <= 3; ++n)
      accounts += login_of(n) + "," + login_of(n) + ".mytoutatice.cloud,export," + login_of(n) +
                  "@example.org,,2027-01-10,left\n";
    ws.write("accounts.csv", accounts);
    const std::string now = "2026-12-28T10:00:00";
    REQUIRE(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", now}).exit_code == 0);
    down = ws.passage({"run", "--until-idle", "--now", now});
    Db db(ws.database());
    for (const auto& row : db.rows("SELECT key FROM intents WHERE kind = 'notice'")) message_ids.insert(row[0]);
  }

  SmtpSink relay_back() { return SmtpSink(ws.dir() / "after", port); }

  static std::set<std::string> ids_sent(const SmtpSink& relay) {
    std::set<std::string> sent;
    for (const SinkMessage& message : relay.messages()) {
      std::string id = message.header("Message-ID");
      if (id.size() > 2 && id.front() == '<') id = id.substr(1, id.size() - 2);
      sent.insert(id);
    }
    return sent;
  }
};

TEST_CASE("A relay outage during run fails no account and spends no retries: the notices wait and go out "
          "with their Message-IDs once the relay answers",
          "[smtp][exit][relay-outage]") {
  RelayOutage o;
  INFO("run while down: " << o.down.out << o.down.err);
  REQUIRE_FALSE(o.down.timed_out);
  CHECK(o.down.exit_code == 7);  // monitoring learns the relay was down
  CHECK(o.down.out.find("mail relay not answering") != std::string::npos);
  Db db(o.ws.database());
  CHECK(db.scalar("SELECT count(*) FROM accounts WHERE state = 'FAILED'") == 0);
  CHECK(db.scalar("SELECT count(*) FROM accounts WHERE state = 'RETRY_WAIT' AND state_reason LIKE "
                  "'relay_unavailable:%'") == 3);
  ProcessResult show = o.ws.passage({"account", "show", login_of(1), "--json"});
  REQUIRE(show.exit_code == 0);
  CHECK(std::string(boost::json::parse(show.out).at("reason").as_string()).starts_with("relay_unavailable"));
  CHECK(o.message_ids.size() == 3);

  SmtpSink relay = o.relay_back();  // the relay answers again
  ProcessResult back = o.ws.passage({"run", "--until-idle", "--now", "2026-12-28T12:00:00"});
  INFO("run once back: " << back.out << back.err);
  REQUIRE_FALSE(back.timed_out);
  CHECK(back.exit_code == 0);
  REQUIRE(relay.wait_for(3));
  CHECK(RelayOutage::ids_sent(relay) == o.message_ids);  // the same Message-IDs, no other mail
  CHECK(db.scalar("SELECT count(*) FROM accounts WHERE state = 'NOTIFIED'") == 3);
}

TEST_CASE("A hold placed while a notice waits for the relay wins when the relay answers again, the release "
          "sends that same notice",
          "[smtp][relay-outage][support]") {
  RelayOutage o;
  REQUIRE(o.down.exit_code == 7);
  REQUIRE(o.message_ids.size() == 3);
  const std::string held = login_of(1);
  ProcessResult hold = o.ws.passage({"account", "hold", held, "--reason", "ticket 7", "--by", "desk",
                                     "--now", "2026-12-28T11:00:00"});
  INFO("hold: " << hold.out << hold.err);
  REQUIRE(hold.exit_code == 0);

  SmtpSink relay = o.relay_back();
  ProcessResult back = o.ws.passage({"run", "--until-idle", "--now", "2026-12-28T12:00:00"});
  INFO("run once back: " << back.out << back.err);
  REQUIRE_FALSE(back.timed_out);
  REQUIRE(relay.wait_for(2));
  Db db(o.ws.database());
  CHECK(db.rows("SELECT state FROM accounts WHERE login = '" + held + "'").at(0).at(0) == "HELD");
  CHECK(db.scalar("SELECT count(*) FROM accounts WHERE state = 'NOTIFIED'") == 2);
  const std::string held_id =
      db.rows("SELECT i.key FROM intents i JOIN accounts a ON a.id = i.account_id WHERE i.kind = 'notice' AND "
              "a.login = '" + held + "'").at(0).at(0);
  std::set<std::string> sent = RelayOutage::ids_sent(relay);
  CHECK(sent.size() == 2);
  CHECK(sent.count(held_id) == 0);  // nothing goes to a held account

  ProcessResult release = o.ws.passage({"account", "release", held, "--reason", "ticket 7 closed", "--by", "desk",
                                        "--now", "2026-12-28T13:00:00"});
  INFO("release: " << release.out << release.err);
  REQUIRE(release.exit_code == 0);
  ProcessResult after = o.ws.passage({"run", "--until-idle", "--now", "2026-12-28T13:00:00"});
  INFO("run after the release: " << after.out << after.err);
  REQUIRE(relay.wait_for(3));
  CHECK(RelayOutage::ids_sent(relay) == o.message_ids);  // the held one's own Message-ID, once
  CHECK(relay.messages().size() == 3);
  CHECK(db.scalar("SELECT count(*) FROM accounts WHERE state = 'NOTIFIED'") == 3);
}
