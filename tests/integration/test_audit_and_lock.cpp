// The journal proves itself, and one writer at a time holds the database.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <regex>
#include <sstream>

#include "tests/integration/probe.hpp"

using namespace passage::testing;

namespace {

const std::string k_now = "2026-11-25T10:00:00";

void create_and_run(const Workspace& ws, int accounts) {
  ws.write_accounts("accounts.csv", accounts);
  ProcessResult create =
      ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now});
  INFO(create.err);
  REQUIRE(create.exit_code == 0);
  ProcessResult run = ws.passage({"run", "--until-idle", "--now", k_now});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
}

bool names_entry(const std::string& err, std::int64_t seq) {
  return std::regex_search(err, std::regex("entry " + std::to_string(seq) + "\\b"));
}

}  // namespace

TEST_CASE("Editing one journal row makes audit verify exit 5 and name that entry", "[audit]") {
  Workspace ws;
  create_and_run(ws, 12);
  ProcessResult clean = ws.passage({"audit", "verify"});
  INFO(clean.err);
  REQUIRE(clean.exit_code == 0);

  std::int64_t last = 0;
  {
    Db db(ws.database());
    last = db.scalar("SELECT MAX(seq) FROM journal");
  }
  REQUIRE(last > 20);
  for (std::int64_t seq : {std::int64_t{1}, last / 2, last}) {
    INFO("edited entry " << seq);
    std::string detail;
    {
      Db db(ws.database());
      detail = db.rows("SELECT detail FROM journal WHERE seq = " + std::to_string(seq))[0][0];
      db.exec("UPDATE journal SET detail = 'x' WHERE seq = " + std::to_string(seq));
    }
    ProcessResult audit = ws.passage({"audit", "verify"});
    INFO("stderr: " << audit.err);
    CHECK(audit.exit_code == 5);
    CHECK(names_entry(audit.err, seq));
    {
      Db db(ws.database());  // put it back: the chain verifies again
      std::string quoted = detail;
      for (std::size_t at = quoted.find('\''); at != std::string::npos;
           at = quoted.find('\'', at + 2))
        quoted.insert(at, "'");
      db.exec("UPDATE journal SET detail = '" + quoted + "' WHERE seq = " + std::to_string(seq));
    }
    CHECK(ws.passage({"audit", "verify"}).exit_code == 0);
  }

  SECTION("a removed entry is found too") {
    {
      Db db(ws.database());
      db.exec("DELETE FROM journal WHERE seq = " + std::to_string(last / 3));
    }
    ProcessResult audit = ws.passage({"audit", "verify"});
    INFO("stderr: " << audit.err);
    CHECK(audit.exit_code == 5);
    CHECK((names_entry(audit.err, last / 3) || names_entry(audit.err, last / 3 + 1)));
  }

  SECTION("two entries swapped are found too") {
    const std::int64_t first = last / 2;
    {
      Db db(ws.database());
      const std::string a = std::to_string(first);
      const std::string b = std::to_string(first + 1);
      db.exec("BEGIN; UPDATE journal SET seq = -1 WHERE seq = " + a + "; UPDATE journal SET seq = " +
              a + " WHERE seq = " + b + "; UPDATE journal SET seq = " + b +
              " WHERE seq = -1; COMMIT");
    }
    ProcessResult audit = ws.passage({"audit", "verify"});
    INFO("stderr: " << audit.err);
    CHECK(audit.exit_code == 5);
    CHECK(names_entry(audit.err, first));
  }
}

// The chain's head is recorded beside it (journal_head), so entries
// deleted from the end are caught too, not only edits inside the chain.
TEST_CASE("Removing the last journal entry makes audit verify fail", "[audit]") {
  Workspace ws;
  create_and_run(ws, 6);
  {
    Db db(ws.database());
    db.exec("DELETE FROM journal WHERE seq = (SELECT MAX(seq) FROM journal)");
  }
  ProcessResult audit = ws.passage({"audit", "verify"});
  INFO("stdout: " << audit.out << "stderr: " << audit.err);
  CHECK(audit.exit_code == 5);
}

