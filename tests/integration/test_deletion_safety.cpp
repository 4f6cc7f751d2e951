// Deletion safety (issue 10) through the real binary against
// passage-cozy-sim: a hold during the DELETE's retries, a DELETE slower
// than the transfer's stall limit, a purge killed between the DELETE and
// its record, a purge whose clock is behind, and a postpone committed
// while a run checks the same account. Each failed before its fix.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>

#include <sys/wait.h>

#include "tests/integration/grace_stand.hpp"

using namespace passage::testing;
using namespace passage::testing::grace;
namespace fs = std::filesystem;

namespace {


// One departed account through to GRACE, both clocks then moved past its
// grace end; the sim deletes in `delete_ms` ("A:B").
struct OneDue {
  explicit OneDue(const std::string& extra = "idle_horizon: 2 seconds\n",
                  std::vector<std::string> sim_flags = {}) {
    Options options;
    options.accounts = 1;
    options.extra = extra;
    options.sim_flags = std::move(sim_flags);
    stand = std::make_unique<Stand>(options);
    stand->run();
    REQUIRE(account_states(stand->ws).at(login_of(1)) == "GRACE");
    stand->advance(days(40));
  }

  std::string domain() const { return login_of(1) + ".mytoutatice.cloud"; }
  long instance_status() const { return stand->sim->call("GET", "/instances/" + domain()).status; }
  std::string state() const { return account_states(stand->ws).at(login_of(1)); }

  std::unique_ptr<Stand> stand;
};

std::vector<std::string> with_now(std::vector<std::string> args, SysSeconds now) {
  args.push_back("--now");
  args.push_back(iso_utc(now));
  return args;
}

}  // namespace

TEST_CASE("defect 2: a hold placed while the purge retries a DELETE stops the next attempt",
          "[deletion-safety][purge]") {
  OneDue due;
  Stand& s = *due.stand;
  // Every DELETE fails and leaves `deleting` set: the purge retries.
  s.sim->put_faults(R"({"delete_stuck": 1})");
  BackgroundProcess purge(s.ws.passage_argv(with_now({"purge"}, s.now)), s.ws.dir(),
                          s.ws.dir() / "purge.out", s.ws.dir() / "purge.err", s.ws.environment());
  // The stack answered a first DELETE with a 500: the purge will try again.
  REQUIRE(wait_until([&] { return route_count(s.sim->stats(), "DELETE /instances/:domain", "500") >= 1; },
                     Millis(20000)));
  // The desk holds it between two attempts (refused only while one is in flight).
  int held = -1;
  for (int tries = 0; tries < 50 && held != 0; ++tries) {
    held = s.passage({"account", "hold", login_of(1), "--reason", "do not delete", "--by", "jane"}).exit_code;
    if (held != 0) wait_until([] { return false; }, Millis(100));
  }
  REQUIRE(held == 0);
  // The stack recovers: a new DELETE would now succeed.
  s.sim->clear_faults();
  REQUIRE(s.sim->call("PATCH", "/instances/" + due.domain() + "?Deleting=false").status == 200);
  REQUIRE(purge.wait_exit(Millis(120000)));
  CHECK(due.instance_status() == 200);
  CHECK(due.state() == "HELD");
  CHECK(s.deletions() == 0);
  CHECK(s.ws.outbox_count("deletion_done.") == 0);
}

TEST_CASE("defect 8: a DELETE slower than the 30 s stall limit is awaited up to delete_timeout",
          "[deletion-safety][purge][slow]") {
  OneDue due("idle_horizon: 2 seconds\n", {"--delete-ms", "32000:32000"});
  Stand& s = *due.stand;
  ProcessResult purge = s.purge();
  INFO(purge.err);
  CHECK(purge.exit_code == 0);
  CHECK(due.state() == "PURGED");
  Db db(s.ws.database());
  CHECK(db.rows("SELECT purge_kind FROM accounts")[0][0] == "deleted");
  CHECK(s.ws.outbox_count("deletion_done.") == 1);
}

