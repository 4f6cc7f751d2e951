// Files whose content the stack cannot open (cozy-stack's copyFiles keeps
// their metadata and skips the content, on every export: CONTRACT.md
// "Incomplete evidence"). Such a part is never evidence; the same files
// missing on two exports in a row fail the account, every one of them
// named for the person who decides.

#include <catch2/catch.hpp>

#include "tests/integration/grace_stand.hpp"

using namespace passage::testing;
using namespace passage::testing::grace;
namespace json = boost::json;

namespace {

std::string domain_of(int n) { return login_of(n) + ".mytoutatice.cloud"; }

// The names `account show` should give for what the stack skips in the
// current export of `domain`: a file by its name, a version by its id.
std::vector<std::string> unreadable_names(const CozySim& sim, const std::string& domain) {
  std::vector<std::string> names;
  const json::value exported = sim.export_of(domain);
  if (!exported.is_object()) return names;
  for (const json::value& file : exported.at("unreadable").as_array())
    names.emplace_back(file.at(file.at("version").as_bool() ? "_id" : "name").as_string());
  return names;
}

}  // namespace

TEST_CASE("Files the stack cannot read: the same files missing on two exports in a row fail the account, "
          "every file named, never verified, never deleted",
          "[cozy-admin][evidence]") {
  Options options;
  options.accounts = 40;
  options.max_fraction = 1.0;
  Stand s(options);
  // Sticky: the same files stay unreadable for the whole test.
  s.sim->put_faults(R"({"skip_file_content": 0.12})");
  s.run();

  std::vector<int> affected;
  for (int n = 1; n <= options.accounts; ++n)
    if (!unreadable_names(*s.sim, domain_of(n)).empty()) affected.push_back(n);
  INFO(affected.size() << " spaces with unreadable files");
  REQUIRE(affected.size() >= 2);
  // Some space misses files in two parts or more (a file is named
  // file-<part>-<n>.<ext>): all of them must be named, not the first part's.
  const auto parts_missing = [&](int n) {
    std::set<std::string> parts;
    for (const std::string& name : unreadable_names(*s.sim, domain_of(n)))
      if (name.rfind("file-", 0) == 0) parts.insert(name.substr(5, 3));
    return parts.size();
  };
  REQUIRE(std::any_of(affected.begin(), affected.end(), [&](int n) { return parts_missing(n) >= 2; }));
  REQUIRE(affected.size() < static_cast<std::size_t>(options.accounts));
  {
    Db db(s.ws.database());
    for (int n : affected) {
      const auto row = db.rows("SELECT state, state_reason, evidence FROM accounts WHERE login = '" + login_of(n) + "'")[0];
      INFO(login_of(n) << ": " << row[0] << " (" << row[1] << ")");
      // Exported again after the 24-hour rule, not failed yet, never evidence.
      CHECK(row[0] == "RETRY_WAIT");
      CHECK(row[1].find("evidence_incomplete") != std::string::npos);
      CHECK(row[2].empty());
    }
  }

  s.advance(hours(25));
  Stand::require_exit(s.passage({"run", "--until-idle"}), 1);  // finished, some accounts FAILED
  CHECK(stat(s.sim->stats(), "contents_skipped_served") > 0);
  Db db(s.ws.database());
  for (int n : affected) {
    const auto row = db.rows("SELECT state, state_reason, evidence FROM accounts WHERE login = '" + login_of(n) + "'")[0];
    INFO(login_of(n) << ": " << row[0] << " (" << row[1] << ")");
    CHECK(row[0] == "FAILED");
    CHECK(row[1].find("evidence_incomplete") != std::string::npos);
    CHECK(row[1].find("two exports in a row") != std::string::npos);
    CHECK(row[2].empty());
    // The person who decides sees every file the stack could not read.
    const ProcessResult show = s.passage({"account", "show", login_of(n)});
    REQUIRE(show.exit_code == 0);
    for (const std::string& name : unreadable_names(*s.sim, domain_of(n))) {
      INFO("account show: " << show.out);
      CHECK(show.out.find(name) != std::string::npos);
    }
  }
  // Everyone else rests on an export the stack served whole.
  const auto failed = db.scalar("SELECT COUNT(*) FROM accounts WHERE state = 'FAILED'");
  CHECK(failed == static_cast<std::int64_t>(affected.size()));
  CHECK(db.scalar("SELECT COUNT(*) FROM accounts WHERE state = 'GRACE'") == options.accounts - failed);
  for (int n = 1; n <= options.accounts; ++n) {
    if (std::find(affected.begin(), affected.end(), n) != affected.end()) continue;
    const json::value exported = s.sim->export_of(domain_of(n));
    CHECK(exported.at("fully_read").as_bool());
  }

  s.advance(days(32));  // past every grace end
  Stand::require_exit(s.purge(), 0);
  const json::object after = s.sim->stats();
  CHECK(stat(after, "deletions") == options.accounts - failed);
  CHECK(stat(after, "unsafe_deletions") == 0);
  for (int n : affected) CHECK_FALSE(s.sim->instance_attributes(domain_of(n)).empty());
}
