// Admin-driven moves of the real passage binary between two passage-cozy-sim
// stacks through the cozy-admin backend: the academy's stack (the sources,
// `uNNNN.mytoutatice.cloud`) and a partner stack Passage also administers
// (the targets, `uNNNN.partner.test`). The source is blocked MOVING,
// exported, its parts downloaded and verified by passage; the target
// imports them from `passage serve --public` (a child process here, the sim
// trusting loopback); the target's files are checked and the source is
// blocked MOVED; then the purge deletes the moved sources safely. Time moves
// with `--now` and `/_sim/clock` together, never by sleeping.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <memory>
#include <sstream>

#include "tests/integration/probe.hpp"
#include "tests/integration/public_serve.hpp"
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

// What a move campaign may vary.
struct MoveOptions {
  std::string import_deadline = "60 seconds";
  std::vector<std::string> source_flags{};
  std::vector<std::string> target_flags{};
  std::string source_extra{};   // more keys of the academy's stack
  std::string move_section = "move: { overwrite: true }\n";
  bool serve = true;            // start `passage serve --public`
};

// The default options but for the config's `move:` section.
MoveOptions with_move_section(const std::string& move_section) {
  MoveOptions options;
  options.move_section = move_section;
  return options;
}

// Campaign c1 of `count` admin-driven moves from the academy's sim to the
// partner's sim (both sharing one passphrase), all clocks at k_t, and
// `passage serve --public` at serve.public_url.
struct MoveCampaign {
  MoveCampaign(int count, MoveOptions options = {}) : now(k_t), m_options(std::move(options)) {
    write_csv(ws, "accounts.csv", count, true, source_domain);
    write_csv(ws, "partner.csv", count, false, target_host);
    fs::create_directories(ws.dir() / "source");
    fs::create_directories(ws.dir() / "target");
    source = std::make_unique<CozySim>(ws.dir() / "source", ws.dir() / "accounts.csv", iso_utc(now),
                                       m_options.source_flags);
    target = std::make_unique<CozySim>(ws.dir() / "target", ws.dir() / "partner.csv", iso_utc(now),
                                       m_options.target_flags);
    // Nothing answers at port 9 until serve --public is up.
    write_config("http://127.0.0.1:9");
    ws.set_environment({{k_passphrase_variable, k_sim_passphrase}});
    ProcessResult created =
        ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", iso_utc(now)});
    INFO("campaign create stderr: " << created.err);
    REQUIRE(created.exit_code == 0);
    if (m_options.serve) start_serve();
  }

  // The public server on a free port; then serve.public_url says where.
  void start_serve() {
    serve = std::make_unique<PublicServe>(ws, iso_utc(now), "serve");
    write_config(serve->base());
  }