TEST_CASE("a purge killed between the DELETE and its record: the next one records our deletion "
          "and tells the person",
          "[deletion-safety][purge]") {
  OneDue due("idle_horizon: 2 seconds\n", {"--delete-ms", "1500:1500"});
  Stand& s = *due.stand;
  {
    BackgroundProcess purge(s.ws.passage_argv(with_now({"purge"}, s.now)), s.ws.dir(),
                            s.ws.dir() / "purge.out", s.ws.dir() / "purge.err", s.ws.environment());
    Db db(s.ws.database());
    REQUIRE(wait_until([&] { return db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'delete' "
                                              "AND outcome IS NULL") == 1; },
                       Millis(20000)));
    purge.kill();  // the DELETE is in flight on the stack, which finishes it
  }
  // The desk cannot stop what may already be happening... and is told so.
  CHECK(s.passage({"account", "hold", login_of(1), "--reason", "x", "--by", "jane"}).exit_code == 2);
  // Usually the DELETE reached the stack, which finishes it.
  const bool reached = wait_until([&] { return due.instance_status() == 404; }, Millis(10000));
  if (reached) {
    // The next purge records our deletion.
    ProcessResult next = s.purge();
    INFO(next.err);
    CHECK(next.exit_code == 0);
    CHECK(due.state() == "PURGED");
    Db db(s.ws.database());
    CHECK(db.rows("SELECT purge_kind FROM accounts")[0][0] == "deleted");
    CHECK(s.ws.outbox_count("deletion_done.") == 1);
  } else {
    // On a loaded machine the kill came before the DELETE left: the next
    // night, it did not happen and the hold kept pending wins.
    s.advance(std::chrono::hours(13));
    ProcessResult next = s.purge();
    INFO(next.err);
    CHECK(due.state() == "HELD");
    CHECK(due.instance_status() == 200);
    CHECK(s.ws.outbox_count("deletion_done.") == 0);
  }
}

// cozy-stack's Destroy clears `deleting` before it removes the databases
// one by one (COZY.md, DELETE): a purge killed then leaves an instance that
// answers, flag off, most of its databases still there. The next purge
// must not read that as "the DELETE did not happen": no second DELETE, no
// pending hold applied to a space being removed; once it is gone, our
// deletion, the person told once.
TEST_CASE("a purge killed while the stack removes the databases, flag off: the next purge waits, "
          "no second DELETE, no hold applied, then records our deletion",
          "[deletion-safety][purge]") {
  OneDue due("idle_horizon: 2 seconds\n", {"--delete-ms", "10000:10000", "--delete-cleanup-share", "0.3"});
  Stand& s = *due.stand;
  {
    BackgroundProcess purge(s.ws.passage_argv(with_now({"purge"}, s.now)), s.ws.dir(),
                            s.ws.dir() / "purge.out", s.ws.dir() / "purge.err", s.ws.environment());
    // The DELETE reached the stack: `deleting` set for its clean-up (3 s).
    REQUIRE(wait_until([&] { return s.sim->instance_attributes(due.domain()).contains("deleting"); },
                       Millis(20000)));
    // Past the clean-up: the flag is off, the databases are going.
    REQUIRE(wait_until([&] { return !s.sim->instance_attributes(due.domain()).contains("deleting"); },
                       Millis(5000)));
    purge.kill();
  }
  REQUIRE(due.instance_status() == 200);
  CHECK(s.passage({"account", "hold", login_of(1), "--reason", "x", "--by", "jane"}).exit_code == 2);
  ProcessResult during = s.purge();
  INFO(during.out << during.err);
  CHECK(during.exit_code == 0);
  CHECK(stat(s.sim->stats(), "deletes_during_removal") == 0);
  CHECK(due.state() == "PURGE_DUE");
  CHECK(purge_listed(latest_purge_report(s.ws), "deferred").count(login_of(1)) == 1);

  REQUIRE(wait_until([&] { return due.instance_status() == 404; }, Millis(15000)));
  ProcessResult after = s.purge();
  INFO(after.out << after.err);
  CHECK(after.exit_code == 0);
  CHECK(due.state() == "PURGED");
  CHECK(stat(s.sim->stats(), "deletes_during_removal") == 0);
  CHECK(stat(s.sim->stats(), "deletions") == 1);
  Db db(s.ws.database());
  CHECK(db.rows("SELECT purge_kind FROM accounts")[0][0] == "deleted");
  CHECK(s.ws.outbox_count("deletion_done.") == 1);
  CHECK(stat(s.sim->stats(), "unsafe_deletions") == 0);
}

TEST_CASE("defect 10: a purge whose clock is behind leaves due accounts for a later night, "
          "run never ends a grace period",
          "[deletion-safety][purge]") {
  Options options;
  options.accounts = 10;
  options.max_fraction = 0.05;
  Stand s(options);
  s.run();
  s.advance(days(40));
  // A run after the grace end sends what is due but leaves the end to the purge.
  s.run();
  CHECK(state_counts(s.ws, "c1").at("GRACE") == 10);
  // The purge ends them and deletes.
  REQUIRE(s.purge().exit_code == 0);
  CHECK(state_counts(s.ws, "c1").at("PURGED") == 10);
}

