// The HTML report of a real dry-run campaign, loaded in a real headless
// Chromium (Debian's `chromium`, installed by scripts/setup): the DOM the
// browser built holds the campaign, the summary, the SVG charts, the
// academy's language throughout and one row per account, and markup
// injected through a support reason stayed text. Without chromium the
// tests say so and skip (CI installs it through scripts/setup).
#include <catch2/catch.hpp>

#include <map>
#include <regex>

#include "tests/integration/probe.hpp"
#include "tests/support/temp_dir.hpp"

using namespace passage::testing;
namespace fs = std::filesystem;

namespace {

const std::string k_now = "2026-11-25T10:00:00";  // every departure (2026-10-01) is past
const std::string k_chromium = "/usr/bin/chromium";
const std::string k_injected = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>";
constexpr Millis k_browser_timeout{60000};

void require_ok(const ProcessResult& result) {
  INFO("stdout: " << result.out);
  INFO("stderr: " << result.err);
  REQUIRE_FALSE(result.timed_out);
  REQUIRE(result.exit_code == 0);
}

// Headless Chromium on a local file, with nothing fetched from the network
// and a throw-away profile; `extra` selects what it does (dump, screenshot).
ProcessResult chromium(const fs::path& page, const std::vector<std::string>& extra) {
  TempDir profile("passage-chromium");
  std::vector<std::string> argv{k_chromium,
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--user-data-dir=" + profile.path().string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back("file://" + page.string());
  return run_process(argv, k_browser_timeout, profile.path());
}

std::string last_line(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  const auto newline = trimmed.rfind('\n');
  return newline == std::string::npos ? trimmed : trimmed.substr(newline + 1);
}

// The text of the element opened by `start` up to the next `end`.
std::string between(const std::string& text, const std::string& start, const std::string& end) {
  const auto from = text.find(start);
  REQUIRE(from != std::string::npos);
  const auto to = text.find(end, from);
  REQUIRE(to != std::string::npos);
  return text.substr(from, to - from);
}

// Catch2 2.13 has no SKIP: the test passes with a warning naming why.
bool chromium_missing() {
  if (fs::exists(k_chromium)) return false;
  WARN("SKIPPED: " << k_chromium << " is missing (scripts/setup installs Debian's chromium)");
  return true;
}

// The campaign's HTML report as headless Chromium built its DOM.
std::string rendered_report(const Workspace& ws) {
  ProcessResult report = ws.passage({"report", "c1", "--format", "html", "--now", k_now});
  require_ok(report);
  const fs::path page = last_line(report.out);
  REQUIRE(fs::is_regular_file(page));
  ProcessResult dump = chromium(page, {"--dump-dom"});
  INFO("chromium stderr: " << dump.err);
  REQUIRE_FALSE(dump.timed_out);
  REQUIRE(dump.exit_code == 0);
  return dump.out;
}

void create_and_run(const Workspace& ws, int accounts) {
  ws.write_accounts("accounts.csv", accounts);
  require_ok(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now}));
  require_ok(ws.passage({"run", "--until-idle", "--now", k_now}));
}

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

}  // namespace