  void write_config(const std::string& public_url) const {
    ws.write("c.yaml", "database: var/passage.db\n"
                       "timezone: Europe/Paris\n"
                       "allow_future_purge: true\n"
                       "stacks:\n" +
                           stack_yaml("academy", source->port(), "*.mytoutatice.cloud",
                                      m_options.import_deadline, m_options.source_extra) +
                           stack_yaml("partner", target->port(), "*.partner.test", m_options.import_deadline) +
                           "notify: { notifier: outbox, dir: var/outbox }\n"
                           "reports: { dir: var/reports }\n"
                           "purge: { max_per_run: 5000 }\n"
                           "serve: { public_listen: \"127.0.0.1:0\", public_url: \"" + public_url + "\" }\n" +
                           m_options.move_section);
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
  std::unique_ptr<PublicServe> serve;
  SysSeconds now;
  MoveOptions m_options;
};

std::string text_of(const json::object& object, const char* key) {
  const json::value* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

bool flag_of(const json::object& object, const char* key) {
  const json::value* value = object.if_contains(key);
  return value && value->is_bool() && value->as_bool();
}

// "u0001 RETRY_WAIT (reason)", then the account's journal, a line each.
std::string describe(const json::object& account, const Workspace* ws = nullptr) {
  std::string text = text_of(account, "login") + " " + text_of(account, "state") + " (" +
                     text_of(account, "reason") + ")";
  if (!ws) return text;
  Db db(ws->database());
  for (const auto& row : db.rows("SELECT j.kind, j.detail FROM journal j JOIN accounts a ON a.id = j.account_id "
                                 "WHERE a.login = '" + text_of(account, "login") + "' ORDER BY j.seq"))
    text += "\n  " + row[0] + ": " + row[1];
  return text;
}

}  // namespace

TEST_CASE("100 admin-driven moves: the targets import the parts passage verified from serve --public, "
          "hold the sources' files, and the sources end MOVED and are then purged safely",
          "[cozy-admin][move]") {
  constexpr int k_count = 100;
  MoveCampaign c(k_count);
  ProcessResult first = c.run();
  INFO("run stderr: " << first.err);
  CHECK(first.exit_code == 0);

  json::array accounts = report_accounts(c.ws, "c1");
  REQUIRE(accounts.size() == k_count);
  for (const json::value& value : accounts) {
    const json::object& account = value.as_object();
    INFO("account " << describe(account, &c.ws));
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
    const std::int64_t files = disk_usage_files(*c.source, source_domain(n));
    CHECK(files > 0);
    CHECK(disk_usage_files(*c.target, target_host(n)) == files);
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
  {
    // Every target fetched its manifest and parts from passage, one token
    // per move, each revoked once the move ended.
    Db db(c.ws.database());
    CHECK(db.scalar("SELECT COUNT(*) FROM move_tokens") == k_count);
    CHECK(db.scalar("SELECT COUNT(*) FROM move_tokens WHERE revoked_at IS NULL") == 0);
    CHECK(db.scalar("SELECT COUNT(DISTINCT token_hash) FROM served WHERE path = '/move/exports/*'") == k_count);
    CHECK(db.scalar("SELECT COUNT(DISTINCT token_hash) FROM served WHERE path LIKE '/move/exports/data/*/%'") ==
          k_count);
  }

  // Grace (1 month from the verification) is over 40 days later. A moved
  // source counts as safe for the sim: passage read its export whole.
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

TEST_CASE("A file written in the source while its parts download is never moved on a snapshot that lacks "
          "it: the move is tried again and every target ends holding its source's files",
          "[cozy-admin][move][evidence]") {
  // Spaces keeping old versions stream a file written mid-part whole and
  // old (its old content kept as a version): every part looks sound, only
  // the source's disk usage read again shows the write.
  constexpr int k_count = 20;
  MoveCampaign c(k_count);
  c.source->put_faults(R"({"edit_during_download": 1})");
  ProcessResult first = c.run();
  INFO("first run stderr: " << first.err);
  {
    // Some writes kept the old content as a version: their parts streamed it whole.
    const json::object stats = c.source->stats();
    INFO("source stats: " << json::serialize(stats));
    REQUIRE(stat(stats, "files_edited") > stat(stats, "contents_changed_midway"));
  }
  int moved_first = 0;
  for (int n = 1; n <= k_count; ++n) {
    if (text_of(c.source_attributes(n), "blocking_reason") != "MOVED") continue;
    ++moved_first;
    INFO("source " << source_domain(n) << " MOVED after the first run");
    CHECK(disk_usage_files(*c.target, target_host(n)) == disk_usage_files(*c.source, source_domain(n)));
  }
  CHECK(moved_first < k_count);

  // The writes stop; the moves are tried again once the 24-hour rule allows.
  c.source->clear_faults();
  for (int round = 0; round < 3 && state_counts(c.ws, "c1")["GRACE"] < k_count; ++round) {
    c.advance(hours(25));
    c.run();
  }
  for (const json::value& value : report_accounts(c.ws, "c1")) {
    const json::object& account = value.as_object();
    INFO("account " << describe(account, &c.ws));
    CHECK(text_of(account, "state") == "GRACE");
  }
  for (int n = 1; n <= k_count; ++n) {
    INFO("source " << source_domain(n));
    CHECK(text_of(c.source_attributes(n), "blocking_reason") == "MOVED");
    CHECK(disk_usage_files(*c.target, target_host(n)) == disk_usage_files(*c.source, source_domain(n)));
  }
}

TEST_CASE("A stalled import (the target never finishes) ends after move.stall_timeout: token revoked, "
          "source unblocked, the account waits for a retry",
          "[cozy-admin][move]") {
  MoveCampaign c(1, with_move_section("move: { overwrite: true, stall_timeout: 2 seconds }\n"));
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
  Db journal(c.ws.database());
  CHECK(journal.scalar("SELECT COUNT(*) FROM journal WHERE detail LIKE '%import_stalled%'") == 1);

  json::object attributes = c.source_attributes(1);
  INFO("source: " << json::serialize(attributes));
  CHECK_FALSE(flag_of(attributes, "blocked"));
  Db db(c.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM move_tokens WHERE revoked_at IS NOT NULL") == 1);

  json::object source_stats = c.source->stats();
  json::object target_stats = c.target->stats();
  INFO("source stats: " << json::serialize(source_stats));
  INFO("target stats: " << json::serialize(target_stats));
  // One export and one import: the retry waits for the 24-hour rule.
  CHECK(route_count(source_stats, k_export_post) == 1);
  CHECK(stat(source_stats, "duplicate_exports_24h") == 0);
  CHECK(route_count(target_stats, k_import_post) == 1);
  CHECK(stat(target_stats, "imports_done") == 0);

  // A day later the target is still IMPORTING (the stack never gives up an
  // import): the retry stops before touching the source, and its reason
  // says the block is Passage's own stalled import, not the target's owner.
  c.advance(hours(25));
  c.run();
  json::array later = report_accounts(c.ws, "c1");
  const json::object& retried = later.front().as_object();
  INFO("account " << describe(retried, &c.ws));
  CHECK(text_of(retried, "state") == "FAILED");
  CHECK(text_of(retried, "reason").find("earlier import of this space never finished") != std::string::npos);
  CHECK(route_count(c.source->stats(), k_export_post) == 1);
  CHECK_FALSE(flag_of(c.source_attributes(1), "blocked"));
}

namespace {

std::int64_t target_usage(const MoveCampaign& c, const char* key) {
  SimAnswer answer = c.target->call("GET", "/instances/" + target_host(1) + "/disk-usage");
  REQUIRE(answer.status == 200);
  const json::object usage = json::parse(answer.body).as_object();
  return usage.contains(key) ? std::stoll(std::string(usage.at(key).as_string())) : 0;
}

}  // namespace

// Was (the person writing): the retry overwrote the target, as any data was
// taken for Passage's own once a part had been served there.
TEST_CASE("An import stalled for good, its target unblocked by its hoster and the move retried by the desk, "
          "overwrites the target only while it holds nothing but Passage's own import",
          "[cozy-admin][move][move-target]") {
  MoveCampaign c(1, with_move_section("move: { overwrite: false, stall_timeout: 2 seconds }\n"));
  const std::string target_files = "/_sim/change-files?domain=" + target_host(1);
  REQUIRE(c.target->call("POST", target_files + "&op=destroy&count=9999").status == 200);
  REQUIRE(target_usage(c, "files") + target_usage(c, "versions") == 0);
  c.target->put_faults(R"({"import_never_finish":1})");
  c.run();
  Db db(c.ws.database());
  REQUIRE(db.scalar("SELECT COUNT(*) FROM journal WHERE detail LIKE '%import_stalled%'") == 1);
  // A day later the target is still IMPORTING: refused, FAILED.
  c.advance(hours(25));
  c.run();
  REQUIRE(text_of(report_accounts(c.ws, "c1").front().as_object(), "state") == "FAILED");
  REQUIRE(target_usage(c, "files") > 0);
  // Its hoster unblocks it: it holds Passage's whole snapshot, never ended.
  c.target->clear_faults();
  REQUIRE(c.target->call("PATCH", "/instances/" + target_host(1) + "?Blocked=false").status == 200);

  bool written = false;
  SECTION("nobody used the target since") {}
  SECTION("the person wrote on the target once it was unblocked") {
    written = true;
    REQUIRE(c.target->call("POST", target_files + "&op=create&count=1&activity=true").status == 200);
  }
  const std::int64_t files_before = target_usage(c, "files");
  ProcessResult retry = c.ws.passage({"account", "retry", login_of(1), "--reason", "target unblocked", "--by",
                                      "desk", "--now", iso_utc(c.now)});
  INFO("retry: " << retry.out << retry.err);
  REQUIRE(retry.exit_code == 0);
  c.run();

  const json::object account = report_accounts(c.ws, "c1").front().as_object();
  INFO("account " << describe(account, &c.ws));
  if (written) {
    CHECK(text_of(account, "state") == "HELD");
    CHECK(text_of(account, "reason").starts_with("target_written_after_import"));
    CHECK(route_count(c.target->stats(), k_import_post) == 1);
    CHECK(target_usage(c, "files") == files_before);
    CHECK_FALSE(flag_of(c.source_attributes(1), "blocked"));
  } else {
    CHECK(text_of(account, "state") == "GRACE");
    CHECK(route_count(c.target->stats(), k_import_post) == 2);
    CHECK(flag_of(c.source_attributes(1), "blocked"));
    CHECK(text_of(c.source_attributes(1), "blocking_reason") == "MOVED");
  }
}

TEST_CASE("A target that is blocked, holds data or is missing is refused before anything is touched",
          "[cozy-admin][move]") {
  MoveCampaign c(3, with_move_section(""));  // overwrite off: the sim's targets hold files
  REQUIRE(c.target->call("PATCH", "/instances/" + target_host(1) + "?Blocked=true&BlockingReason=PAYMENT_FAILED")
              .status / 100 == 2);
  REQUIRE(c.target->call("DELETE", "/instances/" + target_host(3)).status / 100 == 2);
  ProcessResult run = c.run();
  INFO("run stderr: " << run.err);
  std::map<std::string, std::string> reasons;
  for (const json::value& value : report_accounts(c.ws, "c1")) {
    const json::object& account = value.as_object();
    INFO("account " << describe(account));
    CHECK(text_of(account, "state") == "FAILED");
    reasons[text_of(account, "login")] = text_of(account, "reason");
  }
  CHECK(reasons[login_of(1)].find("target_blocked") != std::string::npos);
  CHECK(reasons[login_of(2)].find("target_holds_data") != std::string::npos);
  CHECK(reasons[login_of(3)].find("target_missing") != std::string::npos);
  json::object source_stats = c.source->stats();
  INFO("source stats: " << json::serialize(source_stats));
  CHECK(route_count(source_stats, k_export_post) == 0);
  CHECK(route_count(c.target->stats(), k_import_post) == 0);
  for (int n = 1; n <= 3; ++n) CHECK_FALSE(flag_of(c.source_attributes(n), "blocked"));
}

TEST_CASE("Without serve --public answering, an admin move waits and touches nothing", "[cozy-admin][move]") {
  MoveOptions options;
  options.serve = false;
  MoveCampaign c(1, options);
  ProcessResult run = c.run();
  INFO("run stderr: " << run.err);
  json::array accounts = report_accounts(c.ws, "c1");
  const json::object& account = accounts.front().as_object();
  INFO("account " << describe(account));
  CHECK(text_of(account, "state") == "QUEUED");
  Db db(c.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE detail LIKE '%waiting for passage serve --public%'") == 1);
  CHECK(route_count(c.source->stats(), k_export_post) == 0);
  CHECK_FALSE(flag_of(c.source_attributes(1), "blocked"));
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
  MoveOptions options;
  options.source_flags = {"--export-ms", "1500:1500"};
  MoveCampaign c(1, options);
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
  MoveOptions options;
  options.source_flags = {"--export-ms", "1500:1500"};
  // Two moves: the partner's stack still counts an instance once the
  // second target is gone, so its 404 is believed (COZY.md).
  MoveCampaign c(2, options);
  auto run = run_in_background(c);
  REQUIRE(wait_until([&] { return route_count(c.source->stats(), k_export_post) >= 2; }, Millis(20000)));
  // The target disappears while the source exports: the check of the
  // target right before the import finds it missing (404).
  REQUIRE(c.target->call("DELETE", "/instances/" + target_host(2)).status / 100 == 2);
  REQUIRE(run->wait_exit(k_run_timeout));
  REQUIRE(account_states(c.ws).at(login_of(2)) == "FAILED");
  CHECK_FALSE(c.source_attributes(2).contains("blocked"));

  ProcessResult retried = c.ws.passage({"account", "retry", login_of(2), "--reason", "target back",
                                        "--by", "jane", "--now", iso_utc(c.now)});
  REQUIRE(retried.exit_code == 0);
  c.advance(hours(1));
  c.run();
  CHECK(account_states(c.ws).at(login_of(2)) == "RETRY_WAIT");
  CHECK(route_count(c.source->stats(), k_export_post) == 2);  // one each: the retry waits
}

TEST_CASE("The export window also gates a move's export of its source", "[cozy-admin][move][window]") {
  // k_t is 10:00 in Paris: the window is closed.
  MoveOptions options;
  options.source_extra = "    export_window: \"20:00-06:00\"\n";
  MoveCampaign c(1, options);
  ProcessResult run = c.run();
  CHECK(run.exit_code == 0);
  CHECK(route_count(c.source->stats(), k_export_post) == 0);
  CHECK(account_states(c.ws).at(login_of(1)) == "QUEUED");
}

TEST_CASE("A run stopped (SIGTERM) while the target imports counts the source's export: the next "
          "attempt waits for the 24-hour rule",
          "[cozy-admin][move][deletion-safety]") {
  MoveOptions options;
  options.import_deadline = "30 seconds";
  MoveCampaign c(1, options);
  c.target->put_faults(R"({"import_never_finish":1})");
  auto run = run_in_background(c);
  REQUIRE(wait_until([&] { return route_count(c.target->stats(), k_import_post, "204") >= 1; }, Millis(20000)));
  ::kill(run->pid(), SIGTERM);
  REQUIRE(run->wait_exit(k_run_timeout));
  {
    Db db(c.ws.database());
    INFO("import intents: " << db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'import'"));
    CHECK(db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'import' AND outcome = 'not_queued'") == 0);
  }
  // Past the import deadline, hours before the 24 hours are over.
  c.advance(hours(2));
  c.run();
  json::object source_stats = c.source->stats();
  INFO("source stats: " << json::serialize(source_stats));
  CHECK(route_count(source_stats, k_export_post) == 1);
  CHECK(stat(source_stats, "duplicate_exports_24h") == 0);
  CHECK(account_states(c.ws).at(login_of(1)) == "RETRY_WAIT");
}

TEST_CASE("grant-access opens a moved source for N days (at most support.max_grant) and the first run "
          "after them blocks it MOVED again, the deletion date does not move",
          "[cozy-admin][move][support][grant]") {
  MoveCampaign c(1);
  ProcessResult first = c.run();
  REQUIRE(first.exit_code == 0);
  REQUIRE(text_of(c.source_attributes(1), "blocking_reason") == "MOVED");
  const std::string grace_end = Db(c.ws.database()).rows("SELECT grace_end FROM accounts")[0][0];
  auto grant = [&](const std::string& days) {
    return c.ws.passage({"account", "grant-access", "U0001@example.org", "--days", days, "--reason",
                         "needs the school report", "--by", "jane", "--now", iso_utc(c.now)});
  };

  ProcessResult too_long = grant("15");
  INFO("stderr: " << too_long.err);
  CHECK(too_long.exit_code == 2);
  CHECK(too_long.err.find("support.max_grant is 14 days") != std::string::npos);
  CHECK(flag_of(c.source_attributes(1), "blocked"));

  ProcessResult granted = grant("3");
  INFO("stdout: " << granted.out << "\nstderr: " << granted.err);
  REQUIRE(granted.exit_code == 0);
  CHECK(granted.out.find("is open again until 2026-11-28 10:00 (Europe/Paris)") != std::string::npos);
  CHECK(granted.out.find("The deletion date does not move") != std::string::npos);
  CHECK(granted.out.find("activity_after_move") != std::string::npos);
  ProcessResult open_show = c.ws.passage({"account", "show", "u0001", "--now", iso_utc(c.now)});
  CHECK(open_show.out.find("next: the old space, opened by the desk, is blocked again at the first run after "
                           "28 November 2026") != std::string::npos);
  CHECK_FALSE(flag_of(c.source_attributes(1), "blocked"));
  ProcessResult again = grant("3");
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("already granted until 2026-11-28 10:00") != std::string::npos);

  // Two days on, a run leaves it open; four days on, the run blocks it again.
  c.advance(hours(48));
  ProcessResult open_run = c.run();
  INFO("run stderr: " << open_run.err);
  REQUIRE(open_run.exit_code == 0);
  CHECK_FALSE(flag_of(c.source_attributes(1), "blocked"));
  c.advance(hours(48));
  ProcessResult closing_run = c.run();
  INFO("run stderr: " << closing_run.err);
  REQUIRE(closing_run.exit_code == 0);
  json::object attributes = c.source_attributes(1);
  CHECK(flag_of(attributes, "blocked"));
  CHECK(text_of(attributes, "blocking_reason") == "MOVED");
  {
    Db db(c.ws.database());
    CHECK(db.rows("SELECT outcome FROM access_grants")[0][0] == "blocked MOVED again");
    CHECK(db.rows("SELECT grace_end FROM accounts")[0][0] == grace_end);
    CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE kind = 'support' AND actor = 'support:jane' "
                    "AND detail LIKE 'access granted until %: needs the school report'") == 1);
  }
  ProcessResult show = c.ws.passage({"account", "show", "u0001", "--now", iso_utc(c.now)});
  INFO("show: " << show.out);
  CHECK(show.out.find("access granted until") != std::string::npos);
  CHECK(show.out.find("access closed: blocked MOVED again") != std::string::npos);
  // The purge treats the block put back as Passage's own: the source is deleted at grace end.
  c.advance(hours(24 * 40));
  REQUIRE(c.ws.passage({"purge", "--now", iso_utc(c.now)}, k_run_timeout).exit_code == 0);
  CHECK(state_counts(c.ws, "c1").at("PURGED") == 1);
}
