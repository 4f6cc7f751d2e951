// The desk page's pure parts (`passage serve`, issue 13): escaping, form
// and cookie decoding, sessions and their idle expiry, the CSRF check, the
// login limit; and the routes on an empty database: login, no session,
// CSRF refused, the security of the cookie.

#include <catch2/catch.hpp>

#include <fstream>

#include "engine/serve/desk_agents.hpp"
#include "engine/serve/desk_pages.hpp"
#include "engine/serve/desk_routes.hpp"
#include "engine/serve/desk_session.hpp"
#include "engine/serve/desk_text.hpp"
#include "engine/store/sha256.hpp"
#include "engine/support/campaign_progress.hpp"
#include "engine/support/mail_preview.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passage;

namespace {

Instant at(int seconds) { return Instant{} + std::chrono::seconds(1'800'000'000 + seconds); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct DeskFixture {
  DeskFixture() : store(dir.path() / "passage.db"), clock(at(0)), routes(store, config(), clock, DeskCredentials{std::string("s3cret-token"), {}, std::nullopt}) {}
  static const Config& config() {
    static Config config = [] {
      Config c;
      c.zone = date::locate_zone("Europe/Paris");
      return c;
    }();
    return config;
  }
  DeskAnswer send(const std::string& method, const std::string& target, const std::string& body = "",
                  const std::string& cookie = "", const std::string& address = "127.0.0.1", int second = 0) {
    return routes.answer(DeskRequest{method, target, body, cookie, address}, at(second));
  }
  // Logs in; returns the Cookie header to send.
  std::string log_in(const std::string& name = "jane") {
    DeskAnswer answer = send("POST", "/login", "name=" + name + "&token=s3cret-token");
    REQUIRE(answer.status == 303);
    return answer.set_cookie.substr(0, answer.set_cookie.find(';'));
  }
  testing::TempDir dir{"passage-desk"};
  Store store;
  ManualClock clock;
  DeskRoutes routes;
};

}  // namespace

TEST_CASE("desk: html_escape escapes markup and quotes", "[desk]") {
  CHECK(html_escape("<script>alert('x')</script> & \"q\"") ==
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  CHECK(html_escape("plain é") == "plain é");
}

TEST_CASE("desk: forms, queries and cookies are decoded", "[desk]") {
  auto fields = form_fields("name=jane+doe&token=a%2Bb%3D&empty=&name=second&bad=%zz");
  CHECK(fields["name"] == "jane doe");
  CHECK(fields["token"] == "a+b=");
  CHECK(fields["empty"].empty());
  CHECK(fields["bad"] == "%zz");
  CHECK(url_encode("a b/é") == "a%20b%2F%C3%A9");
  CHECK(cookie_value("a=1; passage_desk=xyz; b=2", "passage_desk") == "xyz");
  CHECK_FALSE(cookie_value("a=1", "passage_desk"));
}

TEST_CASE("desk: same_secret compares whole secrets", "[desk]") {
  CHECK(same_secret("token", "token"));
  CHECK_FALSE(same_secret("token", "tokeN"));
  CHECK_FALSE(same_secret("tok", "token"));
  CHECK_FALSE(same_secret("", "token"));
}

TEST_CASE("desk: sessions have random ids and CSRF tokens and expire after 8 idle hours", "[desk]") {
  SessionStore sessions;
  DeskSession a = sessions.open("support:jane", at(0));
  DeskSession b = sessions.open("support:omar", at(0));
  CHECK(a.id.size() >= 22);  // 24 random bytes: 192 bits
  CHECK(a.id != b.id);
  CHECK(a.csrf != a.id);
  CHECK(a.csrf != b.csrf);
  REQUIRE(sessions.find(a.id, at(7 * 3600)));  // used: idle time restarts
  CHECK(sessions.find(a.id, at(15 * 3600 - 1)));
  CHECK_FALSE(sessions.find(a.id, at(23 * 3600)));
  CHECK_FALSE(sessions.find(b.id, at(8 * 3600)));
  CHECK_FALSE(sessions.find("made-up", at(0)));
  DeskSession c = sessions.open("support:lea", at(0));
  sessions.close(c.id);
  CHECK_FALSE(sessions.find(c.id, at(1)));
}

TEST_CASE("desk: the CSRF check wants the session's own token", "[desk]") {
  SessionStore sessions;
  DeskSession a = sessions.open("support:jane", at(0));
  DeskSession b = sessions.open("support:omar", at(0));
  CHECK(csrf_ok(a, a.csrf));
  CHECK_FALSE(csrf_ok(a, b.csrf));
  CHECK_FALSE(csrf_ok(a, ""));
}

TEST_CASE("desk: 5 failed logins a minute per address, then refused until the oldest leaves", "[desk]") {
  LoginLimiter limiter;
  for (int i = 0; i < 5; ++i) {
    CHECK(limiter.allowed("10.0.0.1", at(i)));
    limiter.record_failure("10.0.0.1", at(i));
  }
  CHECK_FALSE(limiter.allowed("10.0.0.1", at(10)));
  CHECK(limiter.allowed("10.0.0.2", at(10)));
  CHECK_FALSE(limiter.allowed("10.0.0.1", at(59)));
  CHECK(limiter.allowed("10.0.0.1", at(60)));
}

TEST_CASE("desk: agent names", "[desk]") {
  CHECK(valid_agent_name("jane.doe-2"));
  CHECK_FALSE(valid_agent_name(""));
  CHECK_FALSE(valid_agent_name("jane doe"));
  CHECK_FALSE(valid_agent_name("<b>"));
  CHECK_FALSE(valid_agent_name(std::string(65, 'a')));
}

TEST_CASE("desk routes: without a session the home is the login form, every other page 401", "[desk]") {
  DeskFixture desk;
  DeskAnswer page = desk.send("GET", "/");
  CHECK(page.status == 200);
  CHECK(contains(page.body, "action=\"/login\""));
  CHECK(desk.send("GET", "/account/1").status == 401);
  CHECK(desk.send("POST", "/account/1/postpone", "reason=x&days=3").status == 401);
  CHECK(desk.send("GET", "/?q=x", "", "passage_desk=forged").status == 200);
  CHECK_FALSE(contains(desk.send("GET", "/?q=x", "", "passage_desk=forged").body, "Résultats"));
  CHECK(desk.send("GET", "/account/1", "", "passage_desk=forged").status == 401);
  CHECK(desk.send("GET", "/desk.css").status == 200);
}

TEST_CASE("desk routes: a login sets a secure session cookie, never the token", "[desk]") {
  DeskFixture desk;
  DeskAnswer answer = desk.send("POST", "/login", "name=jane&token=s3cret-token");
  REQUIRE(answer.status == 303);
  CHECK(contains(answer.set_cookie, "HttpOnly"));
  CHECK(contains(answer.set_cookie, "SameSite=Strict"));
  CHECK(contains(answer.set_cookie, "Path=/"));
  CHECK_FALSE(contains(answer.set_cookie, "s3cret"));
  CHECK(contains(answer.log_line, "support:jane"));
  CHECK_FALSE(contains(answer.log_line, "s3cret"));
  const std::string cookie = answer.set_cookie.substr(0, answer.set_cookie.find(';'));
  DeskAnswer search = desk.send("GET", "/?q=nobody", "", cookie);
  CHECK(search.status == 200);
  CHECK(contains(search.body, "support:jane"));
  CHECK(contains(search.body, "Aucun compte ne correspond"));
  CHECK(contains(search.body, "<html lang=\"fr\">"));
}

TEST_CASE("desk routes: wrong tokens stay out, the 6th failure in a minute is 429", "[desk]") {
  DeskFixture desk;
  for (int i = 0; i < 5; ++i) {
    DeskAnswer answer = desk.send("POST", "/login", "name=jane&token=guess" + std::to_string(i));
    CHECK(answer.status == 401);
    CHECK(answer.set_cookie.empty());
  }
  CHECK(desk.send("POST", "/login", "name=jane&token=s3cret-token").status == 429);
  CHECK(desk.send("POST", "/login", "name=jane&token=s3cret-token", "", "127.0.0.2").status == 303);
  CHECK(desk.send("POST", "/login", "name=jane&token=s3cret-token", "", "127.0.0.1", 61).status == 303);
}

TEST_CASE("desk routes: a POST without the session's CSRF token is refused", "[desk]") {
  DeskFixture desk;
  const std::string cookie = desk.log_in();
  CHECK(desk.send("POST", "/account/1/postpone", "reason=x&days=3", cookie).status == 403);
  CHECK(desk.send("POST", "/account/1/postpone", "reason=x&days=3&csrf=wrong", cookie).status == 403);
  CHECK(desk.send("POST", "/logout", "", cookie).status == 403);
}

TEST_CASE("desk pages: values are escaped, the stylesheet is the desk's own", "[desk]") {
  std::vector<Account> results(1);
  results[0].id = 3;
  results[0].login = "<script>x</script>";
  results[0].email = "\"onmouseover=alert(1)";
  const std::string page = render_search_page("support:<b>", "csrf\"", "<q>", results, false, {}, "fr");
  CHECK_FALSE(contains(page, "<script>x"));
  CHECK(contains(page, "&lt;script&gt;x"));
  CHECK(contains(page, "&quot;onmouseover"));
  CHECK(contains(page, "href=\"/desk.css\""));
  CHECK_FALSE(contains(page, "http://"));
  CHECK_FALSE(contains(page, "https://"));
  CHECK_FALSE(contains(page, "<script"));
}

TEST_CASE("desk agents file: each agent logs in with their own token only", "[desk]") {
  const std::string jane_hash = sha256_hex("jane-token");
  DeskCredentials agents = agents_from_text("# desk agents\n\njane " + jane_hash + "\nomar " +
                                                sha256_hex("omar-token") + "\n",
                                            "agents");
  CHECK(credentials_accept(agents, "jane", "jane-token"));
  CHECK_FALSE(credentials_accept(agents, "jane", "omar-token"));
  CHECK_FALSE(credentials_accept(agents, "lea", "jane-token"));
  CHECK_FALSE(credentials_accept(agents, "jane", ""));
  DeskCredentials shared{std::string("shared"), {}, std::nullopt};
  CHECK(credentials_accept(shared, "anyone", "shared"));
  CHECK_FALSE(credentials_accept(shared, "bad name", "shared"));
}

TEST_CASE("desk agents file: bad lines are named with their line", "[desk]") {
  CHECK_THROWS_WITH(agents_from_text("jane nothex\n", "agents"), Catch::Contains("agents:1:"));
  CHECK_THROWS_WITH(agents_from_text("\nja ne " + sha256_hex("x") + "\n", "agents"), Catch::Contains("agents:2:"));
  CHECK_THROWS_WITH(agents_from_text("jane " + sha256_hex("x") + "\njane " + sha256_hex("y") + "\n", "agents"),
                    Catch::Contains("listed twice"));
  CHECK_THROWS_WITH(agents_from_text("# nobody\n", "agents"), Catch::Contains("lists no agent"));
}

TEST_CASE("desk routes: with an agents file, the name must be listed and the token its own", "[desk]") {
  testing::TempDir dir{"passage-desk"};
  Store store(dir.path() / "passage.db");
  ManualClock clock(at(0));
  DeskRoutes routes(store, DeskFixture::config(), clock,
                    agents_from_text("jane " + sha256_hex("jane-token") + "\n", "agents"));
  auto login = [&](const std::string& body) {
    return routes.answer(DeskRequest{"POST", "/login", body, "", "127.0.0.1"}, at(0));
  };
  CHECK(login("name=omar&token=jane-token").status == 401);
  DeskAnswer ok = login("name=jane&token=jane-token");
  CHECK(ok.status == 303);
  CHECK(contains(ok.log_line, "support:jane"));
}

TEST_CASE("desk add-agent: a new line with the token's hash, the token valid, a second one refused", "[desk]") {
  testing::TempDir dir{"passage-desk"};
  const auto file = dir.path() / "agents";
  const std::string jane = add_agent(file, "jane");
  const std::string omar = add_agent(file, "omar");
  CHECK(jane != omar);
  CHECK(jane.size() >= 40);
  DeskCredentials agents = read_agents_file(file);
  CHECK(agents.agent_hashes.size() == 2);
  CHECK(credentials_accept(agents, "jane", jane));
  CHECK(credentials_accept(agents, "omar", omar));
  CHECK_FALSE(credentials_accept(agents, "jane", omar));
  // Only the hash is kept.
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_FALSE(contains(text, jane));
  CHECK_THROWS_WITH(add_agent(file, "jane"), Catch::Contains("already listed"));
  CHECK_THROWS_WITH(add_agent(file, "ja ne"), Catch::Contains("not an agent name"));
  CHECK(read_agents_file(file).agent_hashes.size() == 2);
}

TEST_CASE("desk routes: an agent added while the desk runs logs in without a restart", "[desk]") {
  testing::TempDir dir{"passage-desk"};
  const auto file = dir.path() / "agents";
  add_agent(file, "jane");
  Store store(dir.path() / "passage.db");
  ManualClock clock(at(0));
  DeskRoutes routes(store, DeskFixture::config(), clock, read_agents_file(file));
  const std::string omar = add_agent(file, "omar");
  DeskAnswer ok = routes.answer(DeskRequest{"POST", "/login", "name=omar&token=" + omar, "", "127.0.0.1"}, at(0));
  CHECK(ok.status == 303);
  CHECK(contains(ok.log_line, "support:omar"));
}

TEST_CASE("desk sessions: a flash is shown once, and only for its own session", "[desk]") {
  SessionStore sessions;
  DeskSession jane = sessions.open("support:jane", at(0));
  DeskSession omar = sessions.open("support:omar", at(0));
  sessions.set_flash(jane.id, DeskFlash{"hakim: held", false});
  CHECK_FALSE(sessions.take_flash(omar.id));
  auto flash = sessions.take_flash(jane.id);
  REQUIRE(flash);
  CHECK(flash->text == "hakim: held");
  CHECK_FALSE(sessions.take_flash(jane.id));
  sessions.set_flash("no-such-session", DeskFlash{"x", false});
  CHECK_FALSE(sessions.take_flash("no-such-session"));
}

TEST_CASE("desk progress: FAILED and HELD grouped by reason code, a held account under each of its reasons",
          "[desk]") {
  std::vector<Account> accounts(4);
  accounts[0].state = State::failed;
  accounts[0].state_reason = "delete_stuck: no answer";
  accounts[1].state = State::failed;
  accounts[1].state_reason = "delete_stuck";
  accounts[2].state = State::held;
  accounts[2].hold_reasons = {"delete_stuck", "ticket 12"};
  accounts[3].state = State::failed;
  const auto groups = group_by_reason(accounts);
  REQUIRE(groups.size() == 3);
  CHECK(groups[0].code == "delete_stuck");
  CHECK(groups[0].accounts.size() == 3);
  CHECK_FALSE(groups[0].sentence.empty());
  bool free_text = false, bare = false;
  for (const auto& group : groups) {
    free_text = free_text || (group.code == "ticket 12" && group.sentence.empty());
    bare = bare || group.code == "FAILED";
  }
  CHECK(free_text);
  CHECK(bare);
}

TEST_CASE("desk mail preview: an outbox message reads back as sent", "[desk]") {
  const std::string message =
      "Date: Sun, 06 Dec 2026 10:00:00 +0000\r\nMessage-ID: <export_ready.x.example.a1.20270115@passage>\r\n"
      "From: a@example.org\r\nTo: hakim@example.org\r\nSubject: =?UTF-8?B?w4l0w6k=?=\r\nMIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "Qm9uam91ciwKw6l0w6k=\r\n";
  auto preview = parse_outbox_message(message);
  REQUIRE(preview);
  CHECK(preview->message_id == "export_ready.x.example.a1.20270115@passage");
  CHECK(preview->to == "hakim@example.org");
  CHECK(preview->subject == "Été");
  CHECK(preview->body == "Bonjour,\nété");
  CHECK(preview->exact);
  CHECK_FALSE(parse_outbox_message("no headers end"));
}

TEST_CASE("desk routes: an agent removed from the agents file is out at once, an unusable file lets nobody in",
          "[desk]") {
  testing::TempDir dir{"passage-desk"};
  const auto file = dir.path() / "agents";
  const std::string jane = add_agent(file, "jane");
  const std::string omar = add_agent(file, "omar");
  Store store(dir.path() / "passage.db");
  ManualClock clock(at(0));
  DeskRoutes routes(store, DeskFixture::config(), clock, read_agents_file(file));
  auto send = [&](const std::string& method, const std::string& target, const std::string& body,
                  const std::string& cookie) {
    return routes.answer(DeskRequest{method, target, body, cookie, "127.0.0.1"}, at(1));
  };
  auto log_in = [&](const std::string& name, const std::string& token) {
    DeskAnswer answer = send("POST", "/login", "name=" + name + "&token=" + token, "");
    return answer.status == 303 ? answer.set_cookie.substr(0, answer.set_cookie.find(';')) : std::string();
  };
  const std::string jane_cookie = log_in("jane", jane);
  const std::string omar_cookie = log_in("omar", omar);
  REQUIRE_FALSE(omar_cookie.empty());
  CHECK(send("GET", "/?q=x", "", omar_cookie).status == 200);

  // omar's line removed: his open session closes, his token no longer works.
  {
    std::ifstream in(file);
    std::string line, kept;
    while (std::getline(in, line))
      if (line.rfind("omar ", 0) != 0) kept += line + "\n";
    in.close();
    std::ofstream(file, std::ios::trunc) << kept;
  }
  DeskAnswer after = send("GET", "/account/1", "", omar_cookie);
  CHECK(after.status == 401);
  CHECK(log_in("omar", omar).empty());
  CHECK(send("GET", "/?q=x", "", jane_cookie).status == 200);

  // Emptied (the last agent revoked): nobody, and the log says why.
  std::ofstream(file, std::ios::trunc) << "# nobody for now\n";
  DeskAnswer refused = send("POST", "/login", "name=jane&token=" + jane, "");
  CHECK(refused.status == 401);
  CHECK(contains(refused.log_line, "nobody can log in"));
  CHECK(send("GET", "/account/1", "", jane_cookie).status == 401);  // her session closed too
  // Deleted: nobody either.
  std::filesystem::remove(file);
  CHECK(log_in("jane", jane).empty());
}