TEST_CASE("defect 10: due accounts seen by a purge whose clock stepped back are not interlock "
          "failures",
          "[deletion-safety][purge]") {
  Options options;
  options.accounts = 10;
  options.extra = "idle_horizon: 2 seconds\n";
  Stand s(options);
  s.run();
  s.advance(days(40));
  // A purge makes them due but cannot delete (the stack refuses reads).
  s.sim->put_faults(R"({"http_5xx": 1})");
  ProcessResult first = s.purge();
  INFO(first.err);
  REQUIRE(state_counts(s.ws, "c1").at("PURGE_DUE") == 10);
  s.sim->clear_faults();
  // The next purge runs with a clock stepped back before the grace end.
  ProcessResult behind = s.ws.passage(with_now({"purge"}, s.now - days(20)), k_timeout);
  INFO(behind.err);
  CHECK(behind.exit_code == 0);
  auto counts = state_counts(s.ws, "c1");
  CHECK(counts.at("PURGE_DUE") == 10);
  CHECK(counts.at("HELD") == 0);
  CHECK(s.deletions() == 0);
  auto report = latest_purge_report(s.ws);
  CHECK_FALSE(report.at("breaker").as_object().at("tripped").as_bool());
}

TEST_CASE("defect 4: a postpone during the departure's activity check is kept", "[deletion-safety]") {
  Options options;
  options.accounts = 1;
  options.departure = [](int) { return std::string("2026-11-28"); };
  options.extra = "idle_horizon: 2 seconds\n";
  Stand s(options);
  s.run();
  REQUIRE(account_states(s.ws).at(login_of(1)) == "NOTIFIED");
  s.advance(days(4));  // departed: the run checks activity, slowly
  s.sim->put_faults(R"({"latency_ms": {"min": 4000, "max": 4000, "rate": 1}})");
  BackgroundProcess run(s.ws.passage_argv(with_now({"run", "--until-idle"}, s.now)), s.ws.dir(),
                        s.ws.dir() / "run.out", s.ws.dir() / "run.err", s.ws.environment());
  wait_until([] { return false; }, Millis(1500));  // the run is waiting for last-activity
  ProcessResult postponed =
      s.passage({"account", "postpone", login_of(1), "--days", "20", "--reason", "one more month",
                 "--by", "jane"});
  INFO(postponed.err);
  REQUIRE(postponed.exit_code == 0);
  REQUIRE(run.wait_exit(Millis(60000)));
  s.sim->clear_faults();
  Db db(s.ws.database());
  INFO("run: " << read_file(s.ws.dir() / "run.err"));
  for (const auto& row : db.rows("SELECT at, actor, kind, detail FROM journal WHERE account_id IS NOT NULL"))
    UNSCOPED_INFO(row[0] << " " << row[1] << " " << row[2] << " " << row[3]);
  auto told = db.rows("SELECT told_deletion_date, state FROM accounts")[0];
  // 28 December (departure + 1 month) + 20 days.
  CHECK(told[0] == "2027-01-17");
  CHECK(told[1] == "GRACE");
}

TEST_CASE("a list dropping an account whose DELETE is under way: refused, but when that DELETE "
          "did not happen the purge holds the account dropped_from_list instead of deleting it",
          "[deletion-safety][purge][list]") {
  OneDue due("idle_horizon: 2 seconds\ncampaign: { max_change_fraction: 1.0 }\n");
  Stand& s = *due.stand;
  {
    // A purge crashed 13 hours ago (the night before) after
    // committing its DELETE intent, before sending it.
    Db db(s.ws.database());
    db.exec("INSERT INTO intents (account_id, kind, key, created_at, domain) VALUES (1, 'delete', "
            "'delete:" + due.domain() + ":1:1', '" + iso_utc(s.now - hours(13)) + "', '" + due.domain() + "')");
  }
  s.ws.write("empty.csv", "login,domain,action,email,target,departure_date,reason\n");
  ProcessResult update = s.passage({"campaign", "update", "c1", "--accounts", "empty.csv"});
  INFO(update.err);
  CHECK(update.exit_code == 1);
  CHECK(update.err.find("could not be dropped") != std::string::npos);
  CHECK(update.err.find("held dropped_from_list") != std::string::npos);

  ProcessResult purge = s.purge();
  INFO(purge.err);
  CHECK(due.instance_status() == 200);
  CHECK(s.deletions() == 0);
  CHECK(due.state() == "HELD");
  Db db(s.ws.database());
  CHECK(db.rows("SELECT hold_reasons FROM accounts")[0][0] == "[\"dropped_from_list\"]");
  // Support cannot release a dropped account; a list including it again can.
  CHECK(s.passage({"account", "release", login_of(1), "--reason", "x", "--by", "jane"}).exit_code == 2);
}

