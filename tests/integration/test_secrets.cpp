// Secrets never reach the database, the journal, reports, notices or
// Passage's output (DESIGN.md principle 6): neither the admin passphrase
// nor the tokens the stack's instance answers still carry.

#include <catch2/catch.hpp>

#include <filesystem>

#include <regex>

#include "tests/integration/desk_serve.hpp"
#include "tests/integration/probe.hpp"
#include "tests/integration/sim_fixture.hpp"
#include "tests/integration/smtp_fixture.hpp"

using namespace passage::testing;
namespace fs = std::filesystem;

namespace {

// Every file under `dir` (but not under `except`) holding `needle`, as
// "path" lines.
std::string files_holding(const fs::path& dir, const std::string& needle, const fs::path& except = {}) {
  std::string found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    if (!except.empty() && entry.path().string().starts_with(except.string())) continue;
    // The simulator's own files and the inputs are not Passage's output.
    std::string name = entry.path().filename().string();
    if (name.rfind("sim", 0) == 0 || name == "c.yaml" || name == "accounts.csv") continue;
    if (read_file(entry.path()).find(needle) != std::string::npos) found += entry.path().string() + "\n";
  }
  return found;
}

// The register and reset tokens the simulator's instance answers carry.
std::vector<std::string> instance_tokens(const CozySim& sim, int count) {
  std::vector<std::string> tokens;
  for (int n = 1; n <= count; ++n) {
    SimAnswer instance = sim.call("GET", "/instances/" + login_of(n) + ".mytoutatice.cloud");
    REQUIRE(instance.status == 200);
    const boost::json::value document = boost::json::parse(instance.body);
    const auto& attributes = document.at("data").at("attributes").as_object();
    for (const char* key : {"register_token", "passphrase_reset_token"})
      if (const auto* value = attributes.if_contains(key)) tokens.emplace_back(value->as_string());
  }
  return tokens;
}

// The personal download-link tokens of the outbox's export_ready notices.
std::vector<std::string> link_tokens(const Workspace& ws) {
  static const std::regex link(std::string(k_public_url) + "/d/([A-Za-z0-9_-]{22,})");
  std::vector<std::string> tokens;
  for (const auto& [domain, body] : outbox_notices(ws.outbox_dir(), "export_ready")) {
    std::smatch match;
    if (std::regex_search(body, match, link)) tokens.push_back(match[1].str());
  }
  return tokens;
}

// Every answer (status line, headers, body) of a scripted desk session:
// the login page, a wrong and a right login, a search, an account's
// timeline, and a hold, a release and a postpone through the page.
std::string desk_session(const DeskServe& desk, const std::string& account_id, std::string& cookie) {
  std::string seen;
  const auto keep = [&](const HttpAnswer& answer) {
    seen += std::to_string(answer.status) + "\n" + answer.headers + answer.body + "\n";
    return answer;
  };
  keep(http_request("GET", desk.base() + "/"));
  keep(http_request("POST", desk.base() + "/login", "name=jane&token=wrong-guess"));
  const HttpAnswer login =
      keep(http_request("POST", desk.base() + "/login", std::string("name=jane&token=") + k_desk_token));
  cookie = set_cookie_pair(login);
  REQUIRE_FALSE(cookie.empty());
  REQUIRE(keep(http_request("GET", desk.base() + "/?q=u000", "", cookie)).status == 200);
  const std::string url = desk.base() + "/account/" + account_id;
  const HttpAnswer page = keep(http_request("GET", url, "", cookie));
  REQUIRE(page.status == 200);
  std::string tokens = "&" + form_tokens(page.body);
  // Each action done answers 303; the page it leads to says what was done
  // and carries the account's new version for the next form.
  for (const std::string action : {"/hold", "/release", "/postpone"}) {
    const std::string extra = action == "/postpone" ? "&days=5" : "";
    CHECK(keep(http_request("POST", url + action, "reason=ticket+12" + extra + tokens, cookie)).status == 303);
    const HttpAnswer after = keep(http_request("GET", url, "", cookie));
    CHECK(after.status == 200);
    tokens = "&" + form_tokens(after.body);
  }
  keep(http_request("GET", url + "/mail/1", "", cookie));
  return seen;
}

}  // namespace

TEST_CASE("The passphrase and the instance tokens appear in no file and no output of passage",
          "[cozy-admin][secrets]") {
  const std::string start = "2026-11-25T10:00:00Z";
  Workspace ws;
  write_export_accounts(ws, "accounts.csv", 40, "2026-11-01");
  CozySim sim(ws.dir(), ws.dir() / "accounts.csv", start);
  use_cozy_config(ws, sim.port(), CozyConfig{200, 20, 8, 4, "30 seconds"});
  // The instance answers really carry tokens Passage must drop: collect them.
  std::vector<std::string> secrets = {k_sim_passphrase};
  for (int n = 1; n <= 40; ++n) {
    SimAnswer instance = sim.call("GET", "/instances/" + login_of(n) + ".mytoutatice.cloud");
    REQUIRE(instance.status == 200);
    const boost::json::value document = boost::json::parse(instance.body);
    const auto& attributes = document.at("data").at("attributes").as_object();
    for (const char* key : {"register_token", "passphrase_reset_token"})
      if (const auto* value = attributes.if_contains(key)) secrets.emplace_back(value->as_string());
  }
  REQUIRE(secrets.size() > 1);

  std::string output;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", start},
        {"run", "--until-idle", "--now", start},
        {"report", "c1", "--format", "json"},
        {"report", "c1", "--format", "csv"},
        {"account", "show", "u0001", "--json"},
        {"purge", "--now", "2027-01-05T10:00:00Z"}}) {
    ProcessResult result = ws.passage(args);
    INFO(args.front() << " stderr: " << result.err);
    CHECK(result.exit_code == 0);
    output += result.out + result.err;
  }
  CHECK(account_states(ws).at("u0001") == "PURGED");
  for (const std::string& secret : secrets) {
    INFO("secret " << secret);
    CHECK(output.find(secret) == std::string::npos);
    CHECK(files_holding(ws.dir(), secret).empty());
  }
}

