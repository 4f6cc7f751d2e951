#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "plugins/backends/cozy_answers.hpp"
#include "tests/fuzz/fuzz_target.hpp"

// The fuzz targets' properties (tests/fuzz) over every committed seed and
// every input that once broke one (tests/fuzz/regressions/TARGET/), in the
// ordinary build: a fixed crash stays fixed without running a fuzzer.

namespace passage::fuzz {

void require(bool condition, const char* what) {
  if (!condition) throw std::logic_error(what);
}

}  // namespace passage::fuzz

using namespace passage;

namespace {

namespace fs = std::filesystem;

const std::map<std::string, std::function<void(std::string_view)>>& targets() {
  static const std::map<std::string, std::function<void(std::string_view)>> table{
      {"accounts_file", fuzz::accounts_file}, {"config", fuzz::config},
      {"cozy_answers", fuzz::cozy_answers},   {"realtime_event", fuzz::realtime_event},
      {"zip_part", fuzz::zip_part}};
  return table;
}

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> inputs_under(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(entry.path());
  return files;
}

const fs::path k_fuzz_dir = fs::path(PASSAGE_SOURCE_DIR) / "tests/fuzz";

}  // namespace

TEST_CASE("fuzz inputs: every committed seed and regression keeps its target's properties", "[fuzz]") {
  std::size_t replayed = 0;
  for (const auto& [name, target] : targets()) {
    const auto seeds = inputs_under(k_fuzz_dir / "corpus" / name);
    CHECK(!seeds.empty());
    auto inputs = seeds;
    const auto regressions = inputs_under(k_fuzz_dir / "regressions" / name);
    inputs.insert(inputs.end(), regressions.begin(), regressions.end());
    for (const fs::path& input : inputs) {
      INFO(input.string());
      CHECK_NOTHROW(target(read_all(input)));
      ++replayed;
    }
  }
  CHECK(replayed >= 30);
}

TEST_CASE("fuzz regression: a done export whose total_size is no exact integer is still the export's outcome",
          "[fuzz][cozy-admin]") {
  // boost::json's to_number<int64_t> threw on 1.5e300: the event was lost
  // and the export waited for its deadline (2 hours) before failing.
  const std::string text = read_all(k_fuzz_dir / "regressions/realtime_event/total_size_not_an_integer.json");
  const auto event = parse_realtime_event(text);
  REQUIRE(event);
  std::optional<ExportEvent> exported;
  REQUIRE_NOTHROW(exported = export_event_of(*event));
  REQUIRE(exported);
  CHECK(exported->state == "done");
  CHECK(exported->done.total_size == 0);
  CHECK(exported->done.parts == 2);
  CHECK(exported->done.parts_cursors == std::vector<std::string>{"c1"});
}
