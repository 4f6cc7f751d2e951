// The directory interlock through the real binary: a csv directory that
// shows someone back keeps that space, and a directory that shows many
// back (the list was wrong) trips the breaker before anything is deleted.
#include <catch2/catch.hpp>

#include <functional>
#include <sstream>

#include "tests/integration/probe.hpp"

using namespace passage::testing;

namespace {

const std::string k_now = "2026-11-25T10:00:00";     // every departure (2026-10-01) is past
const std::string k_later = "2027-01-04T10:00:00";   // 40 days on: every grace has ended
const std::string k_much_later = "2027-03-05T10:00:00";

void require_ok(const ProcessResult& result) {
  INFO("stdout: " << result.out);
  INFO("stderr: " << result.err);
  REQUIRE_FALSE(result.timed_out);
  REQUIRE(result.exit_code == 0);
}

// Adds `directory: csv` (directory.csv next to the config) and an explicit
// max_fraction to the workspace's config.
void configure_directory(const Workspace& ws, double max_fraction) {
  std::string config = read_file(ws.config());
  const std::string purge_line = "purge: { max_per_run: 5000 }\n";
  const auto at = config.find(purge_line);
  REQUIRE(at != std::string::npos);
  std::ostringstream replaced;
  replaced << "purge: { max_per_run: 5000, max_fraction: " << max_fraction << " }\n"
           << "directory: { provider: csv, file: directory.csv }\n";
  config.replace(at, purge_line.size(), replaced.str());
  write_file(ws.config(), config);
}

// directory.csv for accounts 1…count: `status(n)` gives "departed",
// "active", or "" to leave the login out.
void write_directory(const Workspace& ws, int count, const std::function<std::string(int)>& status) {
  std::string text = "login,status\n";
  for (int n = 1; n <= count; ++n)
    if (const std::string s = status(n); !s.empty()) text += login_of(n) + "," + s + "\n";
  ws.write("directory.csv", text);
}

void create_and_run(const Workspace& ws, int accounts) {
  ws.write_accounts("accounts.csv", accounts);
  require_ok(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now}));
  require_ok(ws.passage({"run", "--until-idle", "--now", k_now}));
  REQUIRE(state_counts(ws, "c1").at("GRACE") == accounts);
}

// Accounts with a DELETE intent (one per attempt: a retried DELETE has several).
std::int64_t delete_intents(const Workspace& ws, const std::string& where = "1") {
  Db db(ws.database());
  return db.scalar(
      "SELECT COUNT(DISTINCT i.account_id) FROM intents i JOIN accounts a ON a.id = i.account_id "
      "WHERE i.kind = 'delete' AND " +
      where);
}

std::string text_of(const boost::json::value& value) {
  return value.is_string() ? std::string(value.as_string()) : std::string();
}

}  // namespace

TEST_CASE("A person the directory does not show departed is held and never deleted",
          "[purge][directory]") {
  constexpr int k_accounts = 30;
  Workspace ws;
  configure_directory(ws, 0.05);
  create_and_run(ws, k_accounts);
  const std::string kept = login_of(7);

  std::string reason;
  SECTION("shown active") {
    write_directory(ws, k_accounts, [](int n) { return n == 7 ? "active" : "departed"; });
    reason = "directory_active";
  }
  SECTION("not listed") {
    write_directory(ws, k_accounts, [](int n) { return n == 7 ? "" : "departed"; });
    reason = "directory_unknown";
  }

  require_ok(ws.passage({"purge", "--now", k_later}));
  auto states = account_states(ws);
  CHECK(states.at(kept) == "HELD");
  auto counts = state_counts(ws, "c1");
  CHECK(counts.at("PURGED") == k_accounts - 1);
  CHECK(counts.at("HELD") == 1);
  {
    Db db(ws.database());
    auto rows = db.rows("SELECT state_reason FROM accounts WHERE login = '" + kept + "'");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0][0] == reason);
  }
  boost::json::object report = latest_purge_report(ws);
  CHECK(text_of(report.at("directory_check")) == "on");
  CHECK(report.at("deleted").as_int64() == k_accounts - 1);
  CHECK(report.at("held").as_int64() == 1);
  CHECK(report.at("interlock_failures").as_object().at(reason).as_int64() == 1);
  CHECK(report.at("breaker").as_object().at("tripped").as_bool() == false);

  // Later nights never touch it.
  require_ok(ws.passage({"purge", "--now", k_much_later}));
  CHECK(account_states(ws).at(kept) == "HELD");
  CHECK(delete_intents(ws, "a.login = '" + kept + "'") == 0);
  CHECK(delete_intents(ws) == k_accounts - 1);
}

