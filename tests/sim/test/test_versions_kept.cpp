// A rewrite in a space that keeps versions keeps the old content as an old
// version (cozy-stack's VFS: NewVersion(olddoc), detectVersionsToClean with
// the defaults: 20 versions at most, 15 minutes apart), and a file written
// while its part streams then streams its old content, as its metadata says.
#include "http_client.hpp"
#include "zip_check.hpp"

#include <catch2/catch.hpp>

using namespace simtest;
namespace json = boost::json;

namespace {

const std::vector<std::string> k_args{"--instances", "60", "--domain-suffix", "test.example", "--seed", "7",
                                      "--clock", "2026-11-20T10:00:00Z", "--export-ms", "20:40"};

long long usage_of(Sim& sim, const std::string& d, const char* key) {
  const auto usage = sim.get("/instances/" + d + "/disk-usage").json().as_object();
  return usage.contains(key) ? std::stoll(std::string(usage.at(key).as_string())) : 0;
}

// A space of several parts, with old versions (it keeps them) or without.
int multi_part_instance(Sim& sim, bool versions) {
  for (int i = 0; i < 60; ++i)
    if (usage_of(sim, domain(i), "used") > (3LL << 29) && (usage_of(sim, domain(i), "versions_count") > 0) == versions)
      return i;
  return -1;
}

json::object export_done(Sim& sim, const std::string& d) {
  const auto before = sim.current_export(d);
  const json::value previous = before.contains("_id") ? before.at("_id") : json::value();
  if (sim.post("/instances/" + d + "/export?admin-req=true").status != 202) return {};
  json::object e;
  eventually([&] {
    e = sim.current_export(d);
    return e.contains("_id") && e.at("_id") != previous && e.at("state") == "done";
  });
  return e;
}

std::size_t part_count(const json::object& e) { return e.at("parts_cursors").as_array().size() + 1; }

std::string part_path(const std::string& d, const json::object& e, std::size_t k) {
  std::string p = "/instances/" + d + "/exports/" + std::string(e.at("_id").as_string()) + "/data";
  if (k > 0) p += "?cursor=" + std::string(e.at("parts_cursors").as_array()[k - 1].as_string());
  return p;
}

// Every part of `e` audited whole; the old versions' bytes and count served.
struct Served {
  bool complete = true;
  long long version_bytes = 0;
  int versions = 0;
};

Served download_all(Sim& sim, const std::string& d, const json::object& e) {
  Served out;
  for (std::size_t k = 0; k < part_count(e); ++k) {
    const auto audit = audit_part(check_zip(sim.get(part_path(d, e, k)).body));
    out.complete = out.complete && audit.complete();
    out.version_bytes += audit.version_bytes;
    out.versions += audit.versions;
  }
  return out;
}

long long edit_all(Sim& sim, const std::string& d) {
  const auto r = sim.post("/_sim/edit-files?domain=" + d + "&count=9999");
  REQUIRE(r.status == 200);
  return static_cast<long long>(r.json().at("edited").as_array().size());
}

}  // namespace

TEST_CASE("an edit keeps the old content as an old version, 15 minutes apart at most once, served whole",
          "[exports][versions]") {
  Sim sim(k_args);
  const int i = multi_part_instance(sim, true);
  REQUIRE(i >= 0);
  const auto d = domain(i);
  const auto e = export_done(sim, d);
  REQUIRE(e.contains("_id"));
  const long long files = usage_of(sim, d, "files"), versions = usage_of(sim, d, "versions");
  const long long count = usage_of(sim, d, "versions_count");
  const long long edited = edit_all(sim, d);
  REQUIRE(edited >= 2);
  // Each file's former content is an old version now: the versions grow by the files' former bytes.
  CHECK(usage_of(sim, d, "versions_count") == count + edited);
  CHECK(usage_of(sim, d, "versions") == versions + files);
  // The export made before lists them, each in the part its id range falls in, contents matching.
  const auto served = download_all(sim, d, e);
  CHECK(served.complete);
  CHECK(served.versions == count + edited);
  CHECK(served.version_bytes == versions + files);
  // Written again within 15 minutes: no new version.
  edit_all(sim, d);
  CHECK(usage_of(sim, d, "versions_count") == count + edited);
  // 16 minutes later: one more each.
  sim.advance(16 * 60);
  edit_all(sim, d);
  CHECK(usage_of(sim, d, "versions_count") == count + 2 * edited);
}

