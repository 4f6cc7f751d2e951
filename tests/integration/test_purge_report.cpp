// The purge report lists its accounts (issue 14): who was deleted, who was
// held and why, who waits for a later night; and `purge --dry-run` lists
// those it would delete, changing nothing. Dry-run stacks: one night is a
// few seconds.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "tests/integration/probe.hpp"

using namespace passage::testing;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

const std::string k_now = "2026-11-25T10:00:00";    // every departure (2026-10-01) is past
const std::string k_later = "2027-01-04T10:00:00";  // 40 days on: every grace has ended
constexpr int k_accounts = 30;
constexpr int k_max_per_run = 20;
constexpr int k_active = 7;  // the person the directory shows back

void require_ok(const ProcessResult& result) {
  INFO("stdout: " << result.out);
  INFO("stderr: " << result.err);
  REQUIRE_FALSE(result.timed_out);
  REQUIRE(result.exit_code == 0);
}

// A directory (directory.csv) showing everyone departed but account k_active.
void add_directory(const Workspace& ws) {
  std::string config = read_file(ws.config());
  const std::string purge_line = "purge: { max_per_run: " + std::to_string(k_max_per_run) + " }\n";
  const auto at = config.find(purge_line);
  REQUIRE(at != std::string::npos);
  config.insert(at + purge_line.size(), "directory: { provider: csv, file: directory.csv }\n");
  write_file(ws.config(), config);
  std::string text = "login,status\n";
  for (int n = 1; n <= k_accounts; ++n) text += login_of(n) + (n == k_active ? ",active\n" : ",departed\n");
  ws.write("directory.csv", text);
}

json::object newest_report(const Workspace& ws, const std::string& prefix) {
  fs::path latest;
  for (const auto& entry : fs::directory_iterator(ws.reports_dir())) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix) && (latest.empty() || name > latest.filename().string())) latest = entry.path();
  }
  REQUIRE_FALSE(latest.empty());
  return json::parse(read_file(latest)).as_object();
}

std::set<std::string> logins(const std::map<std::string, std::string>& listed) {
  std::set<std::string> names;
  for (const auto& [login, reason] : listed) names.insert(login);
  return names;
}

int lines_starting(const std::string& text, const std::string& start) {
  int n = 0;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    if (text.compare(at, start.size(), start) == 0) ++n;
    at = end + 1;
  }
  return n;
}

// Campaign c1 of k_accounts, exported and told at k_now: all in GRACE.
void all_in_grace(const Workspace& ws) {
  add_directory(ws);
  ws.write_accounts("accounts.csv", k_accounts);
  require_ok(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now}));
  require_ok(ws.passage({"run", "--until-idle", "--now", k_now}));
  REQUIRE(state_counts(ws, "c1").at("GRACE") == k_accounts);
}

}  // namespace

