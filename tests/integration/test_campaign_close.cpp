// campaign close (a finished or test campaign leaves campaign list) and
// campaign update's listing of the accounts it adds and drops (issue 14).

#include <catch2/catch.hpp>

#include <map>

#include "tests/integration/probe.hpp"

using namespace passage::testing;

namespace {

const std::string k_now = "2026-11-25T10:00:00";

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

ProcessResult must(const ProcessResult& result, int code) {
  INFO("stdout: " << result.out << "\nstderr: " << result.err);
  REQUIRE(result.exit_code == code);
  return result;
}

}  // namespace

TEST_CASE("A campaign closes only once every account is final, then leaves campaign list",
          "[cli][campaign][close]") {
  Workspace ws;
  ws.write_accounts("accounts.csv", 3);
  must(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now}), 0);

  ProcessResult early = must(ws.passage({"campaign", "close", "c1"}), 2);
  CHECK(has(early.err, "3 accounts are not finished (QUEUED 3)"));
  CHECK(has(must(ws.passage({"campaign", "list"}), 0).out, "c1  3 accounts"));
  {
    Db db(ws.database());
    CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE kind = 'campaign_closed'") == 0);
  }

  for (int n = 1; n <= 3; ++n)
    must(ws.passage({"account", "cancel", login_of(n), "--reason", "test campaign", "--by", "alice"}), 0);
  ProcessResult closed = must(ws.passage({"campaign", "close", "c1", "--reason", "rehearsal over"}), 0);
  CHECK(has(closed.out, "campaign c1 closed"));

  CHECK_FALSE(has(must(ws.passage({"campaign", "list"}), 0).out, "c1"));
  CHECK(has(must(ws.passage({"campaign", "list", "--all"}), 0).out, "(closed "));
  CHECK(has(must(ws.passage({"campaign", "list", "--json", "--all"}), 0).out, "\"closed_at\":\"20"));
  CHECK(must(ws.passage({"campaign", "list", "--json"}), 0).out == "[]\n");
  // Its status and report stay available; closing twice is refused.
  must(ws.passage({"status", "c1"}), 0);
  must(ws.passage({"report", "c1", "--format", "json", "--out", "-"}), 0);
  CHECK(has(must(ws.passage({"campaign", "close", "c1"}), 2).err, "already closed"));
  Db db(ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE kind = 'campaign_closed' AND detail = "
                  "'c1: rehearsal over'") == 1);
}

TEST_CASE("campaign update lists the accounts it adds and drops, and what each becomes",
          "[cli][campaign]") {
  Workspace ws;
  ws.write_accounts("accounts.csv", 20);
  must(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now}), 0);
  std::string list = read_file(ws.dir() / "accounts.csv");
  const std::string first = login_of(1);
  std::size_t start = list.find("\n" + first + ",") + 1;
  list.erase(start, list.find('\n', start) - start + 1);  // u0001 dropped
  list += "z1,z1.mytoutatice.cloud,export,z1@example.org,,2026-10-01,new\n";
  ws.write("accounts2.csv", list);

  ProcessResult update = must(ws.passage({"campaign", "update", "c1", "--accounts", "accounts2.csv"}), 0);
  CHECK(has(update.out, "  added    z1  z1.mytoutatice.cloud\n"));
  CHECK(has(update.out, "  dropped  " + first + "  " + first + ".mytoutatice.cloud  (CANCELLED)\n"));
  CHECK(has(update.out, "campaign c1: 1 added, 1 dropped, 0 changed, 0 listed again"));
}

