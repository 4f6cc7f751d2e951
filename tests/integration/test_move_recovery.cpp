// An admin-driven move interrupted between the source's MOVED block and
// the commit that records it (README "Reliability", the known defect of the
// failure matrix), and the opposite danger: a MOVED block that someone
// else set must never become Passage's evidence. Both on the failure
// matrix's stand (two simulators, `passage serve --public`), clocks moved
// together, never by sleeping.
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>

#include "tests/integration/fault_stand.hpp"
#include "tests/integration/probe.hpp"

using namespace passage::testing;
using namespace passage::testing::faults;
namespace json = boost::json;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

namespace {

const std::string k_mover = login_of(1);
const std::string k_source = k_mover + ".mytoutatice.cloud";
const std::string k_target = k_mover + ".partner.test";
constexpr Millis k_wait{60000};

// The number of the first SQLite commit counted after the source was
// blocked MOVED (the second `block` call) in `log`: the commit that records
// the finished move.
long commit_after_moved(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::string site;
  long number = 0;
  bool moved = false;
  while (in >> site >> number) {
    if (site == "block" && number == 2) moved = true;
    if (moved && site == "journal_write") return number;
  }
  return 0;
}

json::object instance(const CozySim& sim, const std::string& domain) {
  SimAnswer answer = sim.call("GET", "/instances/" + domain);
  INFO("GET /instances/" << domain << ": " << answer.status << " " << answer.body);
  REQUIRE(answer.status == 200);
  return json::parse(answer.body).at("data").at("attributes").as_object();
}

std::string blocking_reason(const CozySim& sim, const std::string& domain) {
  const json::object attributes = instance(sim, domain);
  const json::value* blocked = attributes.if_contains("blocked");
  if (!blocked || !blocked->is_bool() || !blocked->as_bool()) return "";
  const json::value* reason = attributes.if_contains("blocking_reason");
  return reason && reason->is_string() ? std::string(reason->as_string()) : "UNKNOWN";
}

std::string row(FaultStand& stand, const std::string& column) {
  return Db(stand.ws.database()).rows("SELECT " + column + " FROM accounts WHERE login = '" + k_mover + "'")[0][0];
}

std::string journal(FaultStand& stand) {
  std::string text;
  for (const auto& entry : Db(stand.ws.database()).rows("SELECT kind, detail FROM journal ORDER BY seq"))
    text += entry[0] + ": " + entry[1] + "\n";
  return text;
}

// The evidence of the report: a move's must name the verified export and
// its parts (their SHA-256), not only "moved".
void check_move_evidence(FaultStand& stand) {
  json::array accounts = report_accounts(stand.ws, "c1");
  REQUIRE(accounts.size() == 1);
  const json::object& account = accounts.front().as_object();
  INFO("account: " << json::serialize(account));
  REQUIRE(account.at("evidence").is_object());
  const json::object& evidence = account.at("evidence").as_object();
  CHECK(evidence.at("kind").as_string() == "moved");
  CHECK_FALSE(evidence.at("export_id").as_string().empty());
  REQUIRE(evidence.at("parts").is_array());
  CHECK_FALSE(evidence.at("parts").as_array().empty());
}

// The number of the commit that records the finished move, on a clean
// reference run of the same stand.
long reference_commit() {
  FaultStand reference(0);
  const auto log = reference.ws.dir() / "calls.log";
  ProcessResult clean = reference.run(campaign_steps().front(), {}, log);
  INFO("reference stderr: " << clean.err);
  REQUIRE(clean.exit_code == 0);
  return commit_after_moved(log);
}

}  // namespace

TEST_CASE("An admin move whose commit after the source's MOVED block is refused is recognised as "
          "Passage's own on the next run, past the import deadline: verified with the move's evidence, "
          "then purged safely",
          "[faults][move-recovery]") {
  const long commit = reference_commit();
  REQUIRE(commit > 0);

  FaultStand stand(0);
  ProcessResult refused = stand.run(campaign_steps().front(), "journal_write:" + std::to_string(commit));
  INFO("faulted run stderr: " << refused.err);
  CHECK(refused.exit_code == 7);
  REQUIRE(blocking_reason(*stand.source, k_source) == "MOVED");
  REQUIRE(row(stand, "state") == "MOVING");
  REQUIRE(row(stand, "own_block") == "MOVING");

  // A day later: far past the import deadline (60 s).
  ProcessResult resumed = stand.run(Step{std::chrono::duration_cast<seconds>(hours(25)), {"run", "--until-idle"}});
  INFO("resumed run stderr: " << resumed.err << "\njournal:\n" << journal(stand));
  CHECK(resumed.exit_code == 0);
  CHECK(row(stand, "own_block") == "MOVED");
  CHECK(row(stand, "state") == "GRACE");
  check_move_evidence(stand);
  CHECK(stand.stat_sum("duplicate_exports_24h") == 0);
  CHECK(route_count(stand.source->stats(), "POST /instances/:domain/export") == 1);

  ProcessResult purge = stand.run(Step{std::chrono::duration_cast<seconds>(days(35)), {"purge"}});
  INFO("purge stderr: " << purge.err);
  CHECK(purge.exit_code == 0);
  CHECK(row(stand, "state") == "PURGED");
  CHECK(stand.stat_sum("unsafe_deletions") == 0);
  CHECK(stat(stand.target->stats(), "deletions") == 0);
}

