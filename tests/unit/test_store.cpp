// The store (engine/store/store.hpp): schema, campaigns, accounts and
// their timers, atomic commits where a hold always wins, intents,
// cooldowns and the breaker, all over one SQLite file.

#include <catch2/catch.hpp>

#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "engine/lifecycle/lifecycle.hpp"
#include "engine/store/journal.hpp"
#include "engine/store/schema.hpp"
#include "engine/store/store.hpp"

using namespace passage;
using namespace std::chrono_literals;

namespace {

using passage::testing::TempDir;

std::string text(std::optional<Instant> at) { return at ? format_utc(*at) : "none"; }
std::string name(State state) { return std::string(to_string(state)); }
std::string name(std::optional<State> state) { return state ? name(*state) : "none"; }

const Instant k_t0 = Instant{} + std::chrono::seconds(1'798'000'000);  // 2026-12-23

NewAccount new_account(const std::string& login, Instant due, Action action = Action::export_) {
  NewAccount account;
  account.row.login = login;
  account.row.domain = login + ".cozy.example";
  account.row.action = action;
  account.row.email = login + "@example.org";
  if (action == Action::move) {
    account.row.target = "https://" + login + ".elsewhere.example";
    account.row.target_host = login + ".elsewhere.example";
    account.row.admin_move = true;
  }
  account.row.departure_date = date::year{2027} / date::January / 15;
  account.row.reason = "left in " + login;
  account.stack = "main";
  account.due_at = due;
  return account;
}

Policy policy() {
  Policy result;
  result.zone = date::locate_zone("Europe/Paris");
  return result;
}

Transition apply_ok(const Account& account, EventKind kind, Instant now,
                    const std::string& detail = {}) {
  Event event(kind);
  event.detail = detail;
  StepResult result = apply(account, event, now, policy());
  REQUIRE(std::holds_alternative<Transition>(result));
  return std::get<Transition>(result);
}

// Puts an account straight into `state` with timer `due` (a test shortcut
// through commit(), as the runner would after several steps).
void force(Store& store, std::int64_t id, State state, std::optional<Instant> due) {
  Account before = *store.account(id);
  Transition transition{before, {}, "state", "test: to " + name(state)};
  transition.next.state = state;
  transition.next.due_at = due;
  REQUIRE(store.commit(before, transition, k_t0, "test"));
}

struct JournalLine {
  std::optional<std::int64_t> account_id;
  std::string kind;
  std::string detail;
};

std::vector<JournalLine> journal_of(Store& store) {
  std::vector<JournalLine> lines;
  for_each_journal_entry(store.db(), [&](const JournalEntry& entry) {
    lines.push_back({entry.account_id, entry.kind, entry.detail});
    return true;
  });
  return lines;
}

int count_kind(Store& store, const std::string& kind) {
  int count = 0;
  for (const auto& line : journal_of(store)) count += line.kind == kind ? 1 : 0;
  return count;
}

struct Fixture {
  TempDir dir;
  std::filesystem::path file = dir.path() / "passage.db";
  Store store{file};
};

std::vector<std::string> logins(const std::vector<Account>& accounts) {
  std::vector<std::string> result;
  for (const auto& account : accounts) result.push_back(account.login);
  return result;
}

}  // namespace

TEST_CASE("migrations bring a fresh file to the latest version, idempotently", "[store]") {
  TempDir dir;
  auto file = dir.path() / "passage.db";
  CHECK(latest_schema_version() >= 1);
  {
    Store store(file);
    CHECK(store.db().user_version() == latest_schema_version());
    store.create_campaign("spring", "accounts.csv", {new_account("alice", k_t0)}, k_t0, "admin");
  }
  {
    Store again(file);
    CHECK(again.db().user_version() == latest_schema_version());
    migrate(again.db());
    CHECK(again.db().user_version() == latest_schema_version());
    REQUIRE(again.find_campaign("spring"));
    CHECK(again.accounts_of(again.find_campaign("spring")->id).size() == 1);
    CHECK(verify_journal(again.db()).ok);
  }
}

TEST_CASE("the configured delivery reaches every imported account", "[store][delivery]") {
  Fixture f;
  NewAccount kept = new_account("alice", k_t0);
  kept.delivery = "archive";
  std::int64_t id = f.store.create_campaign("spring", "a.csv", {kept, new_account("bob", k_t0)}, k_t0, "admin");
  auto accounts = f.store.accounts_of(id);
  REQUIRE(accounts.size() == 2);
  CHECK(accounts[0].delivery == "archive");
  CHECK(accounts[1].delivery == "space");
  NewAccount added = new_account("carol", k_t0);
  added.delivery = "archive";
  f.store.add_accounts(id, {added}, k_t0, "admin");
  CHECK(f.store.find_accounts("carol").front().delivery == "archive");
}

TEST_CASE("a campaign keeps how many empty rows its latest list had", "[store]") {
  Fixture f;
  std::int64_t id = f.store.create_campaign("spring", "a.csv", {new_account("alice", k_t0)}, k_t0, "admin", 3);
  CHECK(f.store.find_campaign("spring")->skipped_rows == 3);
  f.store.set_skipped_rows(id, 1);
  CHECK(f.store.campaigns().front().skipped_rows == 1);
}

TEST_CASE("create_campaign and accounts_of round-trip every field", "[store]") {
  Fixture f;
  std::vector<NewAccount> rows = {new_account("alice", k_t0 + 1h),
                                  new_account("bob", k_t0 + 2h, Action::move)};
  std::int64_t id = f.store.create_campaign("spring", "/etc/passage/spring.csv", rows, k_t0, "admin");

  auto campaign = f.store.find_campaign("spring");
  REQUIRE(campaign);
  CHECK(campaign->id == id);
  CHECK(campaign->name == "spring");
  CHECK(campaign->created_at == format_utc(k_t0));
  CHECK(campaign->accounts_file == "/etc/passage/spring.csv");
  CHECK_FALSE(campaign->has_pending);
  CHECK(campaign->skipped_rows == 0);
  CHECK(f.store.campaigns().size() == 1);
  CHECK_FALSE(f.store.find_campaign("autumn"));

  auto accounts = f.store.accounts_of(id);
  REQUIRE(accounts.size() == 2);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const AccountRow& row = rows[i].row;
    const Account& account = accounts[i];
    INFO(row.login);
    CHECK(account.id > 0);
    CHECK(account.campaign_id == id);
    CHECK(account.login == row.login);
    CHECK(account.domain == row.domain);
    CHECK(account.action == row.action);
    CHECK(account.email == row.email);
    CHECK(account.target == row.target);
    CHECK(account.target_host == row.target_host);
    CHECK(account.admin_move == row.admin_move);
    CHECK(account.departure_date == row.departure_date);
    CHECK(account.reason == row.reason);
    CHECK(account.stack == "main");
    CHECK(name(account.state) == "QUEUED");
    CHECK(text(account.due_at) == text(rows[i].due_at));
    CHECK_FALSE(account.held_from);
    CHECK_FALSE(account.retry_step);
    CHECK(account.attempts == 0);
    CHECK_FALSE(account.last_export_request);
    CHECK(account.delivery == "space");
    CHECK(account.evidence.empty());
    CHECK_FALSE(account.grace_end);
    CHECK_FALSE(account.told_deletion_date);
    CHECK(account.reexports == 0);
  }
  CHECK(f.store.unfinished_campaign_with_login("alice") == std::optional<std::string>("spring"));
  CHECK_FALSE(f.store.unfinished_campaign_with_login("alice.cozy.example"));
  CHECK(f.store.unfinished_campaign_with_domain("bob.cozy.example") == std::optional<std::string>("spring"));
  CHECK_FALSE(f.store.unfinished_campaign_with_domain("bob"));
  CHECK_FALSE(f.store.unfinished_campaign_with_login("alice", id));
  CHECK_FALSE(f.store.unfinished_campaign_with_login("carol"));
  CHECK_FALSE(f.store.unfinished_campaign_with_domain("carol.cozy.example"));
  CHECK(f.store.find_accounts("bob@example.org").size() == 1);
  CHECK(f.store.find_accounts("Bob@Example.ORG").size() == 1);  // e-mails compare case-insensitively

