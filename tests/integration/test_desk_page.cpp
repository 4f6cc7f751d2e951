// The support desk page (`passage serve`, issue 13) through the real
// binary on dry-run stacks, over HTTP: no start without a token, the
// login and its limit, no page without a session, the search by part of
// an e-mail, a postpone journaled as support:<name> with the cap named
// when refused, and a POST without the CSRF token that changes nothing.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <filesystem>
#include <sys/file.h>
#include <unistd.h>

#include "tests/integration/desk_serve.hpp"
#include "engine/store/sha256.hpp"
#include "tests/integration/probe.hpp"

using namespace passage::testing;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void require_exit(const ProcessResult& result, int code) {
  INFO("stdout: " << result.out);
  INFO("stderr: " << result.err);
  REQUIRE(result.exit_code == code);
}

const std::string k_start = k_desk_start;
using DeskCase = DeskWorkspace;

}  // namespace

TEST_CASE("serve: refuses to start without a desk token", "[desk]") {
  Workspace ws;
  enable_desk(ws);
  ws.set_environment({{"PASSAGE_SERVE_TOKEN", ""}});
  ProcessResult refused = ws.passage({"serve"}, Millis(20000));
  require_exit(refused, 2);
  CHECK(contains(refused.err, "PASSAGE_SERVE_TOKEN"));
  CHECK(refused.out.empty());
}

TEST_CASE("serve: a wrong token stays out, the 6th failure in a minute is 429, no cookie gets the login page",
          "[desk]") {
  DeskCase desk;
  DeskServe serve(desk.ws, k_start);
  HttpAnswer page = http_request("GET", serve.base() + "/");
  CHECK(page.status == 200);
  CHECK(contains(page.body, "action=\"/login\""));
  CHECK(contains(page.headers, "Content-Security-Policy: default-src 'none'"));
  CHECK(http_request("GET", serve.base() + "/account/" + desk.id_of("hakim")).status == 401);
  CHECK(http_request("POST", serve.base() + "/account/1/hold", "reason=x").status == 401);
  for (int i = 0; i < 5; ++i) {
    HttpAnswer wrong = http_request("POST", serve.base() + "/login", "name=jane&token=guess" + std::to_string(i));
    CHECK(wrong.status == 401);
    CHECK(set_cookie_pair(wrong).empty());
  }
  HttpAnswer limited =
      http_request("POST", serve.base() + "/login", std::string("name=jane&token=") + k_desk_token);
  CHECK(limited.status == 429);
  CHECK(set_cookie_pair(limited).empty());
  CHECK_FALSE(contains(serve.output(), k_desk_token));
}

TEST_CASE("serve: search by part of an e-mail in another case, then the account page with its timeline",
          "[desk]") {
  DeskCase desk;
  DeskServe serve(desk.ws, k_start);
  const std::string cookie = serve.log_in("jane");
  HttpAnswer results = http_request("GET", serve.base() + "/?q=benali%40LAPOSTE", "", cookie);
  REQUIRE(results.status == 200);
  CHECK(contains(results.body, "href=\"/account/" + desk.id_of("hakim") + "\""));
  CHECK_FALSE(contains(results.body, "karim"));
  HttpAnswer account = http_request("GET", serve.base() + "/account/" + desk.id_of("hakim"), "", cookie);
  REQUIRE(account.status == 200);
  CHECK(contains(account.body, "<html lang=\"fr\">"));
  CHECK(contains(account.body, "Fuseau horaire : Europe/Paris"));
  CHECK(contains(account.body, "2026-11-25 10:"));  // local time, minutes
  CHECK(contains(account.body, "class=\"next\""));
  CHECK(contains(account.body, "suppression dans la nuit du 25 décembre 2026"));
  CHECK(contains(account.body, "Délai de grâce (GRACE)"));
}

