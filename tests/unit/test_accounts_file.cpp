#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "engine/accounts/accounts_file.hpp"
#include "engine/accounts/csv.hpp"
#include "engine/accounts/first_uses.hpp"
#include "engine/store/digest.hpp"

using namespace passage;

namespace {

const std::string k_header = "login,domain,action,email,target,departure_date,reason\n";

Config test_config() {
  Config config;
  StackConfig academy;
  academy.name = "academy";
  academy.domains = {"*.mytoutatice.cloud"};
  StackConfig other;
  other.name = "other";
  other.domains = {"*.target-stack.test"};
  config.stacks = {academy, other};
  return config;
}

AccountsFile parse(const std::string& text) { return parse_accounts_text("acc.csv", text, test_config()); }

std::vector<std::string> errors_of(const std::string& text) { return parse(text).errors; }

// The errors of a file made of the header, one valid record, then `record`
// (so `record` is on line 3).
std::vector<std::string> errors_of_record(const std::string& record) {
  return errors_of(k_header + "ok,ok.mytoutatice.cloud,export,ok@example.org,,2026-07-01,\n" + record + "\n");
}

bool has_error(const std::vector<std::string>& errors, const std::string& prefix, const std::string& part) {
  for (const auto& error : errors)
    if (error.rfind(prefix, 0) == 0 && error.find(part) != std::string::npos) return true;
  return false;
}

std::string export_line(const std::string& login) {
  return login + "," + login + ".mytoutatice.cloud,export," + login + "@example.org,,2026-07-01,leaves\n";
}

}  // namespace

TEST_CASE("accounts file: an admin-driven move to a real stack needs serve.public_url", "[accounts]") {
  Config config = test_config();
  config.stacks[0].backend = "cozy-admin";  // the source's stack performs the move
  const std::string text =
      k_header + "bob,bob.mytoutatice.cloud,move,bob@example.org,https://bob.target-stack.test,2026-08-31,\n";
  auto refused = parse_accounts_text("acc.csv", text, config);
  REQUIRE(refused.errors.size() == 1);
  CHECK(refused.errors[0] ==
        "acc.csv:2: target: host 'bob.target-stack.test' is served by a configured stack: an admin-driven "
        "move needs serve.public_url (passage serve --public) in the configuration");
  config.serve.public_url = "https://passage.example.org";
  CHECK(parse_accounts_text("acc.csv", text, config).errors.empty());
}

TEST_CASE("accounts file: a valid file with exports and moves", "[accounts]") {
  auto file = parse(
      k_header +
      "alice,alice.mytoutatice.cloud,export,alice@example.org,,2026-07-01,retired\n"
      "bob,bob.mytoutatice.cloud,move,bob@example.org,https://bob.target-stack.test,2026-08-31,\n"
      "carol,carol.mytoutatice.cloud,move,carol@example.org,https://Carol.MyCozy.cloud/,2026-09-01,x\n");
  REQUIRE(file.errors.empty());
  REQUIRE(file.rows.size() == 3);
  const auto& alice = file.rows[0];
  CHECK(alice.line == 2);
  CHECK(alice.login == "alice");
  CHECK(alice.domain == "alice.mytoutatice.cloud");
  CHECK(alice.action == Action::export_);
  CHECK(alice.email == "alice@example.org");
  CHECK(alice.target.empty());
  CHECK(alice.target_host.empty());
  CHECK_FALSE(alice.admin_move);
  CHECK(alice.departure_date == date::year_month_day{date::year{2026}, date::month{7}, date::day{1}});
  CHECK(alice.reason == "retired");
  const auto& bob = file.rows[1];
  CHECK(bob.line == 3);
  CHECK(bob.action == Action::move);
  CHECK(bob.target == "https://bob.target-stack.test");
  CHECK(bob.target_host == "bob.target-stack.test");
  CHECK(bob.admin_move);
  const auto& carol = file.rows[2];
  CHECK(carol.target_host == "carol.mycozy.cloud");
  CHECK_FALSE(carol.admin_move);
  CHECK(carol.reason == "x");
}

TEST_CASE("accounts file: BOM, CRLF, blank lines", "[accounts]") {
  std::string text =
      "\xEF\xBB\xBFlogin,domain,action,email,target,departure_date,reason\r\n"
      "alice,alice.mytoutatice.cloud,export,alice@example.org,,2026-07-01,r\r\n"
      "\r\n"
      "bob,bob.mytoutatice.cloud,export,bob@example.org,,2026-07-01,r\r\n"
      "\r\n";
  auto file = parse(text);
  REQUIRE(file.errors.empty());
  REQUIRE(file.rows.size() == 2);
  CHECK(file.rows[0].reason == "r");  // no stray CR
  CHECK(file.rows[1].line == 4);
  CHECK(file.rows[1].reason == "r");
  CHECK(file.skipped_rows == 2);
}