  auto journal = journal_of(f.store);
  REQUIRE(journal.size() == 3);
  CHECK(journal[0].kind == "campaign_created");
  CHECK(journal[1].kind == "imported");
  CHECK(journal[1].account_id == accounts[0].id);
}

TEST_CASE("a cached statement is prepared once and comes back reset, with no bindings", "[store]") {
  Fixture f;
  Database& db = f.store.db();
  db.exec("CREATE TABLE t (v TEXT)");
  Statement& insert = db.cached("INSERT INTO t (v) VALUES (?)");
  insert.bind(1, std::string("a")).run();
  Statement& again = db.cached("INSERT INTO t (v) VALUES (?)");
  CHECK(&again == &insert);
  again.run();  // its binding was cleared: NULL
  Statement& read = db.cached("SELECT v FROM t ORDER BY rowid");
  REQUIRE(read.step());
  CHECK(read.text_at(0) == "a");
  // Taken again half-read, it starts over.
  Statement& reread = db.cached("SELECT v FROM t ORDER BY rowid");
  REQUIRE(reread.step());
  CHECK(reread.text_at(0) == "a");
  REQUIRE(reread.step());
  CHECK(reread.is_null(0));
  reread.reset();
}

TEST_CASE("finding an account by login, domain or e-mail searches indexes, never scans", "[store]") {
  // `account show` at 1,000,000 accounts must stay within milliseconds
  // (issue 15): the OR of find_accounts is answered from three indexes.
  Fixture f;
  f.store.create_campaign("spring", "a.csv", {new_account("alice", k_t0), new_account("bob", k_t0)}, k_t0, "admin");
  auto plan = f.store.db().prepare(
      "EXPLAIN QUERY PLAN SELECT a.id FROM accounts a "
      "WHERE lower(a.login) = lower(?1) OR lower(a.domain) = lower(?1) OR lower(a.email) = lower(?1) "
      "ORDER BY a.id");  // Store::find_accounts' query
  plan.bind(1, std::string("Bob@Example.org"));
  std::vector<std::string> steps;
  while (plan.step()) steps.push_back(plan.text_at(3));
  CHECK(std::none_of(steps.begin(), steps.end(), [](const std::string& step) { return step.starts_with("SCAN a"); }));
  CHECK(std::any_of(steps.begin(), steps.end(),
                    [](const std::string& step) { return step.find("accounts_by_lower_email") != std::string::npos; }));
  CHECK(logins(f.store.find_accounts("Bob@Example.org")) == std::vector<std::string>{"bob"});
}

