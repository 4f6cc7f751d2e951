// passage config check reaches each stack (an authenticated call through
// the cozy-admin backend) and the mail relay (connect, EHLO, QUIT) and says
// which answered: a stack or relay that does not answer is a warning
// (exit 0), a refused passphrase an error (exit 2) (CONTRACT.md "Exit
// codes, added").
#include <catch2/catch.hpp>

#include <optional>

#include "tests/integration/sim_fixture.hpp"
#include "tests/integration/smtp_fixture.hpp"
#include "tests/support/process.hpp"

using namespace passage;
using namespace passage::testing;

namespace {

// The workspace's config with its notices sent through `smtp_url`.
void use_relay(const Workspace& ws, const std::string& smtp_url) {
  std::string config = read_file(ws.config());
  const std::string outbox = "notify: { notifier: outbox, dir: var/outbox }\n";
  const std::size_t at = config.find(outbox);
  REQUIRE(at != std::string::npos);
  config.replace(at, outbox.size(),
                 "notify: { notifier: smtp, smtp_url: \"" + smtp_url +
                     "\", from: mytoutatice.cloud@ac-test.fr }\n");
  ws.write("c.yaml", config);
}

// The port of a simulator that was started, then stopped: nothing listens.
int stopped_sim_port(const Workspace& ws) {
  std::filesystem::create_directories(ws.dir() / "stopped");
  CozySim sim(ws.dir() / "stopped", write_export_accounts(ws, "stopped.csv", 1, "2026-10-01"), "");
  return sim.port();
}

// The URL of a relay that was started, then stopped.
std::string stopped_relay_url(const Workspace& ws) {
  std::filesystem::create_directories(ws.dir() / "stopped-relay");
  SmtpSink sink(ws.dir() / "stopped-relay");
  return sink.url();
}

}  // namespace

TEST_CASE("config check reaches the stack and the relay and says both answered", "[config]") {
  Workspace ws;
  CozySim sim(ws.dir(), write_export_accounts(ws, "accounts.csv", 2, "2026-10-01"), "");
  SmtpSink sink(ws.dir());
  use_cozy_config(ws, sim.port());
  use_relay(ws, sink.url());
  const std::int64_t counts_before = route_count(sim.stats(), "GET /instances/count");

  ProcessResult check = ws.passage({"config", "check"}, Millis(30000));
  INFO("stdout: " << check.out << "\nstderr: " << check.err);
  CHECK(check.exit_code == 0);
  CHECK(check.out.find(": valid (1 stack)") != std::string::npos);
  CHECK(check.out.find("stack academy (cozy-admin " + sim.base() + "): answered (http 200)") !=
        std::string::npos);
  CHECK(check.out.find("mail relay (smtp): answered (smtp 127.0.0.1:" + std::to_string(sink.port())) !=
        std::string::npos);
  CHECK(check.err.empty());
  // One authenticated call reached the stack; the relay got no message.
  CHECK(route_count(sim.stats(), "GET /instances/count", "200") == counts_before + 1);
  CHECK(sink.count() == 0);
}

TEST_CASE("config check warns about a stack and a relay that do not answer, exit 0", "[config]") {
  Workspace ws;
  const int dead_stack = stopped_sim_port(ws);
  const std::string dead_relay = stopped_relay_url(ws);
  use_cozy_config(ws, dead_stack);
  use_relay(ws, dead_relay);

  ProcessResult check = ws.passage({"config", "check"}, Millis(30000));
  INFO("stdout: " << check.out << "\nstderr: " << check.err);
  CHECK(check.exit_code == 0);
  CHECK(check.err.find("passage: warning: stack academy (cozy-admin http://127.0.0.1:" +
                       std::to_string(dead_stack) + "): no answer") != std::string::npos);
  CHECK(check.err.find("passage: warning: mail relay (smtp): no answer") != std::string::npos);
  CHECK(check.out.find("answered") == std::string::npos);

  // --quiet keeps the warnings (they are about what the nightly will meet).
  ProcessResult quiet = ws.passage({"config", "check", "--quiet"}, Millis(30000));
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.empty());
  CHECK(quiet.err.find("passage: warning: stack academy") != std::string::npos);
}

TEST_CASE("config check refuses a wrong passphrase with exit 2, naming the stack, never the secret",
          "[config]") {
  Workspace ws;
  CozySim sim(ws.dir(), write_export_accounts(ws, "accounts.csv", 1, "2026-10-01"), "");
  use_cozy_config(ws, sim.port());
  const std::string wrong = "not-the-passphrase-42";
  ws.set_environment({{k_passphrase_variable, wrong}});

  ProcessResult check = ws.passage({"config", "check"}, Millis(30000));
  INFO("stdout: " << check.out << "\nstderr: " << check.err);
  CHECK(check.exit_code == 2);
  CHECK(check.err.find("passage: stack academy (cozy-admin " + sim.base() +
                       "): credentials refused (http 403: admin passphrase refused)") != std::string::npos);
  // (The simulator answers a wrong passphrase 403, as cozy-stack does.)
  // The outbox has no relay to reach, and says so.
  CHECK(check.out.find("mail relay (outbox): nothing to reach") != std::string::npos);
  CHECK(check.out.find(wrong) == std::string::npos);
  CHECK(check.err.find(wrong) == std::string::npos);
}

