// cozy-stack's Destroy clears `deleting` once the konnectors and RAG are
// cleaned, before it removes the databases and files (COZY.md, DELETE): at
// the end of a long deletion the instance answers, flag off, while it is
// still being deleted. A DELETE whose answer Passage lost then must not be
// taken as done, nor sent again while the stack is still at it.

#include <catch2/catch.hpp>

#include "tests/integration/grace_stand.hpp"

using namespace passage::testing;
using namespace passage::testing::grace;

namespace {

std::string domain_of(int n) { return login_of(n) + ".mytoutatice.cloud"; }

void set_delete_timeout(Stand& s, const std::string& timeout) {
  std::string config = read_file(s.ws.config());
  replace_once(config, "    export_deadline: ", "    delete_timeout: " + timeout + "\n    export_deadline: ");
  s.ws.write("c.yaml", config);
}

std::int64_t open_delete_intents(const Workspace& ws) {
  Db db(ws.database());
  return db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'delete' AND outcome IS NULL");
}

std::int64_t deletes(const CozySim& sim) { return route_count(sim.stats(), "DELETE /instances/:domain"); }

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
  s.advance(days(1));
  const ProcessResult next = s.purge();
  INFO(next.out << next.err);
  CHECK(next.exit_code == 0);
  CHECK(account_states(s.ws).at(login_of(1)) == "PURGED");
  Db db(s.ws.database());
  CHECK(db.rows("SELECT purge_kind FROM accounts")[0][0] == "deleted");
  CHECK(open_delete_intents(s.ws) == 0);
  CHECK(deletes(*s.sim) == 1);
  CHECK(stat(s.sim->stats(), "deletes_during_removal") == 0);
  CHECK(stat(s.sim->stats(), "unsafe_deletions") == 0);
}