TEST_CASE("an edit in a space that keeps no versions keeps none", "[exports][versions]") {
  Sim sim(k_args);
  const int i = multi_part_instance(sim, false);
  REQUIRE(i >= 0);
  const auto d = domain(i);
  REQUIRE(edit_all(sim, d) >= 2);
  CHECK(usage_of(sim, d, "versions_count") == 0);
  CHECK(usage_of(sim, d, "versions") == 0);
}

TEST_CASE("edit_during_download with versions kept: the part streams the old content, whole, and is a read",
          "[exports][versions][faults]") {
  Sim sim(k_args);
  const int i = multi_part_instance(sim, true);
  REQUIRE(i >= 0);
  const auto d = domain(i);
  const auto e = export_done(sim, d);
  REQUIRE(e.contains("_id"));
  for (std::size_t k = 1; k < part_count(e); ++k) REQUIRE(audit_part(check_zip(sim.get(part_path(d, e, k)).body)).complete());
  const long long count = usage_of(sim, d, "versions_count");
  sim.faults(R"({"edit_during_download":1})");
  const auto part = check_zip(sim.get(part_path(d, e, 0)).body);
  sim.faults("{}");
  REQUIRE(part.ok);
  CHECK(audit_part(part).complete());  // the old content, as the metadata that went out says
  CHECK(sim.stat("files_edited") == 1);
  CHECK(sim.stat("contents_changed_midway") == 0);
  CHECK(usage_of(sim, d, "versions_count") == count + 1);
  CHECK(sim.current_export(d).at("fully_read").as_bool());
}

TEST_CASE("the versions a space was generated with count against the 20-version limit and are cleaned first",
          "[exports][versions]") {
  Sim sim(k_args);
  const int i = multi_part_instance(sim, true);
  REQUIRE(i >= 0);
  const auto d = domain(i);
  const long long generated = usage_of(sim, d, "versions_count");
  REQUIRE(generated > 0);
  // 19 writes of every file, 16 minutes apart: each keeps 19 old versions
  // beside its current one, 20 in all; the older, generated ones are gone.
  long long files = 0;
  for (int round = 0; round < 19; ++round) {
    files = edit_all(sim, d);
    sim.advance(16 * 60);
  }
  REQUIRE(files >= 2);
  CHECK(usage_of(sim, d, "versions_count") == 19 * files);
  // Every export lists exactly those.
  const auto e = export_done(sim, d);
  REQUIRE(e.contains("_id"));
  const auto served = download_all(sim, d, e);
  CHECK(served.complete);
  CHECK(served.versions == 19 * files);
  CHECK(served.version_bytes == usage_of(sim, d, "versions"));
}

TEST_CASE("the same bytes written again keep no version: the md5sum is unchanged", "[exports][versions]") {
  Sim sim(k_args);
  const int i = multi_part_instance(sim, true);
  REQUIRE(i >= 0);
  const auto d = domain(i);
  const long long files = usage_of(sim, d, "files"), versions = usage_of(sim, d, "versions");
  const long long count = usage_of(sim, d, "versions_count");
  const auto r = sim.post("/_sim/change-files?domain=" + d + "&op=same&count=9999");
  REQUIRE(r.status == 200);
  REQUIRE(r.json().at("changed").as_array().size() >= 2);
  CHECK(usage_of(sim, d, "files") == files);
  CHECK(usage_of(sim, d, "versions") == versions);
  CHECK(usage_of(sim, d, "versions_count") == count);
  CHECK(sim.stat("files_edited") == static_cast<std::int64_t>(r.json().at("changed").as_array().size()));
}