TEST_CASE("serve: a postpone through the page moves the date, is journaled as support:<name>, and is capped",
          "[desk]") {
  DeskCase desk;
  DeskServe serve(desk.ws, k_start);
  const std::string cookie = serve.log_in("jane");
  const std::string url = serve.base() + "/account/" + desk.id_of("hakim");
  const std::string tokens = form_tokens(http_request("GET", url, "", cookie).body);
  const std::string before = desk.snapshot();

  SECTION("without the CSRF token, nothing changes") {
    CHECK(http_request("POST", url + "/postpone", "reason=asked&days=10", cookie).status == 403);
    CHECK(http_request("POST", url + "/postpone", "reason=asked&days=10&csrf=forged", cookie).status == 403);
    CHECK(desk.snapshot() == before);
  }
  SECTION("beyond support.max_postpone: refused naming the cap, nothing changes") {
    HttpAnswer refused = http_request("POST", url + "/postpone", "reason=asked&days=100&" + tokens, cookie);
    CHECK(refused.status == 409);
    CHECK(contains(refused.body, "Refusé : hakim : support.max_postpone est de 60 jours après la date annoncée à la "
                                 "personne (25 décembre 2026)"));
    CHECK(desk.snapshot() == before);
  }
  SECTION("within the cap: the new date, the journal, the timeline") {
    HttpAnswer done =
        http_request("POST", url + "/postpone", "reason=ticket+4711&days=10&" + tokens, cookie);
    INFO(done.body);
    // POST, then 303 to the account page, which says what was done once.
    REQUIRE(done.status == 303);
    CHECK(contains(done.headers, "Location: /account/" + desk.id_of("hakim")));
    HttpAnswer shown = http_request("GET", url, "", cookie);
    CHECK(contains(shown.body, "Fait : hakim : suppression reportée au 4 janvier 2027 : ticket 4711"));
    CHECK(contains(shown.body, "la nouvelle date de suppression (4 janvier 2027) a été envoyée à la personne"));
    Db db(desk.ws.database());
    CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE actor = 'support:jane' AND detail LIKE '%ticket 4711%'") >=
          1);
    CHECK(db.rows("SELECT grace_end FROM accounts WHERE login = 'hakim'")[0][0].rfind("2027-01-0", 0) == 0);
    HttpAnswer page = http_request("GET", url, "", cookie);
    CHECK(contains(page.body, "support:jane"));
    CHECK(contains(page.body, "suppression reportée au 4 janvier 2027 par support:jane"));
    CHECK_FALSE(contains(page.body, "Fait :"));  // once
    CHECK(contains(serve.output(), "support:jane postpone"));
    int told = 0;
    for (const auto& entry : std::filesystem::directory_iterator(desk.ws.outbox_dir()))
      if (entry.path().filename().string().rfind("deletion_date_changed.", 0) == 0) ++told;
    CHECK(told == 1);
  }
  SECTION("a reason is required") {
    CHECK(http_request("POST", url + "/hold", "reason=+&" + tokens, cookie).status == 400);
    CHECK(desk.snapshot() == before);
  }
}

TEST_CASE("serve: an action through the page works while another command holds the writer lock", "[desk]") {
  DeskCase desk;
  DeskServe serve(desk.ws, k_start);
  const std::string cookie = serve.log_in("omar");
  const std::string url = serve.base() + "/account/" + desk.id_of("karim");
  const std::string tokens = form_tokens(http_request("GET", url, "", cookie).body);
  // Held as a run holds it (flock on <database>.lock): a run now exits 3.
  const std::string lock_file = desk.ws.database().string() + ".lock";
  const int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  CHECK(desk.ws.passage({"run", "--until-idle", "--now", k_start}).exit_code == 3);
  HttpAnswer held = http_request("POST", url + "/hold", "reason=person+asked&" + tokens, cookie);
  ::close(fd);
  INFO(held.body);
  CHECK(held.status == 303);
  Db db(desk.ws.database());
  CHECK(db.rows("SELECT state FROM accounts WHERE login = 'karim'")[0][0] == "HELD");
  CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE actor = 'support:omar'") >= 1);
}

namespace {

// Adds `entry` ("token_file: t.txt") to the workspace's serve section.
void add_serve_key(Workspace& ws, const std::string& entry) {
  std::string config = read_file(ws.config());
  const auto at = config.find("serve: { ");
  REQUIRE(at != std::string::npos);
  config.insert(at + 9, entry + ", ");
  write_file(ws.config(), config);
}

}  // namespace

TEST_CASE("serve: serve.token_file gives the token, an empty one refuses to start", "[desk]") {
  DeskCase desk;
  add_serve_key(desk.ws, "token_file: desk-token.txt");
  desk.ws.write("desk-token.txt", "\n");
  ProcessResult refused = desk.ws.passage({"serve"}, Millis(20000));
  require_exit(refused, 2);
  CHECK(contains(refused.err, "desk-token.txt is empty"));
  desk.ws.write("desk-token.txt", "file-token-0123456789\n");
  DeskServe serve(desk.ws, k_start);
  CHECK(http_request("POST", serve.base() + "/login", "name=jane&token=" + std::string(k_desk_token)).status == 401);
  CHECK(http_request("POST", serve.base() + "/login", "name=jane&token=file-token-0123456789").status == 303);
}

TEST_CASE("serve: with serve.agents_file each agent logs in with their own token", "[desk]") {
  DeskCase desk;
  add_serve_key(desk.ws, "agents_file: agents.txt");
  desk.ws.write("agents.txt", "# name sha256-hex-of-token\njane " + passage::sha256_hex("jane-token-0123456789") +
                                  "\nomar " + passage::sha256_hex("omar-token-0123456789") + "\n");
  DeskServe serve(desk.ws, k_start);
  CHECK(http_request("POST", serve.base() + "/login", "name=jane&token=omar-token-0123456789").status == 401);
  CHECK(http_request("POST", serve.base() + "/login", "name=lea&token=jane-token-0123456789").status == 401);
  HttpAnswer jane = http_request("POST", serve.base() + "/login", "name=jane&token=jane-token-0123456789");
  CHECK(jane.status == 303);
  CHECK(contains(serve.output(), "support:jane logged in"));
}