TEST_CASE("accounts file: quoted fields and line numbers after them", "[accounts]") {
  auto file =
      parse(k_header +
            "alice,alice.mytoutatice.cloud,export,alice@example.org,,2026-07-01,\"left, \"\"happily\"\"\n"
            "second line\r\nthird line\"\n"
            "\"bob\",bob.mytoutatice.cloud,\"export\",bob@example.org,\"\",2026-07-01,\"\"\n"
            "b/d,carol.mytoutatice.cloud,export,carol@example.org,,2026-07-01,\n");
  CHECK(file.rows.size() == 2);
  REQUIRE(file.rows.size() >= 2);
  CHECK(file.rows[0].reason == "left, \"happily\"\nsecond line\nthird line");
  CHECK(file.rows[1].line == 5);
  CHECK(file.rows[1].login == "bob");
  REQUIRE(file.errors.size() == 1);
  CHECK(file.errors[0].rfind("acc.csv:6: login: ", 0) == 0);
}

TEST_CASE("accounts file: broken quoting", "[accounts]") {
  CHECK(has_error(errors_of_record("a\"b,x.mytoutatice.cloud,export,x@example.org,,2026-07-01,"),
                  "acc.csv:3: login: ", "quote inside an unquoted field"));
  CHECK(has_error(errors_of_record("x,x.mytoutatice.cloud,export,x@example.org,,2026-07-01,\"a\"b"),
                  "acc.csv:3: reason: ", "after the closing quote"));
  auto errors =
      errors_of_record("x,x.mytoutatice.cloud,export,x@example.org,,2026-07-01,\"open\n" + export_line("y"));
  REQUIRE(errors.size() == 1);
  CHECK(has_error(errors, "acc.csv:3: reason: ", "never closed"));
}

TEST_CASE("accounts file: header errors", "[accounts]") {
  SECTION("unknown column") {
    auto errors = errors_of("login,domain,action,email,target,departure_date,reason,notes\n");
    REQUIRE(errors.size() == 1);
    CHECK(has_error(errors, "acc.csv:1: header: ", "unknown column 'notes'"));
  }
  SECTION("missing column") {
    auto errors = errors_of("login,domain,action,email,target,departure_date\n" + export_line("a"));
    REQUIRE(errors.size() == 1);
    CHECK(has_error(errors, "acc.csv:1: header: ", "missing column 'reason'"));
  }
  SECTION("misspelled column: unknown and missing") {
    auto errors = errors_of("login,domain,action,mail,target,departure_date,reason\n");
    CHECK(has_error(errors, "acc.csv:1: header: ", "unknown column 'mail'"));
    CHECK(has_error(errors, "acc.csv:1: header: ", "missing column 'email'"));
    CHECK(errors.size() == 2);
  }
  SECTION("wrong order") {
    auto errors = errors_of("domain,login,action,email,target,departure_date,reason\n");
    REQUIRE(errors.size() == 1);
    CHECK(has_error(errors, "acc.csv:1: header: ", "wrong order"));
  }
  SECTION("repeated column") {
    auto errors = errors_of("login,domain,action,email,target,departure_date,reason,login\n");
    REQUIRE(errors.size() == 1);
    CHECK(has_error(errors, "acc.csv:1: header: ", "'login' appears more than once"));
  }
  SECTION("empty file") {
    CHECK(has_error(errors_of(""), "acc.csv:1: header: ", "missing"));
    CHECK(has_error(errors_of("\xEF\xBB\xBF"), "acc.csv:1: header: ", "missing"));
  }
  SECTION("header only is a valid, empty list") {
    auto file = parse(k_header);
    CHECK(file.errors.empty());
    CHECK(file.rows.empty());
  }
}

TEST_CASE("accounts file: wrong number of fields", "[accounts]") {
  auto errors = errors_of_record("x,x.mytoutatice.cloud,export,x@example.org,,2026-07-01");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "acc.csv:3: record: expected 7 fields, found 6");
  CHECK(errors_of_record("x,x.mytoutatice.cloud,export,x@example.org,,2026-07-01,a,b") ==
        std::vector<std::string>{"acc.csv:3: record: expected 7 fields, found 8"});
  CHECK(errors_of_record("x;x.mytoutatice.cloud;export;x@example.org;;2026-07-01;") ==
        std::vector<std::string>{"acc.csv:3: record: expected 7 fields, found 1"});
}

