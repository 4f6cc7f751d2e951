// The CSV report as French spreadsheets open it (issue 14): BOM, ';',
// formulas neutralised, local times, the columns people ask for.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "plugins/reporters/reporters.hpp"

using namespace passage;

namespace {

Instant utc(int y, unsigned m, unsigned d, int hours, int minutes = 0) {
  return Instant(date::sys_days(date::year_month_day(date::year(y), date::month(m), date::day(d)))) +
         std::chrono::hours(hours) + std::chrono::minutes(minutes);
}

Config paris() {
  Config config;
  config.zone = date::locate_zone("Europe/Paris");
  return config;
}

Account listed(const std::string& login, Action action) {
  Account a;
  a.login = login;
  a.domain = login + ".mytoutatice.cloud";
  a.action = action;
  a.email = login + "@example.org";
  a.departure_date = date::year(2026) / 10 / 1;
  a.state = State::grace;
  if (action == Action::move) a.target = "https://" + login + ".mycozy.cloud";
  return a;
}

ReportInput sample() {
  ReportInput input{"c1", utc(2026, 11, 25, 9), {}};
  Account exported = listed("u0001", Action::export_);
  exported.reason = "retraite";
  exported.verified_at = utc(2026, 11, 25, 9, 30);   // 10:30 in Paris (CET)
  exported.purged_at = utc(2027, 7, 4, 22);          // 00:00 on 5 July in Paris (CEST)
  exported.grace_end = utc(2026, 12, 25, 9, 30);
  exported.told_deletion_date = date::year(2026) / 12 / 25;
  exported.evidence = {"export", "exp-1", {{0, 1234, 12, std::string(64, 'a'), {}}, {1, 10, 3, std::string(64, 'b'), {}}}, {}, {}};
  input.accounts.push_back(exported);
  Account fell_back = listed("u0002", Action::move);
  fell_back.reason = "mutation";
  fell_back.fallback_export = true;
  input.accounts.push_back(fell_back);
  Account moved = listed("u0003", Action::move);
  moved.reason = "=HYPERLINK(\"http://evil\";\"clic\")";
  moved.state_reason = "-2+3";
  input.accounts.push_back(moved);
  Account odd = listed("u0004", Action::export_);
  odd.reason = "@SUM(A1)";
  odd.state_reason = "+1";
  odd.email = "\tx@example.org";
  input.accounts.push_back(odd);
  return input;
}

// Splits a CSV text into records and cells (RFC 4180: quotes, doubled
// quotes, separators and line breaks inside quotes).
std::vector<std::vector<std::string>> parse(const std::string& text, char separator) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') cell += text[++i];
      else if (c == '"') quoted = false;
      else cell += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == separator) {
      rows.back().push_back(cell);
      cell.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(cell);
      cell.clear();
      rows.emplace_back();
      ++i;
    } else {
      cell += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

// The cells of `login`'s row by column name.
std::map<std::string, std::string> row_of(const std::vector<std::vector<std::string>>& rows,
                                          const std::string& login) {
  for (const auto& row : rows)
    if (!row.empty() && row[0] == login) {
      REQUIRE(row.size() == rows[0].size());
      std::map<std::string, std::string> named;
      for (std::size_t i = 0; i < row.size(); ++i) named[rows[0][i]] = row[i];
      return named;
    }
  FAIL("no row for " << login);
  return {};
}

}  // namespace

TEST_CASE("the csv report starts with a BOM and separates cells with semicolon by default", "[report][csv]") {
  const std::string csv = report_csv(sample(), paris());
  REQUIRE(csv.starts_with("\xEF\xBB\xBF"));
  CHECK(csv.substr(3).starts_with("login;domain;action;state;reason;departure_date;verified_at;"));
  const auto rows = parse(csv.substr(3), ';');
  REQUIRE(rows.size() == 5);
  for (const auto& row : rows) CHECK(row.size() == rows[0].size());
  // Part values joined with ';' are quoted, so they stay one cell.
  CHECK(row_of(rows, "u0001").at("part_bytes") == "1234;10");
  CHECK(csv.find("\"1234;10\"") != std::string::npos);
}

TEST_CASE("the csv report takes another separator", "[report][csv]") {
  const std::string csv = report_csv(sample(), paris(), ',');
  REQUIRE(csv.starts_with("\xEF\xBB\xBF"));
  CHECK(csv.substr(3).starts_with("login,domain,action,state,reason,"));
  const auto rows = parse(csv.substr(3), ',');
  CHECK(row_of(rows, "u0001").at("list_reason") == "retraite");
  CHECK(parse_csv_separator(",") == std::optional<char>(','));
  CHECK(parse_csv_separator(";") == std::optional<char>(';'));
  CHECK(parse_csv_separator("tab") == std::optional<char>('\t'));
  CHECK_FALSE(parse_csv_separator("|"));
  CHECK_FALSE(parse_csv_separator(";;"));
}

TEST_CASE("the csv report neutralises cells a spreadsheet would run as a formula", "[report][csv]") {
  const std::string csv = report_csv(sample(), paris());
  const auto rows = parse(csv.substr(3), ';');
  const auto moved = row_of(rows, "u0003");
  CHECK(moved.at("list_reason") == "'=HYPERLINK(\"http://evil\";\"clic\")");
  CHECK(moved.at("reason") == "'-2+3");
  const auto odd = row_of(rows, "u0004");
  CHECK(odd.at("list_reason") == "'@SUM(A1)");
  CHECK(odd.at("reason") == "'+1");
  CHECK(odd.at("email") == "'\tx@example.org");
  // No cell of the text starts with a formula character.
  for (const auto& row : rows)
    for (const std::string& cell : row)
      CHECK((cell.empty() || std::string("=+-@\t\r").find(cell.front()) == std::string::npos));
}

TEST_CASE("the csv report shows times local to the academy", "[report][csv]") {
  const auto rows = parse(report_csv(sample(), paris()).substr(3), ';');
  const auto exported = row_of(rows, "u0001");
  CHECK(exported.at("verified_at") == "2026-11-25 10:30:00");
  CHECK(exported.at("purged_at") == "2027-07-05 00:00:00");
  CHECK(exported.at("deletion_date") == "2026-12-25");
  CHECK(exported.at("departure_date") == "2026-10-01");
}

TEST_CASE("the csv report has the e-mail, target, list reason, fall-back and told date", "[report][csv]") {
  const auto rows = parse(report_csv(sample(), paris()).substr(3), ';');
  const std::vector<std::string> tail(rows[0].end() - 5, rows[0].end());
  CHECK(tail == std::vector<std::string>{"email", "target", "list_reason", "fell_back_to_export",
                                         "told_deletion_date"});
  const auto exported = row_of(rows, "u0001");
  CHECK(exported.at("email") == "u0001@example.org");
  CHECK(exported.at("target").empty());
  CHECK(exported.at("list_reason") == "retraite");
  CHECK(exported.at("fell_back_to_export").empty());
  CHECK(exported.at("told_deletion_date") == "2026-12-25");
  const auto fell_back = row_of(rows, "u0002");
  CHECK(fell_back.at("target") == "https://u0002.mycozy.cloud");
  CHECK(fell_back.at("list_reason") == "mutation");
  CHECK(fell_back.at("fell_back_to_export") == "yes");
  CHECK(fell_back.at("told_deletion_date").empty());
  CHECK(row_of(rows, "u0003").at("fell_back_to_export") == "no");
}