TEST_CASE("A MOVED block someone else sets on a source whose import never finished is never Passage's "
          "evidence: not before the import deadline, not after it, and the source is never deleted",
          "[faults][move-recovery][deletion-safety]") {
  FaultStand stand(0);
  stand.target->put_faults(R"({"import_never_finish":1})");
  // The run follows the import until SIGTERM leaves it open.
  BackgroundProcess run(stand.ws.passage_argv({"run", "--until-idle", "--now", iso_utc(stand.now)}),
                        stand.ws.dir(), stand.ws.dir() / "run.out", stand.ws.dir() / "run.err",
                        stand.ws.environment());
  const auto imported_all = [&] {
    Db db(stand.ws.database());
    return db.scalar("SELECT COUNT(*) FROM served WHERE path LIKE '/move/exports/data/%'") > 0 &&
           blocking_reason(*stand.target, k_target) == "IMPORTING";
  };
  REQUIRE(wait_until(imported_all, k_wait, Millis(50)));
  ::kill(run.pid(), SIGTERM);
  REQUIRE(run.wait_exit(k_wait));
  REQUIRE(row(stand, "state") == "MOVING");
  REQUIRE(blocking_reason(*stand.source, k_source) == "MOVING");

  // Someone else (an operator by hand, another tool) marks the source MOVED.
  REQUIRE(stand.source->call("PATCH", "/instances/" + k_source + "?Blocked=true&BlockingReason=MOVED").status ==
          200);

  SECTION("before the import deadline") {
    ProcessResult early = stand.run(Step{seconds(0), {"run", "--max-duration", "3 seconds"}});
    INFO("run stderr: " << early.err << "\njournal:\n" << journal(stand));
    CHECK(row(stand, "state") == "MOVING");
    CHECK(row(stand, "verified_at") == "NULL");
  }
  SECTION("after the import deadline") {
    ProcessResult late = stand.run(Step{std::chrono::duration_cast<seconds>(hours(25)), {"run", "--until-idle"}});
    INFO("run stderr: " << late.err << "\njournal:\n" << journal(stand));
    CHECK(row(stand, "state") == "FAILED");
    CHECK(row(stand, "state_reason").find("blocked: MOVED") != std::string::npos);
    CHECK(row(stand, "verified_at") == "NULL");
  }
  ProcessResult purge = stand.run(Step{std::chrono::duration_cast<seconds>(days(40)), {"purge"}});
  INFO("purge stderr: " << purge.err);
  CHECK(stat(stand.source->stats(), "deletions") == 0);
  CHECK(row(stand, "state") != "PURGED");
}

TEST_CASE("An admin move interrupted after the MOVED block whose source was written since its export is "
          "not taken as finished: moved again, the target ending with the source's files",
          "[faults][move-recovery]") {
  const long commit = reference_commit();
  REQUIRE(commit > 0);
  FaultStand stand(0);
  ProcessResult refused = stand.run(campaign_steps().front(), "journal_write:" + std::to_string(commit));
  INFO("faulted run stderr: " << refused.err);
  REQUIRE(blocking_reason(*stand.source, k_source) == "MOVED");
  REQUIRE(row(stand, "own_block") == "MOVING");
  const std::int64_t imported = disk_usage_files(*stand.target, k_target);
  REQUIRE(imported == disk_usage_files(*stand.source, k_source));

  // A konnector writes into the blocked source: the target lacks it.
  SimAnswer edited = stand.source->call("POST", "/_sim/edit-files?domain=" + k_source);
  INFO("edit-files: " << edited.body);
  REQUIRE(edited.status == 200);
  REQUIRE(disk_usage_files(*stand.source, k_source) != imported);

  for (int round = 0; round < 3 && row(stand, "state") != "GRACE"; ++round) {
    ProcessResult resumed =
        stand.run(Step{std::chrono::duration_cast<seconds>(hours(25)), {"run", "--until-idle"}});
    INFO("resumed run stderr: " << resumed.err << "\njournal:\n" << journal(stand));
    CHECK(resumed.exit_code == 0);
  }
  INFO("journal:\n" << journal(stand));
  CHECK(row(stand, "state") == "GRACE");
  CHECK(disk_usage_files(*stand.target, k_target) == disk_usage_files(*stand.source, k_source));
  CHECK(route_count(stand.source->stats(), "POST /instances/:domain/export") == 2);
  CHECK(stand.stat_sum("duplicate_exports_24h") == 0);
}