TEST_CASE("A second writer exits 3 naming the pid that holds the lock", "[lock]") {
  Workspace ws;
  ws.write_accounts("accounts.csv", 6);
  ProcessResult create =
      ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now", k_now});
  REQUIRE(create.exit_code == 0);
  ws.write("other.csv",
           "login,domain,action,email,target,departure_date,reason\n"
           "z1,z1.mytoutatice.cloud,export,z1@example.org,,2026-10-01,\n");

  BackgroundProcess holder(ws.passage_argv({"run", "--max-duration", "30 seconds", "--now", k_now}),
                           ws.dir(), ws.dir() / "holder.out", ws.dir() / "holder.err");
  const std::string pid = std::to_string(holder.pid());
  const auto lock_file = ws.database().string() + ".lock";
  // The lock file names its holder once the flock is taken.
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

  for (std::vector<std::string> second :
       {std::vector<std::string>{"run", "--until-idle", "--now", k_now},
        std::vector<std::string>{"purge", "--now", "2027-01-04T10:00:00"},
        std::vector<std::string>{"campaign", "create", "c2", "--accounts", "other.csv"}}) {
    ProcessResult refused = ws.passage(second, Millis(30000));
    INFO(second[0] << " stderr: " << refused.err);
    CHECK(refused.exit_code == 3);
    CHECK(std::regex_search(refused.err, std::regex("\\b" + pid + "\\b")));
  }
  // Read-only commands take no lock.
  CHECK(ws.passage({"status", "c1", "--json"}).exit_code == 0);

  holder.kill();
  ProcessResult after = ws.passage({"run", "--until-idle", "--now", k_now});
  INFO("after stderr: " << after.err);
  CHECK(after.exit_code == 0);
}

namespace {

// The value of one sample line of a Prometheus textfile, -1 when absent.
double metric_value(const std::string& text, const std::string& sample) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size() + 1));
  return -1;
}

}  // namespace

TEST_CASE("A nightly or purge refused by the lock tells monitoring: exit code 3 and its time, last success kept",
          "[lock][metrics]") {
  Workspace ws;
  ws.write("c.yaml", read_file(ws.config()) + "metrics: { textfile: var/passage.prom }\n");
  ws.write_accounts("accounts.csv", 3);
  REQUIRE(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv"}).exit_code == 0);
  ProcessResult night = ws.passage({"nightly"});
  INFO("nightly stderr: " << night.err);
  REQUIRE(night.exit_code == 0);
  const auto textfile = ws.dir() / "var" / "passage.prom";
  const std::string first = read_file(textfile);
  const double success = metric_value(first, "passage_last_success_timestamp_seconds");
  const double first_end = metric_value(first, "passage_last_run_end_timestamp_seconds");
  REQUIRE(success > 0);

  // Another command holds the lock (as a long `run` would).
  const std::string lock_path = ws.database().string() + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  for (const char* command : {"nightly", "purge"}) {
    ProcessResult refused = ws.passage({command});
    INFO(command << " stderr: " << refused.err);
    CHECK(refused.exit_code == 3);
    const std::string text = read_file(textfile);
    INFO(text);
    CHECK(metric_value(text, "passage_last_run_exit_code") == 3);
    CHECK(metric_value(text, "passage_last_run_start_timestamp_seconds") >= first_end);
    CHECK(metric_value(text, "passage_last_run_end_timestamp_seconds") >= first_end);
    CHECK(metric_value(text, "passage_last_success_timestamp_seconds") == Approx(success));
    // What the refused night could not know is left as the last night said it.
    CHECK(metric_value(text, R"(passage_accounts{campaign="c1",state="PURGED"})") ==
          metric_value(first, R"(passage_accounts{campaign="c1",state="PURGED"})"));
    CHECK(text.find("# TYPE passage_last_run_exit_code gauge") != std::string::npos);
  }
  ::close(fd);
}
