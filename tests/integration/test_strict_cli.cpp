// The command line is strict (CONTRACT.md "Command line"): an option or an
// argument a command does not take is exit 2 and changes nothing, and
// `--dry-run` (purge, nightly, campaign update only) takes the lock, reads
// the database read-only and writes at most a report marked "dry_run".
#include <catch2/catch.hpp>

#include <regex>

#include "tests/integration/probe.hpp"

using namespace passage::testing;

namespace {

const std::string k_now = "2026-11-25T10:00:00";    // every departure (2026-10-01) is past
const std::string k_later = "2027-01-04T10:00:00";  // every grace has ended

void require_exit(const ProcessResult& result, int code) {
  INFO("stdout: " << result.out);
  INFO("stderr: " << result.err);
  REQUIRE_FALSE(result.timed_out);
  REQUIRE(result.exit_code == code);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Every row a command could change, as text.
std::string database_rows(const Workspace& ws) {
  Db db(ws.database());
  std::string text;
  for (const char* table : {"campaigns", "accounts", "intents", "journal", "journal_head", "breaker",
                            "stack_cooldowns", "stack_buckets"}) {
    text += std::string("== ") + table + "\n";
    for (const auto& row : db.rows(std::string("SELECT * FROM ") + table + " ORDER BY 1")) {
      for (const std::string& column : row) text += column + "|";
      text += "\n";
    }
  }
  text += "user_version " + std::to_string(db.scalar("PRAGMA user_version")) + "\n";
  return text;
}

// The database file's bytes, and the size of its WAL (-1 when absent):
// taken while no connection is open.
struct FileState {
  std::string bytes;
  std::intmax_t wal = -1;
};

FileState file_state(const Workspace& ws) {
  FileState state{read_file(ws.database()), -1};
  std::error_code error;
  const auto wal = std::filesystem::file_size(ws.database().string() + "-wal", error);
  if (!error) state.wal = static_cast<std::intmax_t>(wal);
  return state;
}

// No byte of the database changed, and no WAL frame was written.
void check_untouched(const Workspace& ws, const FileState& before) {
  FileState after = file_state(ws);
  CHECK(after.bytes == before.bytes);
  CHECK(after.wal <= std::max<std::intmax_t>(0, before.wal));
}

std::vector<std::string> purge_reports(const Workspace& ws) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(ws.reports_dir(), error))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string last_line(const std::string& text) {
  std::string trimmed = text.substr(0, text.find_last_not_of('\n') + 1);
  return trimmed.substr(trimmed.find_last_of('\n') + 1);
}

void create_campaign(const Workspace& ws, int accounts) {
  ws.write_accounts("accounts.csv", accounts);
  require_exit(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now}), 0);
}

// c1 with `accounts` exports, all departed; `changes` maps a login to the
// text that replaces its whole line.
std::string export_list(int accounts, const std::map<std::string, std::string>& changes = {}) {
  std::string text = "login,domain,action,email,target,departure_date,reason\n";
  for (int n = 1; n <= accounts; ++n) {
    const std::string login = login_of(n);
    auto changed = changes.find(login);
    if (changed != changes.end()) {
      text += changed->second.empty() ? "" : changed->second + "\n";
      continue;
    }
    text += login + "," + login + ".mytoutatice.cloud,export," + login + "@example.org,,2026-10-01,left\n";
  }
  return text;
}

}  // namespace