TEST_CASE("a support hold or cancel refused while a DELETE is under way: when that DELETE did not "
          "happen, the purge holds the account with the desk's reason instead of deleting it",
          "[deletion-safety][purge][support]") {
  for (const std::string verb : {"hold", "cancel"}) {
    DYNAMIC_SECTION("account " << verb) {
      OneDue due("idle_horizon: 2 seconds\n");
      Stand& s = *due.stand;
      {
        // A purge crashed 13 hours ago (the night before) after
        // committing its DELETE intent, before sending it.
        Db db(s.ws.database());
        db.exec("INSERT INTO intents (account_id, kind, key, created_at, domain) VALUES (1, 'delete', "
                "'delete:" + due.domain() + ":1:1', '" + iso_utc(s.now - hours(13)) + "', '" + due.domain() + "')");
      }
      ProcessResult refused =
          s.passage({"account", verb, login_of(1), "--reason", "ticket 42", "--by", "jane"});
      INFO(refused.err);
      CHECK(refused.exit_code != 0);
      CHECK(refused.err.find("under way") != std::string::npos);
      CHECK(refused.err.find("the account is held (" + verb + ": ticket 42)") != std::string::npos);

      ProcessResult purge = s.purge();
      INFO(purge.err);
      CHECK(due.instance_status() == 200);
      CHECK(s.deletions() == 0);
      CHECK(due.state() == "HELD");
      Db db(s.ws.database());
      CHECK(db.rows("SELECT hold_reasons FROM accounts")[0][0] == "[\"" + verb + ": ticket 42\"]");
      // Support can release this hold: it is its own.
      CHECK(s.passage({"account", "release", login_of(1), "--reason", "x", "--by", "jane"}).exit_code == 0);
    }
  }
}

TEST_CASE("a DELETE the stack holds past delete_timeout is an unknown outcome: one DELETE, no deletion recorded "
          "that night, a later purge reads the instance back and records what really happened",
          "[deletion-safety][purge][delete-hang]") {
  const bool stack_fails = GENERATE(false, true);
  OneDue due("idle_horizon: 2 seconds\n");
  Stand& s = *due.stand;
  set_delete_timeout(s, "2 seconds");
  // cozy-stack's Destroy goes on after the client gave up; with delete_stuck
  // it fails behind the hang and leaves `deleting` set.
  s.sim->put_faults(stack_fails ? R"({"delete_hang":{"rate":1,"ms":6000},"delete_stuck":1})"
                                : R"({"delete_hang":{"rate":1,"ms":6000}})");
  ProcessResult night = s.purge();
  INFO(night.out << night.err);
  CHECK(night.exit_code == 7);  // degraded: a deletion not seen done
  CHECK(due.state() == "PURGE_DUE");
  CHECK(s.ws.outbox_count("deletion_done.") == 0);
  // The deletion may still happen: the DELETE stays under way, support cannot promise a hold.
  CHECK(open_delete_intents(s.ws) == 1);
  if (!stack_fails) {
    ProcessResult hold = s.passage({"account", "hold", login_of(1), "--reason", "x", "--by", "jane"});
    CHECK(hold.exit_code != 0);
    CHECK(hold.err.find("under way") != std::string::npos);
  }

  // The stack ends the deletion (or fails it) on its own; nothing was re-sent meanwhile.
  if (stack_fails) {
    REQUIRE(wait_until([&] { return route_count(s.sim->stats(), "DELETE /instances/:domain") == 1; }, Millis(15000)));
    CHECK(due.instance_status() == 200);
  } else {
    REQUIRE(wait_until([&] { return due.instance_status() == 404; }, Millis(15000)));
  }
  CHECK(route_count(s.sim->stats(), "DELETE /instances/:domain") == 1);
  s.sim->clear_faults();

  const std::int64_t patches = route_count(s.sim->stats(), "PATCH /instances/:domain");
  s.advance(days(1));
  ProcessResult next = s.purge();
  INFO(next.out << next.err);
  CHECK(next.exit_code == 0);
  CHECK(due.state() == "PURGED");
  Db db(s.ws.database());
  CHECK(db.rows("SELECT purge_kind FROM accounts")[0][0] == "deleted");
  CHECK(s.ws.outbox_count("deletion_done.") == 1);
  CHECK(open_delete_intents(s.ws) == 0);
  CHECK(s.deletions() == 1);
  CHECK(due.instance_status() == 404);
  // Gone: no new DELETE. Still there with the flag stuck: repaired, then one DELETE.
  CHECK(route_count(s.sim->stats(), "DELETE /instances/:domain") == (stack_fails ? 2 : 1));
  CHECK(route_count(s.sim->stats(), "PATCH /instances/:domain") - patches == (stack_fails ? 1 : 0));
}

