// The HTML report of a real dry-run campaign, loaded in a real headless
// Chromium (Debian's `chromium`, installed by scripts/setup): the DOM the
// browser built holds the campaign, the summary and one row per account, and
// markup injected through a support reason stayed text.
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

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

}  // namespace

TEST_CASE("The html report renders in headless Chromium with every account and no injected markup",
          "[report][html]") {
  REQUIRE(fs::exists(k_chromium));  // scripts/setup installs Debian's chromium
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
      "<tr data-state=\"([A-Z_]+)\"><td class=\"state\">\\1</td><td class=\"num\">([0-9]+)</td></tr>");
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