TEST_CASE("accounts file: each field error", "[accounts]") {
  // record on line 3 → expected "acc.csv:3: <field>: " prefix and a fragment.
  struct Case {
    std::string record, field, fragment;
  };
  const std::string tail = ",x@example.org,,2026-07-01,";
  const std::vector<Case> cases{
      {",x.mytoutatice.cloud,export" + tail, "login", "empty"},
      {"j dupont,x.mytoutatice.cloud,export" + tail, "login", "whitespace"},
      {"j/dupont,x.mytoutatice.cloud,export" + tail, "login", "'/'"},
      {"jérôme,x.mytoutatice.cloud,export" + tail, "login", "'é' (U+00E9)"},
      {"x,,export" + tail, "domain", "empty"},
      {"x,x..mytoutatice.cloud,export" + tail, "domain", "empty label"},
      {"x,x_y.mytoutatice.cloud,export" + tail, "domain", "'_'"},
      {"x,-x.mytoutatice.cloud,export" + tail, "domain", "starts or ends with '-'"},
      {"x,localhost,export" + tail, "domain", "two labels"},
      {"x,x.example.org,export" + tail, "domain", "no configured stack serves 'x.example.org'"},
      {"x,mytoutatice.cloud,export" + tail, "domain", "no configured stack serves"},
      {"x,x.mytoutatice.cloud,send" + tail, "action", "'send' is not an action"},
      {"x,x.mytoutatice.cloud,,x@example.org,,2026-07-01,", "action", "not an action"},
      {"x,x.mytoutatice.cloud,export,,,2026-07-01,", "email", "empty"},
      {"x,x.mytoutatice.cloud,export,x.example.org,,2026-07-01,", "email", "exactly one '@'"},
      {"x,x.mytoutatice.cloud,export,x@y@example.org,,2026-07-01,", "email", "exactly one '@'"},
      {"x,x.mytoutatice.cloud,export,@example.org,,2026-07-01,", "email", "nothing before '@'"},
      {"x,x.mytoutatice.cloud,export,x @example.org,,2026-07-01,", "email", "whitespace"},
      {"x,x.mytoutatice.cloud,export,x@example,,2026-07-01,", "email", "bad domain"},
      {"x,x.mytoutatice.cloud,export,<x@example.org>,,2026-07-01,", "email", "'<'"},
      {"x,x.mytoutatice.cloud,export,x@example.org,https://x.mycozy.cloud,2026-07-01,", "target",
       "must be empty for an export"},
      {"x,x.mytoutatice.cloud,move,x@example.org,,2026-07-01,", "target", "required for a move"},
      {"x,x.mytoutatice.cloud,move,x@example.org,http://x.mycozy.cloud,2026-07-01,", "target", "https://"},
      {"x,x.mytoutatice.cloud,move,x@example.org,x.mycozy.cloud,2026-07-01,", "target", "not a valid URL"},
      {"x,x.mytoutatice.cloud,move,x@example.org,https://,2026-07-01,", "target", "no host"},
      {"x,x.mytoutatice.cloud,move,x@example.org,https://x_y.mycozy.cloud,2026-07-01,", "target", "bad host"},
      {"x,x.mytoutatice.cloud,move,x@example.org,https://10.0.0.1/,2026-07-01,", "target", "host name"},
      {"x,x.mytoutatice.cloud,move,x@example.org,https://u:p@x.mycozy.cloud,2026-07-01,", "target",
       "password"},
      {"x,x.mytoutatice.cloud,move,x@example.org,https://X.mytoutatice.cloud/,2026-07-01,", "target",
       "the account's own domain"},
      {"x,x.mytoutatice.cloud,export,x@example.org,,,", "departure_date", "YYYY-MM-DD"},
      {"x,x.mytoutatice.cloud,export,x@example.org,,2026-02-30,", "departure_date", "YYYY-MM-DD"},
      {"x,x.mytoutatice.cloud,export,x@example.org,,31/02/2027,", "departure_date", "DD/MM/YYYY"},
      {"x,x.mytoutatice.cloud,export,x@example.org,,1/7/2026,", "departure_date", "DD/MM/YYYY"},
      {"x,x.mytoutatice.cloud,export,x@example.org,,07/01/26,", "departure_date", "DD/MM/YYYY"},
      {"x,x.mytoutatice.cloud,export,x@example.org,,2026/07/01,", "departure_date", "DD/MM/YYYY"},
      {"x,x.mytoutatice.cloud,export,x@example.org,,2026-7-1,", "departure_date", "YYYY-MM-DD"},
      {"x,x.mytoutatice.cloud,export,x@example.org,,2026-07-01,bad \xC3\x28", "reason", "(byte 0xC3)"},
  };
  for (const auto& c : cases) {
    INFO(c.record);
    auto errors = errors_of_record(c.record);
    INFO((errors.empty() ? std::string("(no error)") : errors.front()));
    CHECK(errors.size() == 1);
    CHECK(has_error(errors, "acc.csv:3: " + c.field + ": ", c.fragment));
  }
}

TEST_CASE("accounts file: invalid UTF-8 is reported at its record's line", "[accounts]") {
  auto errors = errors_of(k_header + export_line("a") + export_line("b") +
                          "c,c.mytoutatice.cloud,export,c@example.org,,2026-07-01,\"multi\nline \xFF\"\n" +
                          "d\xE0\x80\xAF,d.mytoutatice.cloud,export,d@example.org,,2026-07-01,\n");
  REQUIRE(errors.size() == 2);
  CHECK(has_error(errors, "acc.csv:4: reason: ", "(byte 0xFF)"));
  CHECK(has_error(errors, "acc.csv:6: login: ", "(byte 0xE0)"));  // overlong '/'
}

