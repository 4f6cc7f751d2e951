// SIGKILL at chosen points of a run, then a run to the end: the same final
// states as a run never interrupted, and no action done twice.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <set>

#include "tests/integration/probe.hpp"

using namespace passage::testing;

namespace {

const std::string k_now = "2026-11-25T10:00:00";
constexpr int k_accounts = 300;

struct Finish {
  int exit_code = -1;
  std::map<std::string, std::string> states;
  std::set<std::string> notice_keys;
  std::set<std::string> refused_exports;  // export requests refused for good
  std::int64_t journal_after_create = 0;
  std::int64_t journal_after_run = 0;
};

std::int64_t last_seq(Db& db) { return db.scalar("SELECT MAX(seq) FROM journal"); }

std::int64_t create(const Workspace& ws) {
  ws.write_accounts("accounts.csv", k_accounts);
  ProcessResult created =
      ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now});
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
  Db db(ws.database());
  return last_seq(db);
}

void read_finish(const Workspace& ws, Finish& finish) {
  finish.states = account_states(ws);
  Db db(ws.database());
  finish.journal_after_run = last_seq(db);
  for (const auto& row : db.rows("SELECT key FROM intents WHERE kind = 'notice'"))
    finish.notice_keys.insert(row[0]);
  for (const auto& row : db.rows("SELECT a.login FROM journal j JOIN accounts a ON a.id = "
                                 "j.account_id WHERE j.detail LIKE 'EXPORTING -> FAILED%'"))
    finish.refused_exports.insert(row[0]);
}

Finish uninterrupted(const ConfigOptions& options) {
  Workspace ws(options);
  Finish finish;
  finish.journal_after_create = create(ws);
  ProcessResult run = ws.passage({"run", "--until-idle", "--now", k_now});
  INFO(run.err);
  REQUIRE_FALSE(run.timed_out);
  finish.exit_code = run.exit_code;
  read_finish(ws, finish);
  return finish;
}

// Starts `run --until-idle` and SIGKILLs it once the journal reaches `target`
// entries. True if the kill hit a running process.
bool run_and_kill_at(const Workspace& ws, std::int64_t target) {
  BackgroundProcess run(ws.passage_argv({"run", "--until-idle", "--now", k_now}), ws.dir(),
                        ws.dir() / "run.out", ws.dir() / "run.err");
  Db db(ws.database());
  bool reached = wait_until([&] { return !run.running() || last_seq(db) >= target; },
                            Millis(120000), Millis(2));
  INFO("run stderr: " << read_file(ws.dir() / "run.err"));
  REQUIRE(reached);
  run.kill();
  return WIFSIGNALED(run.status()) && WTERMSIG(run.status()) == SIGKILL;
}

// An account's journal and intents, for a failure message.
std::string history(Db& db, const std::string& login) {
  std::string text = login + "\n";
  const std::string id = "(SELECT id FROM accounts WHERE login = '" + login + "')";
  for (const auto& row : db.rows("SELECT seq, at, kind, detail FROM journal WHERE account_id = " +
                                 id + " ORDER BY seq"))
    text += "  " + row[0] + " " + row[1] + " " + row[2] + " " + row[3] + "\n";
  for (const auto& row : db.rows("SELECT kind, key, created_at, outcome FROM intents WHERE "
                                 "account_id = " + id + " ORDER BY id"))
    text += "  intent " + row[0] + " " + row[1] + " " + row[2] + " " + row[3] + "\n";
  return text;
}

// Starts `run --until-idle` and SIGKILLs it as soon as `sql` counts a row.
// True if the kill hit a running process with that row present.
bool run_and_kill_when(const Workspace& ws, const std::string& sql) {
  BackgroundProcess run(ws.passage_argv({"run", "--until-idle", "--now", k_now}), ws.dir(),
                        ws.dir() / "run.out", ws.dir() / "run.err");
  Db db(ws.database());
  bool reached = wait_until([&] { return !run.running() || db.scalar(sql) > 0; }, Millis(120000),
                            Millis(1));
  REQUIRE(reached);
  run.kill();
  return WIFSIGNALED(run.status()) && db.scalar(sql) > 0;
}

