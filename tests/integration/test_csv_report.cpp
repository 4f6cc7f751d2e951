// `report --format csv` through the real binary: the spreadsheet form
// (BOM, ';' or the separator asked for, the list's own columns) and
// --csv-separator refused where it would do nothing.
#include <catch2/catch.hpp>

#include <string>

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

std::string first_line(const std::string& text) { return text.substr(0, text.find("\r\n")); }

}  // namespace

TEST_CASE("The csv report opens in a French spreadsheet: BOM, semicolon, the list's columns", "[report][csv]") {
  Workspace ws;
  ws.write_accounts("accounts.csv", 3);
  require_ok(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now}));
  require_ok(ws.passage({"run", "--until-idle", "--now", k_now}));

  const ProcessResult semicolon = ws.passage({"report", "c1", "--format", "csv", "--out", "-"});
  require_ok(semicolon);
  REQUIRE(semicolon.out.starts_with("\xEF\xBB\xBF"));
  const std::string header = first_line(semicolon.out.substr(3));
  CHECK(header.starts_with("login;domain;action;state;reason;"));
  CHECK(header.ends_with(";email;target;list_reason;fell_back_to_export;told_deletion_date"));
  // The list's reason ("left, n 1") holds no ';': it stays bare.
  CHECK(semicolon.out.find(";left, n 1;") != std::string::npos);
  CHECK(semicolon.out.find(";u0001@example.org;https://u0001.mycozy.cloud;left, n 1;") != std::string::npos);

  const ProcessResult comma =
      ws.passage({"report", "c1", "--format", "csv", "--csv-separator", ",", "--out", "-"});
  require_ok(comma);
  REQUIRE(comma.out.starts_with("\xEF\xBB\xBF"));
  CHECK(first_line(comma.out.substr(3)).starts_with("login,domain,action,state,reason,"));
  CHECK(comma.out.find(",\"left, n 1\",") != std::string::npos);

  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"report", "c1", "--format", "json", "--csv-separator", ","},
        std::vector<std::string>{"report", "c1", "--format", "csv", "--csv-separator", "|"}}) {
    const ProcessResult refused = ws.passage(bad);
    INFO("stderr: " << refused.err);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("--csv-separator") != std::string::npos);
  }
}
