// Campaigns of the real passage binary against passage-cozy-sim through the
// cozy-admin backend (issue 4, "What must hold"): the stack's limits kept,
// every export proven before it counts, faults survived, the Retry-After
// cooldown kept across a restart, the 24-hour rule, SIGKILL and restart.
// Time moves with `--now` and `/_sim/clock` together, never by sleeping.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>

#include "tests/integration/probe.hpp"
#include "tests/integration/sim_fixture.hpp"

using namespace passage::testing;
namespace json = boost::json;
using std::chrono::hours;
using std::chrono::seconds;

namespace {

const SysSeconds k_t = parse_iso_utc("2026-11-25T09:00:00Z");
const std::string k_departed = "2026-10-01";  // past at k_t: one run reaches GRACE
constexpr Millis k_run_timeout{150000};
const std::set<std::string> k_waiting{"QUEUED", "EXPORTING", "VERIFYING", "RETRY_WAIT"};

// A workspace holding campaign c1 of `count` export accounts, and the
// simulator serving exactly those instances; both clocks at `now`.
struct Campaign {
  Campaign(int count, const CozyConfig& config, const std::vector<std::string>& sim_flags = {},
           SysSeconds start = k_t)
      : now(start) {
    write_export_accounts(ws, "accounts.csv", count, k_departed);
    sim = std::make_unique<CozySim>(ws.dir(), ws.dir() / "accounts.csv", iso_utc(start), sim_flags);
    use_cozy_config(ws, sim->port(), config);
    ProcessResult created =
        ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", iso_utc(now)});
    INFO("campaign create stderr: " << created.err);
    REQUIRE(created.exit_code == 0);
  }

  std::vector<std::string> run_argv() const {
    return ws.passage_argv({"run", "--until-idle", "--now", iso_utc(now)});
  }

  // `run --until-idle` at `now`; 0 (all fine) or 1 (some FAILED) expected.
  ProcessResult run() const {
    ProcessResult result = run_process(run_argv(), k_run_timeout, ws.dir(), ws.environment());
    INFO("run at " << iso_utc(now) << " stderr: " << result.err);
    REQUIRE_FALSE(result.timed_out);
    REQUIRE((result.exit_code == 0 || result.exit_code == 1));
    return result;
  }

  // Moves passage's next `--now` and the simulator's clock together.
  void advance(seconds by) {
    now += by;
    sim->advance_clock(by.count());
  }

  // Accounts still on their way to VERIFIED (the 24-hour rule, a backoff).
  std::vector<std::string> waiting() const {
    std::vector<std::string> logins;
    for (const auto& [login, state] : account_states(ws))
      if (k_waiting.count(state) > 0) logins.push_back(login + " " + state);
    return logins;
  }

  std::string timeline_of(const std::string& login) const {
    Db db(ws.database());
    std::string text;
    for (const auto& row : db.rows("SELECT j.at, j.kind, j.detail FROM journal j JOIN accounts a ON a.id = j.account_id "
                                   "WHERE a.login = '" + login + "' ORDER BY j.seq"))
      text += row[0] + " " + row[1] + " " + row[2] + "\n";
    return text;
  }

  // While some account waits, advance both clocks by 25 h and run again,
  // `rounds` times at most.
  void settle(int rounds) {
    for (int round = 0; round < rounds && !waiting().empty(); ++round) {
      advance(hours(25));
      run();
    }
    std::vector<std::string> left = waiting();
    INFO("still waiting: " << left.size() << (left.empty() ? "" : ", e.g. " + left.front()));
    // The first one's whole story, to tell why it still waits.
    INFO((left.empty() ? std::string() : timeline_of(left.front().substr(0, left.front().find(' ')))));
    CHECK(left.empty());
  }

  Workspace ws;
  std::unique_ptr<CozySim> sim;  // declared after ws: killed before its folder goes
  SysSeconds now;
};

std::string describe(const json::object& account) {
  return std::string(account.at("login").as_string()) + " " +
         std::string(account.at("state").as_string()) + " (" +
         std::string(account.at("reason").as_string()) + ")";
}

// Every account of the report has verified_at.
void check_all_verified(const Workspace& ws, std::size_t count) {
  json::array accounts = report_accounts(ws, "c1");
  REQUIRE(accounts.size() == count);
  std::vector<std::string> not_verified;
  for (const json::value& account : accounts)
    if (account.as_object().at("verified_at").is_null())
      not_verified.push_back(describe(account.as_object()));
  INFO(not_verified.size() << " not verified" << (not_verified.empty() ? "" : ", e.g. " + not_verified.front()));
  CHECK(not_verified.empty());
}

void check_no_duplicate_export(const json::object& stats) {
  INFO("requests: " << requests_text(stats));
  CHECK(stat(stats, "duplicate_exports_24h") == 0);
}

const std::string k_export_post = "POST /instances/:domain/export";

}  // namespace