TEST_CASE("A stuck deletion that fails again after its repair is HELD delete_stuck and the night still exits 7",
          "[deletion-safety][purge]") {
  OneDue due;
  Stand& s = *due.stand;
  s.sim->put_faults(R"({"delete_stuck": 1})");
  Stand::require_exit(s.purge(), 7);
  REQUIRE(due.state() == "PURGE_DUE");
  // The next night: the flag is repaired (PATCH), the DELETE fails again.
  s.advance(days(1));
  const ProcessResult second = s.purge();
  INFO(second.out << second.err);
  CHECK(second.exit_code == 7);
  CHECK(second.out.find("1 held") != std::string::npos);
  CHECK(second.out.find("1 deletion failed") != std::string::npos);
  CHECK(due.state() == "HELD");
  CHECK(latest_purge_report(s.ws).at("delete_failed").as_int64() == 1);
  CHECK(route_count(s.sim->stats(), "PATCH /instances/:domain", "200") == 1);
  CHECK(s.deletions() == 0);
}

TEST_CASE("A purge stopped (SIGTERM) between two DELETE attempts sends no other, keeps the account due and exits 7",
          "[deletion-safety][purge][signal]") {
  OneDue due("idle_horizon: 2 seconds\nretry_budget: 5\n");
  Stand& s = *due.stand;
  s.sim->put_faults(R"({"delete_stuck": 1})");
  BackgroundProcess purge(s.ws.passage_argv(with_now({"purge"}, s.now)), s.ws.dir(),
                          s.ws.dir() / "purge.out", s.ws.dir() / "purge.err", s.ws.environment());
  REQUIRE(wait_until([&] { return route_count(s.sim->stats(), "DELETE /instances/:domain", "500") >= 1; },
                     Millis(20000)));
  ::kill(purge.pid(), SIGTERM);
  const std::int64_t sent = route_count(s.sim->stats(), "DELETE /instances/:domain");
  REQUIRE(purge.wait_exit(Millis(30000)));
  const std::string out = read_file(s.ws.dir() / "purge.out");
  INFO(out << read_file(s.ws.dir() / "purge.err"));
  CHECK(WIFEXITED(purge.status()));
  CHECK(WEXITSTATUS(purge.status()) == 7);
  CHECK(out.find("purge stopped by a signal") != std::string::npos);
  // At most the attempt already on its way when the signal came.
  CHECK(route_count(s.sim->stats(), "DELETE /instances/:domain") <= sent + 1);
  CHECK(due.state() == "PURGE_DUE");
  CHECK(latest_purge_report(s.ws).at("stopped_by_signal").as_bool());
  CHECK(s.deletions() == 0);
}

// last-activity shows logins and OAuth clients, not a konnector's or a
// sharing's writes: the purge also compares the space's files with the
// disk usage its evidence was checked against, and exports again.
TEST_CASE("files written after the export without a login (a konnector) are exported again, never deleted "
          "with the space",
          "[deletion-safety][purge]") {
  OneDue due;
  Stand& s = *due.stand;
  const std::int64_t exports = stat(s.sim->stats(), "exports_started");
  REQUIRE(s.sim->call("POST", "/_sim/change-files?domain=" + due.domain() + "&op=create&count=2").status == 200);
  ProcessResult night = s.purge();
  INFO(night.out << night.err);
  CHECK(night.exit_code == 0);
  CHECK(due.state() == "QUEUED");
  CHECK(s.deletions() == 0);
  const auto listed = purge_listed(latest_purge_report(s.ws), "reexport");
  REQUIRE(listed.count(login_of(1)) == 1);
  CHECK(listed.at(login_of(1)).starts_with("files changed since the evidence: files "));
  // The next run exports the space as it is now.
  ProcessResult run = s.passage({"run", "--until-idle"});
  INFO(run.out << run.err);
  CHECK(stat(s.sim->stats(), "exports_started") == exports + 1);
}