TEST_CASE("accounts file: duplicates are reported at the later line", "[accounts]") {
  auto errors =
      errors_of(k_header +
                "a,a.mytoutatice.cloud,move,a@example.org,https://new.mycozy.cloud,2026-07-01,\n"    // 2
                "b,b.mytoutatice.cloud,export,b@example.org,,2026-07-01,\n"                          // 3
                "a,c.mytoutatice.cloud,export,c@example.org,,2026-07-01,\n"                          // 4
                "d,b.mytoutatice.cloud,export,d@example.org,,2026-07-01,\n"                          // 5
                "e,e.mytoutatice.cloud,move,e@example.org,https://NEW.mycozy.cloud/e,2026-07-01,\n"  // 6
                "f,f.mytoutatice.cloud,export,a@example.org,,2026-07-01,\n");  // same email is fine
  REQUIRE(errors.size() == 3);
  CHECK(errors[0] == "acc.csv:4: login: 'a' already appears on line 2");
  CHECK(errors[1] == "acc.csv:5: domain: 'b.mytoutatice.cloud' already appears on line 3");
  CHECK(errors[2] == "acc.csv:6: target: host 'new.mycozy.cloud' is already the target of line 2");
}

TEST_CASE("accounts file: exactly the bad lines are reported, all of them", "[accounts]") {
  std::string text = k_header;
  for (int line = 2; line <= 13; ++line) {
    std::string login = "user" + std::to_string(line);
    if (line == 3)
      text += login + ",x.mytoutatice.cloud,send," + login + "@example.org,,2026-07-01,\n";
    else if (line == 7)
      text += login + "," + login + ".mytoutatice.cloud,export," + login + "@example.org,,2026-13-01,\n";
    else if (line == 12)
      text += login + "," + login + ".mytoutatice.cloud,export,nobody,,2026-07-01,\n";
    else
      text += export_line(login);
  }
  auto file = parse(text);
  REQUIRE(file.errors.size() == 3);
  CHECK(file.errors[0].rfind("acc.csv:3: action: ", 0) == 0);
  CHECK(file.errors[1].rfind("acc.csv:7: departure_date: ", 0) == 0);
  CHECK(file.errors[2].rfind("acc.csv:12: email: ", 0) == 0);
}

TEST_CASE("accounts file: rows against other unfinished campaigns", "[accounts]") {
  auto file = parse(k_header + export_line("a") + export_line("b") + export_line("c"));
  REQUIRE(file.errors.empty());
  std::map<std::string, std::string> held{{"b", "spring-2026"}};
  std::map<std::string, std::string> held_domains{{"c.mytoutatice.cloud", "summer-2026"}};
  auto find = [](const std::map<std::string, std::string>& map, const std::string& key) {
    auto found = map.find(key);
    return found == map.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
  OwnerCampaignLookup lookup{[&](const std::string& login) { return find(held, login); },
                             [&](const std::string& domain) { return find(held_domains, domain); }};
  auto errors = check_against_existing("acc.csv", file.rows, lookup);
  CHECK(errors == std::vector<std::string>{"acc.csv:3: login: already in unfinished campaign spring-2026",
                                           "acc.csv:4: domain: already in unfinished campaign summer-2026"});
}

TEST_CASE("accounts file: read from disk", "[accounts]") {
  std::mt19937_64 random{std::random_device{}()};
  auto dir = std::filesystem::temp_directory_path() / ("passage-accounts-" + std::to_string(random()));
  std::filesystem::create_directories(dir);
  auto path = dir / "list.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << k_header << export_line("a");
  }
  auto file = read_accounts_file(path, test_config());
  CHECK(file.errors.empty());
  CHECK(file.rows.size() == 1);
  auto missing = read_accounts_file(dir / "nope.csv", test_config());
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].rfind((dir / "nope.csv").string() + ":0: file: cannot read", 0) == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("accounts file: action names", "[accounts]") {
  CHECK(std::string(to_string(Action::export_)) == "export");
  CHECK(std::string(to_string(Action::move)) == "move");
}

TEST_CASE("accounts file: a move onto another listed account's own space names both lines",
          "[accounts][deletion-safety]") {
  auto errors =
      errors_of(k_header +
                "a,a.mytoutatice.cloud,move,a@example.org,https://b.mytoutatice.cloud,2026-07-01,\n"  // 2
                "b,b.mytoutatice.cloud,export,b@example.org,,2026-07-01,\n");                         // 3
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "acc.csv:2: target: host 'b.mytoutatice.cloud' is the domain of the account on line 3 "
                     "of this list");
}

// --- lists as French offices make them (issue 14) ---------------------------

