// A whole campaign on the dry-run backend, from the accounts file to the
// last deletion, and the rules that keep a deletion from coming early.
#include <catch2/catch.hpp>

#include <regex>
#include <set>

#include "tests/integration/probe.hpp"

using namespace passage::testing;

namespace {

const std::string k_now = "2026-11-25T10:00:00";  // every departure (2026-10-01) is past

void require_ok(const ProcessResult& result) {
  INFO("stdout: " << result.out);
  INFO("stderr: " << result.err);
  REQUIRE_FALSE(result.timed_out);
  REQUIRE(result.exit_code == 0);
}

void create_and_run(const Workspace& ws, int accounts) {
  ws.write_accounts("accounts.csv", accounts);
  require_ok(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now}));
  require_ok(ws.passage({"run", "--until-idle", "--now", k_now}));
}

std::string text_of(const boost::json::value& value) {
  return value.is_string() ? std::string(value.as_string()) : std::string();
}

void check_evidence(const boost::json::object& account) {
  const std::string login = text_of(account.at("login"));
  INFO("account " << login);
  const auto& evidence = account.at("evidence").as_object();
  const std::string kind = text_of(evidence.at("kind"));
  const int n = std::stoi(login.substr(1));
  if (n % 3 == 0) CHECK(kind == "export");  // an export
  if (n % 3 == 2) CHECK(kind == "moved");   // an admin-driven move to the partner stack
  REQUIRE((kind == "export" || kind == "moved"));
  if (kind == "moved") return;
  CHECK_FALSE(text_of(evidence.at("export_id")).empty());
  const auto& parts = evidence.at("parts").as_array();
  REQUIRE_FALSE(parts.empty());
  static const std::regex sha256("[0-9a-f]{64}");
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& part = parts[i].as_object();
    CHECK(part.at("n").as_int64() == static_cast<std::int64_t>(i));
    CHECK(part.at("bytes").as_int64() > 0);
    CHECK(part.at("entries").as_int64() > 0);
    CHECK(std::regex_match(text_of(part.at("sha256")), sha256));
  }
}

}  // namespace

