#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "plugins/reporters/html_chart.hpp"
#include "plugins/reporters/reporters.hpp"

using namespace passage;
namespace fs = std::filesystem;

namespace {

Instant at(int y, unsigned m, unsigned d, int hours = 0) {
  return Instant(date::sys_days(date::year_month_day(date::year(y), date::month(m), date::day(d)))) +
         std::chrono::hours(hours);
}

Account account(const std::string& login, State state) {
  Account a;
  a.login = login;
  a.domain = login + ".mytoutatice.cloud";
  a.departure_date = date::year(2026) / 10 / 1;
  a.state = state;
  return a;
}

Account exported(const std::string& login, State state) {
  Account a = account(login, state);
  a.verified_at = at(2026, 11, 25, 9);
  a.grace_end = at(2026, 12, 25, 9);
  a.evidence = {"export", "exp-" + login,
                {{0, 1234567, 12, std::string(64, 'a'), {}}, {1, 1000, 3, std::string(64, 'b'), {}}}, {}, {}};
  return a;
}

ReportInput sample() {
  ReportInput input{"rentrée 2026", at(2026, 11, 25, 10), {}};
  input.accounts.push_back(exported("u0001", State::purged));
  input.accounts.back().purged_at = at(2027, 1, 4, 22);
  input.accounts.back().purge_kind = "deleted";
  input.accounts.push_back(exported("u0002", State::grace));
  input.accounts.push_back(exported("u0003", State::grace));
  Account moved = account("u0004", State::grace);
  moved.action = Action::move;
  moved.evidence.kind = "moved";
  input.accounts.push_back(moved);
  Account held = account("u0005", State::held);
  held.state_reason = "<script>alert('x')</script> & co";
  input.accounts.push_back(held);
  input.accounts.push_back(account("<script>evil()</script>", State::failed));
  return input;
}

Config paris() {
  Config config;
  config.zone = date::locate_zone("Europe/Paris");
  return config;
}

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// The text between `start` and the next `end` after it.
std::string between(const std::string& text, const std::string& start, const std::string& end) {
  const auto from = text.find(start);
  REQUIRE(from != std::string::npos);
  const auto to = text.find(end, from);
  REQUIRE(to != std::string::npos);
  return text.substr(from, to - from);
}

// The summary rows of `table` matched by `row`: first group → second group.
std::map<std::string, std::string> summary(const std::string& table, const std::regex& row) {
  std::map<std::string, std::string> counts;
  for (auto it = std::sregex_iterator(table.begin(), table.end(), row); it != std::sregex_iterator(); ++it)
    counts[(*it)[1]] = (*it)[2];
  return counts;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("the html report is a self-contained French UTF-8 page", "[report]") {
  const std::string html = report_html(sample(), paris());
  CHECK(html.starts_with("<!DOCTYPE html>"));
  CHECK(html.find("<html lang=\"fr\">") != std::string::npos);
  CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
  CHECK(html.find("<style>") != std::string::npos);
  // Nothing fetched from elsewhere: no script, no stylesheet link, no remote URL.
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("stylesheet") == std::string::npos);
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK(html.find("rentrée 2026") != std::string::npos);
  CHECK(html.find("2026-11-25T10:00:00") != std::string::npos);
  CHECK(report_format_known("html"));
}

TEST_CASE("the html report escapes a login and a reason holding markup", "[report]") {
  const std::string html = report_html(sample(), paris());
  CHECK(count_of(html, "<script") == 0);
  CHECK(html.find("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; co") != std::string::npos);
  CHECK(html.find("&lt;script&gt;evil()&lt;/script&gt;") != std::string::npos);
}

TEST_CASE("the html report has one row per account with its fields", "[report]") {
  const ReportInput input = sample();
  const std::string html = report_html(input, paris());
  const std::string rows = between(html, "<table id=\"accounts\">", "</table>");
  CHECK(count_of(between(rows, "<tbody>", "</tbody>"), "<tr") == static_cast<int>(input.accounts.size()));
  for (const char* login : {"u0001", "u0002", "u0003", "u0004", "u0005"})
    CHECK(rows.find(std::string("data-login=\"") + login + "\"") != std::string::npos);
  CHECK(rows.find("data-login=\"&lt;script&gt;evil()&lt;/script&gt;\"") != std::string::npos);

  const std::string first = between(rows, "data-login=\"u0001\"", "</tr>");
  CHECK(first.find("PURGED") != std::string::npos);
  CHECK(first.find("2026-10-01") != std::string::npos);            // departure
  CHECK(first.find("2026-11-25T09:00:00") != std::string::npos);   // verified at
  CHECK(first.find("2026-12-25") != std::string::npos);            // deletion date
  CHECK(first.find("2027-01-04T22:00:00") != std::string::npos);   // purged at
  CHECK(first.find("deleted") != std::string::npos);
  CHECK(first.find("exp-u0001") != std::string::npos);
  CHECK(first.find("2 parties, <span class=\"bytes\">1\u202f235\u202f567 octets") != std::string::npos);
  CHECK(first.find("<details>") != std::string::npos);
  CHECK(first.find(std::string(64, 'a')) != std::string::npos);
  CHECK(first.find(std::string(64, 'b')) != std::string::npos);

  const std::string moved = between(rows, "data-login=\"u0004\"", "</tr>");
  CHECK(moved.find("moved") != std::string::npos);
  CHECK(moved.find("<details>") == std::string::npos);
  const std::string held = between(rows, "data-login=\"u0005\"", "</tr>");
  CHECK(held.find("aucune") != std::string::npos);
}

TEST_CASE("the html report summary counts accounts per state and evidence kind", "[report]") {
  using Counts = std::map<std::string, std::string>;
  const std::string html = report_html(sample(), paris());
  static const std::regex state_row(
      "<tr data-state=\"([A-Z_]+)\"><td class=\"state\">[^<]+</td><td class=\"num\">([0-9]+)</td></tr>");
  CHECK(summary(between(html, "<table id=\"states\">", "</table>"), state_row) ==
        Counts{{"PURGED", "1"}, {"GRACE", "3"}, {"HELD", "1"}, {"FAILED", "1"}});
  static const std::regex kind_row(
      "<tr data-kind=\"([a-z]+)\"><td>[^<]*</td><td class=\"num\">([0-9]+)</td></tr>");
  CHECK(summary(between(html, "<table id=\"evidence-kinds\">", "</table>"), kind_row) ==
        Counts{{"export", "3"}, {"moved", "1"}, {"none", "2"}});
}

TEST_CASE("the html report of an empty campaign still renders", "[report]") {
  const ReportInput input{"vide", at(2026, 11, 25), {}};
  const std::string html = report_html(input, paris());
  CHECK(html.find("vide") != std::string::npos);
  CHECK(count_of(between(html, "<table id=\"accounts\">", "</table>"), "<tr") == 1);  // the header row
}

TEST_CASE("embedded report templates match reports/templates", "[report]") {
  const fs::path folder = PASSAGE_SOURCE_DIR "/reports/templates";
  std::set<std::string> on_disk;
  for (const auto& file : fs::directory_iterator(folder))
    if (file.path().extension() == ".mustache") on_disk.insert(file.path().stem().string());
  std::set<std::string> embedded;
  for (const auto& builtin : builtin_report_templates()) {
    const std::string name(builtin.name);
    INFO(name << ": run scripts/embed-report-templates");
    embedded.insert(name);
    CHECK(read_file(folder / (name + ".mustache")) == builtin.text);
  }
  INFO("run scripts/embed-report-templates");
  CHECK(embedded == on_disk);
  CHECK(embedded.count("campaign.html") == 1);
}

namespace {

Config english() {
  Config config = paris();
  config.notify.language = "en";
  return config;
}

// A history in journal order: u0001..u0003 imported on 20 November,
// exported on the 22nd, in grace on the 24th (journal times in UTC, days
// local in Paris).
ReportInput with_history() {
  ReportInput input = sample();
  for (std::size_t i = 0; i < input.accounts.size(); ++i) input.accounts[i].id = static_cast<std::int64_t>(i + 1);
  for (std::int64_t id = 1; id <= 3; ++id) input.history.push_back({id, at(2026, 11, 20, 8), State::queued});
  for (std::int64_t id = 1; id <= 3; ++id) input.history.push_back({id, at(2026, 11, 22, 8), State::verified});
  for (std::int64_t id = 1; id <= 3; ++id) input.history.push_back({id, at(2026, 11, 24, 8), State::grace});
  input.history.push_back({1, at(2026, 11, 24, 23) + std::chrono::minutes(30), State::purged});
  return input;
}

}  // namespace

TEST_CASE("the html report is in French by default: states, kinds, reasons and dates in words", "[report]") {
  ReportInput input = sample();
  input.accounts[4].state_reason = "directory_active";
  input.accounts[5].state_reason = "delete_failed: HTTP 500";
  const std::string html = report_html(input, paris());
  CHECK(html.find("<html lang=\"fr\">") != std::string::npos);
  const std::string rows = between(html, "<table id=\"accounts\">", "</table>");
  const std::string first = between(rows, "data-login=\"u0001\"", "</tr>");
  CHECK(first.find("<td class=\"state\">Supprimé</td>") != std::string::npos);
  CHECK(first.find("export vérifié") != std::string::npos);
  CHECK(first.find("1 octobre 2026") != std::string::npos);                 // departure
  CHECK(first.find("25 novembre 2026 à 10:00") != std::string::npos);       // verified, Paris time
  CHECK(first.find("25 décembre 2026") != std::string::npos);               // deletion date
  CHECK(first.find("4 janvier 2027 à 23:00") != std::string::npos);         // purged, Paris time
  CHECK(first.find(">supprimé</span>") != std::string::npos);
  CHECK(between(rows, "data-login=\"u0004\"", "</tr>").find("déménagement terminé") != std::string::npos);
  CHECK(between(rows, "data-login=\"u0005\"", "</tr>").find("l&apos;annuaire indique la personne présente") !=
        std::string::npos);
  CHECK(rows.find("suppression refusée : erreur du serveur (HTTP 500)") != std::string::npos);
  CHECK(html.find("Comptes par état") != std::string::npos);
  CHECK(html.find("<td class=\"state\">Délai de grâce</td>") != std::string::npos);
  CHECK(html.find("6 comptes") != std::string::npos);
  CHECK(html.find("(s)") == std::string::npos);
}

TEST_CASE("the html report is in English when notify.language is en", "[report]") {
  const std::string html = report_html(sample(), english());
  CHECK(html.find("<html lang=\"en\">") != std::string::npos);
  CHECK(html.find("Accounts by state") != std::string::npos);
  CHECK(html.find("<td class=\"state\">Grace period</td>") != std::string::npos);
  CHECK(html.find("verified export") != std::string::npos);
  CHECK(html.find("25 November 2026 at 10:00") != std::string::npos);
  CHECK(html.find("2 parts, <span class=\"bytes\">1,235,567 bytes") != std::string::npos);
  CHECK(html.find("<svg id=\"states-chart\"") != std::string::npos);
  CHECK(html.find("Account states per day") != std::string::npos);
  for (const char* french : {"Comptes par état", "Délai de grâce", "novembre", "octets", "aucune"})
    CHECK(html.find(french) == std::string::npos);
}

TEST_CASE("the html report charts the states per day from the journal and failures by reason", "[report]") {
  ReportInput input = with_history();
  input.accounts[4].state_reason = "directory_active";
  input.accounts[4].hold_reasons = {"directory_active"};
  const std::string html = report_html(input, paris());
  const std::string chart = between(html, "<svg id=\"states-chart\"", "</svg>");
  // 20 to 25 November: six days, each a labelled bar.
  for (const char* day : {"20/11", "21/11", "22/11", "23/11", "24/11", "25/11"})
    CHECK(chart.find(std::string(">") + day + "</text>") != std::string::npos);
  CHECK(chart.find("20 novembre 2026 — En attente : 3") != std::string::npos);
  CHECK(chart.find("22 novembre 2026 — Vérifié : 3") != std::string::npos);
  // u0004 has no recorded change: its current state every day. u0001's
  // deletion at 23:30 UTC is 25 November in Paris.
  CHECK(chart.find("20 novembre 2026 — Délai de grâce : 1") != std::string::npos);
  CHECK(chart.find("24 novembre 2026 — Délai de grâce : 4") != std::string::npos);
  CHECK(chart.find("25 novembre 2026 — Délai de grâce : 3") != std::string::npos);
  CHECK(chart.find("25 novembre 2026 — Supprimé : 1") != std::string::npos);
  CHECK(chart.find("<script") == std::string::npos);

  const std::string failures = between(html, "<svg id=\"failures-chart\"", "</svg>");
  CHECK(failures.find("l&#39;annuaire indique la personne présente : 1") != std::string::npos);
  CHECK(failures.find("&lt;script&gt;") == std::string::npos);  // u0006 is FAILED without reason
  CHECK(failures.find("En échec : 1") != std::string::npos);
}

TEST_CASE("the html report's charts escape what people wrote", "[report]") {
  ReportInput input = sample();
  input.accounts[4].state_reason = "<img src=x onerror=alert(1)> & \"co\"";  // HELD: a person's words
  const std::string html = report_html(input, paris());
  const std::string failures = between(html, "<svg id=\"failures-chart\"", "</svg>");
  CHECK(failures.find("<img") == std::string::npos);
  CHECK(failures.find("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;co&quot;") != std::string::npos);
  const std::vector<DayStates> days = states_per_day(input, paris().zone, date::year(2026) / 11 / 25);
  REQUIRE(days.size() == 1);  // no history: today's states
  CHECK(days[0].counts.at(State::grace) == 3);
}

TEST_CASE("the html report's chart replays the journal in its order, whatever the clock said", "[report]") {
  ReportInput input = sample();
  input.accounts.resize(1);
  input.accounts[0].id = 1;
  // A run whose clock ran on, then a hold at the same --now: journaled
  // after, though its time is earlier.
  input.history = {{1, at(2026, 11, 25, 9) + std::chrono::milliseconds(19), State::grace},
                   {1, at(2026, 11, 25, 9), State::held}};
  const auto days = states_per_day(input, paris().zone, date::year(2026) / 11 / 25);
  REQUIRE(days.size() == 1);
  CHECK(days[0].counts == std::map<State, int>{{State::held, 1}});
}

TEST_CASE("the html report words a stack's failure in the page's language, the stack's text is only a marked detail",
          "[report]") {
  ReportInput input = sample();
  input.accounts[5].state_reason = "Couldn't connect to server";                    // FAILED, libcurl's words
  input.accounts[2].state = State::retry_wait;
  input.accounts[2].state_reason = "http 502";                                      // the stack's answer
  input.accounts[1].state = State::failed;
  input.accounts[1].state_reason = "delete_failed: Couldn't resolve host <name>";   // a code with a stack detail
  const std::string html = report_html(input, paris());
  const std::string rows = between(html, "<table id=\"accounts\">", "</table>");
  const std::string failed = between(rows, "data-login=\"&lt;script&gt;evil()&lt;/script&gt;\"", "</tr>");
  CHECK(failed.find("serveur injoignable") != std::string::npos);
  // The raw text stays, escaped, inside a detail marked as the stack's words.
  CHECK(failed.find("<span class=\"stack-words\">texte d&apos;origine du serveur : <q>Couldn&apos;t connect to server</q></span>") !=
        std::string::npos);
  const std::string waiting = between(rows, "data-login=\"u0003\"", "</tr>");
  CHECK(waiting.find("erreur du serveur (HTTP 502)") != std::string::npos);
  const std::string refused = between(rows, "data-login=\"u0002\"", "</tr>");
  CHECK(refused.find("suppression refusée : serveur injoignable") != std::string::npos);
  CHECK(refused.find("<q>Couldn&apos;t resolve host &lt;name&gt;</q>") != std::string::npos);
  // Outside the marked details, no English from the stack.
  std::string outside = std::regex_replace(rows, std::regex("<span class=\"stack-words\">.*?</span>"), "");
  CHECK(outside.find("Couldn") == std::string::npos);
  CHECK(outside.find("http 502") == std::string::npos);
  // The chart groups failures by the worded reason too.
  const std::string chart = between(html, "<svg id=\"failures-chart\"", "</svg>");
  CHECK(chart.find("Couldn") == std::string::npos);
  CHECK(chart.find("serveur injoignable") != std::string::npos);

  const std::string in_english = report_html(input, english());
  CHECK(in_english.find("stack unreachable") != std::string::npos);
  CHECK(in_english.find("<span class=\"stack-words\">the server&apos;s own words: <q>Couldn&apos;t connect to server</q></span>") !=
        std::string::npos);
}