TEST_CASE("The purge report lists the accounts deleted, held with why and deferred, a dry run lists those it would delete",
          "[purge][purge-report]") {
  ConfigOptions options;
  options.max_per_run = k_max_per_run;
  Workspace ws(options);
  all_in_grace(ws);
  const std::string held = login_of(k_active);

  // The dry run: what would happen, nothing changed.
  const ProcessResult dry = ws.passage({"purge", "--dry-run", "--now", k_later});
  require_ok(dry);
  CHECK(lines_starting(dry.out, "purge (dry run): ") == 1);
  const json::object would = newest_report(ws, "dry-run-purge-");
  CHECK(would.at("dry_run").as_bool());
  const auto would_delete = purge_listed(would, "would_delete");
  CHECK(would_delete.size() == k_max_per_run);
  CHECK(would_delete.count(held) == 0);
  CHECK(purge_listed(would, "deleted").empty());
  CHECK(would.at("deleted").as_int64() == 0);  // the counts agree with the lists
  CHECK(would.at("would_delete").as_int64() == k_max_per_run);
  CHECK(purge_listed(would, "held") == std::map<std::string, std::string>{{held, "directory_active"}});
  CHECK(purge_listed(would, "deferred").size() == k_accounts - 1 - k_max_per_run);
  CHECK(state_counts(ws, "c1").at("GRACE") == k_accounts);

  // The night itself: the same decisions, done.
  const ProcessResult night = ws.passage({"purge", "--now", k_later});
  require_ok(night);
  CHECK(lines_starting(night.out, "purge: ") == 1);  // the summary stays one line
  CHECK(night.out.find(login_of(1)) == std::string::npos);
  const json::object report = latest_purge_report(ws);
  CHECK_FALSE(report.at("dry_run").as_bool());
  const auto deleted = purge_listed(report, "deleted");
  CHECK(logins(deleted) == logins(would_delete));
  CHECK(purge_listed(report, "would_delete").empty());
  CHECK(purge_listed(report, "held") == std::map<std::string, std::string>{{held, "directory_active"}});
  const auto deferred = purge_listed(report, "deferred");
  CHECK(deferred.size() == k_accounts - 1 - k_max_per_run);
  for (const auto& [login, reason] : deferred) CHECK_FALSE(reason.empty());
  CHECK(purge_listed(report, "failed").empty());
  CHECK(purge_listed(report, "already_gone").empty());
  // The counts beside the lists are unchanged (CONTRACT.md's keys).
  CHECK(report.at("deleted").as_int64() == k_max_per_run);
  CHECK(report.at("held").as_int64() == 1);
  CHECK(report.at("deferred").as_int64() == k_accounts - 1 - k_max_per_run);
  const auto states = account_states(ws);
  for (const auto& [login, reason] : deleted) CHECK(states.at(login) == "PURGED");
  CHECK(states.at(held) == "HELD");
}

// max_per_run cuts the due list in one order, oldest grace end first and
// then the account: the dry run (graces it only pretends ended) and the
// night agree. Five early accounts postponed end their grace last.
TEST_CASE("A dry run cut by max_per_run lists exactly the accounts the night deletes, the latest graces deferred",
          "[purge][purge-report]") {
  ConfigOptions options;
  options.max_per_run = k_max_per_run;
  Workspace ws(options);
  all_in_grace(ws);
  std::set<std::string> postponed;
  for (int n = 1; n <= 5; ++n) {
    postponed.insert(login_of(n));
    require_ok(ws.passage({"account", "postpone", login_of(n), "--days", "5", "--reason", "asked for time",
                           "--by", "jane", "--now", k_now}));
  }
  const ProcessResult dry = ws.passage({"purge", "--dry-run", "--now", k_later});
  require_ok(dry);
  const auto would_delete = logins(purge_listed(newest_report(ws, "dry-run-purge-"), "would_delete"));
  require_ok(ws.passage({"purge", "--now", k_later}));
  const json::object report = latest_purge_report(ws);
  const auto deleted = logins(purge_listed(report, "deleted"));
  CHECK(deleted.size() == k_max_per_run);
  CHECK(deleted == would_delete);
  for (const std::string& login : postponed) {
    CHECK(deleted.count(login) == 0);
    CHECK(purge_listed(report, "deferred").count(login) == 1);
  }
}

TEST_CASE("A purge never overwrites a report written in the same second (a nightly, then a purge)",
          "[purge][purge-report]") {
  Workspace ws;
  // Reports already there for every second this purge may stamp: a
  // nightly's of the same second, say. None may be replaced.
  const std::string k_at = "2027-01-04T10:00:00Z";
  fs::create_directories(ws.reports_dir());
  std::set<std::string> before;
  for (int second = 0; second < 30; ++second) {
    char name[64];
    std::snprintf(name, sizeof name, "purge-20270104T1000%02d.json", second);
    ws.write((fs::path("var") / "reports" / name).string(), "{\"earlier\": true}\n");
    before.insert(name);
  }
  require_ok(ws.passage({"purge", "--now", k_at}));
  std::set<std::string> added;
  for (const auto& entry : fs::directory_iterator(ws.reports_dir())) {
    const std::string name = entry.path().filename().string();
    if (before.count(name)) {
      CHECK(read_file(entry.path()) == "{\"earlier\": true}\n");
    } else {
      added.insert(name);
    }
  }
  REQUIRE(added.size() == 1);
  const std::string name = *added.begin();
  CHECK(name.starts_with("purge-20270104T1000"));
  CHECK(name.ends_with(".json"));
  CHECK(json::parse(read_file(ws.reports_dir() / name)).as_object().at("due").as_int64() == 0);
}