TEST_CASE("1000 accounts go from the file to PURGED with a verified journal and a full report",
          "[campaign]") {
  constexpr int k_accounts = 1000;
  Workspace ws;
  create_and_run(ws, k_accounts);
  // Verified on 2026-11-25: deletion from 2026-12-25; 40 days later all are due.
  require_ok(ws.passage({"purge", "--now", "2027-01-04T10:00:00"}));

  auto counts = state_counts(ws, "c1");
  CHECK(counts.size() == 15);
  CHECK(counts.at("PURGED") == k_accounts);

  boost::json::object purge = latest_purge_report(ws);
  CHECK(purge.at("deleted").as_int64() == k_accounts);

  ProcessResult audit = ws.passage({"audit", "verify"});
  INFO(audit.err);
  CHECK(audit.exit_code == 0);

  ProcessResult report = ws.passage({"report", "c1", "--format", "json", "--out", "-"});
  require_ok(report);
  boost::json::object doc = boost::json::parse(report.out).as_object();
  CHECK(text_of(doc.at("campaign")) == "c1");
  const auto& accounts = doc.at("accounts").as_array();
  REQUIRE(accounts.size() == k_accounts);
  std::set<std::string> logins;
  static const std::regex day("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  for (const auto& value : accounts) {
    const auto& account = value.as_object();
    const std::string login = text_of(account.at("login"));
    INFO("account " << login);
    logins.insert(login);
    CHECK(text_of(account.at("domain")) == login + ".mytoutatice.cloud");
    CHECK(text_of(account.at("state")) == "PURGED");
    CHECK(text_of(account.at("departure_date")) == "2026-10-01");
    CHECK_FALSE(text_of(account.at("verified_at")).empty());
    CHECK(std::regex_match(text_of(account.at("deletion_date")), day));
    CHECK(text_of(account.at("deletion_date")) == "2026-12-25");
    CHECK_FALSE(text_of(account.at("purged_at")).empty());
    CHECK(text_of(account.at("purge_kind")) == "deleted");
    check_evidence(account);
  }
  CHECK(logins.size() == k_accounts);
  CHECK(logins.count(login_of(1)) == 1);
  CHECK(logins.count(login_of(k_accounts)) == 1);

  // One DELETE that deleted per account, never two (a failed attempt has
  // its own intent, and the retry another).
  Db db(ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM (SELECT account_id FROM intents WHERE kind = 'delete' "
                  "AND outcome LIKE 'deleted%' GROUP BY account_id HAVING COUNT(*) > 1)") == 0);
  CHECK(db.scalar("SELECT COUNT(DISTINCT account_id) FROM intents WHERE kind = 'delete' "
                  "AND outcome LIKE 'deleted%'") == k_accounts);
  CHECK(db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'delete' AND outcome IS NULL") == 0);
}

TEST_CASE("No deletion before the grace period ends and a held account is never purged",
          "[campaign][purge]") {
  constexpr int k_accounts = 60;
  ConfigOptions options;
  options.max_per_run = 25;  // three nights for 60 accounts
  Workspace ws(options);
  create_and_run(ws, k_accounts);
  auto before = state_counts(ws, "c1");
  REQUIRE(before.at("GRACE") == k_accounts);

  SECTION("one day early and one minute early: nothing is deleted") {
    for (const char* early : {"2026-12-24T10:00:00", "2026-12-25T09:59:00"}) {
      INFO("purge at " << early);
      require_ok(ws.passage({"purge", "--now", early}));
      CHECK(state_counts(ws, "c1") == before);
      boost::json::object purge = latest_purge_report(ws);
      CHECK(purge.at("deleted").as_int64() == 0);
      CHECK(purge.at("due").as_int64() == 0);
    }
    Db db(ws.database());
    CHECK(db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'delete'") == 0);
    CHECK(db.scalar("SELECT COUNT(*) FROM accounts WHERE purged_at IS NOT NULL") == 0);
  }

  SECTION("held in GRACE or in PURGE_DUE, an account outlives every purge") {
    const std::string held_in_grace = login_of(5);
    require_ok(ws.passage({"account", "hold", held_in_grace, "--reason", "ticket 42", "--by",
                           "alice"}));
    // The first night after grace end deletes 25 (the throttle); the rest wait as PURGE_DUE.
    require_ok(ws.passage({"purge", "--now", "2026-12-26T10:00:00"}));
    auto first = state_counts(ws, "c1");
    CHECK(first.at("PURGED") == 25);
    CHECK(first.at("PURGE_DUE") == k_accounts - 1 - 25);
    std::string held_when_due;
    {
      Db db(ws.database());
      auto due = db.rows("SELECT login FROM accounts WHERE state = 'PURGE_DUE' LIMIT 1");
      REQUIRE(due.size() == 1);
      held_when_due = due[0][0];
    }
    require_ok(ws.passage({"account", "hold", held_when_due, "--reason", "ticket 43", "--by",
                           "admin:bob"}));

    // 100 days on, nights until nothing is left to delete (bounded).
    for (int night = 0; night < 5 && state_counts(ws, "c1").at("PURGE_DUE") > 0; ++night)
      require_ok(ws.passage({"purge", "--now", "2027-03-05T10:00:00"}));
    require_ok(ws.passage({"purge", "--now", "2027-03-06T10:00:00"}));

    auto after = state_counts(ws, "c1");
    CHECK(after.at("PURGED") == k_accounts - 2);
    CHECK(after.at("HELD") == 2);
    auto states = account_states(ws);
    CHECK(states.at(held_in_grace) == "HELD");
    CHECK(states.at(held_when_due) == "HELD");
    Db db(ws.database());
    CHECK(db.scalar("SELECT COUNT(*) FROM intents i JOIN accounts a ON a.id = i.account_id "
                    "WHERE i.kind = 'delete' AND a.login IN ('" +
                    held_in_grace + "', '" + held_when_due + "')") == 0);
    ProcessResult audit = ws.passage({"audit", "verify"});
    CHECK(audit.exit_code == 0);
  }
}
