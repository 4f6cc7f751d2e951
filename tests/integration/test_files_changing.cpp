// Files written while Passage downloads an export (cozy-stack lists a part's
// files when the part is downloaded, so a file written meanwhile is served
// new, or skipped when its old content is gone mid-stream). A part missing
// a content is never evidence, and evidence always adds up to the space.

#include <catch2/catch.hpp>

#include "tests/integration/grace_stand.hpp"

using namespace passage::testing;
using namespace passage::testing::grace;
namespace json = boost::json;

namespace {

std::int64_t in_state(const Workspace& ws, const std::string& state) {
  Db db(ws.database());
  return db.scalar("SELECT COUNT(*) FROM accounts WHERE state = '" + state + "'");
}

std::int64_t usage_files(const CozySim& sim, const std::string& domain) {
  const SimAnswer answer = sim.call("GET", "/instances/" + domain + "/disk-usage");
  REQUIRE(answer.status == 200);
  const json::object usage = json::parse(answer.body).as_object();
  return usage.contains("files") ? std::stoll(std::string(usage.at("files").as_string())) : 0;
}

}  // namespace

TEST_CASE("Files written during the downloads: never verified on a part that lacks them, exported again, "
          "every evidence adding up to the space",
          "[cozy-admin][evidence]") {
  Options options;
  options.accounts = 30;
  options.max_fraction = 1.0;
  Stand s(options);
  s.sim->put_faults(R"({"edit_during_download": 0.3})");
  s.run();
  CHECK(stat(s.sim->stats(), "contents_changed_midway") > 0);
  // The writes stop; exported again where the evidence did not add up.
  s.sim->clear_faults();
  for (int round = 0; round < 3 && in_state(s.ws, "GRACE") < options.accounts; ++round) {
    s.advance(hours(25));
    s.run();
  }
  REQUIRE(in_state(s.ws, "GRACE") == options.accounts);
  // Those whose files changed after their usage was read were exported again.
  CHECK(route_count(s.sim->stats(), "POST /instances/:domain/export", "202") > options.accounts);
  Db db(s.ws.database());
  for (const auto& row : db.rows("SELECT domain, evidence FROM accounts")) {
    INFO(row[0] << ": " << row[1]);
    const json::object evidence = json::parse(row[1]).as_object();
    const std::int64_t carried = evidence.at("content").as_object().at("file_bytes").as_int64();
    // What was checked equals the disk usage recorded, and the space as it is now.
    CHECK(carried == evidence.at("disk_usage").as_object().at("files").as_int64());
    CHECK(carried == usage_files(*s.sim, row[0]));
    CHECK(s.sim->export_of(row[0]).at("fully_read").as_bool());
  }
  s.advance(days(32));
  Stand::require_exit(s.purge(), 0);
  const json::object after = s.sim->stats();
  CHECK(stat(after, "deletions") == options.accounts);
  CHECK(stat(after, "unsafe_deletions") == 0);
}