TEST_CASE("500 accounts at 50 requests per second and 8 in flight are all verified within the limits and then purged safely",
          "[cozy-admin]") {
  Campaign c(500, CozyConfig{}, {"--delete-ms", "1:5"});
  c.run();
  c.settle(2);  // an instance active on the start day or the day before is exported again from the second midnight
  check_all_verified(c.ws, 500);

  {
    json::object stats = c.sim->stats();
    INFO("stats: " << json::serialize(stats));
    CHECK(stat(stats, "max_rps_1s") <= 51);
    CHECK(stat(stats, "max_rps_1s") >= 40);  // the limit was actually reached
    CHECK(stat(stats, "max_in_flight") <= 8);
    CHECK(stat(stats, "duplicate_exports_24h") == 0);
    CHECK(route_count(stats, k_export_post, "202") >= 500);
  }

  // Grace (1 month from the verification) is over 40 days later.
  c.advance(hours(24 * 40) - (c.now - k_t));
  ProcessResult purge = c.ws.passage({"purge", "--now", iso_utc(c.now)}, k_run_timeout);
  INFO("purge stderr: " << purge.err);
  REQUIRE(purge.exit_code == 0);
  json::object stats = c.sim->stats();
  INFO("stats after the purge: " << json::serialize(stats));
  CHECK(stat(stats, "unsafe_deletions") == 0);
  CHECK(stat(stats, "deletions") == 500);
  CHECK(state_counts(c.ws, "c1").at("PURGED") == 500);
}

TEST_CASE("With truncated parts and 5xx answers and silent export failures every account ends verified on a fully read export or failed with a reason",
          "[cozy-admin]") {
  Campaign c(150, CozyConfig{200, 20, 8, 4, "5 seconds"});
  c.sim->put_faults(R"({"truncate_part":0.05,"http_5xx":0.05,"export_silent_fail":0.02})");
  c.run();
  c.settle(4);

  json::array accounts = report_accounts(c.ws, "c1");
  REQUIRE(accounts.size() == 150);
  int verified = 0;
  std::int64_t parts = 0;
  for (const json::value& value : accounts) {
    const json::object& account = value.as_object();
    INFO("account " << describe(account));
    if (account.at("verified_at").is_null()) {
      CHECK(account.at("state").as_string() == "FAILED");
      CHECK_FALSE(account.at("reason").as_string().empty());
      continue;
    }
    ++verified;
    // Verified only on the export the simulator saw read whole.
    json::value exported = c.sim->export_of(std::string(account.at("domain").as_string()));
    REQUIRE(exported.is_object());
    CHECK(exported.as_object().at("fully_read").as_bool());
    const json::object& evidence = account.at("evidence").as_object();
    CHECK(exported.as_object().at("_id") == evidence.at("export_id"));
    parts += static_cast<std::int64_t>(evidence.at("parts").as_array().size());
  }
  CHECK(verified >= 140);
  json::object stats = c.sim->stats();
  INFO("requests: " << requests_text(stats));
  // Truncated parts (answered 200) were met and downloaded again.
  CHECK(route_count(stats, "GET /instances/:domain/exports/:export-id/data", "200") > parts);
  check_no_duplicate_export(stats);
}

