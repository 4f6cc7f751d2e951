// Archive delivery end to end (CONTRACT.md "Meaning of 'safely out'", "Two
// servers", "Keys"): the configured `export.delivery: archive` reaches every
// account, a person already departed gets it whatever the setting, verified
// parts stay in archive_dir/<domain>/<account id>/, each notice holds a new
// personal link (never an instruction to sign in), and `passage serve
// --public` serves the page and every part, byte for byte the verified
// evidence, until the link expires. The token is only in the mail.

#include <catch2/catch.hpp>

#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <regex>

#include "engine/store/sha256.hpp"
#include "tests/integration/probe.hpp"
#include "tests/integration/public_serve.hpp"
#include "tests/integration/sim_fixture.hpp"
#include "tests/integration/smtp_fixture.hpp"

using namespace passage::testing;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

const SysSeconds k_t = parse_iso_utc("2026-11-25T09:00:00Z");
const std::string k_not_departed = "2026-12-10";  // due now (lead 21 days), not departed
const std::string k_departed = "2026-10-01";


// The decoded bodies of the outbox notices of `kind`, by domain.
std::map<std::string, std::string> notices(const Workspace& ws, const std::string& kind) {
  return outbox_notices(ws.outbox_dir(), kind);
}

// The personal link of a notice body, or "".
std::string link_in(const std::string& body) {
  static const std::regex link(std::string(k_public_url) + "/d/([A-Za-z0-9_-]{22,})");
  std::smatch match;
  return std::regex_search(body, match, link) ? match[0].str() : std::string();
}

std::string token_of(const std::string& link) { return link.substr(link.rfind('/') + 1); }

// Every file under `dir` except the outbox, with `needle` in its bytes.
std::vector<std::string> files_holding(const fs::path& dir, const fs::path& outbox,
                                       const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    if (entry.path().string().rfind(outbox.string(), 0) == 0) continue;
    if (read_file(entry.path()).find(needle) != std::string::npos) found.push_back(entry.path().string());
  }
  return found;
}

struct AccountRow {
  std::string id, domain, state, delivery, reason;
};

std::map<std::string, AccountRow> accounts_by_login(const Workspace& ws) {
  Db db(ws.database());
  std::map<std::string, AccountRow> rows;
  for (const auto& row : db.rows("SELECT login, id, domain, state, delivery, state_reason FROM accounts"))
    rows[row[0]] = AccountRow{row[1], row[2], row[3], row[4], row[5]};
  return rows;
}

json::object report_account(const json::array& report, const std::string& login) {
  for (const json::value& account : report)
    if (account.as_object().at("login").as_string() == login) return account.as_object();
  FAIL("no " << login << " in the report");
  return {};
}

// A campaign against the simulator: `accounts` is "login,departure" pairs.
struct ArchiveCampaign {
  ArchiveCampaign(const std::vector<std::pair<std::string, std::string>>& accounts,
                  const std::string& delivery) {
    std::string csv = "login,domain,action,email,target,departure_date,reason\n";
    for (const auto& [login, departure] : accounts)
      csv += login + "," + login + ".mytoutatice.cloud,export," + login + "@example.org,," + departure + ",left\n";
    ws.write("accounts.csv", csv);
    sim = std::make_unique<CozySim>(ws.dir(), ws.dir() / "accounts.csv", iso_utc(k_t));
    CozyConfig config{200, 20, 8, 4, "30 seconds"};
    config.delivery = delivery;
    use_cozy_config(ws, sim->port(), config);
    ProcessResult created =
        ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", iso_utc(k_t)});
    INFO("create stderr: " << created.err);
    REQUIRE(created.exit_code == 0);
    ProcessResult run = ws.passage({"run", "--until-idle", "--now", iso_utc(k_t)}, Millis(150000));
    INFO("run stderr: " << run.err);
    REQUIRE(run.exit_code == 0);
  }

  Workspace ws;
  std::unique_ptr<CozySim> sim;  // declared after ws: killed before its folder goes
};

