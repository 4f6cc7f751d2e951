// The simulator's pure pieces, without a process.
#include "accounts_csv.hpp"
#include "export_layout.hpp"
#include "faults.hpp"
#include "population.hpp"
#include "sim_time.hpp"
#include "zip_check.hpp"
#include "zip_stream.hpp"

#include <catch2/catch.hpp>

using namespace sim;

TEST_CASE("ISO times: offsets, UTC default, Go-like printing", "[units]") {
  CHECK(format_iso(*parse_iso("2026-11-20T10:00:00Z")) == "2026-11-20T10:00:00Z");
  CHECK(format_iso(*parse_iso("2026-11-20T10:00:00")) == "2026-11-20T10:00:00Z");
  CHECK(format_iso(*parse_iso("2026-11-20T10:00:00+02:00")) == "2026-11-20T08:00:00Z");
  CHECK(format_iso(*parse_iso("2026-11-20T10:00:00.250Z")) == "2026-11-20T10:00:00.25Z");
  CHECK(format_iso(*parse_iso("2026-11-20")) == "2026-11-20T00:00:00Z");
  CHECK_FALSE(parse_iso("2026-13-01"));
  CHECK_FALSE(parse_iso("yesterday"));
  CHECK(format_day(day_of(*parse_iso("2018-01-01T23:59:59Z"))) == "2018-01-01");
}

TEST_CASE("part size rule: at least 1 GiB, about sqrt(used/GiB) GiB, n-1 cursors", "[units]") {
  auto small = plan_parts(500'000'000, 1);
  CHECK(small.parts_size == k_gib);
  CHECK(small.declared.size() == 1);
  CHECK(small.cursors.empty());
  auto big = plan_parts(4 * k_gib, 1);
  CHECK(big.parts_size == 2 * k_gib);
  CHECK(big.declared.size() == 2);
  CHECK(big.cursors.size() == 1);
  auto five = plan_parts(5'000'000'000, 1);
  CHECK(five.declared.size() == 3);
  std::int64_t total = 0;
  for (auto b : five.declared) total += b;
  CHECK(total == 5'000'000'000);
  CHECK(part_file_name("a.b.c", 0, 1) == "a.b.c.zip");
  CHECK(part_file_name("a.b.c", 1, 3) == "a.b.c - part002.zip");
}

TEST_CASE("zip parts are valid, part 0 holds instance.json", "[units]") {
  PartContentInput in{"u1.example.org", "x", R"({"domain":"u1.example.org"})", 300'000, 0.01, 42, 0};
  const auto zip = ZipStream::render(part_entries(in), 1'700'000'000);
  const auto check = simtest::check_zip(zip);
  CHECK(check.ok);
  CHECK(check.has("My Cozy/Data/instance.json"));
  CHECK(check.bytes >= 3000);
  in.part = 1;
  CHECK_FALSE(simtest::check_zip(ZipStream::render(part_entries(in), 0)).has("My Cozy/Data/instance.json"));
}

TEST_CASE("population: generated names, listed names, domain syntax", "[units]") {
  Population p(12, "test.example", {"jdupont.mytoutatice.cloud"});
  CHECK(p.size() == 13);
  CHECK(p.domain(7) == "u000007.test.example");
  CHECK(p.find("u000007.test.example") == 7u);
  CHECK_FALSE(p.find("u07.test.example"));
  CHECK_FALSE(p.find("u000012.test.example"));
  CHECK(p.find("jdupont.mytoutatice.cloud") == 12u);
  CHECK(is_well_formed_domain("alice.cozy.localhost:8080"));
  CHECK_FALSE(is_well_formed_domain("Alice.example"));
  CHECK_FALSE(is_well_formed_domain("-a.example"));
  CHECK_FALSE(is_well_formed_domain("a..example"));
  const auto profile = make_profile("u000001.test.example", 1, 20000);
  CHECK(profile.used <= k_default_quota);
  CHECK(make_profile("u000001.test.example", 1, 20000).used == profile.used);
}

TEST_CASE("CSV records: quotes, doubled quotes, CRLF, multi-line fields", "[units]") {
  CsvReader r("a,\"b,c\",\"d \"\"e\"\"\"\r\n\"multi\nline\",x\n");
  std::vector<std::string> f;
  std::string error;
  REQUIRE(r.next(f, error));
  CHECK(f == std::vector<std::string>{"a", "b,c", "d \"e\""});
  REQUIRE(r.next(f, error));
  CHECK(r.record_line() == 2);
  CHECK(f == std::vector<std::string>{"multi\nline", "x"});
  CHECK_FALSE(r.next(f, error));
}

TEST_CASE("faults JSON round trip", "[units]") {
  std::string error;
  auto f = parse_faults(R"({"latency_ms":{"min":1,"max":5},"throttle":{"status":503,"rate":0.5,"retry_after_s":2}})", error);
  REQUIRE(f);
  auto again = parse_faults(faults_to_json(*f), error);
  REQUIRE(again);
  CHECK(again->throttle.retry_after_s == 2);
  CHECK(again->latency_ms.max == 5);
  CHECK_FALSE(parse_faults(R"({"latency_ms":{"min":1,"max":5,"avg":3}})", error));
  CHECK(error.find("latency_ms.avg") != std::string::npos);
}