TEST_CASE("A 429 with Retry-After 3 stops every request for 3 seconds also across a SIGKILL and an immediate restart",
          "[cozy-admin]") {
  // Real time on both sides: the stored cooldown is an instant of passage's
  // clock, which --now would restart at the same T.
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const std::string departed = iso_utc(SysSeconds(today - std::chrono::days(30))).substr(0, 10);
  Workspace ws;
  write_export_accounts(ws, "accounts.csv", 20, departed);
  CozySim sim(ws.dir(), ws.dir() / "accounts.csv", "");
  use_cozy_config(ws, sim.port());
  ProcessResult created = ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv"});
  INFO("campaign create stderr: " << created.err);
  REQUIRE(created.exit_code == 0);

  sim.put_faults(R"({"throttle":{"status":429,"rate":1,"retry_after_s":3}})");
  const std::vector<std::string> argv = ws.passage_argv({"run", "--until-idle"});
  auto first = std::make_unique<BackgroundProcess>(argv, ws.dir(), ws.dir() / "run1.out",
                                                   ws.dir() / "run1.err", ws.environment());
  Db db(ws.database());
  const bool throttled = wait_until(
      [&] {
        return route_count(sim.stats(), "GET /instances/:domain", "429") > 0 &&
               db.scalar("SELECT COUNT(*) FROM stack_cooldowns WHERE stack = 'academy'") > 0;
      },
      Millis(15000), Millis(5));
  INFO("first run stderr: " << read_file(ws.dir() / "run1.err"));
  REQUIRE(throttled);
  sim.clear_faults();
  first->kill();
  const auto t0 = std::chrono::steady_clock::now();
  const std::int64_t before = total_requests(sim.stats());

  BackgroundProcess second(argv, ws.dir(), ws.dir() / "run2.out", ws.dir() / "run2.err",
                           ws.environment());
  auto resumed_at = t0;
  const bool resumed = wait_until(
      [&] {
        resumed_at = std::chrono::steady_clock::now();
        return total_requests(sim.stats()) > before;
      },
      Millis(10000), Millis(5));
  const auto quiet = std::chrono::duration_cast<Millis>(resumed_at - t0);
  INFO("second run stderr: " << read_file(ws.dir() / "run2.err"));
  INFO("first request " << quiet.count() << " ms after the kill");
  REQUIRE(resumed);
  CHECK(quiet >= Millis(2500));
  CHECK(quiet <= Millis(6000));
  REQUIRE(second.wait_exit(Millis(60000)));
  CHECK(WIFEXITED(second.status()));
  CHECK(WEXITSTATUS(second.status()) == 0);
  check_all_verified(ws, 20);
}

TEST_CASE("A silently failed export is requested again only once the simulator clock passed 24 hours",
          "[cozy-admin]") {
  Campaign c(1, CozyConfig{});
  c.sim->put_faults(R"({"export_silent_fail":1})");
  c.run();  // waits for the event until the 5 s deadline
  CHECK(account_states(c.ws).at("u0001") == "RETRY_WAIT");
  CHECK(route_count(c.sim->stats(), k_export_post, "202") == 1);

  c.sim->clear_faults();
  c.advance(hours(23));
  c.run();
  CHECK(route_count(c.sim->stats(), k_export_post) == 1);
  CHECK(account_states(c.ws).at("u0001") == "RETRY_WAIT");

  c.advance(hours(2));
  c.run();
  json::object stats = c.sim->stats();
  CHECK(route_count(stats, k_export_post) == 2);
  CHECK(route_count(stats, k_export_post, "202") == 2);
  check_all_verified(c.ws, 1);
  check_no_duplicate_export(stats);
}

TEST_CASE("SIGKILL at three points of a 200-account campaign and restart never requests an export twice within 24 hours",
          "[cozy-admin]") {
  Campaign c(200, CozyConfig{100, 10, 8, 4, "5 seconds"});
  Db db(c.ws.database());
  auto last_seq = [&] { return db.scalar("SELECT MAX(seq) FROM journal"); };
  int kills = 0;
  for (int point = 0; point < 3; ++point) {
    const std::int64_t target = last_seq() + 150;
    BackgroundProcess run(c.run_argv(), c.ws.dir(), c.ws.dir() / "run.out", c.ws.dir() / "run.err",
                          c.ws.environment());
    const bool reached = wait_until([&] { return !run.running() || last_seq() >= target; },
                                    k_run_timeout, Millis(2));
    INFO("run stderr: " << read_file(c.ws.dir() / "run.err"));
    REQUIRE(reached);
    run.kill();
    kills += WIFSIGNALED(run.status()) && WTERMSIG(run.status()) == SIGKILL ? 1 : 0;
  }
  CHECK(kills >= 2);

  c.run();
  // Exports left open by a kill wait for the 24-hour rule (a day); an
  // instance active on the start day whose export then completes the day
  // after is stale (the day before the completion day counts: CONTRACT.md
  // "Reading the stack safely") and exported again from the second UTC
  // midnight: a third day.
  c.settle(3);
  check_all_verified(c.ws, 200);
  json::object stats = c.sim->stats();
  check_no_duplicate_export(stats);
  CHECK(route_count(stats, k_export_post, "202") >= 200);
}

