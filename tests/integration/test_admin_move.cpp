// Admin-driven moves of the real passage binary between two passage-cozy-sim
// stacks through the cozy-admin backend: the academy's stack (the sources,
// `uNNNN.mytoutatice.cloud`) and a partner stack Passage also administers
// (the targets, `uNNNN.partner.test`). Export on the source, import on the
// target (the sim fetches the manifest over loopback), target checked,
// source blocked MOVED; then the purge deletes the moved sources safely.
// Time moves with `--now` and `/_sim/clock` together, never by sleeping.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <sstream>

#include "tests/integration/probe.hpp"
#include "tests/integration/sim_fixture.hpp"

using namespace passage::testing;
namespace json = boost::json;
namespace fs = std::filesystem;
using std::chrono::hours;

namespace {

const SysSeconds k_t = parse_iso_utc("2026-11-25T09:00:00Z");
const std::string k_departed = "2026-10-01";  // past at k_t
constexpr Millis k_run_timeout{150000};
const std::string k_export_post = "POST /instances/:domain/export";
const std::string k_import_post = "POST /instances/:domain/import";

std::string source_domain(int n) { return login_of(n) + ".mytoutatice.cloud"; }
std::string target_host(int n) { return login_of(n) + ".partner.test"; }

// An accounts file (the sims read its `domain` column): `count` rows whose
// domain is `domain_of(n)`; move rows target `https://<target_host(n)>`.
fs::path write_csv(const Workspace& ws, const std::string& name, int count, bool moves,
                   std::string (*domain_of)(int)) {
  std::ostringstream text;
  text << "login,domain,action,email,target,departure_date,reason\n";
  for (int n = 1; n <= count; ++n) {
    const std::string login = login_of(n);
    text << login << ',' << domain_of(n) << ',' << (moves ? "move" : "export") << ',' << login
         << "@example.org," << (moves ? "https://" + target_host(n) : std::string()) << ','
         << k_departed << ",left\n";
  }
  return ws.write(name, text.str());
}

std::string stack_yaml(const std::string& name, int port, const std::string& domains,
                       const std::string& import_deadline, const std::string& extra = {}) {
  std::ostringstream text;
  text << "  - name: " << name << "\n"
       << "    backend: cozy-admin\n"
       << "    url: http://127.0.0.1:" << port << "\n"
       << "    passphrase_env: " << k_passphrase_variable << "\n"
       << "    domains: [\"" << domains << "\"]\n"
       << "    rate: { per_second: 50, burst: 1 }\n"
       << "    max_in_flight: 8\n"
       << "    max_exports_in_flight: 4\n"
       << "    export_deadline: 5 seconds\n"
       << "    import_deadline: " << import_deadline << "\n"
       << extra;
  return text.str();
}

// Campaign c1 of `count` admin-driven moves from the academy's sim to the
// partner's sim (both sharing one passphrase), all clocks at k_t.
struct MoveCampaign {
  MoveCampaign(int count, const std::string& import_deadline,
               const std::vector<std::string>& source_flags = {}, const std::string& source_extra = {})
      : now(k_t) {
    write_csv(ws, "accounts.csv", count, true, source_domain);
    write_csv(ws, "partner.csv", count, false, target_host);
    fs::create_directories(ws.dir() / "source");
    fs::create_directories(ws.dir() / "target");
    source = std::make_unique<CozySim>(ws.dir() / "source", ws.dir() / "accounts.csv", iso_utc(now),
                                       source_flags);
    target = std::make_unique<CozySim>(ws.dir() / "target", ws.dir() / "partner.csv", iso_utc(now));
    ws.write("c.yaml", "database: var/passage.db\n"
                       "timezone: Europe/Paris\n"
                       "allow_future_purge: true\n"
                       "stacks:\n" +
                           stack_yaml("academy", source->port(), "*.mytoutatice.cloud", import_deadline,
                                      source_extra) +
                           stack_yaml("partner", target->port(), "*.partner.test", import_deadline) +
                           "notify: { notifier: outbox, dir: var/outbox }\n"
                           "reports: { dir: var/reports }\n"
                           "purge: { max_per_run: 5000 }\n");
    ws.set_environment({{k_passphrase_variable, k_sim_passphrase}});
    ProcessResult created =
        ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", iso_utc(now)});
    INFO("campaign create stderr: " << created.err);
    REQUIRE(created.exit_code == 0);
  }