TEST_CASE("commit round-trips every lifecycle field", "[store]") {
  Fixture f;
  std::int64_t campaign = f.store.create_campaign("c", "a.csv", {new_account("alice", k_t0)}, k_t0, "admin");
  Account before = f.store.accounts_of(campaign).front();

  Transition transition{before, {}, "state", "test"};
  Account& next = transition.next;
  next.state = State::held;
  next.held_from = State::grace;
  next.retry_step = State::verifying;
  next.state_reason = "ticket 12";
  next.due_at = k_t0 + 5min;
  next.attempts = 3;
  next.blocked_since = k_t0 - 1h;
  next.move_deadline = k_t0 + 24h;
  next.fallback_export = true;
  next.delivery = "archive";
  next.export_id = "exp-9";
  next.export_doc = R"({"id":"exp-9"})";
  next.export_completed_at = k_t0 - 30min;
  next.verified_at = k_t0 - 10min;
  next.evidence = Evidence{"export", "exp-9", {PartEvidence{0, 4096, 17, std::string(64, 'f'), {}}}, {}, {}};
  next.grace_end = k_t0 + std::chrono::days(40);
  next.told_deletion_date = date::year{2027} / date::February / 1;
  next.purged_at = k_t0 + 1s;
  next.purge_kind = "deleted";
  next.reexports = 1;
  REQUIRE(f.store.commit(before, transition, k_t0, "runner"));

  Account read = *f.store.account(before.id);
  CHECK(name(read.state) == "HELD");
  CHECK(name(read.held_from) == "GRACE");
  CHECK(name(read.retry_step) == "VERIFYING");
  CHECK(read.state_reason == "ticket 12");
  CHECK(text(read.due_at) == text(k_t0 + 5min));
  CHECK(read.attempts == 3);
  CHECK(text(read.blocked_since) == text(k_t0 - 1h));
  CHECK(text(read.move_deadline) == text(k_t0 + 24h));
  CHECK(read.fallback_export);
  CHECK(read.delivery == "archive");
  CHECK(read.export_id == "exp-9");
  CHECK(read.export_doc == R"({"id":"exp-9"})");
  CHECK(text(read.export_completed_at) == text(k_t0 - 30min));
  CHECK(text(read.verified_at) == text(k_t0 - 10min));
  CHECK(read.evidence.kind == "export");
  CHECK(read.evidence.export_id == "exp-9");
  REQUIRE(read.evidence.parts.size() == 1);
  CHECK(read.evidence.parts[0].bytes == 4096);
  CHECK(read.evidence.parts[0].entries == 17);
  CHECK(read.evidence.parts[0].sha256 == std::string(64, 'f'));
  CHECK(text(read.grace_end) == text(k_t0 + std::chrono::days(40)));
  REQUIRE(read.told_deletion_date);
  CHECK(format_date(*read.told_deletion_date) == "2027-02-01");
  CHECK(text(read.purged_at) == text(k_t0 + 1s));
  CHECK(read.purge_kind == "deleted");
  CHECK(read.reexports == 1);
}