void no_action_twice(const Workspace& ws, bool strict_imports) {
  Db db(ws.database());
  auto twice = [&](const std::string& kind, const std::string& may_have_happened) {
    return db.rows(
        "SELECT a.login, COUNT(*) FROM intents i JOIN accounts a ON a.id = i.account_id "
        "WHERE i.kind = '" + kind + "' AND (i.outcome IS NULL OR i.outcome IN (" +
        may_have_happened + ")) GROUP BY i.account_id HAVING COUNT(*) > 1");
  };
  std::vector<std::pair<std::string, std::string>> checked{{"export", "'queued', 'unknown'"},
                                                           {"delete", "'deleted', 'unknown'"}};
  if (strict_imports) checked.emplace_back("import", "'moved', 'unknown'");
  for (const auto& [kind, outcomes] : checked) {
    auto rows = twice(kind, outcomes);
    INFO(kind << " intents done twice: " << (rows.empty() ? "" : history(db, rows[0][0])));
    CHECK(rows.empty());
  }
  // A notice has one intent per (account, kind, deletion date): its key.
  CHECK(db.rows("SELECT key FROM intents WHERE kind = 'notice' GROUP BY key "
                "HAVING COUNT(*) > 1").empty());
  CHECK(db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'notice' AND outcome IS NULL") == 0);
  std::int64_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(ws.outbox_dir()))
    files += entry.path().extension() == ".eml";
  CHECK(files == db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'notice'"));
}

void kill_and_resume(const ConfigOptions& options) {
  const Finish reference = uninterrupted(options);
  REQUIRE(reference.states.size() == k_accounts);
  const std::int64_t work = reference.journal_after_run - reference.journal_after_create;
  REQUIRE(work > 100);

  Workspace ws(options);
  const std::int64_t base = create(ws);
  int kills = 0;
  for (double fraction : {0.1, 0.4, 0.7}) {
    const auto target = base + static_cast<std::int64_t>(fraction * static_cast<double>(work));
    INFO("kill at journal entry " << target);
    kills += run_and_kill_at(ws, target) ? 1 : 0;
  }
  CHECK(kills >= 2);

  ProcessResult last = ws.passage({"run", "--until-idle", "--now", k_now});
  INFO("final run stderr: " << last.err);
  REQUIRE_FALSE(last.timed_out);
  CHECK(last.exit_code == reference.exit_code);

  Finish resumed;
  read_finish(ws, resumed);
  auto counts = state_counts(ws, "c1");
  // Not a structured binding: clang 14 (the sanitizer tree) cannot capture one.
  for (const auto& state_count : counts) {
    const auto& state = state_count.first;
    INFO("state " << state);
    CHECK(state_count.second == static_cast<std::int64_t>(std::count_if(
                                    reference.states.begin(), reference.states.end(),
                                    [&](const auto& account) { return account.second == state; })));
  }
  for (const auto& [login, state] : reference.states) {
    INFO("account " << login);
    CHECK(resumed.states.at(login) == state);
  }
  CHECK(resumed.notice_keys == reference.notice_keys);
  no_action_twice(ws, false);
  ProcessResult audit = ws.passage({"audit", "verify"});
  INFO("audit stderr: " << audit.err);
  CHECK(audit.exit_code == 0);
}

}  // namespace

TEST_CASE("SIGKILL during run at 10 then 40 then 70 percent reaches the states of an uninterrupted run",
          "[crash]") {
  kill_and_resume(ConfigOptions{});
}

// Regressions of two bugs these tests found:
//
// 1. An admin-driven move resumed after a crash used to start over (a second
//    import intent, the first left open). It is now checked first
//    (Effect::check_move) and the open intent is settled.
TEST_CASE("SIGKILL while an import intent is open never leads to a second import",
          "[crash]") {
  Workspace ws;
  create(ws);
  const std::string open_import =
      "SELECT COUNT(*) FROM intents WHERE kind = 'import' AND outcome IS NULL";
  bool hit = false;
  for (int attempt = 0; attempt < 5 && !hit; ++attempt) hit = run_and_kill_when(ws, open_import);
  REQUIRE(hit);
  ProcessResult last = ws.passage({"run", "--until-idle", "--now", k_now});
  INFO("final run stderr: " << last.err);
  CHECK(last.exit_code == 0);
  CHECK(state_counts(ws, "c1").at("GRACE") == k_accounts);
  no_action_twice(ws, true);
}

// 2. (dry-run backend) An export intent left open by a crash is resumed by
//    waiting for its event; DryRunBackend::await_export used to report it
//    done even when that request was drawn as permanently refused.
TEST_CASE("SIGKILL while a refused export is open reaches the states of an uninterrupted run",
          "[crash]") {
  ConfigOptions options;
  options.permanent_failure_rate = 0.03;
  const Finish reference = uninterrupted(options);
  std::string refused;
  for (const std::string& login : reference.refused_exports)
    refused += std::string(refused.empty() ? "" : ", ") + "'" + login + "'";
  REQUIRE_FALSE(refused.empty());

  Workspace ws(options);
  create(ws);
  const std::string open_refused =
      "SELECT COUNT(*) FROM intents i JOIN accounts a ON a.id = i.account_id WHERE i.kind = "
      "'export' AND i.outcome IS NULL AND a.login IN (" + refused + ")";
  bool hit = false;
  for (int attempt = 0; attempt < 10 && !hit; ++attempt) hit = run_and_kill_when(ws, open_refused);
  REQUIRE(hit);

  ProcessResult last = ws.passage({"run", "--until-idle", "--now", k_now});
  INFO("final run stderr: " << last.err);
  CHECK(last.exit_code == reference.exit_code);
  auto states = account_states(ws);
  Db db(ws.database());
  for (const auto& [login, state] : reference.states) {
    INFO("account " << login << (states.at(login) == state ? "" : "\n" + history(db, login)));
    CHECK(states.at(login) == state);
  }
}