TEST_CASE("accounts file: a semicolon file from French Excel, with BOM and CRLF", "[accounts]") {
  auto file = parse(
      "\xEF\xBB\xBFlogin;domain;action;email;target;departure_date;reason\r\n"
      "alice;alice.mytoutatice.cloud;export;alice@example.org;;31/08/2026;partie, retraite\r\n"
      "bob;bob.mytoutatice.cloud;move;bob@example.org;https://bob.mycozy.cloud;2026-09-01;\"dit \"\"oui\"\"; merci\"\r\n"
      ";;;;;;\r\n");
  INFO((file.errors.empty() ? std::string() : file.errors.front()));
  REQUIRE(file.errors.empty());
  REQUIRE(file.rows.size() == 2);
  CHECK(file.rows[0].login == "alice");
  CHECK(file.rows[0].departure_date == date::year{2026} / 8 / 31);
  CHECK(file.rows[0].reason == "partie, retraite");
  CHECK(file.rows[1].line == 3);
  CHECK(file.rows[1].action == Action::move);
  CHECK(file.rows[1].target_host == "bob.mycozy.cloud");
  CHECK(file.rows[1].reason == "dit \"oui\"; merci");
  CHECK(file.skipped_rows == 1);
}

TEST_CASE("accounts file: the header decides the separator for the whole file", "[accounts]") {
  // A ',' header: a ';' record is one field.
  CHECK(errors_of(k_header + "a;a.mytoutatice.cloud;export;a@example.org;;2026-07-01;\n") ==
        std::vector<std::string>{"acc.csv:2: record: expected 7 fields, found 1"});
  // A ';' header: a ',' record is one field; a ',' inside a field is data.
  CHECK(errors_of("login;domain;action;email;target;departure_date;reason\n" + export_line("a")) ==
        std::vector<std::string>{"acc.csv:2: record: expected 7 fields, found 1"});
  // The names stay the same with either separator.
  auto errors = errors_of("login;domain;action;mail;target;departure_date;reason\n");
  CHECK(has_error(errors, "acc.csv:1: header: ", "unknown column 'mail'"));
}

TEST_CASE("accounts file: DD/MM/YYYY dates beside YYYY-MM-DD", "[accounts]") {
  auto file = parse(k_header + "a,a.mytoutatice.cloud,export,a@example.org,,01/07/2026,\n" +
                    "b,b.mytoutatice.cloud,export,b@example.org,,29/02/2028,\n" +
                    "c,c.mytoutatice.cloud,export,c@example.org,,2026-12-31,\n");
  REQUIRE(file.errors.empty());
  REQUIRE(file.rows.size() == 3);
  CHECK(file.rows[0].departure_date == date::year{2026} / 7 / 1);
  CHECK(file.rows[1].departure_date == date::year{2028} / 2 / 29);
  CHECK(file.rows[2].departure_date == date::year{2026} / 12 / 31);
}

TEST_CASE("accounts file: a date that is not in the calendar names its field", "[accounts]") {
  CHECK(errors_of_record("x,x.mytoutatice.cloud,export,x@example.org,,31/02/2027,") ==
        std::vector<std::string>{"acc.csv:3: departure_date: '31/02/2027' is not a real date written "
                                 "DD/MM/YYYY or YYYY-MM-DD"});
  CHECK(has_error(errors_of_record("x,x.mytoutatice.cloud,export,x@example.org,,29/02/2027,"),
                  "acc.csv:3: departure_date: ", "'29/02/2027'"));
  CHECK(has_error(errors_of_record("x,x.mytoutatice.cloud,export,x@example.org,,01/13/2026,"),
                  "acc.csv:3: departure_date: ", "'01/13/2026'"));
}

TEST_CASE("accounts file: action in any case, domains stored lower-case, e-mails as written",
          "[accounts]") {
  auto file = parse(k_header + "a,A.MyToutatice.Cloud,Export,Anne.Martin@Example.org,,2026-07-01,\n" +
                    "b,b.mytoutatice.cloud,MOVE,b@example.org,https://B.MyCozy.cloud,2026-07-01,\n");
  INFO((file.errors.empty() ? std::string() : file.errors.front()));
  REQUIRE(file.errors.empty());
  REQUIRE(file.rows.size() == 2);
  CHECK(file.rows[0].domain == "a.mytoutatice.cloud");
  CHECK(file.rows[0].action == Action::export_);
  CHECK(file.rows[0].email == "Anne.Martin@Example.org");
  CHECK(file.rows[1].action == Action::move);
  CHECK(file.rows[1].target_host == "b.mycozy.cloud");
}

TEST_CASE("accounts file: domains are compared lower-case", "[accounts]") {
  auto errors = errors_of(k_header + export_line("a") +
                          "b,A.MYTOUTATICE.CLOUD,export,b@example.org,,2026-07-01,\n" +
                          "c,c.mytoutatice.cloud,move,c@example.org,https://c.mycozy.cloud,2026-07-01,\n" +
                          "d,C.MyCozy.Cloud,export,d@example.org,,2026-07-01,\n" +
                          "e,E.Example.ORG,export,e@example.org,,2026-07-01,\n");
  CHECK(errors == std::vector<std::string>{
                      "acc.csv:3: domain: 'a.mytoutatice.cloud' already appears on line 2",
                      "acc.csv:5: domain: no configured stack serves 'c.mycozy.cloud' (configured: "
                      "*.mytoutatice.cloud, *.target-stack.test)",
                      "acc.csv:6: domain: no configured stack serves 'e.example.org' (configured: "
                      "*.mytoutatice.cloud, *.target-stack.test)"});
}