// Every part of `login` in the report is a file of its archive folder, and
// `serve` gives the page and each part with the evidence's bytes.
void check_served(const PublicServe& serve, const Workspace& ws, const json::object& evidence,
                  const AccountRow& row, const std::string& link) {
  const json::array& parts = evidence.at("parts").as_array();
  REQUIRE_FALSE(parts.empty());
  const fs::path folder = ws.dir() / "var" / "archive" / row.domain / row.id;
  int zips = 0;
  for (const auto& entry : fs::directory_iterator(folder)) zips += entry.path().extension() == ".zip";
  CHECK(zips == static_cast<int>(parts.size()));

  HttpAnswer page = http_get(serve.url(link));
  REQUIRE(page.status == 200);
  CHECK(page.content_type == "text/html; charset=utf-8");
  CHECK(page.body.find(row.domain) != std::string::npos);
  CHECK(page.body.find("valable jusqu") != std::string::npos);
  for (const json::value& value : parts) {
    const json::object& part = value.as_object();
    const std::string n = std::to_string(part.at("n").as_int64());
    INFO(row.domain << " part " << n);
    CHECK(page.body.find(token_of(link) + "/" + n + "\"") != std::string::npos);
    HttpAnswer file = http_get(serve.url(link) + "/" + n);
    REQUIRE(file.status == 200);
    CHECK(file.content_type == "application/zip");
    CHECK(file.headers.find("Content-Disposition: attachment; filename=") != std::string::npos);
    CHECK(static_cast<std::int64_t>(file.body.size()) == part.at("bytes").as_int64());
    CHECK(passage::sha256_hex(file.body) == std::string(part.at("sha256").as_string()));
  }
}

}  // namespace

