// The target of an admin-driven move between a first attempt whose import
// ended and the retry (CONTRACT.md "Admin moves"): an import is a restore
// that wipes the target first, so data on it is overwritten without
// `move.overwrite` only when it is provably Passage's own earlier import.
// On the failure matrix's stand with move.overwrite off, clocks moved
// together, the write on the source placed by what the simulator counted.
#include <catch2/catch.hpp>

#include "tests/integration/fault_stand.hpp"
#include "tests/integration/move_probe.hpp"
#include "tests/integration/probe.hpp"

using namespace passage::testing;
using namespace passage::testing::faults;
using std::chrono::hours;
using std::chrono::seconds;

namespace {

// The import starts 2 s after its request and ends 3 s after its last
// part: the source is written while the target imports.
const std::vector<std::string> k_slow_import{"--import-start-ms", "2000:2000", "--import-ms", "3000:3000"};
const Step k_retry_a_day_later{std::chrono::duration_cast<seconds>(hours(25)), {"run", "--until-idle"}};

struct Usage {
  std::int64_t files = 0;
  std::int64_t versions = 0;
  bool operator==(const Usage&) const = default;
};

std::int64_t usage_number(const boost::json::object& usage, const char* key) {
  return usage.contains(key) ? std::stoll(std::string(usage.at(key).as_string())) : 0;
}

Usage usage_of(CozySim& sim, const std::string& domain) {
  SimAnswer answer = sim.call("GET", "/instances/" + domain + "/disk-usage");
  REQUIRE(answer.status == 200);
  const boost::json::object usage = boost::json::parse(answer.body).as_object();
  return Usage{usage_number(usage, "files"), usage_number(usage, "versions")};
}

// The target holds nothing (move.overwrite off would refuse it otherwise).
void empty_target(FaultStand& stand) {
  SimAnswer destroyed =
      stand.target->call("POST", "/_sim/change-files?domain=" + mover_target(stand) + "&op=destroy&count=9999");
  REQUIRE(destroyed.status == 200);
  REQUIRE(usage_of(*stand.target, mover_target(stand)) == Usage{});
}

// The first attempt: its import ends (the target unblocked, holding the
// imported data, its owner mailed), then the attempt fails: the source was
// written while the target imported. The account waits for its retry.
void first_attempt_imports_then_fails(FaultStand& stand) {
  BackgroundProcess run(stand.ws.passage_argv({"run", "--until-idle", "--now", iso_utc(stand.now)}),
                        stand.ws.dir(), stand.ws.dir() / "first.out", stand.ws.dir() / "first.err",
                        stand.ws.environment());
  REQUIRE(wait_until([&] { return route_count(stand.target->stats(), k_import_post, "204") == 1; }, k_wait,
                     Millis(20)));
  REQUIRE(stand.source->call("POST", "/_sim/change-files?domain=" + mover_source(stand) + "&op=create").status ==
          200);
  REQUIRE(run.wait_exit(Millis(120000)));
  INFO("first run: " << read_file(stand.ws.dir() / "first.err") << "\njournal:\n" << journal_text(stand));
  REQUIRE(stat(stand.target->stats(), "imports_done") == 1);
  REQUIRE(mover_column(stand, "state") == "RETRY_WAIT");
  REQUIRE(journal_text(stand).find("source_changed: the source was written while the target imported") !=
          std::string::npos);
  REQUIRE(blocking_reason(*stand.target, mover_target(stand)).empty());
  REQUIRE(blocking_reason(*stand.source, mover_source(stand)).empty());
  REQUIRE(usage_of(*stand.target, mover_target(stand)).files > 0);
}

}  // namespace