TEST_CASE("A stack that answers 404 for every instance and counts none concludes NO_SPACE for nobody",
          "[cozy-admin][reading]") {
  // cozy-stack with its global database missing: every lookup 404,
  // GET /instances/count 0. Nobody's export may be given up on that.
  Workspace ws;
  write_export_accounts(ws, "accounts.csv", 20, "2026-10-01");
  CozySim sim(ws.dir(), ws.dir() / "accounts.csv", "2026-11-25T09:00:00Z");
  use_cozy_config(ws, sim.port());
  ws.write("c.yaml", read_file(ws.config()) + "retry_budget: 2\nidle_horizon: 1 second\n");
  const std::vector<std::string> now{"--now", "2026-11-25T09:00:00Z"};
  auto with_now = [&](std::vector<std::string> args) {
    args.insert(args.end(), now.begin(), now.end());
    return args;
  };
  REQUIRE(ws.passage(with_now({"campaign", "create", "c1", "--accounts", "accounts.csv"})).exit_code == 0);
  sim.put_faults(R"({"global_db_missing":true})");
  const ProcessResult ran = ws.passage(with_now({"run", "--until-idle"}));
  INFO("run: " << ran.out << ran.err);
  REQUIRE_FALSE(ran.timed_out);
  CHECK(ran.exit_code != 0);
  const auto counts = state_counts(ws, "c1");
  CHECK(counts.at("NO_SPACE") == 0);
  CHECK(counts.at("FAILED") == 20);
  for (const json::value& row : report_accounts(ws, "c1"))
    CHECK(std::string(row.at("reason").as_string()).find("no_instances_counted") != std::string::npos);
  CHECK(stat(sim.stats(), "exports_started") == 0);
}

TEST_CASE("Past max(5, 10 %) of 404 lookups in a run, the missing are held lookup_404_storm, not NO_SPACE, and the run exits 7",
          "[cozy-admin][reading]") {
  // The stack serves 20 of the 40 listed instances (another stack's
  // domains listed by mistake, an index lost): 20 lookups answer 404.
  Workspace ws;
  write_export_accounts(ws, "served.csv", 20, "2026-10-01");
  write_export_accounts(ws, "accounts.csv", 40, "2026-10-01");
  CozySim sim(ws.dir(), ws.dir() / "served.csv", "2026-11-25T09:00:00Z");
  use_cozy_config(ws, sim.port());
  const std::string now = "2026-11-25T09:00:00Z";
  REQUIRE(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", now}).exit_code == 0);
  const ProcessResult ran = ws.passage({"run", "--until-idle", "--now", now});
  INFO("run: " << ran.out << ran.err);
  REQUIRE_FALSE(ran.timed_out);
  CHECK(ran.exit_code == 7);
  CHECK(ran.out.find("HELD lookup_404_storm") != std::string::npos);
  const auto counts = state_counts(ws, "c1");
  // At most 5 (or 10 % of the lookups answered before them) were believed.
  CHECK(counts.at("NO_SPACE") <= 5);
  CHECK(counts.at("NO_SPACE") + counts.at("HELD") == 20);
  CHECK(counts.at("HELD") >= 15);
  for (const json::value& row : report_accounts(ws, "c1"))
    if (row.at("state") == "HELD") CHECK(row.at("reason") == "lookup_404_storm");
  CHECK(counts.at("GRACE") + counts.at("NOTIFIED") + counts.at("VERIFIED") == 20);
}

TEST_CASE("A run whose stack does not answer exits 7 and names the stack", "[cozy-admin][exit]") {
  Workspace ws;
  write_export_accounts(ws, "accounts.csv", 5, "2026-10-01");
  auto sim = std::make_unique<CozySim>(ws.dir(), ws.dir() / "accounts.csv", "2026-11-25T09:00:00Z");
  use_cozy_config(ws, sim->port());
  ws.write("c.yaml", read_file(ws.config()) + "retry_budget: 2\nidle_horizon: 1 second\n");
  const std::string now = "2026-11-25T09:00:00Z";
  REQUIRE(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", now}).exit_code == 0);
  sim.reset();  // the stack is down: connections refused
  const ProcessResult ran = ws.passage({"run", "--until-idle", "--now", now});
  INFO("run: " << ran.out << ran.err);
  REQUIRE_FALSE(ran.timed_out);
  CHECK(ran.exit_code == 7);
  CHECK(ran.out.find("stack academy not answering") != std::string::npos);
  CHECK(state_counts(ws, "c1").at("NO_SPACE") == 0);
}
