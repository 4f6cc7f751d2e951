// Bad input never half-applies: a refused accounts file leaves no campaign,
// and a config error names its file and line.
#include <catch2/catch.hpp>

#include "tests/integration/probe.hpp"

using namespace passage::testing;

namespace {

// Errors on physical lines 3 (action), 7 (email) and 12 (date). Line 4 holds
// a quoted reason that spans lines 4 and 5, so a reader that counts records
// instead of lines would name the wrong ones.
const char* const k_bad_file =
    "login,domain,action,email,target,departure_date,reason\n"                     // 1
    "u1,u1.mytoutatice.cloud,export,u1@example.org,,2026-10-01,ok\n"               // 2
    "u2,u2.mytoutatice.cloud,delete,u2@example.org,,2026-10-01,ok\n"               // 3
    "u3,u3.mytoutatice.cloud,export,u3@example.org,,2026-10-01,\"two\n"            // 4
    "lines, quoted\"\n"                                                            // 5
    "u4,u4.mytoutatice.cloud,export,u4@example.org,,2026-10-01,ok\n"               // 6
    "u5,u5.mytoutatice.cloud,export,not-an-address,,2026-10-01,ok\n"               // 7
    "u6,u6.mytoutatice.cloud,export,u6@example.org,,2026-10-01,ok\n"               // 8
    "u7,u7.mytoutatice.cloud,move,u7@example.org,https://u7.mycozy.cloud,2026-10-01,\n"  // 9
    "u8,u8.mytoutatice.cloud,export,u8@example.org,,2026-10-01,ok\n"               // 10
    "u9,u9.mytoutatice.cloud,export,u9@example.org,,2026-10-01,ok\n"               // 11
    "u10,u10.mytoutatice.cloud,export,u10@example.org,,2026-02-30,ok\n";           // 12

}  // namespace

TEST_CASE("A file with errors on lines 3 7 and 12 is refused whole and names those lines",
          "[input]") {
  Workspace ws;
  ws.write("bad.csv", k_bad_file);
  ProcessResult create = ws.passage(
      {"campaign", "create", "c1", "--accounts", "bad.csv", "--now", "2026-11-25T10:00:00"});
  INFO("stderr: " << create.err);
  CHECK(create.exit_code == 2);
  CHECK(lines_named(create.err, "bad.csv") == std::vector<int>{3, 7, 12});

  ProcessResult list = ws.passage({"campaign", "list", "--json"});
  INFO("list stderr: " << list.err);
  REQUIRE(list.exit_code == 0);
  CHECK(boost::json::parse(list.out).as_array().empty());
  if (std::filesystem::exists(ws.database())) {
    Db db(ws.database());
    CHECK(db.scalar("SELECT COUNT(*) FROM campaigns") == 0);
    CHECK(db.scalar("SELECT COUNT(*) FROM accounts") == 0);
  }

  // The same file, corrected, is accepted: the errors were the only problem.
  std::string fixed = k_bad_file;
  for (auto [bad, good] : {std::pair{"delete", "export"}, std::pair{"not-an-address", "u5@example.org"},
                           std::pair{"2026-02-30", "2026-02-28"}})
    fixed.replace(fixed.find(bad), std::string(bad).size(), good);
  ws.write("good.csv", fixed);
  ProcessResult again = ws.passage(
      {"campaign", "create", "c1", "--accounts", "good.csv", "--now", "2026-11-25T10:00:00"});
  INFO("corrected stderr: " << again.err);
  CHECK(again.exit_code == 0);
  CHECK(state_counts(ws, "c1").at("QUEUED") == 10);
}

TEST_CASE("passage plugins lists dry-run and config check names an unknown key by file and line",
          "[config]") {
  Workspace ws;
  ProcessResult plugins = ws.passage({"plugins"});
  CHECK(plugins.exit_code == 0);
  CHECK(plugins.out.find("dry-run") != std::string::npos);

  ProcessResult valid = ws.passage({"config", "check"});
  INFO("valid config stderr: " << valid.err);
  CHECK(valid.exit_code == 0);

  ws.write("typo.yaml",
           "database: var/passage.db\n"                // 1
           "timezone: Europe/Paris\n"                  // 2
           "stacks:\n"                                 // 3
           "  - name: academy\n"                       // 4
           "    backend: dry-run\n"                    // 5
           "    domains: [\"*.mytoutatice.cloud\"]\n"  // 6
           "    max_in_fligth: 32\n"                   // 7
           "notify: { notifier: outbox, dir: var/outbox }\n"
           "reports: { dir: var/reports }\n");
  ProcessResult check =
      run_process({PASSAGE_BIN, "config", "check", "--config", "typo.yaml"}, Millis(30000), ws.dir());
  INFO("stderr: " << check.err);
  CHECK(check.exit_code == 2);
  CHECK(lines_named(check.err, "typo.yaml") == std::vector<int>{7});
  CHECK(check.err.find("max_in_fligth") != std::string::npos);
}