  ProcessResult run() const {
    ProcessResult result = run_process(ws.passage_argv({"run", "--until-idle", "--now", iso_utc(now)}),
                                       k_run_timeout, ws.dir(), ws.environment());
    INFO("run at " << iso_utc(now) << " stderr: " << result.err);
    REQUIRE_FALSE(result.timed_out);
    return result;
  }

  // Moves passage's next `--now` and both simulators' clocks together.
  void advance(std::chrono::seconds by) {
    now += by;
    source->advance_clock(by.count());
    target->advance_clock(by.count());
  }

  // GET /instances/:domain on the source sim: its attributes.
  json::object source_attributes(int n) const {
    SimAnswer answer = source->call("GET", "/instances/" + source_domain(n));
    INFO("GET /instances/" << source_domain(n) << " answered " << answer.status << ": " << answer.body);
    REQUIRE(answer.status == 200);
    return json::parse(answer.body).at("data").at("attributes").as_object();
  }

  Workspace ws;
  std::unique_ptr<CozySim> source;  // declared after ws: killed before its folder goes
  std::unique_ptr<CozySim> target;
  SysSeconds now;
};

std::string text_of(const json::object& object, const char* key) {
  const json::value* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

bool flag_of(const json::object& object, const char* key) {
  const json::value* value = object.if_contains(key);
  return value && value->is_bool() && value->as_bool();
}

std::string describe(const json::object& account) {
  return text_of(account, "login") + " " + text_of(account, "state") + " (" +
         text_of(account, "reason") + ")";
}

}  // namespace

TEST_CASE("10 admin-driven moves to a partner stack end verified with the sources blocked MOVED and are then purged safely",
          "[cozy-admin]") {
  constexpr int k_count = 10;
  MoveCampaign c(k_count, "60 seconds");
  ProcessResult first = c.run();
  INFO("run stderr: " << first.err);
  CHECK(first.exit_code == 0);

  json::array accounts = report_accounts(c.ws, "c1");
  REQUIRE(accounts.size() == k_count);
  for (const json::value& value : accounts) {
    const json::object& account = value.as_object();
    INFO("account " << describe(account));
    CHECK_FALSE(account.at("verified_at").is_null());
    REQUIRE(account.at("evidence").is_object());
    const json::object& evidence = account.at("evidence").as_object();
    CHECK(text_of(evidence, "kind") == "moved");
    CHECK_FALSE(text_of(evidence, "export_id").empty());
  }
  for (int n = 1; n <= k_count; ++n) {
    json::object attributes = c.source_attributes(n);
    INFO("source " << source_domain(n) << ": " << json::serialize(attributes));
    CHECK(flag_of(attributes, "blocked"));
    CHECK(text_of(attributes, "blocking_reason") == "MOVED");
  }
  {
    json::object source_stats = c.source->stats();
    json::object target_stats = c.target->stats();
    INFO("source stats: " << json::serialize(source_stats));
    INFO("target stats: " << json::serialize(target_stats));
    CHECK(stat(target_stats, "imports_done") == k_count);
    CHECK(stat(target_stats, "imports_failed") == 0);
    CHECK(stat(source_stats, "duplicate_exports_24h") == 0);
    CHECK(route_count(source_stats, k_export_post, "202") == k_count);
    CHECK(route_count(target_stats, k_import_post, "204") == k_count);
  }

  // Grace (1 month from the verification) is over 40 days later. A moved
  // source counts as safe for the sim: the import read its export whole.
  c.advance(hours(24 * 40));
  ProcessResult purge = c.ws.passage({"purge", "--now", iso_utc(c.now)}, k_run_timeout);
  INFO("purge stderr: " << purge.err);
  REQUIRE(purge.exit_code == 0);
  json::object stats = c.source->stats();
  INFO("source stats after the purge: " << json::serialize(stats));
  CHECK(stat(stats, "deletions") == k_count);
  CHECK(stat(stats, "unsafe_deletions") == 0);
  CHECK(stat(c.target->stats(), "deletions") == 0);
  CHECK(state_counts(c.ws, "c1").at("PURGED") == k_count);
}

TEST_CASE("An import that never finishes ends RETRY_WAIT at the import deadline and leaves the source not blocked MOVED",
          "[cozy-admin]") {
  MoveCampaign c(1, "3 seconds");
  c.target->put_faults(R"({"import_never_finish":1})");
  ProcessResult first = c.run();
  INFO("run stderr: " << first.err);
  CHECK(first.exit_code == 0);

  json::array accounts = report_accounts(c.ws, "c1");
  REQUIRE(accounts.size() == 1);
  const json::object& account = accounts.front().as_object();
  INFO("account " << describe(account));
  CHECK(text_of(account, "state") == "RETRY_WAIT");
  CHECK(account.at("verified_at").is_null());

  json::object attributes = c.source_attributes(1);
  INFO("source: " << json::serialize(attributes));
  CHECK(text_of(attributes, "blocking_reason") != "MOVED");
  CHECK_FALSE(flag_of(attributes, "blocked"));

  json::object source_stats = c.source->stats();
  json::object target_stats = c.target->stats();
  INFO("source stats: " << json::serialize(source_stats));
  INFO("target stats: " << json::serialize(target_stats));
  // One export and one import: the retry waits for the 24-hour rule.
  CHECK(route_count(source_stats, k_export_post) == 1);
  CHECK(stat(source_stats, "duplicate_exports_24h") == 0);
  CHECK(route_count(target_stats, k_import_post) == 1);
  CHECK(stat(target_stats, "imports_done") == 0);
}

namespace {

// `passage run --until-idle` of the campaign, in the background.
std::unique_ptr<BackgroundProcess> run_in_background(const MoveCampaign& c) {
  return std::make_unique<BackgroundProcess>(
      c.ws.passage_argv({"run", "--until-idle", "--now", iso_utc(c.now)}), c.ws.dir(),
      c.ws.dir() / "run.out", c.ws.dir() / "run.err", c.ws.environment());
}

bool export_intent_open(const MoveCampaign& c) {
  Db db(c.ws.database());
  return db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'import' AND outcome IS NULL") == 1;
}

}  // namespace

TEST_CASE("defect 6: the source is blocked MOVING before its export, by Passage, and the move "
          "then leaves it MOVED",
          "[cozy-admin][move][deletion-safety]") {
  MoveCampaign c(1, "60 seconds", {"--export-ms", "1500:1500"});
  auto run = run_in_background(c);
  REQUIRE(wait_until([&] { return export_intent_open(c); }, Millis(20000)));
  REQUIRE(wait_until([&] { return route_count(c.source->stats(), k_export_post) >= 1; }, Millis(20000)));
  json::object during = c.source_attributes(1);
  CHECK(during.contains("blocked"));
  CHECK(text_of(during, "blocking_reason") == "MOVING");
  REQUIRE(run->wait_exit(k_run_timeout));
  CHECK(account_states(c.ws).at(login_of(1)) == "GRACE");  // departed long ago
  CHECK(text_of(c.source_attributes(1), "blocking_reason") == "MOVED");
  Db db(c.ws.database());
  CHECK(db.rows("SELECT own_block FROM accounts")[0][0] == "MOVED");
}

TEST_CASE("defect 11: a move failing with a 404 after the source export gives the source back and "
          "a support retry waits for the 24-hour rule",
          "[cozy-admin][move][deletion-safety]") {
  MoveCampaign c(1, "60 seconds", {"--export-ms", "1500:1500"});
  auto run = run_in_background(c);
  REQUIRE(wait_until([&] { return route_count(c.source->stats(), k_export_post) >= 1; }, Millis(20000)));
  // The target disappears while the source exports: the import answers 404.
  REQUIRE(c.target->call("DELETE", "/instances/" + target_host(1)).status / 100 == 2);
  REQUIRE(run->wait_exit(k_run_timeout));
  REQUIRE(account_states(c.ws).at(login_of(1)) == "FAILED");
  CHECK_FALSE(c.source_attributes(1).contains("blocked"));

  ProcessResult retried = c.ws.passage({"account", "retry", login_of(1), "--reason", "target back",
                                        "--by", "jane", "--now", iso_utc(c.now)});
  REQUIRE(retried.exit_code == 0);
  c.advance(hours(1));
  c.run();
  CHECK(account_states(c.ws).at(login_of(1)) == "RETRY_WAIT");
  CHECK(route_count(c.source->stats(), k_export_post) == 1);
}

TEST_CASE("The export window also gates a move's export of its source", "[cozy-admin][move][window]") {
  // k_t is 10:00 in Paris: the window is closed.
  MoveCampaign c(1, "60 seconds", {}, "    export_window: \"20:00-06:00\"\n");
  ProcessResult run = c.run();
  CHECK(run.exit_code == 0);
  CHECK(route_count(c.source->stats(), k_export_post) == 0);
  CHECK(account_states(c.ws).at(login_of(1)) == "QUEUED");
}