namespace {

// 20 export accounts departed 2026-10-01; `changes` replaces whole lines.
std::string exports_list(const std::map<std::string, std::string>& changes = {}) {
  std::string text = "login,domain,action,email,target,departure_date,reason\n";
  for (int n = 1; n <= 20; ++n) {
    const std::string login = login_of(n);
    auto changed = changes.find(login);
    text += changed != changes.end()
                ? changed->second + "\n"
                : login + "," + login + ".mytoutatice.cloud,export," + login + "@example.org,,2026-10-01,left\n";
  }
  return text;
}

std::string one(const Workspace& ws, const std::string& sql) {
  Db db(ws.database());
  auto rows = db.rows(sql);
  return rows.empty() ? "" : rows[0][0];
}

}  // namespace

TEST_CASE("A corrected list's departure and e-mail reach the account, the deletion only ever moves later",
          "[cli][campaign][correction]") {
  Workspace ws;
  ws.write("accounts.csv", exports_list());
  must(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now}), 0);
  must(ws.passage({"run", "--until-idle", "--now", k_now}), 0);
  const std::string end_u2 = one(ws, "SELECT grace_end FROM accounts WHERE login = 'u0002'");
  const std::string end_u3 = one(ws, "SELECT grace_end FROM accounts WHERE login = 'u0003'");
  REQUIRE_FALSE(end_u2.empty());
  REQUIRE(one(ws, "SELECT state FROM accounts WHERE login = 'u0002'") == "GRACE");

  // u0002 leaves in March after all; u0003 left earlier than listed and
  // has a new address.
  ws.write("accounts2.csv",
           exports_list({{"u0002", "u0002,u0002.mytoutatice.cloud,export,u0002@example.org,,2027-03-01,left"},
                         {"u0003", "u0003,u0003.mytoutatice.cloud,export,u0003@new.example.org,,2026-09-01,left"}}));
  ProcessResult update =
      must(ws.passage({"campaign", "update", "c1", "--accounts", "accounts2.csv", "--now", k_now}), 0);
  CHECK(has(update.out, "changed  u0002"));
  CHECK(has(update.out, "2 changed"));

  CHECK(one(ws, "SELECT departure_date FROM accounts WHERE login = 'u0002'") == "2027-03-01");
  const std::string moved = one(ws, "SELECT grace_end FROM accounts WHERE login = 'u0002'");
  CHECK(moved > "2027-03-01");  // a month after the new departure, not before it
  CHECK(one(ws, "SELECT departure_date FROM accounts WHERE login = 'u0003'") == "2026-09-01");
  CHECK(one(ws, "SELECT email FROM accounts WHERE login = 'u0003'") == "u0003@new.example.org");
  CHECK(one(ws, "SELECT grace_end FROM accounts WHERE login = 'u0003'") == end_u3);  // never earlier
  CHECK(one(ws, "SELECT COUNT(*) FROM journal WHERE detail LIKE '%departure_date 2026-10-01 -> 2027-03-01%'") ==
        "1");

  // The next run tells u0002 its new date; nothing is deleted before it.
  must(ws.passage({"run", "--until-idle", "--now", k_now}), 0);
  CHECK(one(ws, "SELECT told_deletion_date FROM accounts WHERE login = 'u0002'") > "2027-03-01");
}

TEST_CASE("A corrected list cannot change the action of an account already exported: that row is an error",
          "[cli][campaign][correction]") {
  Workspace ws;
  ws.write("accounts.csv", exports_list());
  must(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now}), 0);
  must(ws.passage({"run", "--until-idle", "--now", k_now}), 0);
  const std::string before = one(ws, "SELECT group_concat(action || email || departure_date) FROM accounts");
  ws.write("accounts2.csv",
           exports_list({{"u0004", "u0004,u0004.mytoutatice.cloud,move,u0004@example.org,https://u0004.mycozy.cloud,"
                                   "2026-10-01,left"}}));
  ProcessResult update = must(ws.passage({"campaign", "update", "c1", "--accounts", "accounts2.csv", "--now", k_now}), 2);
  CHECK(has(update.err, "accounts2.csv:5: action: the account was already exported or invited"));
  CHECK(one(ws, "SELECT group_concat(action || email || departure_date) FROM accounts") == before);
}