TEST_CASE("An option or argument a command does not take is exit 2 naming it, and nothing acts",
          "[cli]") {
  ConfigOptions failing;
  failing.transient_failure_rate = 0.0;
  failing.permanent_failure_rate = 1.0;
  Workspace ws(failing);
  create_campaign(ws, 6);
  ProcessResult run = ws.passage({"run", "--until-idle", "--now", k_now});
  REQUIRE_FALSE(run.timed_out);
  const auto states = account_states(ws);
  std::vector<std::string> failed;
  for (const auto& [login, state] : states)
    if (state == "FAILED") failed.push_back(login);
  REQUIRE(failed.size() >= 2);
  const std::string& a = failed[0];
  const std::string& b = failed[1];
  const std::string rows = database_rows(ws);

  struct Refused {
    std::vector<std::string> args;
    std::vector<std::string> named;  // what stderr must name
  };
  const std::vector<Refused> refused{
      {{"run", "--dry-run", "--now", k_now}, {"run", "--dry-run"}},
      {{"account", "retry", a, b, "--reason", "ticket 7", "--by", "alice"}, {"account retry", "'" + b + "'"}},
      {{"status", "--accounts", "accounts.csv"}, {"status", "--accounts"}},
      {{"account", "show", login_of(1), "--days", "3"}, {"account show", "--days"}},
      {{"account", "retry", "--reason", "ticket 7", "--by", "alice"}, {"account retry", "ID"}},
      {{"account", "frobnicate", login_of(1)}, {"frobnicate"}},
      {{"campaign", "create", "c2", "c3", "--accounts", "accounts.csv"}, {"campaign create", "c3"}},
      {{"campaign", "update", "c1", "--accounts", "accounts.csv", "--reason", "x"},
       {"campaign update", "--reason"}},
      {{"audit", "verify", "now"}, {"audit verify", "now"}},
      {{"plugins", "--json"}, {"plugins", "--json"}},
      {{"config", "check", "--dry-run"}, {"config check", "--dry-run"}},
      {{"report", "c1", "--format", "json", "--dry-run"}, {"report", "--dry-run"}},
      {{"status", "c1", "c2"}, {"status", "c2"}},
      {{"nightly", "--until-idle", "--now", k_now}, {"nightly", "--until-idle"}},
      {{"purge", "--json", "--now", k_later}, {"purge", "--json"}},
      {{"purge", "--dry", "--now", k_later}, {"--dry"}},  // no abbreviation of --dry-run
  };
  for (const Refused& attempt : refused) {
    ProcessResult result = ws.passage(attempt.args);
    INFO("passage " << attempt.args[0] << " " << (attempt.args.size() > 1 ? attempt.args[1] : ""));
    INFO("stderr: " << result.err);
    CHECK(result.exit_code == 2);
    for (const std::string& name : attempt.named) CHECK(contains(result.err, name));
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    CHECK(result.out.empty());
  }
  CHECK(database_rows(ws) == rows);
  CHECK(account_states(ws) == states);

  // The same commands as they are meant still work; global options go anywhere.
  require_exit(ws.passage({"--quiet", "account", "retry", a, "--reason", "ticket 7", "--by", "alice"}), 0);
  CHECK(account_states(ws).at(a) == "QUEUED");
  CHECK(account_states(ws).at(b) == "FAILED");
  require_exit(ws.passage({"status", "c1", "--json", "--verbose"}), 0);
  require_exit(ws.passage({"account", "show", b, "--json", "--now", k_now}), 0);
  for (const char* command : {"account", "run", "purge", "nightly", "campaign"}) {
    ProcessResult help = ws.passage({command, "--help"});
    INFO(command << " --help: " << help.err);
    CHECK(help.exit_code == 0);
    CHECK(contains(help.out, std::string("usage: passage ") + command));
  }
}

TEST_CASE("purge --dry-run changes no byte of the database and writes only a report marked dry_run",
          "[cli][purge]") {
  Workspace ws;

  SECTION("a missing database is exit 2 and none is created") {
    ProcessResult result = ws.passage({"purge", "--dry-run", "--now", k_later});
    INFO("stderr: " << result.err);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, "no database"));
    CHECK_FALSE(std::filesystem::exists(ws.database()));
    CHECK_FALSE(std::filesystem::exists(ws.database().string() + ".lock"));
  }

  SECTION("every grace ended: it says what it would delete and deletes nothing") {
    create_campaign(ws, 30);
    require_exit(ws.passage({"run", "--until-idle", "--now", k_now}), 0);
    REQUIRE(state_counts(ws, "c1").at("GRACE") == 30);
    const std::string rows = database_rows(ws);
    const FileState files = file_state(ws);
    const auto reports = purge_reports(ws);

    ProcessResult dry = ws.passage({"purge", "--dry-run", "--now", k_later});
    require_exit(dry, 0);
    CHECK(contains(dry.out, "30 would be deleted"));
    check_untouched(ws, files);
    CHECK(database_rows(ws) == rows);

    // One new file: the dry run's report, marked and named apart.
    auto after = purge_reports(ws);
    REQUIRE(after.size() == reports.size() + 1);
    const std::filesystem::path report = last_line(dry.out);
    CHECK(report.filename().string().rfind("dry-run-purge-", 0) == 0);
    boost::json::object document = boost::json::parse(read_file(report)).as_object();
    CHECK(document.at("dry_run").as_bool());
    CHECK(document.at("deleted").as_int64() == 0);  // a dry run deletes nothing
    CHECK(document.at("would_delete").as_int64() == 30);

    // nightly --dry-run the same way; the run step is skipped and says so.
    ProcessResult nightly = ws.passage({"nightly", "--dry-run", "--now", k_later});
    require_exit(nightly, 0);
    CHECK(contains(nightly.out, "run step skipped"));
    CHECK(contains(nightly.out, "30 would be deleted"));
    check_untouched(ws, files);
    CHECK(database_rows(ws) == rows);

    // The real purge then deletes them all, and its report says it was real.
    require_exit(ws.passage({"purge", "--now", k_later}), 0);
    CHECK(state_counts(ws, "c1").at("PURGED") == 30);
    CHECK_FALSE(latest_purge_report(ws).at("dry_run").as_bool());
  }

  SECTION("a database that needs a migration is refused, not migrated") {
    create_campaign(ws, 3);
    std::int64_t version = 0;
    {
      Db db(ws.database());
      version = db.scalar("PRAGMA user_version");
      REQUIRE(version > 1);
      db.exec("PRAGMA user_version = " + std::to_string(version - 1));
    }
    for (std::vector<std::string> args :
         {std::vector<std::string>{"purge", "--dry-run", "--now", k_later},
          std::vector<std::string>{"nightly", "--dry-run", "--now", k_later},
          std::vector<std::string>{"campaign", "update", "c1", "--accounts", "accounts.csv", "--dry-run"}}) {
      ProcessResult result = ws.passage(args);
      INFO(args[0] << " stderr: " << result.err);
      CHECK(result.exit_code == 2);
      CHECK(contains(result.err, "migrate"));
      Db db(ws.database());
      CHECK(db.scalar("PRAGMA user_version") == version - 1);
    }
  }
}