TEST_CASE("due_for_runner: due runner states only, earliest first, by campaign", "[store]") {
  Fixture f;
  std::int64_t spring = f.store.create_campaign(
      "spring", "s.csv",
      {new_account("a", k_t0 + 3min), new_account("b", k_t0 + 1min), new_account("c", k_t0 + 1min),
       new_account("d", k_t0 + 1h), new_account("e", k_t0)},
      k_t0, "admin");
  std::int64_t autumn =
      f.store.create_campaign("autumn", "a.csv", {new_account("z", k_t0 + 2min)}, k_t0, "admin");
  auto ids = f.store.accounts_of(spring);
  // e: a state the runner does not act on, though its timer is due.
  force(f.store, ids[4].id, State::purge_due, k_t0);

  Instant now = k_t0 + 5min;
  CHECK(logins(f.store.due_for_runner(now, std::nullopt, 100)) ==
        std::vector<std::string>{"b", "c", "z", "a"});
  CHECK(logins(f.store.due_for_runner(now, spring, 100)) == std::vector<std::string>{"b", "c", "a"});
  CHECK(logins(f.store.due_for_runner(now, autumn, 100)) == std::vector<std::string>{"z"});
  CHECK(logins(f.store.due_for_runner(now, std::nullopt, 2)) == std::vector<std::string>{"b", "c"});
  CHECK(f.store.due_for_runner(k_t0, std::nullopt, 100).empty());
  CHECK(text(f.store.next_runner_due(std::nullopt)) == text(k_t0 + 1min));
  CHECK(text(f.store.next_runner_due(autumn)) == text(k_t0 + 2min));

  SECTION("the runner's ids: the same accounts in the same order, each with its stack and export need") {
    for (std::optional<std::int64_t> campaign : {std::optional<std::int64_t>{}, std::optional<std::int64_t>{spring}}) {
      std::vector<std::int64_t> whole, ids_only;
      for (const Account& account : f.store.due_for_runner(now, campaign, 3)) whole.push_back(account.id);
      for (const DueAccount& due : f.store.due_ids_for_runner(now, campaign, 3)) {
        ids_only.push_back(due.id);
        CHECK(due.stack == f.store.account(due.id)->stack);
        CHECK(due.wants_new_export);  // QUEUED export accounts
      }
      CHECK(ids_only == whole);
    }
    force(f.store, ids[1].id, State::verified, k_t0 + 1min);
    auto due = f.store.due_ids_for_runner(now, spring, 100);
    REQUIRE(due.size() == 3);
    CHECK(due[0].id == ids[1].id);
    CHECK_FALSE(due[0].wants_new_export);  // VERIFIED: a notice, no export slot
  }

  SECTION("every runner state is picked up, no other") {
    const std::vector<State> runner = {State::queued,   State::exporting, State::verifying,
                                       State::moving,   State::invited,   State::verified,
                                       State::notified, State::grace,     State::retry_wait};
    for (State state : k_all_states) {
      INFO(name(state));
      force(f.store, ids[1].id, state, k_t0 + 1min);
      bool listed = logins(f.store.due_for_runner(now, spring, 100)).front() == "b";
      CHECK(listed == (std::find(runner.begin(), runner.end(), state) != runner.end()));
    }
  }
  SECTION("an account without timer is never due") {
    force(f.store, ids[1].id, State::queued, std::nullopt);
    CHECK(logins(f.store.due_for_runner(now, spring, 100)) == std::vector<std::string>{"c", "a"});
  }
  SECTION("in_state and state_counts") {
    CHECK(logins(f.store.in_state(State::purge_due)) == std::vector<std::string>{"e"});
    auto counts = f.store.state_counts(spring);
    CHECK(counts[State::queued] == 4);
    CHECK(counts[State::purge_due] == 1);
    CHECK(counts[State::purged] == 0);
  }
}

