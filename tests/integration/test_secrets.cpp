// Secrets never reach the database, the journal, reports, notices or
// Passage's output (DESIGN.md principle 6): neither the admin passphrase
// nor the tokens the stack's instance answers still carry.

#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/integration/probe.hpp"
#include "tests/integration/sim_fixture.hpp"

using namespace passage::testing;
namespace fs = std::filesystem;

namespace {

// Every file under `dir` holding `needle`, as "path" lines.
std::string files_holding(const fs::path& dir, const std::string& needle) {
  std::string found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    // The simulator's own files and the inputs are not Passage's output.
    std::string name = entry.path().filename().string();
    if (name.rfind("sim", 0) == 0 || name == "c.yaml" || name == "accounts.csv") continue;
    if (read_file(entry.path()).find(needle) != std::string::npos) found += entry.path().string() + "\n";
  }
  return found;
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

TEST_CASE("Secrets by command: the desk, reports and serve --public work without the passphrase; "
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