TEST_CASE("The html report renders in headless Chromium with every account and no injected markup",
          "[report][html]") {
  if (chromium_missing()) return;
  constexpr int k_accounts = 12;
  Workspace ws;
  ws.write_accounts("accounts.csv", k_accounts);
  require_ok(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now}));
  require_ok(ws.passage({"run", "--until-idle", "--now", k_now}));
  require_ok(ws.passage({"account", "hold", login_of(1), "--reason", k_injected, "--by", "support:alice",
                         "--now", k_now}));

  ProcessResult report = ws.passage({"report", "c1", "--format", "html", "--now", k_now});
  require_ok(report);
  const fs::path page = last_line(report.out);
  CHECK(page.parent_path() == ws.reports_dir());
  CHECK(std::regex_match(page.filename().string(), std::regex("c1-[0-9]{8}T[0-9]{6}\\.html")));
  REQUIRE(fs::is_regular_file(page));

  ProcessResult dump = chromium(page, {"--dump-dom"});
  INFO("chromium stderr: " << dump.err);
  REQUIRE_FALSE(dump.timed_out);
  REQUIRE(dump.exit_code == 0);
  const std::string& dom = dump.out;

  CHECK(dom.find("<html lang=\"fr\">") != std::string::npos);
  CHECK(dom.find("<span id=\"campaign\">c1</span>") != std::string::npos);
  CHECK(dom.find("<title>Passage — campagne c1</title>") != std::string::npos);

  // One row per account, each login once.
  const std::string table = between(dom, "<table id=\"accounts\">", "</table>");
  const std::string rows = between(table, "<tbody>", "</tbody>");
  CHECK(count_of(rows, "<tr") == k_accounts);
  for (int n = 1; n <= k_accounts; ++n) CHECK(count_of(rows, "data-login=\"" + login_of(n) + "\"") == 1);

  // The summary matches `status`: every state with a count > 0, nothing else.
  std::map<std::string, std::int64_t> expected;
  for (const auto& [state, count] : state_counts(ws, "c1"))
    if (count > 0) expected[state] = count;
  const std::string states = between(dom, "<table id=\"states\">", "</table>");
  static const std::regex state_row(
      "<tr data-state=\"([A-Z_]+)\"><td class=\"state\">[^<]+</td><td class=\"num\">([0-9]+)</td></tr>");
  std::map<std::string, std::int64_t> shown;
  for (auto it = std::sregex_iterator(states.begin(), states.end(), state_row); it != std::sregex_iterator();
       ++it)
    shown[(*it)[1]] = std::stoll((*it)[2]);
  CHECK(shown == expected);
  CHECK(shown.count("HELD") == 1);
  CHECK(dom.find("<table id=\"evidence-kinds\">") != std::string::npos);

  // The reason stayed text: no element came of it, and the title is untouched.
  CHECK(dom.find("<script") == std::string::npos);
  CHECK(dom.find("<img") == std::string::npos);
  CHECK(dom.find("pwned</title>") == std::string::npos);
  const std::string held = between(rows, "data-login=\"" + login_of(1) + "\"", "</tr>");
  CHECK(held.find("&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;") !=
        std::string::npos);

  const fs::path png = ws.dir() / "report.png";
  ProcessResult shot = chromium(page, {"--screenshot=" + png.string(), "--window-size=1280,900"});
  INFO("chromium stderr: " << shot.err);
  REQUIRE_FALSE(shot.timed_out);
  CHECK(shot.exit_code == 0);
  REQUIRE(fs::is_regular_file(png));
  CHECK(fs::file_size(png) > 0);
  CHECK(read_file(png).starts_with("\x89PNG\r\n\x1a\n"));
}

TEST_CASE("The html report renders in Chromium in French with its SVG charts", "[report][html]") {
  if (chromium_missing()) return;
  Workspace ws;
  create_and_run(ws, 6);
  require_ok(ws.passage({"account", "hold", login_of(2), "--reason", "en arrêt maladie", "--by", "support:alice",
                         "--now", k_now}));
  const std::string dom = rendered_report(ws);
  CHECK(dom.find("<html lang=\"fr\">") != std::string::npos);
  // The charts, inline, drawn as SVG elements by the browser.
  const std::string states = between(dom, "<svg id=\"states-chart\"", "</svg>");
  CHECK(count_of(states, "<rect") >= 2);
  CHECK(states.find(">25/11</text>") != std::string::npos);
  CHECK(states.find("25 novembre 2026 — Délai de grâce : 5") != std::string::npos);
  const std::string failures = between(dom, "<svg id=\"failures-chart\"", "</svg>");
  CHECK(failures.find("en arrêt maladie : 1") != std::string::npos);
  // French words throughout: headings, states, evidence, dates.
  for (const char* words : {"Comptes par état", "Évolution", "États des comptes par jour", "Délai de grâce",
                            "Suspendu", "export vérifié", "1 octobre 2026", "Suppression à partir du"})
    CHECK(dom.find(words) != std::string::npos);
  for (const char* english : {"Accounts by state", "Grace period", "verified export", "October"})
    CHECK(dom.find(english) == std::string::npos);
}

TEST_CASE("The html report renders in Chromium in English when notify.language is en", "[report][html]") {
  if (chromium_missing()) return;
  Workspace ws;
  std::string config = read_file(ws.config());
  const std::string notify = "notify: { notifier: outbox, dir: var/outbox }";
  const auto at = config.find(notify);
  REQUIRE(at != std::string::npos);
  config.replace(at, notify.size(), "notify: { notifier: outbox, dir: var/outbox, language: en }");
  write_file(ws.config(), config);
  create_and_run(ws, 6);
  const std::string dom = rendered_report(ws);
  CHECK(dom.find("<html lang=\"en\">") != std::string::npos);
  CHECK(dom.find("<svg id=\"states-chart\"") != std::string::npos);
  CHECK(dom.find("<svg id=\"failures-chart\"") != std::string::npos);
  for (const char* words : {"Accounts by state", "Account states per day", "Grace period", "verified export",
                            "1 October 2026", "Deletion from"})
    CHECK(dom.find(words) != std::string::npos);
  for (const char* french : {"Comptes par état", "Délai de grâce", "octobre", "Suppression à partir du"})
    CHECK(dom.find(french) == std::string::npos);
}