TEST_CASE("A directory showing 30 percent of the due people back trips the breaker",
          "[purge][directory][breaker]") {
  constexpr int k_accounts = 40;
  Workspace ws;
  configure_directory(ws, 0.05);
  create_and_run(ws, k_accounts);
  // 12 of 40 (n ending in 0, 1 or 2) are back.
  write_directory(ws, k_accounts, [](int n) { return n % 10 < 3 ? "active" : "departed"; });

  for (const std::string& night : {k_later, k_much_later}) {
    INFO("purge at " << night);
    ProcessResult purge = ws.passage({"purge", "--now", night});
    INFO("stdout: " << purge.out);
    INFO("stderr: " << purge.err);
    REQUIRE_FALSE(purge.timed_out);
    CHECK(purge.exit_code == 4);
    CHECK(purge.err.find("breaker tripped") != std::string::npos);
    CHECK(delete_intents(ws) == 0);
    auto counts = state_counts(ws, "c1");
    CHECK(counts.at("PURGED") == 0);
    CHECK(counts.at("HELD") == 0);
  }

  // The first night's report says why; the second only that the breaker is still tripped.
  std::vector<boost::json::object> reports;
  for (const auto& entry : std::filesystem::directory_iterator(ws.reports_dir()))
    if (entry.path().filename().string().rfind("purge-", 0) == 0)
      reports.push_back(boost::json::parse(read_file(entry.path())).as_object());
  REQUIRE(reports.size() == 2);
  for (const auto& report : reports) {
    CHECK(text_of(report.at("directory_check")) == "on");
    CHECK(report.at("deleted").as_int64() == 0);
    CHECK(report.at("breaker").as_object().at("tripped").as_bool());
  }
  boost::json::object first = reports[0].at("due").as_int64() > 0 ? reports[0] : reports[1];
  CHECK(first.at("due").as_int64() == k_accounts);
  CHECK(first.at("interlock_failures").as_object().at("directory_active").as_int64() == 12);
  const std::string reason = text_of(first.at("breaker").as_object().at("reason"));
  INFO(reason);
  CHECK(reason.find("12 of 40") != std::string::npos);
}

TEST_CASE("An unreadable directory file fails the interlock for everyone and deletes nothing",
          "[purge][directory][breaker]") {
  constexpr int k_accounts = 12;
  Workspace ws;
  configure_directory(ws, 0.05);
  create_and_run(ws, k_accounts);
  ws.write("directory.csv", "login,status\nu0001,departed\nu0002,maybe\n");

  ProcessResult purge = ws.passage({"purge", "--now", k_later});
  INFO("stdout: " << purge.out);
  INFO("stderr: " << purge.err);
  CHECK(purge.exit_code == 4);
  CHECK(delete_intents(ws) == 0);
  boost::json::object report = latest_purge_report(ws);
  CHECK(report.at("interlock_failures").as_object().at("directory_failed").as_int64() ==
        k_accounts);
  const std::string reason = text_of(report.at("breaker").as_object().at("reason"));
  INFO(reason);
  CHECK(reason.find("directory.csv:3") != std::string::npos);
  CHECK(reason.find("active or departed") != std::string::npos);
}
