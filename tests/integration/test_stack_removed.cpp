// A stack renamed or removed from the config while accounts of it are
// unfinished: `run`, `nightly`, `purge` and `plan` refuse to start (exit 2, the
// stack and its accounts named, nothing changed) instead of doing part of
// the work, stopping on the first such account or leaving it waiting
// without a word.
#include <catch2/catch.hpp>

#include <chrono>

#include "tests/integration/grace_stand.hpp"

using namespace passage::testing;
using namespace passage::testing::grace;

namespace {

std::int64_t journal_rows(const Workspace& ws) {
  Db db(ws.database());
  return db.scalar("SELECT COUNT(*) FROM journal");
}

bool says(const ProcessResult& result, const std::string& text) {
  return result.err.find(text) != std::string::npos;
}

void rename_stack(Workspace& ws, const std::string& from, const std::string& to) {
  std::string config = read_file(ws.config());
  replace_once(config, "  - name: " + from + "\n", "  - name: " + to + "\n");
  ws.write("c.yaml", config);
}

}  // namespace

TEST_CASE("a run, a night and a purge refuse to start while unfinished accounts belong to a stack the config no "
          "longer has",
          "[stack-removed][deletion-safety][purge]") {
  Options options;
  options.accounts = 4;
  // u0001, u0002 leave in June: still QUEUED after the first run.
  options.departure = [](int n) { return n <= 2 ? k_not_yet : k_departed; };
  Stand s(options);
  s.run();
  auto states = account_states(s.ws);
  REQUIRE(states.at(login_of(1)) == "QUEUED");
  REQUIRE(states.at(login_of(3)) == "GRACE");
  rename_stack(s.ws, "academy", "academie");
  s.advance(days(40));  // u0003, u0004 due for deletion; u0001, u0002 still not due
  const std::int64_t journal = journal_rows(s.ws);
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"run", "--until-idle"}, {"nightly"}, {"purge"}, {"run", "c1", "--until-idle"}}) {
    ProcessResult refused = s.passage(command);
    INFO(command[0] << ": " << refused.out << refused.err);
    CHECK(refused.exit_code == 2);
    CHECK(says(refused, "stack academy"));
    CHECK(says(refused, "4 unfinished accounts of campaign c1 belong"));
    CHECK(journal_rows(s.ws) == journal);
  }
  CHECK(s.deletions() == 0);
  // `plan` reads only; it says the same instead of failing on the lookup.
  ProcessResult plan = s.passage({"plan", "c1"});
  CHECK(plan.exit_code == 2);
  CHECK(says(plan, "stack academy"));
  // `purge --dry-run` reads only, and says the same.
  ProcessResult dry = s.passage({"purge", "--dry-run"});
  CHECK(dry.exit_code == 2);
  CHECK(says(dry, "stack academy"));
  // The stack back under its name: the night goes on as before.
  rename_stack(s.ws, "academie", "academy");
  s.run();
  s.purge();
  CHECK(s.deletions() == 2);
}