TEST_CASE("commit writes state, journal and intent together", "[store]") {
  Fixture f;
  std::int64_t campaign = f.store.create_campaign("c", "a.csv", {new_account("alice", k_t0)}, k_t0, "admin");
  Account before = f.store.accounts_of(campaign).front();
  Transition transition = apply_ok(before, EventKind::lookup_ok, k_t0);
  REQUIRE(name(transition.next.state) == "EXPORTING");
  std::size_t journal_before = journal_of(f.store).size();

  REQUIRE(f.store.commit(before, transition, k_t0, "runner", IntentSpec{"export", "export-1"}));
  Account after = *f.store.account(before.id);
  CHECK(name(after.state) == "EXPORTING");
  CHECK(text(after.due_at) == text(k_t0 + 2h));
  CHECK(text(after.last_export_request) == text(k_t0));
  CHECK(f.store.intent_outcome("export-1") == std::optional<std::string>("open"));
  CHECK(f.store.count_intents(before.id, "export") == 1);
  auto journal = journal_of(f.store);
  REQUIRE(journal.size() == journal_before + 2);
  CHECK(journal[journal_before].kind == "state");
  CHECK(journal[journal_before].detail == "QUEUED -> EXPORTING: export requested");
  CHECK(journal[journal_before].account_id == before.id);
  CHECK(journal[journal_before + 1].kind == "intent");
  CHECK(journal[journal_before + 1].detail == "export export-1");

  f.store.finish_intent("export-1", "queued", k_t0 + 1s);
  CHECK(f.store.intent_outcome("export-1") == std::optional<std::string>("queued"));
  CHECK_FALSE(f.store.intent_outcome("export-2"));
}

TEST_CASE("a transition with no journal kind writes no journal entry", "[store]") {
  Fixture f;
  std::int64_t campaign = f.store.create_campaign("c", "a.csv", {new_account("alice", k_t0)}, k_t0, "admin");
  Account before = f.store.accounts_of(campaign).front();
  Transition lookup = apply_ok(before, EventKind::due, k_t0);
  REQUIRE(lookup.journal_kind.empty());
  std::size_t journal_before = journal_of(f.store).size();
  REQUIRE(f.store.commit(before, lookup, k_t0, "runner"));
  CHECK(journal_of(f.store).size() == journal_before);
}

TEST_CASE("a hold from another connection wins: commit writes nothing and returns false",
          "[store]") {
  Fixture f;
  std::int64_t campaign = f.store.create_campaign("c", "a.csv", {new_account("alice", k_t0)}, k_t0, "admin");
  Account read_by_runner = f.store.accounts_of(campaign).front();
  Transition export_step = apply_ok(read_by_runner, EventKind::lookup_ok, k_t0);

  {
    Store support(f.file);
    Account current = *support.account(read_by_runner.id);
    Transition hold = apply_ok(current, EventKind::hold, k_t0, "ticket 12");
    REQUIRE(support.commit(current, hold, k_t0, "support:jane"));
  }
  std::size_t journal_before = journal_of(f.store).size();

  CHECK_FALSE(f.store.commit(read_by_runner, export_step, k_t0 + 1s, "runner",
                             IntentSpec{"export", "export-1"}));
  Account after = *f.store.account(read_by_runner.id);
  CHECK(name(after.state) == "HELD");
  CHECK(name(after.held_from) == "QUEUED");
  CHECK(after.state_reason == "ticket 12");
  CHECK_FALSE(after.due_at);
  CHECK_FALSE(after.last_export_request);
  CHECK(f.store.count_intents(read_by_runner.id, "export") == 0);
  CHECK_FALSE(f.store.intent_outcome("export-1"));
  CHECK(journal_of(f.store).size() == journal_before);
  CHECK(verify_journal(f.store.db()).ok);
}

TEST_CASE("last_export_request ignores intents finished not_queued", "[store]") {
  Fixture f;
  std::int64_t campaign = f.store.create_campaign("c", "a.csv", {new_account("alice", k_t0)}, k_t0, "admin");
  std::int64_t id = f.store.accounts_of(campaign).front().id;

  auto request_export = [&](const std::string& key, Instant at) {
    Account before = *f.store.account(id);
    Transition transition{before, {}, "state", "export requested"};
    transition.next.state = State::exporting;
    REQUIRE(f.store.commit(before, transition, at, "runner", IntentSpec{"export", key}));
  };

  request_export("export-1", k_t0);
  CHECK(text(f.store.account(id)->last_export_request) == text(k_t0));  // open

  f.store.finish_intent("export-1", "not_queued", k_t0 + 1s);
  CHECK_FALSE(f.store.account(id)->last_export_request);

  request_export("export-2", k_t0 + 1h);
  f.store.finish_intent("export-2", "queued", k_t0 + 1h + 1s);
  CHECK(text(f.store.account(id)->last_export_request) == text(k_t0 + 1h));

  request_export("export-3", k_t0 + 2h);
  f.store.finish_intent("export-3", "unknown", k_t0 + 2h + 1s);
  CHECK(text(f.store.account(id)->last_export_request) == text(k_t0 + 2h));

  request_export("export-4", k_t0 + 3h);
  f.store.finish_intent("export-4", "not_queued", k_t0 + 3h + 1s);
  CHECK(text(f.store.account(id)->last_export_request) == text(k_t0 + 2h));

  // Other kinds never count.
  Account before = *f.store.account(id);
  Transition notice{before, {}, "state", "notice"};
  REQUIRE(f.store.commit(before, notice, k_t0 + 4h, "runner", IntentSpec{"notice", "notice-1"}));
  CHECK(text(f.store.account(id)->last_export_request) == text(k_t0 + 2h));
}