TEST_CASE("accounts file: spaces around fields are trimmed, inside quotes too", "[accounts]") {
  auto file = parse(
      "login ; domain;action ;email;target;departure_date;reason \r\n"
      " alice ; alice.mytoutatice.cloud ;  Export ; \" alice@example.org \" ;  ; 01/07/2026 ;\t\" partie \"\t\r\n");
  INFO((file.errors.empty() ? std::string() : file.errors.front()));
  REQUIRE(file.errors.empty());
  REQUIRE(file.rows.size() == 1);
  const auto& alice = file.rows[0];
  CHECK(alice.login == "alice");
  CHECK(alice.domain == "alice.mytoutatice.cloud");
  CHECK(alice.action == Action::export_);
  CHECK(alice.email == "alice@example.org");
  CHECK(alice.target.empty());
  CHECK(alice.departure_date == date::year{2026} / 7 / 1);
  CHECK(alice.reason == "partie");
}

TEST_CASE("accounts file: rows of separators only are skipped and counted", "[accounts]") {
  SECTION("';' file") {
    auto file = parse("login;domain;action;email;target;departure_date;reason\n"  // 1
                      "a;a.mytoutatice.cloud;export;a@example.org;;2026-07-01;\n"  // 2
                      ";;;;;;\n"                                                   // 3
                      "\n"                                                         // 4
                      " ; ;\t; ;\"\";;\n"                                          // 5
                      "b;b.mytoutatice.cloud;export;b@example.org;;2026-07-01;\n"  // 6
                      ";;;;;;;;;;\n");                                             // 7
    REQUIRE(file.errors.empty());
    REQUIRE(file.rows.size() == 2);
    CHECK(file.rows[1].line == 6);
    CHECK(file.skipped_rows == 4);
  }
  SECTION("',' file") {
    auto file = parse(k_header + ",,,,,,\r\n" + export_line("a") + "   \n");
    REQUIRE(file.errors.empty());
    REQUIRE(file.rows.size() == 1);
    CHECK(file.rows[0].line == 3);
    CHECK(file.skipped_rows == 2);
  }
}

TEST_CASE("accounts file: a Windows-1252 file lists every error, naming the character", "[accounts]") {
  // French Excel's "CSV (séparateur: point-virgule)": ';', CRLF, Windows-1252.
  auto file = parse("login;domain;action;email;target;departure_date;reason\r\n"                    // 1
                    "anne;anne.mytoutatice.cloud;export;anne@example.org;;01/07/2026;\r\n"          // 2
                    "paul;paul.mytoutatice.cloud;export;paul@example.org;;31/02/2027;\r\n"          // 3
                    "jose;jose.mytoutatice.cloud;export;jos\xE9@example.org;;01/07/2026;\r\n");  // 4
  CHECK(file.errors ==
        std::vector<std::string>{
            "acc.csv:3: departure_date: '31/02/2027' is not a real date written DD/MM/YYYY or YYYY-MM-DD",
            "acc.csv:4: email: not UTF-8: '\xC3\xA9' written in Windows-1252 (byte 0xE9); save the file as "
            "\"CSV UTF-8\""});
}

TEST_CASE("accounts file: a record with a bad byte still has its other fields checked", "[accounts]") {
  auto errors = errors_of_record("x,x.mytoutatice.cloud,send,x@example.org,,2026-07-01,d\xE9part \x80 \x81");
  CHECK(errors == std::vector<std::string>{
                      "acc.csv:3: action: 'send' is not an action (expected 'export' or 'move')",
                      "acc.csv:3: reason: not UTF-8: '\xC3\xA9' written in Windows-1252 (byte 0xE9); save "
                      "the file as \"CSV UTF-8\""});
  CHECK(has_error(errors_of_record("x,x.mytoutatice.cloud,export,x@example.org,,2026-07-01,\x80"),
                  "acc.csv:3: reason: ", "'\xE2\x82\xAC' written in Windows-1252 (byte 0x80)"));
  CHECK(errors_of_record("x,x.mytoutatice.cloud,export,x@example.org,,2026-07-01,\x81") ==
        std::vector<std::string>{"acc.csv:3: reason: not UTF-8: byte 0x81; save the file as \"CSV UTF-8\""});
}

namespace {

// Records and problems of `text` read whole, as "LINE|field|field…" and
// "LINE:COLUMN:what".
std::vector<std::string> described(const std::vector<CsvRecord>& records, const std::vector<CsvProblem>& problems) {
  std::vector<std::string> lines;
  for (const auto& record : records) {
    std::string line = std::to_string(record.line);
    for (const auto& field : record.fields) line += "|" + field;
    lines.push_back(line);
  }
  for (const auto& problem : problems)
    lines.push_back(std::to_string(problem.line) + ":" + std::to_string(problem.column) + ":" + problem.what);
  return lines;
}

}  // namespace

