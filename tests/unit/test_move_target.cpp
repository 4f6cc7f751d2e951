// Data on an admin move's target that Passage may overwrite without
// move.overwrite: exactly the parts its own earlier import was sent, nobody
// active since (engine/sched/move_target.hpp).
#include <catch2/catch.hpp>

#include "engine/sched/move_target.hpp"

using namespace passage;

namespace {

// Three parts of 1000 zip bytes; part n carries 100·(n+1) bytes of files
// and 10·(n+1) of old versions.
Evidence three_parts() {
  Evidence evidence{"export", "exp-1", {}, {}, std::nullopt};
  for (int n = 0; n < 3; ++n) {
    PartEvidence part{n, 1000, 5, std::string(64, 'a'), {2, 100 * (n + 1), 1, 10 * (n + 1)}};
    evidence.parts.push_back(part);
    evidence.content += part.content;
  }
  return evidence;
}

MoveServed served(std::vector<std::int64_t> part_bytes) {
  MoveServed s;
  s.manifest = true;
  s.part_bytes = std::move(part_bytes);
  for (std::int64_t bytes : s.part_bytes) s.total_bytes += bytes;
  return s;
}

}  // namespace

TEST_CASE("the target holds Passage's own import when its bytes are exactly the parts sent whole",
          "[move][move-target]") {
  const Evidence evidence = three_parts();
  // An import that ended: every part sent, everything restored.
  CHECK(holds_only_served_parts(evidence, served({1000, 1000, 1000}), DiskUsage{660, 600, 60}));
  // A stalled import: parts 0 and 1 restored, part 2 cut short.
  CHECK(holds_only_served_parts(evidence, served({1000, 1000, 400}), DiskUsage{330, 300, 30}));
  CHECK(holds_only_served_parts(evidence, served({1000, 0, 0}), DiskUsage{110, 100, 10}));
}

TEST_CASE("anything else on the target is not Passage's to wipe", "[move][move-target]") {
  const Evidence evidence = three_parts();
  // One byte more or less of files, or of old versions: written since.
  CHECK_FALSE(holds_only_served_parts(evidence, served({1000, 1000, 1000}), DiskUsage{661, 601, 60}));
  CHECK_FALSE(holds_only_served_parts(evidence, served({1000, 1000, 1000}), DiskUsage{659, 600, 59}));
  // The whole export's bytes, but its last part was never sent whole.
  CHECK_FALSE(holds_only_served_parts(evidence, served({1000, 1000, 999}), DiskUsage{660, 600, 60}));
  // Part 1's bytes alone, or parts 0 and 2: never what an import in order restores.
  CHECK_FALSE(holds_only_served_parts(evidence, served({1000, 1000, 1000}), DiskUsage{220, 200, 20}));
  CHECK_FALSE(holds_only_served_parts(evidence, served({1000, 0, 1000}), DiskUsage{440, 400, 40}));
  // Nothing sent: nothing on the target is Passage's.
  CHECK_FALSE(holds_only_served_parts(evidence, served({0, 0, 0}), DiskUsage{110, 100, 10}));
  CHECK_FALSE(holds_only_served_parts(evidence, served({}), DiskUsage{110, 100, 10}));
}

TEST_CASE("any activity on the target on or after the day before Passage's import means someone may have used it",
          "[move][move-target]") {
  const Instant issued = parse_utc("2026-11-25T09:00:00Z").value();
  const auto day = [](int y, unsigned m, unsigned d) {
    return date::year_month_day{date::year{y}, date::month{m}, date::day{d}};
  };
  CHECK(used_since_import(day(2026, 11, 25), issued));  // the same day: before or after, not told apart
  CHECK(used_since_import(day(2026, 11, 26), issued));
  // The stack tells its own local day, up to a day behind UTC (CONTRACT.md
  // "Reading the stack safely"): a stack at UTC-5 reports a write at 02:00
  // UTC on the 26th as the 25th, and one at 01:00 UTC on the 25th, after an
  // import issued at 00:30 UTC, as the 24th.
  CHECK(used_since_import(day(2026, 11, 24), parse_utc("2026-11-25T00:30:00Z").value()));
  CHECK(used_since_import(day(2026, 11, 24), issued));
  CHECK_FALSE(used_since_import(day(2026, 11, 23), issued));
  CHECK_FALSE(used_since_import(day(2018, 1, 1), issued));  // never used
}
