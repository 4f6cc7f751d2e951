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

// `campaign create NAME --accounts FILE` at a fixed instant.
ProcessResult create_campaign(const Workspace& ws, const std::string& name, const std::string& file) {
  return ws.passage({"campaign", "create", name, "--accounts", file, "--now", "2026-11-25T10:00:00"});
}

// A refused file leaves no campaign and no account behind.
void check_nothing_written(const Workspace& ws) {
  ProcessResult list = ws.passage({"campaign", "list", "--json"});
  INFO("list stderr: " << list.err);
  REQUIRE(list.exit_code == 0);
  CHECK(boost::json::parse(list.out).as_array().empty());
  if (std::filesystem::exists(ws.database())) {
    Db db(ws.database());
    CHECK(db.scalar("SELECT COUNT(*) FROM campaigns") == 0);
    CHECK(db.scalar("SELECT COUNT(*) FROM accounts") == 0);
  }
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("A file with errors on lines 3 7 and 12 is refused whole and names those lines",
          "[input]") {
  Workspace ws;
  ws.write("bad.csv", k_bad_file);
  ProcessResult create = create_campaign(ws, "c1", "bad.csv");
  INFO("stderr: " << create.err);
  CHECK(create.exit_code == 2);
  CHECK(lines_named(create.err, "bad.csv") == std::vector<int>{3, 7, 12});
  check_nothing_written(ws);

  // The same file, corrected, is accepted: the errors were the only problem.
  std::string fixed = k_bad_file;
  for (auto [bad, good] : {std::pair{"delete", "export"}, std::pair{"not-an-address", "u5@example.org"},
                           std::pair{"2026-02-30", "2026-02-28"}})
    fixed.replace(fixed.find(bad), std::string(bad).size(), good);
  ws.write("good.csv", fixed);
  ProcessResult again = create_campaign(ws, "c1", "good.csv");
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

// --- lists as French offices make them (issue 14) ---------------------------

namespace {

// French Excel's "CSV UTF-8": BOM, ';', CRLF, DD/MM/YYYY dates, and what
// hands add: a capitalised action or domain, spaces, rows left empty.
const char* const k_french_excel =
    "\xEF\xBB\xBFlogin;domain;action;email;target;departure_date;reason\r\n"        // 1
    "anne;anne.mytoutatice.cloud;export;Anne.Martin@example.org;;01/10/2026;\r\n"  // 2
    "paul ; Paul.MyToutatice.Cloud ; Export ; paul@example.org ; ; 2026-10-01 ; \"retraite, enfin\"\r\n"
    ";;;;;;\r\n"                                                                     // 4
    "jose;jose.mytoutatice.cloud;MOVE;jose@example.org;https://jose.mycozy.cloud;15/10/2026;mutation\r\n"
    ";;;;;;\r\n";                                                                    // 6

// The same kind of list saved as "CSV (séparateur: point-virgule)": Windows-1252.
const char* const k_windows_1252 =
    "login;domain;action;email;target;departure_date;reason\r\n"                // 1
    "anne;anne.mytoutatice.cloud;export;anne@example.org;;01/10/2026;\r\n"      // 2
    "paul;paul.mytoutatice.cloud;export;paul@example.org;;31/02/2027;\r\n"      // 3
    "jose;jose.mytoutatice.cloud;export;jos\xE9@example.org;;01/10/2026;\r\n"  // 4
    "marc;marc.mytoutatice.cloud;export;marc@example.org;;01/10/2026;d\xE9part\r\n";  // 5

}  // namespace

TEST_CASE("A list from French Excel with semicolon and Windows line endings creates a campaign", "[input]") {
  Workspace ws;
  ws.write("comptes.csv", k_french_excel);
  ProcessResult create = create_campaign(ws, "c1", "comptes.csv");
  INFO("stdout: " << create.out << "\nstderr: " << create.err);
  REQUIRE(create.exit_code == 0);
  CHECK(contains(create.out, "campaign c1: 3 accounts imported, 2 empty rows skipped"));
  CHECK(state_counts(ws, "c1").at("QUEUED") == 3);
  Db db(ws.database());
  CHECK(db.rows("SELECT login, domain, action, email, departure_date, reason FROM accounts ORDER BY id") ==
        std::vector<std::vector<std::string>>{
            {"anne", "anne.mytoutatice.cloud", "export", "Anne.Martin@example.org", "2026-10-01", ""},
            {"paul", "paul.mytoutatice.cloud", "export", "paul@example.org", "2026-10-01", "retraite, enfin"},
            {"jose", "jose.mytoutatice.cloud", "move", "jose@example.org", "2026-10-15", "mutation"}});

  ProcessResult plan = ws.passage({"plan", "c1", "--now", "2026-11-25T10:00:00"});
  INFO("plan: " << plan.out << plan.err);
  CHECK(plan.exit_code == 0);
  CHECK(contains(plan.out, "campaign c1: 3 accounts, 2 empty rows skipped"));

  ProcessResult update = ws.passage(
      {"campaign", "update", "c1", "--accounts", "comptes.csv", "--now", "2026-11-25T10:00:00"});
  INFO("update: " << update.out << update.err);
  CHECK(update.exit_code == 0);
  CHECK(contains(update.out, "campaign c1: 0 added, 0 dropped, 0 changed, 0 listed again, 2 empty rows skipped"));

  // The same space in a second campaign: named on its domain field.
  ws.write("again.csv",
           "login;domain;action;email;target;departure_date;reason\r\n"
           "paul2;PAUL.mytoutatice.cloud;export;paul@example.org;;01/10/2026;\r\n");
  ProcessResult twice = create_campaign(ws, "c2", "again.csv");
  INFO("twice: " << twice.err);
  CHECK(twice.exit_code == 2);
  CHECK(contains(twice.err, "again.csv:2: domain: already in unfinished campaign c1"));

  // With another error in the file, both are listed, in line order, and
  // nothing is created (the admin fixes everything in one pass).
  ws.write("again2.csv",
           "login;domain;action;email;target;departure_date;reason\r\n"
           "paul2;PAUL.mytoutatice.cloud;export;paul@example.org;;01/10/2026;\r\n"
           "lea;lea.mytoutatice.cloud;export;lea@example.org;;32/01/2027;\r\n");
  ProcessResult both = create_campaign(ws, "c2", "again2.csv");
  INFO("both: " << both.err);
  CHECK(both.exit_code == 2);
  CHECK(lines_named(both.err, "again2.csv") == std::vector<int>{2, 3});
  CHECK(contains(both.err, "again2.csv:2: domain: already in unfinished campaign c1"));
  CHECK(contains(both.err, "again2.csv:3: departure_date:"));
  CHECK_FALSE(contains(ws.passage({"campaign", "list"}).out, "c2"));
}

TEST_CASE("A Windows-1252 list is refused with every error listed and no campaign created", "[input]") {
  Workspace ws;
  ws.write("comptes.csv", k_windows_1252);
  ProcessResult create = create_campaign(ws, "c1", "comptes.csv");
  INFO("stderr: " << create.err);
  CHECK(create.exit_code == 2);
  CHECK(lines_named(create.err, "comptes.csv") == std::vector<int>{3, 4, 5});
  CHECK(contains(create.err, "comptes.csv:3: departure_date: '31/02/2027' is not a real date"));
  CHECK(contains(create.err, "comptes.csv:4: email: not UTF-8: '\xC3\xA9' written in "
                             "Windows-1252 (byte 0xE9); save the file as \"CSV UTF-8\""));
  CHECK(contains(create.err, "comptes.csv:5: reason: not UTF-8: '\xC3\xA9' written in Windows-1252 (byte 0xE9)"));
  check_nothing_written(ws);
}

namespace {

// A list of `count` valid export rows (lines 2 to count + 1), each about
// 70 bytes: 20,000 of them are more than the 1 MB the reader takes at a
// time, so records are read across its refills.
std::string long_list(int count) {
  std::string text = "login,domain,action,email,target,departure_date,reason\n";
  for (int i = 0; i < count; ++i) {
    std::string login = "p" + std::to_string(100000 + i);
    text += login + "," + login + ".mytoutatice.cloud,export," + login + "@example.org,,2026-10-01,retraite\n";
  }
  return text;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

}  // namespace

TEST_CASE("A 20,000-line file with errors on its first and last rows is refused whole, both named",
          "[input][scale]") {
  Workspace ws;
  const int rows = 20000;
  std::string text = long_list(rows);
  text = replaced(text, "p100000@example.org", "not-an-address");
  text = replaced(text, "p119999,p119999.mytoutatice.cloud,export,p119999@example.org,,2026-10-01",
                  "p119999,p119999.mytoutatice.cloud,export,p119999@example.org,,2026-02-30");
  ws.write("long.csv", text);
  ProcessResult create = create_campaign(ws, "big", "long.csv");
  INFO("stderr: " << create.err.substr(0, 2000));
  CHECK(create.exit_code == 2);
  CHECK(lines_named(create.err, "long.csv") == std::vector<int>{2, rows + 1});
  check_nothing_written(ws);
}

TEST_CASE("A 20,000-line file whose last row is in another unfinished campaign changes nothing",
          "[input][scale]") {
  Workspace ws;
  ws.write("first.csv", "login,domain,action,email,target,departure_date,reason\n"
                        "p119999,p119999.mytoutatice.cloud,export,p119999@example.org,,2026-10-01,\n");
  REQUIRE(create_campaign(ws, "first", "first.csv").exit_code == 0);
  std::int64_t journal_before = Db(ws.database()).scalar("SELECT COUNT(*) FROM journal");

  const int rows = 20000;
  ws.write("long.csv", long_list(rows));
  ProcessResult create = create_campaign(ws, "big", "long.csv");
  INFO("stderr: " << create.err.substr(0, 2000));
  CHECK(create.exit_code == 2);
  CHECK(contains(create.err, "long.csv:" + std::to_string(rows + 1) + ": login: already in unfinished campaign first"));
  CHECK(contains(create.err, "long.csv:" + std::to_string(rows + 1) + ": domain: already in unfinished campaign first"));
  Db db(ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM campaigns") == 1);
  CHECK(db.scalar("SELECT COUNT(*) FROM accounts") == 1);
  CHECK(db.scalar("SELECT COUNT(*) FROM journal") == journal_before);

  // Without that row the same list is imported whole, one journal entry a row.
  ws.write("long.csv", long_list(rows - 1));
  ProcessResult again = create_campaign(ws, "big", "long.csv");
  INFO("again stderr: " << again.err);
  CHECK(again.exit_code == 0);
  CHECK(state_counts(ws, "big").at("QUEUED") == rows - 1);
  CHECK(Db(ws.database()).scalar("SELECT COUNT(*) FROM journal") == journal_before + 1 + (rows - 1));
}
