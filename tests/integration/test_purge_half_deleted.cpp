// A deletion that fails halfway (COZY.md, DELETE): cozy-stack's Destroy
// clears `deleting` before it removes the databases and files, so when that
// fails the instance still answers, without the flag, and what reads its
// databases answers 404 once the database it reads is gone: cozy-stack's
// DeleteAllDBs removes them one by one in _all_dbs order and stops at the
// first error, so io.cozy.files (disk-usage) can be gone while
// io.cozy.oauth.clients and the sessions (last-activity) still answer.
// The purge never records
// it deleted while it answers, never loops on it night after night, and
// ends with a reason: deleted again the next night, or held for a person.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/integration/grace_stand.hpp"

using namespace passage::testing;
using namespace passage::testing::grace;
namespace fs = std::filesystem;

namespace {


// One departed account through to GRACE, both clocks then past its grace end.
struct OneDue {
  explicit OneDue(std::vector<std::string> sim_flags = {}) {
    Options options;
    options.accounts = 1;
    options.extra = "idle_horizon: 2 seconds\n";
    options.sim_flags = std::move(sim_flags);
    stand = std::make_unique<Stand>(options);
    stand->run();
    REQUIRE(account_states(stand->ws).at(login_of(1)) == "GRACE");
    stand->advance(days(40));
  }

  std::string domain() const { return login_of(1) + ".mytoutatice.cloud"; }
  long instance_status() const { return stand->sim->call("GET", "/instances/" + domain()).status; }
  std::string state() const { return account_states(stand->ws).at(login_of(1)); }
  std::string reason() const {
    return Db(stand->ws.database()).rows("SELECT state_reason FROM accounts")[0][0];
  }
  std::int64_t deletes() const { return route_count(stand->sim->stats(), "DELETE /instances/:domain"); }

  // The first night: every DELETE fails halfway, the account stays due.
  // Where the removal stopped is drawn from the simulator's seed and the
  // domain: with the default seed every database is gone.
  void half_deleted_night(long last_activity_status = 404) {
    Stand& s = *stand;
    s.sim->put_faults(R"({"delete_half": 1})");
    ProcessResult night = s.purge();
    INFO(night.out << night.err);
    CHECK(night.exit_code == 7);  // degraded: a deletion not done
    CHECK(state() == "PURGE_DUE");
    CHECK(stat(s.sim->stats(), "deletions_half_done") >= 1);
    CHECK(instance_status() == 200);
    CHECK_FALSE(s.sim->instance_attributes(domain()).contains("deleting"));
    CHECK(s.sim->call("GET", "/instances/" + domain() + "/last-activity").status == last_activity_status);
    CHECK(s.sim->call("GET", "/instances/" + domain() + "/disk-usage").status == 404);
  }

  // The next night, the stack recovered: one more DELETE, recorded as ours
  // once the instance is gone, the person told once.
  void next_night_deletes_again(std::int64_t deletes_before) {
    Stand& s = *stand;
    s.advance(days(1));
    ProcessResult next = s.purge();
    INFO(next.out << next.err);
    CHECK(next.exit_code == 0);
    CHECK(state() == "PURGED");
    CHECK(Db(s.ws.database()).rows("SELECT purge_kind FROM accounts")[0][0] == "deleted");
    CHECK(instance_status() == 404);
    CHECK(deletes() == deletes_before + 1);
    CHECK(s.ws.outbox_count("deletion_done.") == 1);
  }

  std::unique_ptr<Stand> stand;
};

}  // namespace

TEST_CASE("A half-deleted instance is deleted again the next night once the stack recovers, "
          "recorded only when gone",
          "[purge][deletion-safety]") {
  OneDue due;
  Stand& s = *due.stand;
  due.half_deleted_night();
  s.sim->clear_faults();
  const std::int64_t before = due.deletes();

  due.next_night_deletes_again(before);
  Db db(s.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM journal WHERE kind = 'delete_resumed'") == 1);
  const auto stats = s.sim->stats();
  CHECK(stat(stats, "deletions") == 1);
  CHECK(stat(stats, "unsafe_deletions") == 0);
}

TEST_CASE("A half-deleted instance whose files are gone but whose last-activity still answers is deleted again "
          "the next night, recorded only when gone",
          "[purge][deletion-safety]") {
  // With seed 153 the night's half deletions of u0001 stop past io.cozy.files
  // and before io.cozy.oauth.clients (found by trying seeds on the simulator).
  OneDue due({"--seed", "153"});
  Stand& s = *due.stand;
  due.half_deleted_night(200);
  CHECK(Db(s.ws.database()).rows("SELECT purge_kind FROM accounts")[0][0] != "deleted");
  s.sim->clear_faults();
  const std::int64_t before = due.deletes();

  due.next_night_deletes_again(before);
  const auto stats = s.sim->stats();
  CHECK(stat(stats, "deletions") == 1);
  CHECK(stat(stats, "unsafe_deletions") == 0);
}

TEST_CASE("A half-deleted instance whose DELETE keeps failing is held with a reason, not retried every night, "
          "released once the stack is fixed, it is deleted",
          "[purge][deletion-safety]") {
  OneDue due;
  Stand& s = *due.stand;
  due.half_deleted_night();

  // The second night: deleted again, fails again: held for a person.
  s.advance(days(1));
  ProcessResult second = s.purge();
  INFO(second.out << second.err);
  CHECK(second.exit_code != 4);
  CHECK(due.state() == "HELD");
  CHECK(due.reason().find("delete_incomplete") != std::string::npos);
  CHECK(due.reason().find("release") != std::string::npos);
  CHECK(due.instance_status() == 200);
  CHECK(s.ws.outbox_count("deletion_done.") == 0);

  // Later nights leave it alone: no DELETE, no change.
  const std::int64_t deletes = due.deletes();
  for (int night = 0; night < 2; ++night) {
    s.advance(days(1));
    ProcessResult quiet = s.purge();
    INFO(quiet.out << quiet.err);
    CHECK(quiet.exit_code == 0);
  }
  CHECK(due.deletes() == deletes);
  CHECK(due.state() == "HELD");

  // The hoster fixed the stack; support releases it: the next night deletes it.
  s.sim->clear_faults();
  ProcessResult release =
      s.passage({"account", "release", login_of(1), "--reason", "stack fixed", "--by", "jane"});
  INFO(release.out << release.err);
  REQUIRE(release.exit_code == 0);
  s.advance(days(8));  // a release gives the person a new date, a week away
  ProcessResult last = s.purge();
  INFO(last.out << last.err);
  CHECK(last.exit_code == 0);
  CHECK(due.state() == "PURGED");
  CHECK(due.instance_status() == 404);
  CHECK(s.ws.outbox_count("deletion_done.") == 1);
  CHECK(stat(s.sim->stats(), "unsafe_deletions") == 0);
}
