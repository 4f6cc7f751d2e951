// plan and campaign create say what an admin would find odd before the
// campaign runs (issue 14): moves too close to invite, a stack that does
// not answer; plan in GB and hours.

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "tests/integration/probe.hpp"
#include "tests/integration/sim_fixture.hpp"
#include "tests/integration/smtp_fixture.hpp"

using namespace passage::testing;

namespace {

const std::string k_now = "2026-11-25T10:00:00";

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Two exports, two moves leaving in two days (too close to invite), one
// move leaving in two months.
const char* const k_list =
    "login,domain,action,email,target,departure_date,reason\n"
    "u0001,u0001.mytoutatice.cloud,export,u0001@example.org,,2026-12-20,left\n"
    "u0002,u0002.mytoutatice.cloud,export,u0002@example.org,,2026-12-20,left\n"
    "u0003,u0003.mytoutatice.cloud,move,u0003@example.org,https://u0003.mycozy.cloud,2026-11-27,mutation\n"
    "u0004,u0004.mytoutatice.cloud,move,u0004@example.org,https://u0004.mycozy.cloud,2026-11-27,mutation\n"
    "u0005,u0005.mytoutatice.cloud,move,u0005@example.org,https://u0005.mycozy.cloud,2027-01-30,mutation\n";

}  // namespace

TEST_CASE("Moves too close to their departure to invite are announced and planned as exports",
          "[cli][plan]") {
  Workspace ws;
  ws.write("accounts.csv", k_list);
  ProcessResult create = ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now});
  INFO(create.out << create.err);
  REQUIRE(create.exit_code == 0);
  CHECK(has(create.err, "warning: 2 move accounts leave too soon to be invited to move"));

  ProcessResult plan = ws.passage({"plan", "c1", "--now", k_now});
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  CHECK(has(plan.err, "warning: 2 move accounts leave too soon to be invited to move"));
  CHECK(has(plan.out, "export (departure too close to invite to move): 2"));
  CHECK(has(plan.out, "invite to move: 1"));
  CHECK(has(plan.out, "exports: 4, "));
  CHECK(has(plan.out, " GB to transfer"));
  CHECK_FALSE(has(plan.out, " MB "));

  ProcessResult json = ws.passage({"plan", "c1", "--json", "--now", k_now});
  REQUIRE(json.exit_code == 0);
  const boost::json::object figures = boost::json::parse(json.out).as_object();
  CHECK(figures.at("exports").as_int64() == 4);
  CHECK(figures.at("moves_too_close_to_invite").as_int64() == 2);
  CHECK(figures.at("warnings").as_array().size() == 1);

  // The run exports them, and their first mail is the export notice saying
  // why, never "your move was not done in time".
  ProcessResult run = ws.passage({"run", "--until-idle", "--now", k_now}, Millis(120000));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto outbox = ws.dir() / "var" / "outbox";
  CHECK(outbox_notices(outbox, "move_fallback").empty());
  const auto exports = outbox_notices(outbox, "export_ready");
  for (const char* domain : {"u0003.mytoutatice.cloud", "u0004.mytoutatice.cloud"}) {
    INFO(domain);
    REQUIRE(exports.count(domain) == 1);
    CHECK(has(exports.at(domain), "Votre départ est trop proche"));
  }
}

TEST_CASE("plan says when a stack does not answer instead of planning 0 bytes", "[cli][plan][cozy-admin]") {
  Workspace ws;
  write_export_accounts(ws, "accounts.csv", 3, "2026-12-10");
  int closed_port = 0;
  {
    CozySim gone(ws.dir(), ws.dir() / "accounts.csv", "");
    closed_port = gone.port();
  }
  use_cozy_config(ws, closed_port);
  ProcessResult create = ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now});
  INFO(create.err);
  REQUIRE(create.exit_code == 0);
  // campaign create reads no passphrase, yet says so (an unauthenticated probe).
  CHECK(has(create.err, "warning: stack academy (http://127.0.0.1:" + std::to_string(closed_port) + ") does not answer"));
  ProcessResult plan = ws.passage({"plan", "c1", "--now", k_now}, Millis(120000));
  INFO(plan.out << plan.err);
  REQUIRE_FALSE(plan.timed_out);
  CHECK(has(plan.err, "warning: stack academy answered 0 of 3 disk usage reads: it is unreachable"));
  // The text itself says it, not only the warning on stderr: no "0.0 GB",
  // no "about 5 min" for a stack that never answered.
  CHECK(has(plan.out, "size and time unknown: stack academy did not answer"));
  CHECK(has(plan.out, "estimated time for the exports: unknown"));
  CHECK_FALSE(has(plan.out, "0.0 GB"));
  CHECK_FALSE(has(plan.out, "about 5 min"));
  CHECK_FALSE(has(plan.out, "less than a minute"));
  ProcessResult json = ws.passage({"plan", "c1", "--json", "--now", k_now}, Millis(120000));
  REQUIRE(json.exit_code == 0);
  CHECK(boost::json::parse(json.out).as_object().at("size_unknown_stacks") == boost::json::array{"academy"});
}

TEST_CASE("campaign create says nothing about a stack that answers, without reading its passphrase",
          "[cli][plan][cozy-admin]") {
  Workspace ws;
  write_export_accounts(ws, "accounts.csv", 3, "2026-12-10");
  CozySim sim(ws.dir(), ws.dir() / "accounts.csv", "");
  use_cozy_config(ws, sim.port());
  Environment env;
  for (auto& pair : ws.environment())
    if (pair.first != k_passphrase_variable) env.push_back(pair);
  ws.set_environment(env);
  ProcessResult create = ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now});
  INFO(create.err);
  REQUIRE(create.exit_code == 0);
  CHECK_FALSE(has(create.err, "does not answer"));
}