TEST_CASE("csv stream: records cut by the reader's 1 MB refills read as the whole text does", "[accounts][csv]") {
  // Quoted fields spanning lines, CRLF, doubled quotes, problems and empty
  // lines, repeated past several refills so that every kind of record
  // straddles a refill boundary somewhere.
  const std::vector<std::string> pieces = {
      "a,b,c\r\n", "\"x\r\ny\",\"q\"\"q\",z\n", "\n", "bad\"quote,1,2\n", "\"open\" trail,3,4\r\n",
      "long," + std::string(3000, 'w') + ",end\n", " \"sp\" ,5,6\n"};
  std::string text;
  std::mt19937 random(7);
  while (text.size() < 3 * (1 << 20) + 12345) text += pieces[random() % pieces.size()];
  text += "\"never closed,7\nlast";
  CsvDocument whole = read_csv(text);
  std::istringstream in(text);
  CsvStream stream(in);
  std::vector<CsvRecord> records;
  std::vector<CsvProblem> problems;
  CsvRecord record;
  for (int guard = 0; guard < 1000000 && stream.next(record, problems); ++guard) records.push_back(record);
  CHECK(records.size() == whole.records.size());
  CHECK(stream.empty_lines() == whole.empty_lines);
  CHECK(described(records, problems) == described(whole.records, whole.problems));
}

TEST_CASE("first uses: a value seen again names its first line, 200,000 distinct values never collide",
          "[accounts]") {
  FirstUses uses;
  for (int i = 0; i < 200000; ++i) REQUIRE_FALSE(uses.use("u" + std::to_string(i) + ".example.org", i + 2));
  CHECK(uses.use("u0.example.org", 300000) == 2);
  CHECK(uses.use("u199999.example.org", 300001) == 200001);
  CHECK(uses.line_of("u4242.example.org") == 4244);
  CHECK_FALSE(uses.line_of("u200000.example.org"));
  CHECK_FALSE(uses.line_of(""));
}

TEST_CASE("accounts file: streamed, a repeat on the last of 30,000 rows is named with its first line",
          "[accounts]") {
  std::string text = k_header;
  for (int i = 0; i < 30000; ++i) text += export_line("p" + std::to_string(i));
  text += "again," + std::string("p7.mytoutatice.cloud") + ",export,again@example.org,,2026-07-01,\n";
  std::istringstream in(text);
  std::size_t handed = 0;
  AccountsScan scan = scan_accounts(in, "acc.csv", test_config(), [&](const AccountRow&) { ++handed; });
  CHECK(scan.rows == 30000);
  CHECK(handed == 30000);
  CHECK(scan.errors == std::vector<std::string>{"acc.csv:30002: domain: 'p7.mytoutatice.cloud' already appears on line 9"});
}

TEST_CASE("accounts file: non-breaking spaces around fields are trimmed like spaces", "[accounts]") {
  // French Excel puts U+00A0 (and U+202F, the narrow one) around values.
  const std::string nbsp = "\xC2\xA0";
  const std::string narrow = "\xE2\x80\xAF";
  auto file = parse("login;domain;action;email;target;departure_date;reason\r\n" + nbsp + "alice" + nbsp +
                    ";alice.mytoutatice.cloud" + narrow + ";" + nbsp + " export;alice@example.org" + nbsp +
                    nbsp + ";;" + narrow + "01/07/2026 " + nbsp + ";" + nbsp + "partie" + nbsp + "\r\n");
  INFO((file.errors.empty() ? std::string() : file.errors.front()));
  REQUIRE(file.errors.empty());
  REQUIRE(file.rows.size() == 1);
  const auto& alice = file.rows[0];
  CHECK(alice.login == "alice");
  CHECK(alice.domain == "alice.mytoutatice.cloud");
  CHECK(alice.email == "alice@example.org");
  CHECK(alice.departure_date == date::year{2026} / 7 / 1);
  CHECK(alice.reason == "partie");
}

TEST_CASE("accounts file: a non-breaking space inside a field is named as a character, not a byte",
          "[accounts]") {
  auto errors = errors_of_record("bob\xC2\xA0" "b,bob.mytoutatice.cloud,export,bob@example.org,,2026-07-01,\n"
                                 "carl,carl\xC2\xA0.mytoutatice.cloud,export,carl@example.org,,2026-07-01,\n"
                                 "dan,dan.mytoutatice.cloud,export,dan\xE2\x80\xAFx@example.org,,2026-07-01,");
  REQUIRE(errors.size() == 3);
  CHECK(has_error(errors, "acc.csv:3: login:", "U+00A0 (non-breaking space)"));
  CHECK(has_error(errors, "acc.csv:4: domain:", "U+00A0 (non-breaking space)"));
  CHECK(has_error(errors, "acc.csv:5: email:", "U+202F (narrow non-breaking space)"));
  for (const auto& error : errors) CHECK(error.find("byte 0x") == std::string::npos);
}

