// The support desk page (`passage serve`, issue 13) in a real headless
// Chromium (Debian's `chromium`, installed by scripts/setup): the login
// page as the browser built it (--dump-dom); then, driven over the
// DevTools protocol (tests/support/desk_browser.py, through
// --remote-debugging-pipe), a login, a search by part of an e-mail, a
// postpone and the new date in the timeline, a form without its CSRF
// token refused, all in French (the desk's default language); every
// request to the desk itself, its stylesheet applied under the
// Content-Security-Policy, no console error, the cookie out of the
// scripts' reach. Without chromium the tests say so and skip.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "tests/integration/desk_serve.hpp"
#include "tests/integration/probe.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passage::testing;
namespace fs = std::filesystem;

namespace {

const std::string k_chromium = "/usr/bin/chromium";
const std::string k_driver = std::string(PASSAGE_SOURCE_DIR) + "/tests/support/desk_browser.py";
constexpr Millis k_browser_timeout{120000};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool chromium_missing() {
  if (fs::exists(k_chromium)) return false;
  WARN("SKIPPED: " << k_chromium << " is missing (scripts/setup installs Debian's chromium)");
  return true;
}

std::string dump_dom(const std::string& url) {
  TempDir profile("passage-chromium");
  ProcessResult result = run_process(
      {k_chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
       "--disable-background-networking", "--disable-component-update", "--disable-sync",
       "--user-data-dir=" + profile.path().string(), "--dump-dom", url},
      k_browser_timeout, profile.path());
  INFO("stderr: " << result.err);
  REQUIRE(result.exit_code == 0);
  return result.out;
}

std::string text_at(const boost::json::object& seen, const char* key) {
  const auto* value = seen.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string{};
}

}  // namespace

TEST_CASE("desk page in Chromium: the login page renders, with nothing from elsewhere", "[desk][browser]") {
  if (chromium_missing()) return;
  DeskWorkspace desk;
  DeskServe serve(desk.ws, k_desk_start);
  const std::string dom = dump_dom(serve.base() + "/");
  CHECK(contains(dom, "<form method=\"post\" action=\"/login\">"));
  CHECK(contains(dom, "name=\"token\""));
  CHECK_FALSE(contains(dom, "<script"));
  CHECK_FALSE(contains(dom, "https://"));
  CHECK_FALSE(contains(dom, "src=\"http"));
}

TEST_CASE("desk page in Chromium: log in, search part of an e-mail, postpone, see the new date", "[desk][browser]") {
  if (chromium_missing()) return;
  DeskWorkspace desk;
  DeskServe serve(desk.ws, k_desk_start);
  ProcessResult driven = run_process({"/usr/bin/python3", k_driver, k_chromium, serve.base(), "jane", k_desk_token,
                                      "benali@LAPOSTE", "10", "ticket 4711"},
                                     k_browser_timeout, desk.ws.dir());
  INFO("driver stderr: " << driven.err);
  INFO("driver stdout: " << driven.out);
  REQUIRE(driven.exit_code == 0);
  const boost::json::object report = boost::json::parse(driven.out).as_object();
  const boost::json::object& seen = report.at("seen").as_object();
  REQUIRE(text_at(seen, "driver_error").empty());

  CHECK(contains(text_at(seen, "login_page"), "Connexion"));
  CHECK(contains(text_at(seen, "login_page"), "Jeton de l'assistance"));
  CHECK(text_at(seen, "page_lang") == "fr");
  CHECK(text_at(seen, "login_style") == "rgb(11, 83, 148)");  // the desk's stylesheet, allowed by the CSP
  CHECK(contains(text_at(seen, "after_login"), "support:jane"));
  CHECK(text_at(seen, "cookie_visible_to_script").empty());  // HttpOnly
  CHECK(contains(text_at(seen, "results"), "hakim"));
  CHECK_FALSE(contains(text_at(seen, "results"), "karim"));
  CHECK(contains(text_at(seen, "account_page"), "Historique"));
  CHECK(contains(text_at(seen, "account_page"), "Reporter la suppression"));
  CHECK(contains(text_at(seen, "after_postpone"), "Fait : hakim : suppression reportée au 4 janvier 2027"));
  CHECK(contains(text_at(seen, "account_again"), "suppression reportée au 4 janvier 2027 par support:jane"));
  CHECK(contains(text_at(seen, "account_again"), "support:jane"));
  CHECK(contains(text_at(seen, "without_csrf"), "Le jeton CSRF du formulaire manque"));

  for (const auto& url : report.at("requests").as_array()) {
    const std::string text(url.as_string());
    INFO("requested: " << text);
    // data: is the browser's own icon of the date input, never the network.
    CHECK((text.rfind(serve.base() + "/", 0) == 0 || text == "about:blank" || text.rfind("data:", 0) == 0));
  }
  std::vector<std::string> errors;
  for (const auto& error : report.at("errors").as_array()) errors.emplace_back(error.as_string());
  // The one refusal the test provoked (403 for the form without its token) is the only error allowed.
  std::erase_if(errors, [](const std::string& error) { return contains(error, "403"); });
  INFO("console errors: " << errors.size() << (errors.empty() ? "" : ": " + errors.front()));
  CHECK(errors.empty());

  Db db(desk.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE actor = 'support:jane' AND detail LIKE '%ticket 4711%'") >= 1);
  CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE detail LIKE '%forged%'") == 0);
}
