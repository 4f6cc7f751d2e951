// The support desk's remaining actions and pages (issue 13) through the
// real binary: export again (on the page and the command line) with the
// 24-hour rule and the "as you asked" notice, the preview of the mails the
// person was sent, a campaign's progress, and `serve add-agent`.

#include <catch2/catch.hpp>

#include <filesystem>

#include "engine/env/time.hpp"
#include "tests/integration/desk_serve.hpp"
#include "tests/integration/probe.hpp"
#include "tests/integration/smtp_fixture.hpp"

using namespace passage::testing;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void require_exit(const ProcessResult& result, int code) {
  INFO("stdout: " << result.out);
  INFO("stderr: " << result.err);
  REQUIRE(result.exit_code == code);
}

std::string column(const Workspace& ws, const std::string& login, const std::string& name) {
  Db db(ws.database());
  return db.rows("SELECT " + name + " FROM accounts WHERE login = '" + login + "'")[0][0];
}

fs::path outbox_file(const Workspace& ws, const std::string& prefix) {
  for (const auto& entry : fs::directory_iterator(ws.outbox_dir()))
    if (entry.path().filename().string().rfind(prefix, 0) == 0) return entry.path();
  return {};
}

}  // namespace

TEST_CASE("serve: the mails the person was sent, read back from the outbox or rendered again", "[desk][desk-more]") {
  DeskWorkspace desk;
  DeskServe serve(desk.ws, k_desk_start);
  const std::string cookie = serve.log_in("jane");
  const std::string url = serve.base() + "/account/" + desk.id_of("hakim");
  HttpAnswer page = http_request("GET", url, "", cookie);
  REQUIRE(contains(page.body, "href=\"/account/" + desk.id_of("hakim") + "/mail/1\""));

  HttpAnswer mail = http_request("GET", url + "/mail/1", "", cookie);
  REQUIRE(mail.status == 200);
  CHECK(contains(mail.body, "exactement ce qui a été envoyé"));
  CHECK(contains(mail.body, "Hakim.BenAli@Laposte.net"));
  CHECK(contains(mail.body, "hakim.mytoutatice.cloud"));
  CHECK(contains(mail.body, "25 décembre 2026"));  // the deletion date told, in French
  // The personal link's token opens the archive: never on the page.
  CHECK(contains(mail.body, "/d/[…]"));
  CHECK(contains(mail.body, "le jeton du lien personnel est masqué"));
  const std::string sent = read_file(outbox_file(desk.ws, "export_ready.hakim."));
  CHECK(contains(sent, "Content-Transfer-Encoding: base64"));
  CHECK(http_request("GET", url + "/mail/9", "", cookie).status == 404);
  CHECK(http_request("GET", url + "/mail/1").status == 401);

  // Gone from the outbox: rendered again from the templates, and said so.
  REQUIRE(fs::remove(outbox_file(desk.ws, "export_ready.hakim.")));
  HttpAnswer again = http_request("GET", url + "/mail/1", "", cookie);
  INFO(again.body);
  REQUIRE(again.status == 200);
  CHECK(contains(again.body, "rendu de nouveau avec les modèles"));
  CHECK(contains(again.body, "25 décembre 2026"));
}