TEST_CASE("nightly --dry-run with accounts due in run changes no account and says the run step was skipped",
          "[cli][nightly]") {
  Workspace ws;
  create_campaign(ws, 12);
  REQUIRE(state_counts(ws, "c1").at("QUEUED") == 12);
  const std::string rows = database_rows(ws);
  const FileState files = file_state(ws);

  ProcessResult nightly = ws.passage({"nightly", "--dry-run", "--now", k_now});
  require_exit(nightly, 0);
  CHECK(contains(nightly.out, "run step skipped"));
  CHECK(contains(nightly.out, "purge (dry run): 0 due"));
  check_untouched(ws, files);
  CHECK(database_rows(ws) == rows);
  CHECK(state_counts(ws, "c1").at("QUEUED") == 12);
  CHECK_FALSE(std::filesystem::exists(ws.outbox_dir()));
}

TEST_CASE("purge --dry-run --reset-breaker is exit 2 and the breaker stays tripped", "[cli][purge]") {
  Workspace ws;
  std::string config = read_file(ws.config());
  ws.write("c.yaml", config + "directory: { provider: csv, file: directory.csv }\n");
  std::string departed = "login,status\n";
  for (int n = 1; n <= 6; ++n) departed += login_of(n) + ",departed\n";
  ws.write("directory.csv", departed);
  create_campaign(ws, 6);
  require_exit(ws.passage({"run", "--until-idle", "--now", k_now}), 0);
  // Every person back: every interlock fails and the breaker trips.
  std::string directory = "login,status\n";
  for (int n = 1; n <= 6; ++n) directory += login_of(n) + ",active\n";
  ws.write("directory.csv", directory);
  require_exit(ws.passage({"purge", "--now", k_later}), 4);
  const std::string rows = database_rows(ws);
  REQUIRE(contains(rows, "== breaker\n1|1|"));

  for (std::vector<std::string> args :
       {std::vector<std::string>{"purge", "--dry-run", "--reset-breaker", "--by", "admin:alice", "--now", k_later},
        std::vector<std::string>{"purge", "--reset-breaker", "--now", k_later}}) {
    ProcessResult result = ws.passage(args);
    INFO("stderr: " << result.err);
    CHECK(result.exit_code == 2);
    CHECK(contains(result.err, args[1] == "--dry-run" ? "--dry-run" : "--by"));
  }
  CHECK(database_rows(ws) == rows);

  // A dry run says the breaker stops it (exit 4) and leaves it tripped.
  ProcessResult dry = ws.passage({"purge", "--dry-run", "--now", k_later});
  require_exit(dry, 4);
  CHECK(database_rows(ws) == rows);

  require_exit(ws.passage({"purge", "--reset-breaker", "--by", "admin:alice", "--now", k_later}), 0);
  CHECK_FALSE(contains(database_rows(ws), "== breaker\n1|1|"));
}

TEST_CASE("A dry run waits for no one: while another process holds the lock it exits 3", "[cli][lock]") {
  Workspace ws;
  create_campaign(ws, 6);
  BackgroundProcess holder(ws.passage_argv({"run", "--max-duration", "30 seconds", "--now", k_now}),
                           ws.dir(), ws.dir() / "holder.out", ws.dir() / "holder.err");
  const std::string pid = std::to_string(holder.pid());
  const auto lock_file = ws.database().string() + ".lock";
  bool holding = wait_until(
      [&] {
        std::error_code ignored;
        if (!std::filesystem::exists(lock_file, ignored)) return false;
        return std::regex_search(read_file(lock_file), std::regex("\\b" + pid + "\\b"));
      },
      Millis(20000));
  INFO("holder stderr: " << read_file(ws.dir() / "holder.err"));
  REQUIRE(holding);
  REQUIRE(holder.running());

  for (std::vector<std::string> args :
       {std::vector<std::string>{"purge", "--dry-run", "--now", k_later},
        std::vector<std::string>{"nightly", "--dry-run", "--now", k_later},
        std::vector<std::string>{"campaign", "update", "c1", "--accounts", "accounts.csv", "--dry-run"}}) {
    ProcessResult refused = ws.passage(args, Millis(30000));
    INFO(args[0] << " stderr: " << refused.err);
    CHECK(refused.exit_code == 3);
    CHECK(std::regex_search(refused.err, std::regex("\\b" + pid + "\\b")));
  }
  holder.kill();
}

