// The support desk page attacked as a careful agent would (issue 13),
// through the real binary on dry-run stacks: a form sent twice, two agents
// on one account, an account changed by the command line while its page
// was open, postpones beyond the cap in every form, an agent removed while
// logged in; and the page in English when notify.language says so.

#include <catch2/catch.hpp>

#include <filesystem>

#include "engine/store/sha256.hpp"
#include "tests/integration/desk_serve.hpp"
#include "tests/integration/probe.hpp"

using namespace passage::testing;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string column(const Workspace& ws, const std::string& login, const std::string& name) {
  Db db(ws.database());
  return db.rows("SELECT " + name + " FROM accounts WHERE login = '" + login + "'")[0][0];
}


const std::string k_changed = "le compte a changé depuis";

struct OpenPage {
  std::string url;
  std::string tokens;  // csrf and version, as the page showed them
};

OpenPage open_page(const DeskServe& serve, const DeskWorkspace& desk, const std::string& login,
                   const std::string& cookie) {
  const std::string url = serve.base() + "/account/" + desk.id_of(login);
  HttpAnswer page = http_request("GET", url, "", cookie);
  REQUIRE(page.status == 200);
  return {url, form_tokens(page.body)};
}

}  // namespace

TEST_CASE("desk attack: a postpone form sent twice postpones once and mails once", "[desk][desk-attack]") {
  DeskWorkspace desk;
  DeskServe serve(desk.ws, k_desk_start);
  const std::string cookie = serve.log_in("jane");
  const OpenPage page = open_page(serve, desk, "hakim", cookie);
  const std::string form = "reason=one+more+week&days=10&" + page.tokens;
  REQUIRE(http_request("POST", page.url + "/postpone", form, cookie).status == 303);
  const std::string after_first = desk.snapshot();
  HttpAnswer second = http_request("POST", page.url + "/postpone", form, cookie);
  CHECK(second.status == 409);
  CHECK(contains(second.body, k_changed));
  CHECK(contains(second.body, "suppression reportée au 4 janvier 2027 par support:jane"));
  CHECK(desk.snapshot() == after_first);
  CHECK(column(desk.ws, "hakim", "grace_end").rfind("2027-01-0", 0) == 0);
  CHECK(desk.ws.outbox_count("deletion_date_changed.hakim.") == 1);
  Db db(desk.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE actor = 'support:jane' AND detail LIKE '%one more week%'") == 1);
}

TEST_CASE("desk attack: two agents on one account: the second acts only on what they saw", "[desk][desk-attack]") {
  DeskWorkspace desk;
  DeskServe serve(desk.ws, k_desk_start);
  const std::string jane = serve.log_in("jane");
  const std::string omar = serve.log_in("omar");
  const OpenPage janes = open_page(serve, desk, "karim", jane);
  const OpenPage omars = open_page(serve, desk, "karim", omar);
  REQUIRE(http_request("POST", janes.url + "/hold", "reason=ticket+1&" + janes.tokens, jane).status == 303);
  const std::string held = desk.snapshot();
  // Omar's page still shows karim in GRACE: his postpone and cancel would
  // act on a case he has not seen.
  for (const std::string verb : {"postpone", "cancel"}) {
    HttpAnswer refused =
        http_request("POST", omars.url + "/" + verb, "reason=ticket+2&days=5&" + omars.tokens, omar);
    INFO(verb);
    CHECK(refused.status == 409);
    CHECK(contains(refused.body, k_changed));
    CHECK(contains(refused.body, "Suspendu (HELD)"));  // the page as it is now
  }
  CHECK(desk.snapshot() == held);
  // Having seen it, Omar acts.
  const OpenPage again = open_page(serve, desk, "karim", omar);
  CHECK(http_request("POST", again.url + "/release", "reason=ticket+2&" + again.tokens, omar).status == 303);
  CHECK(column(desk.ws, "karim", "state") == "GRACE");
  Db db(desk.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE actor = 'support:omar' AND detail LIKE '%ticket 2%'") == 1);
}

TEST_CASE("desk attack: an account changed on the command line while its page was open", "[desk][desk-attack]") {
  DeskWorkspace desk;
  DeskServe serve(desk.ws, k_desk_start);
  const std::string cookie = serve.log_in("jane");
  const OpenPage page = open_page(serve, desk, "karim", cookie);
  REQUIRE(desk.ws.passage({"account", "hold", "karim", "--reason", "directory check", "--by", "root", "--now",
                           k_desk_start})
              .exit_code == 0);
  const std::string held = desk.snapshot();
  HttpAnswer refused = http_request("POST", page.url + "/cancel", "reason=left+early&" + page.tokens, cookie);
  CHECK(refused.status == 409);
  CHECK(contains(refused.body, k_changed));
  CHECK(desk.snapshot() == held);
  CHECK(column(desk.ws, "karim", "state") == "HELD");
}

TEST_CASE("desk attack: postpones beyond the cap, in days, huge days and dates, are refused naming the cap",
          "[desk][desk-attack]") {
  DeskWorkspace desk;
  DeskServe serve(desk.ws, k_desk_start);
  const std::string cookie = serve.log_in("jane");
  const OpenPage page = open_page(serve, desk, "hakim", cookie);
  const std::string before = desk.snapshot();
  const std::string cap = "support.max_postpone est de 60 jours après la date annoncée à la personne (25 décembre 2026)";
  for (const std::string wanted : {"days=61", "days=99999999", "until=2027-02-24", "until=9999-12-31"}) {
    INFO(wanted);
    HttpAnswer refused = http_request("POST", page.url + "/postpone", "reason=x&" + wanted + "&" + page.tokens, cookie);
    CHECK(refused.status == 409);
    CHECK(contains(refused.body, cap));
  }
  for (const std::string wanted : {"days=2147483648", "days=-3", "days=1e3", "until=2027-02-30", "days=3&until=2027-01-01"}) {
    INFO(wanted);
    CHECK(http_request("POST", page.url + "/postpone", "reason=x&" + wanted + "&" + page.tokens, cookie).status == 400);
  }
  CHECK(desk.snapshot() == before);
  ProcessResult cli = desk.ws.passage(
      {"account", "postpone", "hakim", "--days", "99999999", "--reason", "x", "--by", "jane", "--now", k_desk_start});
  CHECK(cli.exit_code == 2);
  CHECK(contains(cli.out + cli.err, "support.max_postpone is 60 days"));
  CHECK(desk.snapshot() == before);
  // The cap itself is allowed: 60 days after the date told.
  CHECK(http_request("POST", page.url + "/postpone", "reason=x&until=2027-02-23&" + page.tokens, cookie).status == 303);
}

TEST_CASE("desk attack: an agent removed from the agents file is out at their next request", "[desk][desk-attack]") {
  DeskWorkspace desk;
  std::string config = read_file(desk.ws.config());
  const auto at = config.find("serve: { ");
  REQUIRE(at != std::string::npos);
  config.insert(at + 9, "agents_file: agents.txt, ");
  write_file(desk.ws.config(), config);
  const std::string omar_line = "omar " + passage::sha256_hex("omar-token-0123456789") + "\n";
  desk.ws.write("agents.txt", "jane " + passage::sha256_hex("jane-token-0123456789") + "\n" + omar_line);
  DeskServe serve(desk.ws, k_desk_start);
  const auto log_in = [&](const std::string& name) {
    HttpAnswer answer = http_request("POST", serve.base() + "/login", "name=" + name + "&token=" + name +
                                                                          "-token-0123456789");
    REQUIRE(answer.status == 303);
    return set_cookie_pair(answer);
  };
  const std::string jane = log_in("jane");
  const std::string omar = log_in("omar");
  const OpenPage page = open_page(serve, desk, "hakim", jane);
  desk.ws.write("agents.txt", omar_line);  // jane leaves the desk
  const std::string before = desk.snapshot();
  CHECK(http_request("POST", page.url + "/hold", "reason=x&" + page.tokens, jane).status == 401);
  CHECK(http_request("GET", page.url, "", jane).status == 401);
  CHECK(http_request("POST", serve.base() + "/login", "name=jane&token=jane-token-0123456789").status == 401);
  CHECK(desk.snapshot() == before);
  CHECK(http_request("GET", page.url, "", omar).status == 200);
}

TEST_CASE("desk in English when notify.language is en", "[desk][desk-attack][english]") {
  DeskWorkspace desk;
  std::string config = read_file(desk.ws.config());
  const std::string notify = "notify: { ";
  const auto at = config.find(notify);
  REQUIRE(at != std::string::npos);
  config.insert(at + notify.size(), "language: en, ");
  write_file(desk.ws.config(), config);
  DeskServe serve(desk.ws, k_desk_start);
  CHECK(contains(http_request("GET", serve.base() + "/").body, "<html lang=\"en\">"));
  const std::string cookie = serve.log_in("jane");
  const OpenPage page = open_page(serve, desk, "hakim", cookie);
  HttpAnswer shown = http_request("GET", page.url, "", cookie);
  CHECK(contains(shown.body, "Times in Europe/Paris"));
  CHECK(contains(shown.body, "deletion in the night of 25 December 2026"));
  CHECK(contains(shown.body, "Postpone the deletion"));
  HttpAnswer refused = http_request("POST", page.url + "/postpone", "reason=x&days=100&" + page.tokens, cookie);
  CHECK(contains(refused.body, "Refused: hakim: support.max_postpone is 60 days"));
  REQUIRE(http_request("POST", page.url + "/postpone", "reason=x&days=10&" + page.tokens, cookie).status == 303);
  HttpAnswer done = http_request("GET", page.url, "", cookie);
  CHECK(contains(done.body, "Done: hakim: deletion postponed to 2027-01-04"));
  CHECK(contains(done.body, "the person was sent the new deletion date (2027-01-04)"));
  HttpAnswer again = http_request("POST", page.url + "/postpone", "reason=x&days=10&" + page.tokens, cookie);
  CHECK(contains(again.body, "the account changed since the page was shown"));
  CHECK(http_request("GET", serve.base() + "/account/999", "", cookie).status == 404);
}