TEST_CASE("export.delivery archive: parts kept per account, a personal link in the notice, served byte for byte until it expires",
          "[archive][serve]") {
  ArchiveCampaign c({{"u0001", k_not_departed}, {"u0002", k_not_departed}}, "archive");
  auto rows = accounts_by_login(c.ws);
  REQUIRE(rows.size() == 2);
  for (const auto& [login, row] : rows) {
    INFO(login << " " << row.state << " " << row.reason);
    CHECK(row.state == "NOTIFIED");
    CHECK(row.delivery == "archive");
  }
  json::array report = report_accounts(c.ws, "c1");
  auto bodies = notices(c.ws, "export_ready");
  REQUIRE(bodies.size() == 2);

  PublicServe serve(c.ws, iso_utc(k_t + std::chrono::hours(1)), "serve1");
  std::vector<std::string> tokens;
  for (const auto& [login, row] : rows) {
    INFO(login);
    const std::string& body = bodies.at(row.domain);
    const std::string link = link_in(body);
    REQUIRE_FALSE(link.empty());
    tokens.push_back(token_of(link));
    CHECK(body.find("connectez-vous") == std::string::npos);
    CHECK(body.find("https://" + row.domain) == std::string::npos);
    CHECK(body.find("avant le") != std::string::npos);
    check_served(serve, c.ws, report_account(report, login).at("evidence").as_object(), row, link);
  }
  CHECK(tokens[0] != tokens[1]);
  CHECK(fs::is_empty(c.ws.dir() / "var" / "archive" / ".work"));

  // A wrong token, a part that is not there, anything else: 404.
  std::string wrong = tokens[0];
  wrong[3] = wrong[3] == 'x' ? 'y' : 'x';
  CHECK(http_get(serve.base() + "/d/" + wrong).status == 404);
  CHECK(http_get(serve.base() + "/d/" + wrong + "/0").status == 404);
  CHECK(http_get(serve.base() + "/d/" + tokens[0] + "/99").status == 404);
  CHECK(http_get(serve.base() + "/").status == 404);
  serve.stop();

  // What was fetched is recorded, by the link's hash, never its token.
  Db db(c.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM served WHERE path = '/d/*'") == 2);
  CHECK(db.scalar("SELECT COUNT(*) FROM served WHERE path LIKE '/d/*/%' AND bytes > 0") >= 2);

  // Seven days later the links are dead (serve runs on the same clock).
  PublicServe later(c.ws, iso_utc(k_t + std::chrono::hours(24 * 7 + 1)), "serve2");
  const std::string link = link_in(bodies.begin()->second);
  CHECK(http_get(later.url(link)).status == 404);
  CHECK(http_get(later.url(link) + "/0").status == 404);
  later.stop();

  // The token is in the mail only: not in the database, its journal, the
  // reports, nor anything else passage wrote.
  for (const char* format : {"json", "csv", "html"})
    REQUIRE(c.ws.passage({"report", "c1", "--format", format}).exit_code == 0);
  CHECK(c.ws.passage({"audit", "verify"}).exit_code == 0);
  for (const std::string& token : tokens) {
    std::vector<std::string> holding = files_holding(c.ws.dir(), c.ws.outbox_dir(), token);
    INFO("files holding a token: " << (holding.empty() ? "" : holding.front()));
    CHECK(holding.empty());
  }
}

TEST_CASE("a person already departed gets archive delivery and a link though space is configured",
          "[archive][serve]") {
  ArchiveCampaign c({{"u0001", k_departed}, {"u0002", k_not_departed}}, "space");
  auto rows = accounts_by_login(c.ws);
  const AccountRow& departed = rows.at("u0001");
  const AccountRow& staying = rows.at("u0002");
  CHECK(departed.delivery == "archive");
  CHECK(staying.delivery == "space");
  json::array report = report_accounts(c.ws, "c1");
  CHECK_FALSE(report_account(report, "u0001").at("verified_at").is_null());

  auto bodies = notices(c.ws, "export_ready");
  REQUIRE(bodies.size() == 2);
  const std::string link = link_in(bodies.at(departed.domain));
  REQUIRE_FALSE(link.empty());
  CHECK(bodies.at(departed.domain).find("connectez-vous") == std::string::npos);
  // Still in their academy: today's text, their own space's export page.
  CHECK(link_in(bodies.at(staying.domain)).empty());
  CHECK(bodies.at(staying.domain).find("connectez-vous") != std::string::npos);
  CHECK_FALSE(fs::exists(c.ws.dir() / "var" / "archive" / staying.domain));

  PublicServe serve(c.ws, iso_utc(k_t), "serve");
  check_served(serve, c.ws, report_account(report, "u0001").at("evidence").as_object(), departed, link);
  serve.stop();
}

TEST_CASE("archive without serve.public_url: refused by config check, and a departed person gets no notice but FAILED no_public_url",
          "[archive]") {
  ConfigOptions options;
  options.transient_failure_rate = 0.0;
  Workspace ws(options);
  std::string config = read_file(ws.config());
  const std::string serve_line = "serve: { public_listen: 127.0.0.1:0, public_url: https://passage.test }\n";
  const auto at = config.find(serve_line);
  REQUIRE(at != std::string::npos);
  config.erase(at, serve_line.size());
  ws.write("c.yaml", config + "export: { delivery: archive }\n");
  ProcessResult check = ws.passage({"config", "check"});
  CHECK(check.exit_code == 2);
  CHECK(check.err.find("serve.public_url") != std::string::npos);

  ws.write("c.yaml", config);  // space delivery, no public URL
  ws.write("accounts.csv",
           "login,domain,action,email,target,departure_date,reason\n"
           "u0001,u0001.mytoutatice.cloud,export,u0001@example.org,," + k_departed + ",left\n"
           "u0002,u0002.mytoutatice.cloud,export,u0002@example.org,," + k_not_departed + ",left\n");
  const std::string now = "2026-11-25T10:00:00";
  REQUIRE(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", now}).exit_code == 0);
  ProcessResult run = ws.passage({"run", "--until-idle", "--now", now});
  INFO("run stderr: " << run.err);
  CHECK(run.exit_code == 1);
  auto rows = accounts_by_login(ws);
  CHECK(rows.at("u0001").state == "FAILED");
  CHECK(rows.at("u0001").reason == "no_public_url");
  CHECK(rows.at("u0002").state == "NOTIFIED");
  CHECK(notices(ws, "export_ready").size() == 1);
  // account show says why in the right words: no mail server was involved.
  ProcessResult show = ws.passage({"account", "show", "u0001", "--now", now});
  INFO("show: " << show.out);
  CHECK(show.out.find("serve.public_url") != std::string::npos);
  CHECK(show.out.find("refusé") == std::string::npos);
  CHECK(show.out.find("refused") == std::string::npos);
  CHECK(show.out.find("serveur de courrier a refusé") == std::string::npos);

  // serve: the desk page needs a token; --public needs its address.
  ProcessResult desk = ws.passage({"serve"});
  CHECK(desk.exit_code == 2);
  CHECK(desk.err.find("no desk token") != std::string::npos);
  ws.write("c.yaml", config + "serve: { public_url: https://passage.test }\n");
  ProcessResult no_listen = ws.passage({"serve", "--public"});
  CHECK(no_listen.exit_code == 2);
  CHECK(no_listen.err.find("serve.public_listen") != std::string::npos);
}