TEST_CASE("an existing notice intent is kept, not duplicated", "[store]") {
  Fixture f;
  std::int64_t campaign = f.store.create_campaign("c", "a.csv", {new_account("alice", k_t0)}, k_t0, "admin");
  std::int64_t id = f.store.accounts_of(campaign).front().id;

  for (int round = 0; round < 2; ++round) {
    Account before = *f.store.account(id);
    Transition transition{before, {}, "state", "notice attempt " + std::to_string(round)};
    transition.next.attempts = round + 1;
    REQUIRE(f.store.commit(before, transition, k_t0 + std::chrono::minutes(round), "runner",
                           IntentSpec{"notice", "<msg-1@passage>"}));
  }
  CHECK(f.store.count_intents(id, "notice") == 1);
  CHECK(f.store.account(id)->attempts == 2);
  CHECK(count_kind(f.store, "intent") == 1);
  CHECK(count_kind(f.store, "state") == 2);
  CHECK(f.store.intent_outcome("<msg-1@passage>") == std::optional<std::string>("open"));
}

TEST_CASE("cooldowns only extend", "[store]") {
  Fixture f;
  CHECK_FALSE(f.store.cooldown("main"));
  f.store.set_cooldown("main", k_t0 + 10s);
  CHECK(text(f.store.cooldown("main")) == text(k_t0 + 10s));
  f.store.set_cooldown("main", k_t0 + 5s);
  CHECK(text(f.store.cooldown("main")) == text(k_t0 + 10s));
  f.store.set_cooldown("main", k_t0 + 1h);
  CHECK(text(f.store.cooldown("main")) == text(k_t0 + 1h));
  f.store.set_cooldown("other", k_t0);
  CHECK(text(f.store.cooldown("other")) == text(k_t0));
  CHECK(text(f.store.cooldown("main")) == text(k_t0 + 1h));

  Store reopened(f.file);
  CHECK(text(reopened.cooldown("main")) == text(k_t0 + 1h));
}

TEST_CASE("the breaker is set and reset, both journaled", "[store]") {
  Fixture f;
  CHECK_FALSE(f.store.breaker().tripped);
  f.store.set_breaker(true, "3 of 20 interlocks failed", k_t0, "purge");
  CHECK(f.store.breaker().tripped);
  CHECK(f.store.breaker().reason == "3 of 20 interlocks failed");
  f.store.set_breaker(false, "reset by jane", k_t0 + 1h, "jane");
  CHECK_FALSE(f.store.breaker().tripped);
  CHECK(f.store.breaker().reason == "reset by jane");

  auto journal = journal_of(f.store);
  REQUIRE(journal.size() == 2);
  CHECK(journal[0].kind == "breaker_tripped");
  CHECK(journal[0].detail == "3 of 20 interlocks failed");
  CHECK_FALSE(journal[0].account_id);
  CHECK(journal[1].kind == "breaker_reset");
}

TEST_CASE("the journal verifies after all kinds of writes, from two connections", "[store]") {
  Fixture f;
  std::int64_t campaign = f.store.create_campaign(
      "c", "a.csv", {new_account("alice", k_t0), new_account("bob", k_t0)}, k_t0, "admin");
  auto accounts = f.store.accounts_of(campaign);
  Transition exporting = apply_ok(accounts[0], EventKind::lookup_ok, k_t0);
  REQUIRE(f.store.commit(accounts[0], exporting, k_t0, "runner", IntentSpec{"export", "e-1"}));
  {
    Store support(f.file);
    Account bob = *support.account(accounts[1].id);
    REQUIRE(support.commit(bob, apply_ok(bob, EventKind::hold, k_t0, "check"), k_t0, "support"));
    support.journal(k_t0, "support", bob.id, "note", "called the person");
  }
  CHECK_FALSE(f.store.commit(accounts[1], apply_ok(accounts[1], EventKind::lookup_ok, k_t0), k_t0,
                             "runner", IntentSpec{"export", "e-2"}));
  f.store.finish_intent("e-1", "queued", k_t0 + 1s);
  f.store.set_cooldown("main", k_t0 + 1min);
  f.store.set_breaker(true, "why", k_t0, "purge");
  f.store.set_breaker(false, "reset", k_t0, "jane");
  f.store.journal(k_t0, "admin", std::nullopt, "campaign_confirmed", "c");

  AuditResult audit = verify_journal(f.store.db());
  CHECK(audit.ok);
  CHECK(audit.problem.empty());
  CHECK(audit.entries == static_cast<std::int64_t>(journal_of(f.store).size()));
  CHECK(audit.entries == 10);
}