TEST_CASE("csv: a plain field keeps a lone CR and a stray quote as data, whole", "[accounts][csv]") {
  const CsvDocument document = read_csv("a\rb,c\"d\"e,f\r\nlast,\"q\" ,x\n");
  REQUIRE(document.records.size() == 2);
  CHECK(document.records[0].fields == std::vector<std::string>{"a\rb", "c\"d\"e", "f"});
  CHECK(document.records[1].fields == std::vector<std::string>{"last", "q", "x"});
  REQUIRE(document.problems.size() == 1);  // the stray quote, once for its field
  CHECK(document.problems[0].line == 1);
  CHECK(document.problems[0].column == 1);
  CsvRecord padded{1, {" \xC2\xA0 a b\t", "", "\xE2\x80\xAF"}};
  trim_fields(padded);
  CHECK(padded.fields == std::vector<std::string>{"a b", "", ""});
}

// --- the import's second reading (issue 15) -----------------------------------

TEST_CASE("accounts file: a scan gives the SHA-256 of every byte it read, BOM and refills included",
          "[accounts][import-pass]") {
  std::string text = "\xEF\xBB\xBF" + k_header;
  for (int i = 0; i < 30000; ++i) text += export_line("h" + std::to_string(i));  // past two 1 MB refills
  text += "bad,,export,bad@example.org,,2026-07-01,\n";  // an error does not stop the reading
  std::istringstream in(text);
  AccountsScan scan = scan_accounts(in, "acc.csv", test_config(), [](const AccountRow&) {});
  CHECK(scan.rows == 30000);
  CHECK(scan.errors.size() == 1);
  CHECK(scan.sha256 == sha256_hex(text));
  std::istringstream one_byte_more(text + "\n");
  CHECK(scan_accounts(one_byte_more, "acc.csv", test_config(), [](const AccountRow&) {}).sha256 !=
        scan.sha256);
}

TEST_CASE("accounts file: a second reading that only parses hands the same rows, and refuses none",
          "[accounts][import-pass]") {
  // Repeated logins, domains and targets, a move onto a listed domain, a
  // bad e-mail, login and domain name, a byte that is not UTF-8: errors
  // on the first reading; none on a reading that only parses, which hands
  // every row the first one accepted with the same fields, and the others
  // too. What parsing needs is still checked: a domain no stack serves.
  const std::string text =
      k_header +
      "a,a.mytoutatice.cloud,move,a@example.org,https://new.mycozy.cloud,2026-07-01,why\n"
      "b,B.mytoutatice.cloud,export,b@example.org,,01/07/2026,\n"
      "a,c.mytoutatice.cloud,export,c@example.org,,2026-07-01,\n"
      "d,b.mytoutatice.cloud,export,d@example.org,,2026-07-01,\n"
      "e,e.mytoutatice.cloud,move,e@example.org,https://NEW.mycozy.cloud/e,2026-07-01,\n"
      "f,f.mytoutatice.cloud,move,f@example.org,https://b.mytoutatice.cloud,2026-07-01,\n"
      "g,g.mytoutatice.cloud,export,not-an-email,,2026-07-01,\n"
      "h h,h_h.mytoutatice.cloud,export,h@example.org,,2026-07-01,caf\xE9\n"
      "i,i.elsewhere.example,export,i@example.org,,2026-07-01,\n";
  auto rows_of = [&](Checks checks, std::vector<std::string>& errors) {
    std::istringstream in(text);
    std::vector<std::string> rows;
    AccountsScan scan = scan_accounts(
        in, "acc.csv", test_config(),
        [&](const AccountRow& row) {
          rows.push_back(std::to_string(row.line) + " " + row.login + " " + row.domain + " " + to_string(row.action) +
                         " " + row.email + " " + row.target + " " + row.target_host + " " +
                         (row.admin_move ? "admin " : "") + date::format("%F", row.departure_date) + " " + row.reason);
        },
        checks);
    errors = scan.errors;
    return rows;
  };
  std::vector<std::string> checked_errors, parsed_errors;
  std::vector<std::string> checked = rows_of(Checks::all, checked_errors);
  std::vector<std::string> parsed = rows_of(Checks::parsing, parsed_errors);
  CHECK(checked_errors.size() == 9);
  CHECK(checked.size() == 3);
  CHECK(parsed_errors.size() == 1);
  CHECK(parsed_errors.front().rfind("acc.csv:10: domain: no configured stack serves 'i.elsewhere.example'", 0) == 0);
  REQUIRE(parsed.size() == 8);
  CHECK(parsed[0] == "2 a a.mytoutatice.cloud move a@example.org https://new.mycozy.cloud new.mycozy.cloud "
                     "2026-07-01 why");
  CHECK(parsed[1] == "3 b b.mytoutatice.cloud export b@example.org   2026-07-01 ");
  CHECK(parsed[7] == "9 h h h_h.mytoutatice.cloud export h@example.org   2026-07-01 caf\xE9");
  // Every row the first reading accepted comes the same on the second.
  for (const std::string& row : checked) CHECK(std::find(parsed.begin(), parsed.end(), row) != parsed.end());
}
