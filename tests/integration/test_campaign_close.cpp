// campaign close (a finished or test campaign leaves campaign list) and
// campaign update's listing of the accounts it adds and drops (issue 14).

#include <catch2/catch.hpp>

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
  CHECK(has(update.out, "campaign c1: 1 added, 1 dropped, 0 listed again"));
}