TEST_CASE("serve: export again through the page, then the run waits for the 24-hour rule and says as you asked",
          "[desk][desk-more][reexport]") {
  DeskWorkspace desk;
  const std::string grace_before = column(desk.ws, "karim", "grace_end");
  {
    DeskServe serve(desk.ws, k_desk_start);
    const std::string cookie = serve.log_in("omar");
    const std::string url = serve.base() + "/account/" + desk.id_of("karim");
    const std::string tokens = form_tokens(http_request("GET", url, "", cookie).body);
    CHECK(http_request("POST", url + "/reexport", "reason=+&" + tokens, cookie).status == 400);
    HttpAnswer done = http_request("POST", url + "/reexport", "reason=link+expired%2C+ticket+88&" + tokens, cookie);
    REQUIRE(done.status == 303);
    CHECK(contains(http_request("GET", url, "", cookie).body,
                   "Fait : karim : Délai de grâce → En attente : nouvel export : link expired, ticket 88"));
  }
  CHECK(column(desk.ws, "karim", "state") == "QUEUED");
  CHECK(column(desk.ws, "karim", "delivery") == "archive");
  CHECK(column(desk.ws, "karim", "reexport_requested_by") == "support");
  CHECK(column(desk.ws, "hakim", "state") == "GRACE");  // nobody else

  // An hour later: the 24-hour rule keeps the export back.
  require_exit(desk.ws.passage({"run", "--until-idle", "--now", "2026-11-25T11:00:00"}), 0);
  CHECK(column(desk.ws, "karim", "state") == "RETRY_WAIT");
  CHECK(contains(column(desk.ws, "karim", "state_reason"), "24-hour rule"));
  // A day later: exported, verified, the person told as they asked, the
  // deletion date never earlier than before.
  require_exit(desk.ws.passage({"run", "--until-idle", "--now", "2026-11-26T12:00:00"}), 0);
  CHECK(column(desk.ws, "karim", "state") == "GRACE");
  CHECK(column(desk.ws, "karim", "grace_end") >= grace_before);
  const auto notices = outbox_notices(desk.ws.outbox_dir(), "reexport");
  REQUIRE(notices.size() == 1);
  CHECK(contains(notices.begin()->second, "Comme vous l'avez demandé à l'assistance"));
  Db db(desk.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE actor = 'support:omar' AND detail LIKE '%ticket 88%'") == 1);
}

TEST_CASE("account reexport on the command line: refused for what is not exported, bulk by selection",
          "[desk][desk-more][reexport]") {
  DeskWorkspace desk;
  const std::string now = k_desk_start;
  ProcessResult refused_held = [&] {
    require_exit(desk.ws.passage({"account", "hold", "hakim", "--reason", "ticket", "--by", "jane", "--now", now}), 0);
    return desk.ws.passage({"account", "reexport", "hakim", "--reason", "link", "--by", "jane", "--now", now});
  }();
  require_exit(refused_held, 2);
  CHECK(contains(refused_held.err, "HELD"));
  ProcessResult done =
      desk.ws.passage({"account", "reexport", "--state", "GRACE", "--reason", "links expired", "--by", "jane", "--now", now});
  require_exit(done, 0);
  CHECK(contains(done.out, "reexport: 1 of 1 account acted on"));
  CHECK(column(desk.ws, "karim", "state") == "QUEUED");
  CHECK(column(desk.ws, "hakim", "state") == "HELD");
}

TEST_CASE("serve: a campaign's progress: counts by state, failures by reason, the next nights' deletions",
          "[desk][desk-more]") {
  DeskWorkspace desk;
  require_exit(desk.ws.passage({"account", "hold", "hakim", "--reason", "ticket 9", "--by", "jane", "--now",
                                k_desk_start}),
               0);
  // Three days before karim's deletion (2026-12-25): it is among the next nights'.
  DeskServe serve(desk.ws, "2026-12-22T10:00:00");
  const std::string cookie = serve.log_in("jane");
  HttpAnswer home = http_request("GET", serve.base() + "/", "", cookie);
  Db db(desk.ws.database());
  const std::string campaign = std::to_string(db.scalar("SELECT id FROM campaigns WHERE name = 'c1'"));
  REQUIRE(contains(home.body, "href=\"/campaign/" + campaign + "\""));
  HttpAnswer progress = http_request("GET", serve.base() + "/campaign/" + campaign, "", cookie);
  REQUIRE(progress.status == 200);
  CHECK(contains(progress.body, "<td>Délai de grâce (GRACE)</td><td>1</td>"));
  CHECK(contains(progress.body, "<td>Suspendu (HELD)</td><td>1</td>"));
  CHECK(contains(progress.body, "<td>En attente (QUEUED)</td><td>0</td>"));
  CHECK(contains(progress.body, "Suppressions des 7 prochaines nuits"));
  CHECK(contains(progress.body, "ticket 9"));
  CHECK(contains(progress.body, "href=\"/account/" + desk.id_of("hakim") + "\""));
  CHECK(contains(progress.body, "<td>25 décembre 2026</td><td>1</td>"));
  CHECK(contains(progress.body, "href=\"/account/" + desk.id_of("karim") + "\""));
  CHECK(http_request("GET", serve.base() + "/campaign/999", "", cookie).status == 404);
  CHECK(http_request("GET", serve.base() + "/campaign/" + campaign).status == 401);
}

TEST_CASE("serve add-agent: the token is shown once, logs in at once, only its hash is kept", "[desk][desk-more]") {
  DeskWorkspace desk;
  std::string config = read_file(desk.ws.config());
  const auto at = config.find("serve: { ");
  REQUIRE(at != std::string::npos);
  config.insert(at + 9, "agents_file: agents.txt, ");
  write_file(desk.ws.config(), config);
  Environment env;
  for (auto& pair : desk.ws.environment())
    if (pair.first != "PASSAGE_SERVE_TOKEN") env.push_back(pair);
  desk.ws.set_environment(env);

  ProcessResult first = desk.ws.passage({"serve", "add-agent", "jane"});
  require_exit(first, 0);
  const std::string jane = first.out.substr(first.out.rfind(':') + 2, first.out.size() - first.out.rfind(':') - 3);
  REQUIRE(jane.size() >= 40);
  CHECK_FALSE(contains(read_file(desk.ws.dir() / "agents.txt"), jane));
  require_exit(desk.ws.passage({"serve", "add-agent", "jane"}), 2);

  DeskServe serve(desk.ws, k_desk_start);
  // Added while the desk runs: no restart.
  ProcessResult second = desk.ws.passage({"serve", "add-agent", "omar"});
  require_exit(second, 0);
  const std::string omar = second.out.substr(second.out.rfind(':') + 2, second.out.size() - second.out.rfind(':') - 3);
  CHECK(http_request("POST", serve.base() + "/login", "name=jane&token=" + jane).status == 303);
  CHECK(http_request("POST", serve.base() + "/login", "name=omar&token=" + omar).status == 303);
  CHECK(http_request("POST", serve.base() + "/login", "name=omar&token=" + jane).status == 401);
}
