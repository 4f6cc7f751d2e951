// Part boundaries as cozy-stack's exportFiles computes them (splitFiles in
// model/move/cursor.go): a greedy packing of the declared sizes sorted by
// id, files first, then old versions in what the files left.
#include "export_layout.hpp"
#include "space_files.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using namespace sim;

namespace {

std::uint64_t key_with_versions() {
  std::uint64_t key = 1;
  while (!has_versions(key)) ++key;
  return key;
}

}  // namespace

TEST_CASE("split_files: greedy over ids sorted, a new part when an item does not fit a started part", "[units]") {
  // Given out of order, as a Go map is: sorted by id first.
  const auto r = split_files(10, 10, {{"d", 4}, {"a", 6}, {"c", 12}, {"b", 3}, {"e", 1}}, "io.cozy.files");
  // a(6) fits; b(3) fits (1 left); c(12) does not: new part, alone and over
  // the size; d(4) does not fit in -2: new part; e(1) fits.
  CHECK(r.cursors == std::vector<std::string>{"io.cozy.files/c", "io.cozy.files/d"});
  CHECK(r.remaining == 5);
  // An item larger than a part, first in a fresh part: no empty part before it.
  CHECK(split_files(10, 10, {{"a", 15}}, "io.cozy.files").cursors.empty());
  // The versions start in what the files left.
  const auto v = split_files(10, 2, {{"f/1", 3}, {"f/2", 1}}, "io.cozy.files.versions");
  CHECK(v.cursors == std::vector<std::string>{"io.cozy.files.versions/f/1"});
  CHECK(v.remaining == 6);
}

TEST_CASE("plan: cursors are what splitFiles computes from the space's declared sizes", "[units]") {
  const auto key = key_with_versions();
  for (const std::int64_t used : std::vector<std::int64_t>{3 * (1LL << 30), 5'000'000'000, (1LL << 30) + 1000,
                                                           4 * (1LL << 30) + 123, 20'000'000'000}) {
    INFO("used " << used);
    const auto plan = plan_parts(used, key, 1e-5);
    REQUIRE(plan.parts.size() == plan.cursors.size() + 1);
    std::int64_t total = 0;
    for (const auto d : plan.declared) total += d;
    CHECK(total == used);
    std::string last_file, last_version;
    for (std::size_t k = 0; k < plan.parts.size(); ++k) {
      const auto& part = plan.parts[k];
      for (const auto& f : part.files) {
        CHECK(f.id > last_file);  // sorted across parts
        last_file = f.id;
      }
      for (const auto& v : part.versions) {
        CHECK(v.id > last_version);  // old versions too
        last_version = v.id;
      }
      // A part over the size holds a single item (too big for any part).
      if (plan.declared[k] > plan.parts_size) CHECK(part.files.size() + part.versions.size() == 1);
      if (k == 0) continue;
      const bool files_first = !part.files.empty();
      CHECK(plan.cursors[k - 1] ==
            (files_first ? "io.cozy.files/" + part.files.front().id : "io.cozy.files.versions/" + part.versions.front().id));
      // Greedy: the part before was started and its first item here did not fit in it.
      CHECK(plan.declared[k - 1] > 0);
    }
  }
}

TEST_CASE("plan: old versions sorted by id across parts, a part lists the range between two cursors", "[units]") {
  const auto key = key_with_versions();
  // 1 TiB: parts of 32 GiB, 51 GiB of old versions drawn over several chunks.
  const auto plan = plan_parts(1LL << 40, key, 1e-7);
  std::size_t version_parts = 0;
  for (const auto& part : plan.parts) version_parts += part.versions.empty() ? 0 : 1;
  REQUIRE(version_parts >= 2);
  std::vector<std::string> all;
  for (const auto& part : plan.parts)
    for (const auto& v : part.versions) all.push_back(v.id);
  CHECK(std::is_sorted(all.begin(), all.end()));
  CHECK(all.size() >= 3);
}
