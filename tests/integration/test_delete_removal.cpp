// cozy-stack's Destroy clears `deleting` once the konnectors and RAG are
// cleaned, before it removes the databases and files (COZY.md, DELETE): at
// the end of a long deletion the instance answers, flag off, while it is
// still being deleted. A DELETE whose answer Passage lost then must not be
// taken as done, nor sent again while the stack is still at it.

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include "tests/integration/grace_stand.hpp"

using namespace passage::testing;
using namespace passage::testing::grace;

namespace {

std::string domain_of(int n) { return login_of(n) + ".mytoutatice.cloud"; }

std::int64_t deletes(const CozySim& sim) { return route_count(sim.stats(), "DELETE /instances/:domain"); }

// A day later, the instance gone: the purge records the deletion as ours.
void next_day_records_our_deletion(Stand& s) {
  s.advance(days(1));
  const ProcessResult next = s.purge();
  INFO(next.out << next.err);
  CHECK(next.exit_code == 0);
  CHECK(account_states(s.ws).at(login_of(1)) == "PURGED");
  Db db(s.ws.database());
  CHECK(db.rows("SELECT purge_kind FROM accounts")[0][0] == "deleted");
}

}  // namespace

TEST_CASE("a DELETE unanswered while the stack removes the databases and files, flag already cleared: not "
          "taken as done, not sent again while under way - the next purge reads back that it happened",
          "[deletion-safety][purge][delete-hang]") {
  Options options;
  options.accounts = 1;
  options.extra = "idle_horizon: 2 seconds\n";
  options.sim_flags = {"--delete-cleanup-share", "0.1"};  // the flag clears after a tenth of the DELETE
  Stand s(options);
  s.run();
  REQUIRE(account_states(s.ws).at(login_of(1)) == "GRACE");
  s.advance(days(40));
  set_delete_timeout(s, "2 seconds");
  // 8 s of deletion: `deleting` set for 0.8 s, then the databases and files go.
  s.sim->put_faults(R"({"delete_hang":{"rate":1,"ms":8000}})");
  const ProcessResult night = s.purge();
  INFO(night.out << night.err);
  CHECK(night.exit_code == 7);  // degraded: a deletion not seen done
  CHECK(account_states(s.ws).at(login_of(1)) == "PURGE_DUE");
  CHECK(open_delete_intents(s.ws) == 1);
  CHECK(stat(s.sim->stats(), "deletes_during_removal") == 0);

  // The stack ends the deletion on its own; nothing was re-sent meanwhile
  // (the simulator counts a DELETE once it is answered).
  REQUIRE(wait_until([&] { return s.sim->call("GET", "/instances/" + domain_of(1)).status == 404; },
                     Millis(15000)));
  REQUIRE(wait_until([&] { return deletes(*s.sim) == 1; }, Millis(5000)));
  CHECK(stat(s.sim->stats(), "deletes_during_removal") == 0);
  s.sim->clear_faults();
  next_day_records_our_deletion(s);
  CHECK(open_delete_intents(s.ws) == 0);
  CHECK(deletes(*s.sim) == 1);
  CHECK(stat(s.sim->stats(), "deletes_during_removal") == 0);
  CHECK(stat(s.sim->stats(), "unsafe_deletions") == 0);
}

namespace {

std::int64_t delete_intents(const Workspace& ws) {
  Db db(ws.database());
  return db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'delete'");
}

// One departed account in PURGE_DUE's reach: both clocks past its grace.
void one_due(Stand& s) {
  s.run();
  REQUIRE(account_states(s.ws).at(login_of(1)) == "GRACE");
  s.advance(days(40));
}

Options one_account() {
  Options options;
  options.accounts = 1;
  options.extra = "idle_horizon: 2 seconds\n";
  return options;
}

}  // namespace