TEST_CASE("Secrets by command: the desk, reports and serve --public work without the passphrase, "
          "commands that talk to the stack refuse to start without it",
          "[cozy-admin][secrets]") {
  const std::string start = "2026-11-25T10:00:00Z";
  Workspace ws;
  write_export_accounts(ws, "accounts.csv", 3, "2026-11-01");
  CozySim sim(ws.dir(), ws.dir() / "accounts.csv", start);
  use_cozy_config(ws, sim.port(), CozyConfig{200, 20, 8, 4, "30 seconds"});
  REQUIRE(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", start}).exit_code == 0);
  REQUIRE(ws.passage({"run", "--until-idle", "--now", start}).exit_code == 0);

  ws.set_environment({});  // the passphrase variable is not set from here on
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"status", "c1"},
        {"account", "show", "u0001"},
        {"account", "hold", "u0002", "--reason", "ticket 7", "--by", "jane", "--now", start},
        {"report", "c1", "--format", "json", "--out", "-"},
        {"campaign", "list"},
        {"audit", "verify"}}) {
    ProcessResult result = ws.passage(args);
    INFO(args.front() << " " << args.at(1) << " stderr: " << result.err);
    CHECK(result.exit_code == 0);
  }
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"run", "--until-idle", "--now", start},
        {"purge", "--now", start},
        {"plan", "c1", "--now", start}}) {
    ProcessResult result = ws.passage(args);
    INFO(args.front() << " stderr: " << result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("passphrase_env: environment variable " + std::string(k_passphrase_variable) +
                          " is not set") != std::string::npos);
  }
}

TEST_CASE("The desk page and serve --public: no secret in any response, header or log, nor in any file after",
          "[cozy-admin][secrets][desk]") {
  const std::string start = "2026-11-25T10:00:00Z";
  Workspace ws;
  write_export_accounts(ws, "accounts.csv", 3, "2026-11-01");  // departed: archive delivery, links
  CozySim sim(ws.dir(), ws.dir() / "accounts.csv", start);
  use_cozy_config(ws, sim.port(), CozyConfig{200, 20, 8, 4, "30 seconds"});
  enable_desk(ws);
  REQUIRE(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", start}).exit_code == 0);
  REQUIRE(ws.passage({"run", "--until-idle", "--now", start}).exit_code == 0);
  std::vector<std::string> secrets = instance_tokens(sim, 3);
  secrets.insert(secrets.end(), {k_sim_passphrase, k_desk_token});
  const std::vector<std::string> links = link_tokens(ws);
  REQUIRE(links.size() == 3);

  std::string cookie;
  std::string desk_answers;
  std::string desk_logs;
  {
    const DeskServe desk(ws, start);
    desk_answers = desk_session(desk, std::to_string(Db(ws.database()).scalar(
                                          "SELECT id FROM accounts WHERE login = 'u0001'")),
                                cookie);
    desk_logs = desk.output();
  }
  std::string public_answers;
  std::string public_logs;
  {
    PublicServe serve(ws, start, "public");
    const std::string link = std::string(k_public_url) + "/d/" + links.front();
    for (const std::string& target : {link, link + "/0", link + "/9", std::string(k_public_url) + "/d/forged-token-0000000000"}) {
      const HttpAnswer answer = http_get(serve.url(target));
      public_answers += std::to_string(answer.status) + "\n" + answer.headers +
                        (answer.content_type == "application/zip" ? std::string() : answer.body);
    }
    serve.stop();
    public_logs = read_file(ws.dir() / "public.out") + read_file(ws.dir() / "public.err");
  }
  CHECK(desk_logs.find("support:jane") != std::string::npos);  // the logs were read
  const std::string session = cookie.substr(cookie.find('=') + 1);
  for (const std::string& secret : secrets) {
    INFO("secret " << secret);
    CHECK(desk_answers.find(secret) == std::string::npos);
    CHECK(desk_logs.find(secret) == std::string::npos);
    CHECK(public_answers.find(secret) == std::string::npos);
    CHECK(public_logs.find(secret) == std::string::npos);
    CHECK(files_holding(ws.dir(), secret).empty());
  }
  // A link's token is in its own page's links only; never in a log, a desk
  // page or a file (stored hashed); the session id never in a log or file.
  for (const std::string& token : links) {
    INFO("link token " << token);
    CHECK(desk_answers.find(token) == std::string::npos);
    CHECK(desk_logs.find(token) == std::string::npos);
    CHECK(public_logs.find(token) == std::string::npos);
    CHECK(files_holding(ws.dir(), token, ws.outbox_dir()).empty());  // the mail holds it, nothing else
  }
  CHECK(desk_logs.find(session) == std::string::npos);
  CHECK(files_holding(ws.dir(), session).empty());
}