// Was: the retry's check accepted any data on the target once a part of an
// earlier move of the account had been served: it exported the source
// again and asked the target to import, which wiped what the person wrote
// there after the first import (GRACE, two imports).
TEST_CASE("A move retried after its first import ended never wipes what was written on the target since: "
          "nothing touched, HELD for a person, the source given back",
          "[faults][move-recovery][move-target][attack]") {
  FaultStand stand(0, k_slow_import);
  stand.set_move_overwrite(false);
  empty_target(stand);
  first_attempt_imports_then_fails(stand);
  const std::string target_files = "/_sim/change-files?domain=" + mover_target(stand);

  // The stack mailed the target's owner: they log in and use it.
  SECTION("the person creates files there") {
    REQUIRE(stand.target->call("POST", target_files + "&op=create&count=2&activity=true").status == 200);
  }
  SECTION("the person deletes a file there") {
    REQUIRE(stand.target->call("POST", target_files + "&op=destroy&count=1&activity=true").status == 200);
  }
  SECTION("a sharing writes files there, without any login") {
    REQUIRE(stand.target->call("POST", target_files + "&op=create&count=2").status == 200);
  }
  SECTION("the person logs in and only uploads the same bytes again") {
    REQUIRE(stand.target->call("POST", target_files + "&op=same&count=1&activity=true").status == 200);
  }
  const Usage written = usage_of(*stand.target, mover_target(stand));

  ProcessResult retried = stand.run(k_retry_a_day_later);
  INFO("retry: " << retried.err << "\njournal:\n" << journal_text(stand));
  CHECK(route_count(stand.target->stats(), k_import_post) == 1);
  CHECK(usage_of(*stand.target, mover_target(stand)) == written);
  CHECK(mover_column(stand, "state") == "HELD");
  CHECK(mover_column(stand, "state_reason").starts_with("target_written_after_import"));
  CHECK(blocking_reason(*stand.source, mover_source(stand)).empty());
  CHECK(route_count(stand.source->stats(), k_export_post) == 1);

  // A person decides: the target's data may go (move.overwrite), released.
  stand.set_move_overwrite(true);
  ProcessResult moved = release_then_run(stand, "the target may be overwritten", seconds(0));
  INFO("after the release: " << moved.err << "\njournal:\n" << journal_text(stand));
  CHECK(mover_column(stand, "state") == "GRACE");
  CHECK(route_count(stand.target->stats(), k_import_post) == 2);
  CHECK(blocking_reason(*stand.source, mover_source(stand)) == "MOVED");
}

TEST_CASE("A move retried after its first import ended, nothing written on the target since, overwrites "
          "Passage's own import without move.overwrite and ends MOVED",
          "[faults][move-recovery][move-target]") {
  FaultStand stand(0, k_slow_import);
  stand.set_move_overwrite(false);
  empty_target(stand);
  first_attempt_imports_then_fails(stand);

  ProcessResult retried = stand.run(k_retry_a_day_later);
  INFO("retry: " << retried.err << "\njournal:\n" << journal_text(stand));
  CHECK(route_count(stand.target->stats(), k_import_post) == 2);
  CHECK(mover_column(stand, "state") == "GRACE");
  CHECK(blocking_reason(*stand.source, mover_source(stand)) == "MOVED");
  CHECK(usage_of(*stand.target, mover_target(stand)).files == disk_usage_files(*stand.source, mover_source(stand)));
}

// The retry's check of the target passes (it holds Passage's own import,
// nobody used it), then the source's export and download take their time:
// the person writes on the target meanwhile. Was: the import went out and
// wiped it (the target was checked only before the export).
TEST_CASE("A person writing on the target while the retry exports the source is not wiped by its import",
          "[faults][move-recovery][move-target][attack]") {
  FaultStand stand(0, k_slow_import);
  stand.set_move_overwrite(false);
  empty_target(stand);
  first_attempt_imports_then_fails(stand);

  stand.now += std::chrono::duration_cast<seconds>(hours(25));
  stand.source->advance_clock(std::chrono::duration_cast<seconds>(hours(25)).count());
  stand.target->advance_clock(std::chrono::duration_cast<seconds>(hours(25)).count());
  // Every answer of the source takes 3 s: the export and its download
  // leave room for the write.
  stand.source->put_faults(R"({"stall_ms":{"rate":1,"ms":3000}})");
  BackgroundProcess run(stand.ws.passage_argv({"run", "--until-idle", "--now", iso_utc(stand.now)}),
                        stand.ws.dir(), stand.ws.dir() / "retry.out", stand.ws.dir() / "retry.err",
                        stand.ws.environment());
  REQUIRE(wait_until([&] { return route_count(stand.source->stats(), k_export_post, "202") == 2; }, k_wait,
                     Millis(20)));
  REQUIRE(stand.target->call("POST", "/_sim/change-files?domain=" + mover_target(stand) +
                                         "&op=create&count=2&activity=true")
              .status == 200);
  const Usage written = usage_of(*stand.target, mover_target(stand));
  REQUIRE(run.wait_exit(Millis(120000)));
  stand.source->clear_faults();

  INFO("retry: " << read_file(stand.ws.dir() / "retry.err") << "\njournal:\n" << journal_text(stand));
  CHECK(route_count(stand.target->stats(), k_import_post) == 1);
  CHECK(usage_of(*stand.target, mover_target(stand)) == written);
  CHECK(mover_column(stand, "state") == "HELD");
  CHECK(mover_column(stand, "state_reason").starts_with("target_written_after_import"));
  CHECK(blocking_reason(*stand.source, mover_source(stand)).empty());
}