TEST_CASE("a DELETE unanswered whose read-back the stack does not answer either is not sent again that night",
          "[deletion-safety][purge][delete-hang]") {
  Stand s(one_account());
  one_due(s);
  set_delete_timeout(s, "2 seconds");
  s.sim->put_faults(R"({"delete_hang":{"rate":1,"ms":8000}})");
  BackgroundProcess purge(s.ws.passage_argv({"purge", "--now", iso_utc(s.now)}), s.ws.dir(), s.ws.dir() / "purge.out",
                          s.ws.dir() / "purge.err", s.ws.environment());
  // The DELETE reached the stack (`deleting` set for its clean-up): from now
  // on every admin call fails, the read-back after the timeout included.
  REQUIRE(wait_until([&] { return s.sim->instance_attributes(domain_of(1)).contains("deleting"); }, Millis(20000)));
  s.sim->put_faults(R"({"delete_hang":{"rate":1,"ms":8000},"http_5xx":1})");
  REQUIRE(purge.wait_exit(Millis(60000)));
  INFO(read_file(s.ws.dir() / "purge.out") << read_file(s.ws.dir() / "purge.err"));
  CHECK(WIFEXITED(purge.status()));
  CHECK(WEXITSTATUS(purge.status()) == 7);
  CHECK(delete_intents(s.ws) == 1);
  CHECK(open_delete_intents(s.ws) == 1);
  CHECK(account_states(s.ws).at(login_of(1)) == "PURGE_DUE");

  s.sim->clear_faults();
  REQUIRE(wait_until([&] { return s.sim->call("GET", "/instances/" + domain_of(1)).status == 404; },
                     Millis(15000)));
  next_day_records_our_deletion(s);
  CHECK(delete_intents(s.ws) == 1);
  CHECK(stat(s.sim->stats(), "unsafe_deletions") == 0);
}

TEST_CASE("a hold kept pending behind an unanswered DELETE that failed on the stack (flag stuck) is applied "
          "by the next purge, which sends nothing, released the flag is repaired and the space deleted",
          "[deletion-safety][purge][delete-hang][support]") {
  Stand s(one_account());
  one_due(s);
  set_delete_timeout(s, "2 seconds");
  s.sim->put_faults(R"({"delete_hang":{"rate":1,"ms":6000},"delete_stuck":1})");
  Stand::require_exit(s.purge(), 7);
  REQUIRE(open_delete_intents(s.ws) == 1);
  const ProcessResult hold = s.passage({"account", "hold", login_of(1), "--reason", "asked by the person", "--by", "jane"});
  CHECK(hold.exit_code == 2);  // not promised: the DELETE may still happen
  // The stack's Destroy fails behind the hang: `deleting` stays set.
  REQUIRE(wait_until([&] { return deletes(*s.sim) == 1; }, Millis(15000)));
  REQUIRE(s.sim->instance_attributes(domain_of(1)).contains("deleting"));
  s.sim->clear_faults();

  s.advance(days(1));
  const ProcessResult next = s.purge();
  INFO(next.out << next.err);
  CHECK(account_states(s.ws).at(login_of(1)) == "HELD");
  CHECK(purge_listed(latest_purge_report(s.ws), "held").count(login_of(1)) == 1);
  CHECK(deletes(*s.sim) == 1);
  CHECK(open_delete_intents(s.ws) == 0);
  CHECK(s.sim->call("GET", "/instances/" + domain_of(1)).status == 200);

  // Released: a new date, told; once it has passed, the flag is repaired
  // and the space deleted.
  REQUIRE(s.passage({"account", "release", login_of(1), "--reason", "ok now", "--by", "jane"}).exit_code == 0);
  CHECK(account_states(s.ws).at(login_of(1)) == "GRACE");
  s.advance(days(10));
  const ProcessResult later = s.purge();
  INFO(later.out << later.err);
  CHECK(later.exit_code == 0);
  CHECK(account_states(s.ws).at(login_of(1)) == "PURGED");
  CHECK(route_count(s.sim->stats(), "PATCH /instances/:domain", "200") == 1);
  CHECK(stat(s.sim->stats(), "deletions") == 1);
}
