// User-driven moves as cozy-stack runs them (issue 11): the person moves
// the space from its own settings; the stack exports it (events on the
// admin socket), the target imports, and the source ends `moved: true`.
// Passage never blocks the source, and never exports it while a move may
// be running.

#include <catch2/catch.hpp>

#include <chrono>

#include "tests/integration/grace_stand.hpp"

using namespace passage::testing;
using namespace passage::testing::grace;
namespace json = boost::json;

namespace {

std::string domain_of(int n) { return login_of(n) + ".mytoutatice.cloud"; }

std::int64_t journal_count(const Workspace& ws, const std::string& kind) {
  Db db(ws.database());
  return db.scalar("SELECT COUNT(*) FROM journal WHERE kind = '" + kind + "'");
}

}  // namespace

TEST_CASE("An export Passage did not ask for while the person is invited (their move's) delays the "
          "fall-back export by 24 hours",
          "[cozy-admin][user-move]") {
  Options options;
  options.accounts = 1;
  options.action = "move";
  // Fall-back deadline: 7 days before the departure, local midnight:
  // 2026-11-26 00:00 in Paris, 14 hours after k_t.
  options.departure = [](int) { return std::string("2026-12-03"); };
  Stand s(options);
  s.run();
  REQUIRE(account_states(s.ws).at(login_of(1)) == "INVITED");

  // A run keeps polling; meanwhile the person's move exports the space.
  BackgroundProcess run(s.ws.passage_argv({"run", "--max-duration", "15 seconds", "--now", iso_utc(s.now)}),
                        s.ws.dir(), s.ws.dir() / "run.out", s.ws.dir() / "run.err", s.ws.environment());
  REQUIRE(wait_until([&] { return route_count(s.sim->stats(), "GET /realtime/", "101") >= 1; }, Millis(10000)));
  REQUIRE(s.sim->call("POST", "/_sim/user-export?domain=" + domain_of(1)).status == 202);
  REQUIRE(wait_until([&] { return journal_count(s.ws, "foreign_export") == 1; }, Millis(10000)));
  REQUIRE(run.wait_exit(k_timeout));

  // Past the deadline, 15 hours after that export: the fall-back waits.
  s.advance(hours(15));
  s.run();
  CHECK(route_count(s.sim->stats(), "POST /instances/:domain/export") == 0);
  {
    Db db(s.ws.database());
    const auto row = db.rows("SELECT state, state_reason, due_at, fallback_export FROM accounts")[0];
    INFO(row[0] << " (" << row[1] << ") due " << row[2]);
    CHECK(row[0] == "RETRY_WAIT");
    CHECK(row[1].find("24-hour rule") != std::string::npos);
    CHECK(parse_iso_utc(row[2]) >= s.now + hours(8));
    CHECK(row[3] == "1");
  }
  // 24 hours after it: exported, verified, and the person is told.
  s.advance(hours(10));
  s.run();
  CHECK(route_count(s.sim->stats(), "POST /instances/:domain/export", "202") == 1);
  CHECK(account_states(s.ws).at(login_of(1)) == "NOTIFIED");
  const auto told = outbox_notices(s.ws.outbox_dir(), "move_fallback");
  REQUIRE(told.count(domain_of(1)) == 1);
  CHECK(stat(s.sim->stats(), "duplicate_exports_24h") == 0);
  // Passage never blocked the source.
  CHECK(route_count(s.sim->stats(), "PATCH /instances/:domain") == 0);
}