TEST_CASE("config check on dry-run stacks reaches nothing and exits 0", "[config]") {
  Workspace ws;
  ProcessResult check = ws.passage({"config", "check"}, Millis(30000));
  INFO("stdout: " << check.out << "\nstderr: " << check.err);
  CHECK(check.exit_code == 0);
  CHECK(check.out.find("stack academy (dry-run): nothing to reach") != std::string::npos);
  CHECK(check.err.empty());
}

TEST_CASE("passage --version prints the project version and exits 0", "[config]") {
  Workspace ws;
  ProcessResult version = run_process({PASSAGE_BIN, "--version"}, Millis(10000), ws.dir());
  CHECK(version.exit_code == 0);
  CHECK(version.out == std::string("passage ") + PASSAGE_VERSION_EXPECTED + "\n");
  ProcessResult help = run_process({PASSAGE_BIN, "--help"}, Millis(10000), ws.dir());
  CHECK(help.out.find("--version") != std::string::npos);
  // Every exit code of CONTRACT.md's table, 7 (degraded) included.
  CHECK(help.out.find("6 held for confirmation, 7 degraded") != std::string::npos);
}

TEST_CASE("config check warns about a stack that answers with an error or resets, exit 0", "[config]") {
  Workspace ws;
  CozySim sim(ws.dir(), write_export_accounts(ws, "accounts.csv", 1, "2026-10-01"), "");
  use_cozy_config(ws, sim.port());

  sim.put_faults(R"({"throttle":{"status":503,"rate":1}})");
  ProcessResult busy = ws.passage({"config", "check"}, Millis(30000));
  INFO("stdout: " << busy.out << "\nstderr: " << busy.err);
  CHECK(busy.exit_code == 0);
  CHECK(busy.err.find("passage: warning: stack academy (cozy-admin " + sim.base() +
                      "): answered with an error (http 503)") != std::string::npos);

  sim.put_faults(R"({"reset_before":1})");
  ProcessResult reset = ws.passage({"config", "check"}, Millis(30000));
  INFO("stdout: " << reset.out << "\nstderr: " << reset.err);
  CHECK(reset.exit_code == 0);
  CHECK(reset.err.find("passage: warning: stack academy (cozy-admin " + sim.base() + "): no answer") !=
        std::string::npos);
}

namespace {

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("config check refuses a metrics.textfile whose folder does not exist, naming the path (exit 2)",
          "[config][folders]") {
  Workspace ws;
  ws.write("c.yaml", read_file(ws.config()) + "metrics: { textfile: prometheus/node-exporter/passage.prom }\n");
  ProcessResult check = ws.passage({"config", "check"}, Millis(30000));
  INFO("stdout: " << check.out << "\nstderr: " << check.err);
  CHECK(check.exit_code == 2);
  CHECK(mentions(check.err, "metrics.textfile: folder " + (ws.dir() / "prometheus" / "node-exporter").string() +
                                " does not exist"));
  CHECK_FALSE(std::filesystem::exists(ws.dir() / "prometheus"));  // nothing created

  std::filesystem::create_directories(ws.dir() / "prometheus" / "node-exporter");
  ProcessResult fixed = ws.passage({"config", "check"}, Millis(30000));
  INFO("stdout: " << fixed.out << "\nstderr: " << fixed.err);
  CHECK(fixed.exit_code == 0);
  CHECK(mentions(fixed.out, "metrics.textfile: folder " + (ws.dir() / "prometheus" / "node-exporter").string() +
                                " writable"));
  // The probe leaves nothing behind.
  CHECK(std::filesystem::is_empty(ws.dir() / "prometheus" / "node-exporter"));
}

TEST_CASE("config check refuses folders it cannot write: metrics, reports, archive (through the seam)",
          "[config][folders]") {
  Workspace ws;
  std::filesystem::create_directories(ws.dir() / "metrics");
  ws.write("c.yaml", read_file(ws.config()) + "metrics: { textfile: metrics/passage.prom }\n");
  struct Case {
    std::string faults, key, path;
  };
  for (const Case& one : {Case{"metrics:1:erofs", "metrics.textfile", (ws.dir() / "metrics").string()},
                          Case{"report:1:erofs", "reports.dir", ws.reports_dir().string()},
                          Case{"part_file:1:erofs", "export.archive_dir", (ws.dir() / "var" / "archive").string()}}) {
    ws.set_environment({{"PASSAGE_FAULTS", one.faults}});
    ProcessResult check = ws.passage({"config", "check"}, Millis(30000));
    INFO(one.faults << "\nstdout: " << check.out << "\nstderr: " << check.err);
    CHECK(check.exit_code == 2);
    CHECK(mentions(check.err, one.key + ": cannot write " + one.path));
    CHECK(mentions(check.err, "Read-only file system"));
  }
}