TEST_CASE("defect 4: a postpone committed meanwhile makes a stale snapshot's commit fail, "
          "even in the same state",
          "[store][deletion-safety]") {
  Fixture f;
  std::int64_t campaign = f.store.create_campaign("c", "a.csv", {new_account("alice", k_t0)}, k_t0, "admin");
  std::int64_t id = f.store.accounts_of(campaign).front().id;
  force(f.store, id, State::grace, k_t0 + 24h);
  Account read_by_runner = *f.store.account(id);
  {
    // The support desk moves the deletion date on another connection.
    Store support(f.file);
    Account current = *support.account(id);
    Transition later{current, {}, "support", "postponed"};
    later.next.grace_end = k_t0 + std::chrono::days(40);
    REQUIRE(support.commit(current, later, k_t0, "support:jane"));
  }
  // The runner writes back its stale snapshot (state unchanged): refused.
  Transition stale{read_by_runner, {}, "state", "reminder sent"};
  stale.next.grace_end = k_t0 + std::chrono::days(10);
  CHECK_FALSE(f.store.commit(read_by_runner, stale, k_t0 + 1s, "runner"));
  Account after = *f.store.account(id);
  CHECK(text(after.grace_end) == text(k_t0 + std::chrono::days(40)));
  CHECK(after.version == read_by_runner.version + 1);
  // Decided again on the fresh row, it commits.
  Transition fresh{after, {}, "state", "reminder sent"};
  CHECK(f.store.commit(after, fresh, k_t0 + 2s, "runner"));
  CHECK(f.store.account(id)->version == after.version + 1);
}

TEST_CASE("defect 7: the 24-hour rule and intents are the instance's, across accounts and campaigns",
          "[store][deletion-safety]") {
  Fixture f;
  std::int64_t first = f.store.create_campaign("c1", "a.csv", {new_account("alice", k_t0)}, k_t0, "admin");
  Account old_row = f.store.accounts_of(first).front();
  std::string key = f.store.next_intent_key(old_row, "export");
  Transition exporting{old_row, {}, "state", "export requested"};
  exporting.next.state = State::exporting;
  REQUIRE(f.store.commit(old_row, exporting, k_t0, "runner", IntentSpec{"export", key}));
  force(f.store, old_row.id, State::cancelled, std::nullopt);

  // The same domain listed again, by a new campaign, an hour later.
  std::int64_t second = f.store.create_campaign("c2", "b.csv", {new_account("alice", k_t0 + 1h)}, k_t0 + 1h, "admin");
  Account new_row = f.store.accounts_of(second).front();
  REQUIRE(new_row.id != old_row.id);
  CHECK(text(new_row.last_export_request) == text(k_t0));
  // Its intents never collide with the old row's.
  std::string new_key = f.store.next_intent_key(new_row, "export");
  CHECK(new_key != key);
  Transition again{new_row, {}, "state", "export requested"};
  again.next.state = State::exporting;
  REQUIRE(f.store.commit(new_row, again, k_t0 + 25h, "runner", IntentSpec{"export", new_key}));
  CHECK(f.store.intent_outcome(new_key) == std::optional<std::string>("open"));
  CHECK(text(f.store.account(new_row.id)->last_export_request) == text(k_t0 + 25h));
}

TEST_CASE("an export intent whose key exists already is an error, never skipped", "[store]") {
  Fixture f;
  std::int64_t campaign = f.store.create_campaign("c", "a.csv", {new_account("alice", k_t0)}, k_t0, "admin");
  Account account = f.store.accounts_of(campaign).front();
  Transition step{account, {}, "state", "export requested"};
  REQUIRE(f.store.commit(account, step, k_t0, "runner", IntentSpec{"export", "export-1"}));
  Account now = *f.store.account(account.id);
  Transition twice{now, {}, "state", "export requested"};
  CHECK_THROWS(f.store.commit(now, twice, k_t0 + 1s, "runner", IntentSpec{"export", "export-1"}));
  CHECK(f.store.account(account.id)->version == now.version);
}

