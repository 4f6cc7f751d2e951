// Files created, destroyed, moved or renamed between the disk-usage read
// and the downloads (cozy-stack lists a part's files when the part is
// downloaded: a new file lands in the part whose id range holds it, a
// destroyed one vanishes from its part). CONTRACT.md: evidence adds up to
// the disk usage read before the export; activity since → export again;
// the same files missing on two exports in a row → FAILED
// evidence_incomplete. Passage never verifies an export that lacks a file
// of the space's snapshot, and never deletes on one.

#include <catch2/catch.hpp>

#include "tests/integration/grace_stand.hpp"

using namespace passage::testing;
using namespace passage::testing::grace;
namespace json = boost::json;

namespace {

std::string domain_of(int n) { return login_of(n) + ".mytoutatice.cloud"; }

std::int64_t in_state(const Workspace& ws, const std::string& state) {
  Db db(ws.database());
  return db.scalar("SELECT COUNT(*) FROM accounts WHERE state = '" + state + "'");
}

std::int64_t usage_files(const CozySim& sim, const std::string& domain) {
  const SimAnswer answer = sim.call("GET", "/instances/" + domain + "/disk-usage");
  REQUIRE(answer.status == 200);
  const json::object usage = json::parse(answer.body).as_object();
  return usage.contains("files") ? std::stoll(std::string(usage.at("files").as_string())) : 0;
}

// Every evidence recorded adds up to the disk usage it was checked against,
// and rests on an export whose every part the simulator served with every
// file of its snapshot (`fully_read`).
void check_every_evidence(const Stand& s) {
  Db db(s.ws.database());
  for (const auto& row : db.rows("SELECT domain, evidence FROM accounts WHERE evidence <> ''")) {
    INFO(row[0] << ": " << row[1]);
    const json::object evidence = json::parse(row[1]).as_object();
    const std::int64_t carried = evidence.at("content").as_object().at("file_bytes").as_int64();
    CHECK(carried == evidence.at("disk_usage").as_object().at("files").as_int64());
    const json::value exported = s.sim->export_of(row[0]);
    REQUIRE(exported.is_object());
    CHECK(exported.at("_id").as_string() == evidence.at("export_id").as_string());
    CHECK(exported.at("fully_read").as_bool());
  }
}

// The faults off, runs `step` apart until nothing waits to be exported again.
void settle(Stand& s, hours step = hours(25)) {
  s.sim->clear_faults();
  for (int round = 0; round < 4 && in_state(s.ws, "RETRY_WAIT") + in_state(s.ws, "QUEUED") > 0; ++round) {
    s.advance(step);
    const ProcessResult result = s.passage({"run", "--until-idle"});
    REQUIRE((result.exit_code == 0 || result.exit_code == 1));  // 1: some accounts FAILED
  }
  REQUIRE(in_state(s.ws, "RETRY_WAIT") + in_state(s.ws, "QUEUED") == 0);
}

}  // namespace

TEST_CASE("Files created, destroyed, moved or renamed by a konnector between downloads: never verified on "
          "an export lacking a file of the snapshot - the same gap twice fails the account - nothing unsafe deleted",
          "[cozy-admin][evidence][files]") {
  Options options;
  options.accounts = 30;
  options.max_fraction = 1.0;
  Stand s(options);
  // Each part download first creates, destroys, moves or renames a file of
  // the space, without activity (a konnector, a sharing).
  s.sim->put_faults(R"({"files_change": 1})");
  s.run();
  const json::object first = s.sim->stats();
  CHECK(stat(first, "files_created") > 0);
  CHECK(stat(first, "files_destroyed") > 0);
  CHECK(stat(first, "files_moved") > 0);
  CHECK(stat(first, "snapshot_files_missing_served") > 0);
  CHECK(in_state(s.ws, "RETRY_WAIT") > 0);  // a gap: exported again after the 24-hour rule
  CHECK(in_state(s.ws, "GRACE") > 0);       // moved or renamed only: the same files, the same bytes
  check_every_evidence(s);

  // The konnector goes on: a second gap in a row fails the account.
  s.advance(hours(25));
  const ProcessResult second = s.passage({"run", "--until-idle"});
  CHECK((second.exit_code == 0 || second.exit_code == 1));
  check_every_evidence(s);
  settle(s);
  check_every_evidence(s);
  Db db(s.ws.database());
  const auto failed = db.rows("SELECT domain, state_reason, evidence FROM accounts WHERE state = 'FAILED'");
  CHECK(!failed.empty());
  for (const auto& row : failed) {
    INFO(row[0] << ": " << row[1]);
    CHECK(row[1].find("evidence_incomplete") != std::string::npos);
    CHECK(row[1].find("two exports in a row") != std::string::npos);
    CHECK(row[2].empty());
  }
  const std::int64_t graced = in_state(s.ws, "GRACE");
  CHECK(graced + static_cast<std::int64_t>(failed.size()) == options.accounts);

  s.advance(days(32));  // past every grace end
  Stand::require_exit(s.purge(), 0);
  const json::object after = s.sim->stats();
  CHECK(stat(after, "deletions") == graced);
  CHECK(stat(after, "unsafe_deletions") == 0);
  for (const auto& row : failed) CHECK_FALSE(s.sim->instance_attributes(row[0]).empty());
}

