// Group commit (engine/store/commit_steps.cpp, engine/sched/group_commit.*):
// several accounts' steps in one SQLite transaction, with the durability
// rules of one step a transaction (CONTRACT.md "Lock and concurrency"):
// a side effect is released only after the transaction holding its intent
// has committed, and a hold always wins over a pending action.

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/env/faults.hpp"
#include "engine/env/local_write.hpp"
#include "engine/lifecycle/lifecycle.hpp"
#include "engine/sched/group_commit.hpp"
#include "engine/store/journal.hpp"
#include "engine/store/store.hpp"

using namespace passage;
using namespace std::chrono_literals;

namespace {

using passage::testing::TempDir;

const Instant k_t0 = Instant{} + std::chrono::seconds(1'798'000'000);  // 2026-12-23

NewAccount group_account(const std::string& login) {
  NewAccount account;
  account.row.login = login;
  account.row.domain = login + ".cozy.example";
  account.row.action = Action::export_;
  account.row.email = login + "@example.org";
  account.row.departure_date = date::year{2027} / date::January / 15;
  account.stack = "main";
  account.due_at = k_t0;
  return account;
}

Transition group_step(const Account& account, EventKind kind, const std::string& detail = {}) {
  Policy policy;
  policy.zone = date::locate_zone("Europe/Paris");
  Event event(kind);
  event.detail = detail;
  StepResult result = apply(account, event, k_t0, policy);
  REQUIRE(std::holds_alternative<Transition>(result));
  return std::get<Transition>(result);
}

// Two QUEUED accounts, alice and bob, as the runner reads them.
struct GroupFixture {
  TempDir dir;
  std::filesystem::path file = dir.path() / "passage.db";
  Store store{file};
  std::vector<Account> accounts;
  GroupFixture() {
    std::int64_t campaign =
        store.create_campaign("c", "a.csv", {group_account("alice"), group_account("bob")}, k_t0, "admin");
    accounts = store.accounts_of(campaign);
  }
  // The export step of `account` (QUEUED, lookup ok → EXPORTING), with its intent.
  StepCommit export_step(const Account& account, const std::string& key) {
    return StepCommit{account, group_step(account, EventKind::lookup_ok), k_t0, "runner",
                      IntentSpec{"export", key}};
  }
  // A support desk's hold, from its own connection (`account hold`).
  void hold_from_desk(std::int64_t id) {
    Store desk(file);
    Account current = *desk.account(id);
    REQUIRE(desk.commit(current, group_step(current, EventKind::hold, "ticket 7"), k_t0, "support:jane"));
  }
  // What another connection sees: is the intent committed?
  bool committed_intent(const std::string& key) {
    Store other(file);
    return other.intent_outcome(key).has_value();
  }
};

}  // namespace

TEST_CASE("group commit: several accounts' steps in one transaction, each written as commit() writes it",
          "[store][group-commit]") {
  GroupFixture f;
  const Account& alice = f.accounts[0];
  const Account& bob = f.accounts[1];
  std::vector<StepCommitted> done = f.store.commit_steps(
      {}, {f.export_step(alice, "export:a:1"), f.export_step(bob, "export:b:1")});
  REQUIRE(done.size() == 2);
  CHECK(done[0].written);
  CHECK(done[1].written);
  CHECK_FALSE(done[0].error);
  CHECK(to_string(f.store.account(alice.id)->state) == std::string("EXPORTING"));
  CHECK(f.store.account(alice.id)->version == alice.version + 1);
  CHECK(f.store.account(bob.id)->version == bob.version + 1);
  CHECK(f.committed_intent("export:a:1"));
  CHECK(f.committed_intent("export:b:1"));
  CHECK(verify_journal(f.store.db()).ok);
}

TEST_CASE("group commit: a hold committed between two grouped steps wins, the other step commits",
          "[store][group-commit][deletion-safety]") {
  GroupFixture f;
  const Account& alice = f.accounts[0];
  const Account& bob = f.accounts[1];
  StepCommit alice_export = f.export_step(alice, "export:a:1");
  StepCommit bob_export = f.export_step(bob, "export:b:1");
  f.hold_from_desk(alice.id);  // after the runner read alice, before the group commits
  std::vector<StepCommitted> done = f.store.commit_steps({}, {alice_export, bob_export});
  CHECK_FALSE(done[0].written);
  CHECK(done[1].written);
  Account after = *f.store.account(alice.id);
  CHECK(to_string(after.state) == std::string("HELD"));
  CHECK_FALSE(after.last_export_request);
  CHECK_FALSE(f.committed_intent("export:a:1"));
  CHECK(f.committed_intent("export:b:1"));
  CHECK(verify_journal(f.store.db()).ok);
}

TEST_CASE("group commit: a step whose write fails is rolled back alone and gets its error",
          "[store][group-commit]") {
  GroupFixture f;
  const Account& alice = f.accounts[0];
  const Account& bob = f.accounts[1];
  // An export intent key used already: a bug, which must never be skipped.
  REQUIRE(f.store.commit(alice, Transition{alice, {}, "state", "first"}, k_t0, "runner",
                         IntentSpec{"export", "export:dup"}));
  Account alice_now = *f.store.account(alice.id);
  std::vector<StepCommitted> done = f.store.commit_steps(
      {IntentFinish{"export:dup", 0, "", "queued", k_t0}},
      {f.export_step(alice_now, "export:dup"), f.export_step(bob, "export:b:1")});
  CHECK_FALSE(done[0].written);
  CHECK(done[0].error);
  CHECK(done[1].written);
  CHECK(f.store.account(alice.id)->version == alice_now.version);
  CHECK(f.store.intent_outcome("export:dup") == std::optional<std::string>("queued"));
  CHECK(f.committed_intent("export:b:1"));
  CHECK(verify_journal(f.store.db()).ok);
}

TEST_CASE("group commit: a drive resumes only after the transaction holding its intent committed",
          "[group-commit]") {
  GroupFixture f;
  boost::asio::io_context io;
  GroupCommit group(io, f.store, Millis(0));
  // Each drive "sends" its export right after commit() returns, and notes
  // what another connection could see of its intent at that moment.
  std::vector<std::string> sent;
  for (const Account& account : f.accounts) {
    std::string key = "export:" + account.login + ":1";
    StepCommit step = f.export_step(account, key);
    boost::asio::co_spawn(io, [&group, &f, &sent, step, key]() -> boost::asio::awaitable<void> {
      bool written = co_await group.commit(step);
      if (written) sent.push_back(key + (f.committed_intent(key) ? " after its commit" : " BEFORE its commit"));
    }, boost::asio::detached);
  }
  io.poll_one();
  io.poll_one();  // both drives asked; the group is not written yet
  CHECK(sent.empty());
  CHECK_FALSE(f.committed_intent("export:alice:1"));
  io.run();
  CHECK(sent == std::vector<std::string>{"export:alice:1 after its commit", "export:bob:1 after its commit"});
  CHECK(group.figures().groups == 1);
  CHECK(group.figures().steps == 2);
}

TEST_CASE("group commit: a hold placed while a drive's step waits for its group wins, nothing is sent",
          "[group-commit][deletion-safety]") {
  GroupFixture f;
  boost::asio::io_context io;
  GroupCommit group(io, f.store, std::chrono::hours(1));  // written by flush() only
  std::vector<std::string> sent;
  std::vector<bool> written;
  for (const Account& account : f.accounts) {
    std::string key = "export:" + account.login + ":1";
    StepCommit step = f.export_step(account, key);
    boost::asio::co_spawn(io, [&group, &sent, &written, step, key]() -> boost::asio::awaitable<void> {
      bool ok = co_await group.commit(step);
      written.push_back(ok);
      if (ok) sent.push_back(key);
    }, boost::asio::detached);
  }
  io.poll();  // both steps wait in the group
  REQUIRE(written.empty());
  f.hold_from_desk(f.accounts[0].id);
  group.flush();
  io.poll();
  CHECK(written.size() == 2);
  CHECK(sent == std::vector<std::string>{"export:bob:1"});
  CHECK(to_string(f.store.account(f.accounts[0].id)->state) == std::string("HELD"));
  CHECK_FALSE(f.committed_intent("export:alice:1"));
  CHECK(verify_journal(f.store.db()).ok);
}

TEST_CASE("group commit: a refused COMMIT (disk full) fails every drive of the group, none sends",
          "[group-commit]") {
  GroupFixture f;
  boost::asio::io_context io;
  GroupCommit group(io, f.store, Millis(0));
  group.finish(IntentFinish{"", f.accounts[0].id, "export", "done", k_t0});
  int failed = 0;
  int sent = 0;
  for (const Account& account : f.accounts) {
    StepCommit step = f.export_step(account, "export:" + account.login + ":1");
    boost::asio::co_spawn(io, [&group, &failed, &sent, step]() -> boost::asio::awaitable<void> {
      try {
        if (co_await group.commit(step)) ++sent;
      } catch (const LocalWriteError&) {
        ++failed;
      }
    }, boost::asio::detached);
  }
  faults::configure("journal_write:1+", "");
  io.run();
  faults::configure("", "");
  CHECK(failed == 2);
  CHECK(sent == 0);
  CHECK_FALSE(f.committed_intent("export:alice:1"));
  CHECK_THROWS_AS(group.flush(), LocalWriteError);
  CHECK(f.store.account(f.accounts[0].id)->version == f.accounts[0].version);
}

// SQLite may roll the whole transaction back on a statement's error
// (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM: "Response To Errors Within A
// Transaction"), not only that statement. A trigger raising ROLLBACK on
// bob's row does exactly that, in the middle of a group: alice's step,
// written before, is gone with it, so no drive may act, and nothing after
// it may be written outside the transaction.
TEST_CASE("group commit: SQLite rolling the whole transaction back at one step fails every drive of "
          "the group, none sends, nothing is written",
          "[group-commit][deletion-safety]") {
  GroupFixture f;
  f.store.db().exec("CREATE TEMP TRIGGER bob_rollback BEFORE UPDATE ON accounts WHEN old.login = 'bob' "
                    "BEGIN SELECT RAISE(ROLLBACK, 'as a full disk would'); END");
  // Bob's step between alice's and carol's: a step after the rollback
  // must not be written in autocommit mode either.
  std::int64_t campaign = f.store.create_campaign("c2", "b.csv", {group_account("carol")}, k_t0, "admin");
  const Account carol = f.store.accounts_of(campaign).front();
  boost::asio::io_context io;
  GroupCommit group(io, f.store, Millis(0));
  int failed = 0;
  std::vector<std::string> sent;
  for (const Account& account : {f.accounts[0], f.accounts[1], carol}) {
    std::string key = "export:" + account.login + ":1";
    StepCommit step = f.export_step(account, key);
    boost::asio::co_spawn(io, [&group, &failed, &sent, step, key]() -> boost::asio::awaitable<void> {
      try {
        if (co_await group.commit(step)) sent.push_back(key);
      } catch (const std::exception&) {
        ++failed;
      }
    }, boost::asio::detached);
  }
  io.run();
  CHECK(sent.empty());
  CHECK(failed == 3);
  for (const std::string login : {"alice", "bob", "carol"}) {
    INFO(login);
    CHECK_FALSE(f.committed_intent("export:" + login + ":1"));
  }
  CHECK(f.store.account(carol.id)->version == carol.version);
  CHECK(f.store.account(f.accounts[0].id)->version == f.accounts[0].version);
  CHECK(verify_journal(f.store.db()).ok);
}

// An intent's outcome waits for the next group (GroupCommit::finish); a
// crash before it leaves the intent open. The next run must then count the
// request as "may have been queued" (24-hour rule), never forget it.
TEST_CASE("group commit: an export's outcome lost with the process leaves the intent open, and the "
          "24-hour rule still counts the request",
          "[group-commit][deletion-safety]") {
  GroupFixture f;
  const Account& alice = f.accounts[0];
  REQUIRE(f.store.commit_steps({}, {f.export_step(alice, "export:alice:1")}).front().written);
  {
    boost::asio::io_context io;
    GroupCommit group(io, f.store, Millis(0));
    // Answered "not queued" (a 503): written with the next group, which
    // never comes: the process dies with the loop unrun.
    group.finish(IntentFinish{"export:alice:1", alice.id, "export", "not_queued", k_t0 + 1s});
  }
  Store next_run(f.file);
  CHECK_FALSE(next_run.intent_outcome("export:alice:1").value_or(std::string()) == "not_queued");
  const Account after = *next_run.account(alice.id);
  CHECK(to_string(after.state) == std::string("EXPORTING"));
  REQUIRE(after.last_export_request);
  CHECK(*after.last_export_request == k_t0);
}