TEST_CASE("an open DELETE intent is seen on the account until it is finished", "[store][deletion-safety]") {
  Fixture f;
  std::int64_t campaign = f.store.create_campaign("c", "a.csv", {new_account("alice", k_t0)}, k_t0, "admin");
  std::int64_t id = f.store.accounts_of(campaign).front().id;
  force(f.store, id, State::purge_due, std::nullopt);
  Account due = *f.store.account(id);
  CHECK_FALSE(due.delete_in_flight);
  std::string key = f.store.next_intent_key(due, "delete");
  REQUIRE(f.store.commit(due, Transition{due, {}, "", {}}, k_t0, "nightly", IntentSpec{"delete", key}));
  CHECK(f.store.account(id)->delete_in_flight);
  f.store.finish_intent(key, "deleted", k_t0 + 1s);
  CHECK_FALSE(f.store.account(id)->delete_in_flight);
}

namespace {

std::vector<std::string> account_indexes(Store& store) {
  auto read = store.db().prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'accounts' AND sql IS NOT NULL "
      "ORDER BY name");
  std::vector<std::string> names;
  while (read.step()) names.push_back(read.text_at(0));
  return names;
}

}  // namespace

TEST_CASE("a first campaign's import builds the accounts indexes at its commit, and a refused one keeps them",
          "[store]") {
  Fixture f;
  const auto before = account_indexes(f.store);
  REQUIRE(before.size() >= 5);
  {
    CampaignImport refused(f.store, "spring", "s.csv", 1, k_t0, "admin", 0);
    CHECK(refused.first_campaign());
    refused.add(new_account("a", k_t0));
  }  // not committed: rolled back
  CHECK(account_indexes(f.store) == before);
  CHECK_FALSE(f.store.find_campaign("spring"));
  {
    CampaignImport first(f.store, "spring", "s.csv", 2, k_t0, "admin", 0);
    first.add(new_account("a", k_t0));
    first.add(new_account("b", k_t0));
    first.commit();
  }
  CHECK(account_indexes(f.store) == before);
  CampaignImport second(f.store, "autumn", "a.csv", 1, k_t0, "admin", 0);
  CHECK_FALSE(second.first_campaign());  // checks against other campaigns run
  CHECK(account_indexes(f.store) == before);
}

TEST_CASE("an imported campaign's journal verifies, one entry an account, and an entry altered after is caught",
          "[store][journal]") {
  Fixture f;
  for (const std::string& name : {std::string("spring"), std::string("autumn")}) {
    // The first import sets the indexes aside, the second does not.
    CampaignImport import(f.store, name, name + ".csv", 300, k_t0, "admin:root", 0);
    for (int n = 0; n < 300; ++n) import.add(new_account(name + std::to_string(n), k_t0 + std::chrono::hours(n)));
    import.commit();
  }
  // A journal entry written after the import continues its chain.
  f.store.journal(k_t0, "admin:root", std::nullopt, "campaign_updated", "spring: nothing");
  REQUIRE(verify_journal(f.store.db()).ok);
  const std::vector<JournalLine> lines = journal_of(f.store);
  REQUIRE(lines.size() == 2 * 301 + 1);
  CHECK(lines[0].kind == "campaign_created");
  CHECK(lines[0].detail == "spring: 300 accounts from spring.csv");
  CHECK(lines[1].kind == "imported");
  CHECK(lines[1].detail == "spring: spring0 spring0.cozy.example export, due " + format_utc(k_t0) + "; from spring.csv");
  CHECK(lines[300].detail ==
        "spring: spring299 spring299.cozy.example export, due " + format_utc(k_t0 + std::chrono::hours(299)) +
            "; from spring.csv");
  CHECK(lines[301].kind == "campaign_created");
  CHECK(lines[301].detail == "autumn: 300 accounts from autumn.csv");
  // Each imported entry names its own account.
  for (std::size_t n = 1; n <= 300; ++n) {
    REQUIRE(lines[n].account_id);
    CHECK(f.store.account(*lines[n].account_id)->login == "spring" + std::to_string(n - 1));
  }
  f.store.db().exec("UPDATE journal SET detail = 'spring: someone else' WHERE seq = 450");
  const AuditResult result = verify_journal(f.store.db());
  CHECK_FALSE(result.ok);
  CHECK(result.first_bad_seq == std::optional<std::int64_t>(450));
}