TEST_CASE("campaign update --dry-run lists added dropped and changed accounts, exits 0 or 6, and changes nothing",
          "[cli][campaign]") {
  Workspace ws;
  ws.write("accounts.csv", export_list(20));
  require_exit(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now}), 0);
  auto snapshot = [&] {
    ProcessResult status = ws.passage({"status", "c1", "--json"});
    ProcessResult report = ws.passage({"report", "c1", "--format", "json", "--out", "-"});
    REQUIRE(status.exit_code == 0);
    REQUIRE(report.exit_code == 0);
    boost::json::object document = boost::json::parse(report.out).as_object();
    document.erase("generated_at");
    return status.out + boost::json::serialize(document) + database_rows(ws);
  };
  const std::string before = snapshot();
  const FileState files = file_state(ws);

  SECTION("beyond max_change_fraction: exit 6, as the update would, and nothing held") {
    std::string list = export_list(20, {
        {login_of(1), ""},  // dropped
        {login_of(2), "u0002,u0002.mytoutatice.cloud,export,u0002@example.org,,2026-12-01,left"},
        {login_of(3), "u0003,u0003.mytoutatice.cloud,export,u0003@new.example.org,,2026-10-01,left"},
    });
    list += "z1,z1.mytoutatice.cloud,export,z1@example.org,,2026-10-01,new\n";
    ws.write("accounts2.csv", list);
    ProcessResult dry = ws.passage({"campaign", "update", "c1", "--accounts", "accounts2.csv", "--dry-run"});
    require_exit(dry, 6);
    CHECK(contains(dry.out, "1 added, 1 dropped, 2 changed, 0 listed again out of 20"));
    CHECK(std::regex_search(dry.out, std::regex("added +z1 +z1\\.mytoutatice\\.cloud")));
    CHECK(std::regex_search(dry.out, std::regex("dropped +u0001 +u0001\\.mytoutatice\\.cloud .*CANCELLED")));
    CHECK(std::regex_search(dry.out, std::regex("changed +u0002 +u0002\\.mytoutatice\\.cloud +"
                                                "departure_date 2026-10-01 -> 2026-12-01")));
    CHECK(std::regex_search(dry.out, std::regex("changed +u0003 .*email u0003@example\\.org -> "
                                                "u0003@new\\.example\\.org")));
    CHECK(contains(dry.err, "would be held"));
    check_untouched(ws, files);
    CHECK(snapshot() == before);
    ProcessResult list_json = ws.passage({"campaign", "list", "--json"});
    CHECK(contains(list_json.out, "\"pending_update\":false"));

    // The real update counts the changed rows the same way: held.
    require_exit(ws.passage({"campaign", "update", "c1", "--accounts", "accounts2.csv"}), 6);
  }

  SECTION("within max_change_fraction: exit 0, as the update would, and nothing applied") {
    ws.write("accounts2.csv",
             export_list(20, {{login_of(5), "u0005,u0005.mytoutatice.cloud,export,u0005@example.org,,"
                                            "2026-12-24,left"}}));
    ProcessResult dry = ws.passage({"campaign", "update", "c1", "--accounts", "accounts2.csv", "--dry-run"});
    require_exit(dry, 0);
    CHECK(contains(dry.out, "0 added, 0 dropped, 1 changed, 0 listed again out of 20"));
    CHECK(contains(dry.out, "departure_date 2026-10-01 -> 2026-12-24"));
    CHECK(contains(dry.out, "would be applied"));
    check_untouched(ws, files);
    CHECK(snapshot() == before);
  }

  SECTION("an invalid file is refused as the update would refuse it") {
    ws.write("bad.csv", export_list(20, {{login_of(4), "u0004,u0004.mytoutatice.cloud,delete,u0004@example.org,,"
                                                       "2026-10-01,left"}}));
    ProcessResult dry = ws.passage({"campaign", "update", "c1", "--accounts", "bad.csv", "--dry-run"});
    INFO("stderr: " << dry.err);
    CHECK(dry.exit_code == 2);
    CHECK(lines_named(dry.err, "bad.csv") == std::vector<int>{5});
    CHECK(snapshot() == before);
  }
}