TEST_CASE("Files changed by the person between downloads: exported again, never evidence_incomplete - the "
          "final evidence is the space as it is - nothing unsafe deleted",
          "[cozy-admin][evidence][files]") {
  Options options;
  options.accounts = 20;
  options.max_fraction = 1.0;
  Stand s(options);
  s.sim->put_faults(R"({"files_change_by_person": 1})");
  s.run();
  check_every_evidence(s);
  CHECK(in_state(s.ws, "FAILED") == 0);
  // The person was active on the export day: no one is left to be deleted
  // on the first export (a gap: exported again; none: a final export).
  CHECK(in_state(s.ws, "GRACE") == 0);
  // Two days on, the activity is older than the day before the next export's completion.
  settle(s, hours(49));
  CHECK(in_state(s.ws, "FAILED") == 0);
  REQUIRE(in_state(s.ws, "GRACE") == options.accounts);
  check_every_evidence(s);
  for (int n = 1; n <= options.accounts; ++n) {
    Db db(s.ws.database());
    const auto evidence = db.rows("SELECT evidence FROM accounts WHERE domain = '" + domain_of(n) + "'")[0][0];
    const std::int64_t carried =
        json::parse(evidence).at("content").as_object().at("file_bytes").as_int64();
    CHECK(carried == usage_files(*s.sim, domain_of(n)));
  }
  s.advance(days(32));
  Stand::require_exit(s.purge(), 0);
  CHECK(s.deletions() == options.accounts);
  CHECK(stat(s.sim->stats(), "unsafe_deletions") == 0);
}

// last-activity cannot tell a konnector's removal from its replacing a file
// with smaller new content: any difference from the evidence's disk usage
// is exported again, with the person's activity or without.
TEST_CASE("Files destroyed after verification, by the person or by a konnector: the purge exports again "
          "instead of deleting",
          "[cozy-admin][evidence][files][purge]") {
  Options options;
  options.accounts = 6;
  options.max_fraction = 1.0;
  Stand s(options);
  s.run();
  REQUIRE(in_state(s.ws, "GRACE") == options.accounts);
  s.advance(days(32));  // past every grace end
  for (int n = 1; n <= options.accounts; ++n) {
    const std::string activity = n % 2 ? "true" : "false";
    const SimAnswer answer =
        s.sim->call("POST", "/_sim/change-files?domain=" + domain_of(n) + "&op=destroy&count=2&activity=" + activity);
    REQUIRE(answer.status == 200);
  }
  Stand::require_exit(s.purge(), 0);
  CHECK(s.deletions() == 0);
  CHECK(stat(s.sim->stats(), "unsafe_deletions") == 0);
  Db db(s.ws.database());
  for (int n = 1; n <= options.accounts; ++n) {
    const auto row = db.rows("SELECT state FROM accounts WHERE domain = '" + domain_of(n) + "'")[0];
    INFO(domain_of(n));
    CHECK(row[0] == "QUEUED");  // stale: exported again with archive delivery
    CHECK_FALSE(s.sim->instance_attributes(domain_of(n)).empty());
  }
}
