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

TEST_CASE("200 user-driven moves (70 % move, 20 % after a reminder, 10 % never): the movers end VERIFIED "
          "by moved: true, never blocked by Passage, the others get a verified fall-back export and a mail",
          "[cozy-admin][user-move]") {
  Options options;
  options.accounts = 200;
  options.action = "move";
  options.max_fraction = 1.0;
  // Fall-back deadline: 7 days before the departure (23 December, local
  // midnight); move reminders 7 and 2 days before it (16 and 21 December).
  options.departure = [](int) { return std::string("2026-12-30"); };
  // Invited on 9 December (21 days before the departure, the first lookup):
  // most move within 5 days, a fifth between the first reminder and the
  // deadline (7.1 to 12.9 days after the invitation), a tenth never.
  options.sim_flags = {"--move-share", "0.7", "--move-delay-s", "3600:432000", "--late-move-share", "0.2",
                       "--late-move-delay-s", "613440:1114560", "--never-move-share", "0.1"};
  Stand s(options);
  for (int day = 0; day < 35; ++day) {
    s.run();
    s.advance(hours(24));
  }
  s.run();

  Db db(s.ws.database());
  const auto rows = db.rows("SELECT domain, state, evidence, verified_at FROM accounts ORDER BY domain");
  REQUIRE(rows.size() == 200);
  const auto reminded = outbox_notices(s.ws.outbox_dir(), "move_reminder");
  const auto fell_back = outbox_notices(s.ws.outbox_dir(), "move_fallback");
  int moved = 0, late = 0, exported = 0;
  for (const auto& row : rows) {
    INFO(row[0] << " " << row[1] << " " << row[2]);
    REQUIRE_FALSE(row[3].empty());  // verified, one way or the other
    const json::object evidence = json::parse(row[2]).as_object();
    const std::string kind(evidence.at("kind").as_string());
    const json::object attributes = s.sim->instance_attributes(row[0]);
    if (kind == "moved") {
      ++moved;
      CHECK(attributes.contains("moved"));
      CHECK(fell_back.count(row[0]) == 0);
      // Moved after the first reminder: they were reminded before moving.
      if (parse_iso_utc(row[3]) > parse_iso_utc("2026-12-16T00:00:00Z")) {
        ++late;
        CHECK(reminded.count(row[0]) == 1);
      }
    } else {
      ++exported;
      CHECK(kind == "export");
      CHECK_FALSE(attributes.contains("moved"));
      CHECK(fell_back.count(row[0]) == 1);
    }
  }
  INFO("moved " << moved << " (late " << late << "), exported " << exported << "; sim "
                  << json::serialize(s.sim->stats()));
  CHECK(moved + exported == 200);
  CHECK(late > 0);
  CHECK(exported > 0);
  CHECK(moved - late > late);
  const json::object stats = s.sim->stats();
  INFO("stats: " << json::serialize(stats));
  // Passage never blocked a source, and never broke a move with an export.
  CHECK(route_count(stats, "PATCH /instances/:domain") == 0);
  CHECK(stat(stats, "moves_prevented_by_block") == 0);
  CHECK(stat(stats, "moves_broken_by_export") == 0);
  CHECK(route_count(stats, "POST /instances/:domain/export", "202") == exported);
  CHECK(stat(stats, "duplicate_exports_24h") == 0);

  // Past every grace end: the moved sources are gone (the hoster deleted
  // them a month after the move) or deleted, the others deleted, all safely.
  s.advance(days(45));
  Stand::require_exit(s.purge(), 0);
  const json::object after = s.sim->stats();
  INFO("after the purge: " << json::serialize(after));
  CHECK(stat(after, "unsafe_deletions") == 0);
  CHECK(state_counts(s.ws, "c1").at("PURGED") == 200);
}

TEST_CASE("grant-access on a space the person moved themselves (moved: true) says the admin API cannot "
          "open it and what to tell the person, nothing is sent to the stack",
          "[cozy-admin][user-move][support][grant]") {
  Options options;
  options.accounts = 1;
  options.action = "move";
  options.departure = [](int) { return std::string("2026-12-30"); };
  options.sim_flags = {"--move-share", "1.0", "--move-delay-s", "3600:3600", "--late-move-share", "0",
                       "--never-move-share", "0"};
  Stand s(options);
  // Invited on 9 December (21 days before the departure); moved an hour later.
  s.advance_to(parse_iso_utc("2026-12-09T09:00:00Z"));
  s.run();
  REQUIRE(account_states(s.ws).at(login_of(1)) == "INVITED");
  // The person's move ends on the sim's clock an hour after the invitation;
  // the runner sees it at its next poll.
  for (int hour = 0; hour < 6 && account_states(s.ws).at(login_of(1)) == "INVITED"; ++hour) {
    s.advance(hours(1));
    s.run();
  }
  REQUIRE(s.sim->instance_attributes(domain_of(1)).contains("moved"));
  REQUIRE(account_states(s.ws).at(login_of(1)) != "INVITED");
  const std::int64_t patches = route_count(s.sim->stats(), "PATCH /instances/:domain");

  ProcessResult refused = s.passage({"account", "grant-access", login_of(1), "--days", "3", "--reason",
                                     "needs a file", "--by", "jane"});
  INFO("stdout: " << refused.out << "\nstderr: " << refused.err);
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("the admin API cannot open it again") != std::string::npos);
  CHECK(refused.err.find("Tell the person: everything the old space held is in https://" + login_of(1) +
                         ".mycozy.cloud") != std::string::npos);
  CHECK(route_count(s.sim->stats(), "PATCH /instances/:domain") == patches);
  Db db(s.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM access_grants") == 0);
}
