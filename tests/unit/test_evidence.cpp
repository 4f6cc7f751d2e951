// Export evidence: what the parts carried against the disk usage read
// before the request (issue 11), its JSON, and the stack's disk-usage answer.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "engine/accounts/account.hpp"
#include "engine/lifecycle/lifecycle.hpp"
#include "plugins/backends/cozy_admin.hpp"

using namespace passage;

namespace {

Evidence export_evidence(std::int64_t file_bytes, std::int64_t version_bytes, std::optional<DiskUsage> usage) {
  Evidence evidence{"export", "exp-1", {}, {}, usage};
  PartEvidence part{0, 5000, 7, std::string(64, 'a'), {3, file_bytes, 1, version_bytes}};
  evidence.parts.push_back(part);
  evidence.content += part.content;
  return evidence;
}

}  // namespace

TEST_CASE("an export's files must add up to the disk usage read before its request", "[evidence]") {
  CHECK_FALSE(content_gap(export_evidence(1000, 20, DiskUsage{1020, 1000, 20})));
  const auto short_files = content_gap(export_evidence(900, 20, DiskUsage{1020, 1000, 20}));
  REQUIRE(short_files);
  CHECK(*short_files == "files 900 of 1000 bytes (disk usage before the export)");
  const auto short_versions = content_gap(export_evidence(1000, 0, DiskUsage{1020, 1000, 20}));
  REQUIRE(short_versions);
  CHECK(short_versions->find("versions 0 of 20 bytes") != std::string::npos);
  // More than announced is a difference too (the space changed).
  CHECK(content_gap(export_evidence(1100, 20, DiskUsage{1120, 1000, 20})));
  // Nothing to compare with, or a move: no gap can be told.
  CHECK_FALSE(content_gap(export_evidence(900, 20, std::nullopt)));
  CHECK_FALSE(content_gap(Evidence{"moved", {}, {}, {}, DiskUsage{1, 1, 0}}));
}

TEST_CASE("a write during the download shows in the disk usage read after it", "[evidence]") {
  CHECK_FALSE(written_during_download(DiskUsage{1020, 1000, 20}, DiskUsage{1020, 1000, 20}));
  // The old content streamed whole, kept as an old version: files and versions moved.
  const auto written = written_during_download(DiskUsage{1020, 1000, 20}, DiskUsage{1020, 990, 120});
  REQUIRE(written);
  CHECK(*written == "files 1000 then 990 bytes, versions 20 then 120 bytes "
                    "(disk usage before the export and after the download)");
  CHECK(written_during_download(DiskUsage{1020, 1000, 20}, DiskUsage{1020, 1000, 30}));
}

TEST_CASE("evidence keeps what was checked through its JSON", "[evidence]") {
  const Evidence evidence = export_evidence(1000, 20, DiskUsage{1020, 1000, 20});
  const auto back = evidence_from_json(evidence_to_json(evidence));
  REQUIRE(back);
  CHECK(back->content.files == 3);
  CHECK(back->content.file_bytes == 1000);
  CHECK(back->content.versions == 1);
  CHECK(back->content.version_bytes == 20);
  REQUIRE(back->parts.size() == 1);
  CHECK(back->parts[0].content.file_bytes == 1000);
  REQUIRE(back->usage);
  CHECK(back->usage->files == 1000);
  CHECK(back->usage->versions == 20);
  CHECK_FALSE(content_gap(*back));

  // A record written before content checks: readable, nothing to compare.
  const auto old = evidence_from_json(
      R"({"kind":"export","export_id":"e","parts":[{"n":0,"bytes":3,"entries":1,"sha256":"ab"}]})");
  REQUIRE(old);
  CHECK(old->content.file_bytes == 0);
  CHECK_FALSE(old->usage);
  CHECK_FALSE(content_gap(*old));
}

TEST_CASE("a gap with activity since the request means the space changed", "[evidence]") {
  Account account;
  account.last_export_request = parse_utc("2026-12-01T10:00:00Z").value();
  CHECK(activity_since_request(account, date::year{2026} / 12 / 1));  // the same day counts
  CHECK(activity_since_request(account, date::year{2026} / 12 / 3));
  CHECK_FALSE(activity_since_request(account, date::year{2026} / 11 / 30));
  account.last_export_request.reset();
  CHECK(activity_since_request(account, date::year{2018} / 1 / 1));  // unknown: assume changed
}

TEST_CASE("the disk-usage answer: numbers as strings, zeros omitted", "[evidence]") {
  const auto parse = [](const char* text) { return disk_usage_of(boost::json::parse(text).as_object()); };
  const auto full = parse(R"({"used":"1020","quota":"5000","files":"1000","versions":"20","doc_count":4})");
  REQUIRE(full);
  CHECK(full->used == 1020);
  CHECK(full->files == 1000);
  CHECK(full->versions == 20);
  const auto empty = parse(R"({"used":"0","doc_count":0})");
  REQUIRE(empty);
  CHECK(empty->files == 0);
  CHECK(empty->versions == 0);
  CHECK_FALSE(parse(R"({"used":"12","files":"x1"})"));
  CHECK_FALSE(parse(R"({"used":"12","files":"-3"})"));
}

TEST_CASE("a lookup answering with another domain names the alias", "[evidence][alias]") {
  const auto problem = [](const char* listed, const char* attributes) {
    return domain_alias_problem(listed, boost::json::parse(attributes).as_object());
  };
  CHECK_FALSE(problem("alice.mytoutatice.cloud", R"({"domain":"alice.mytoutatice.cloud"})"));
  CHECK_FALSE(problem("Alice.MyToutatice.cloud", R"({"domain":"alice.mytoutatice.cloud"})"));
  CHECK_FALSE(problem("alice.mytoutatice.cloud", R"({"locale":"fr"})"));
  CHECK(problem("old-alice.mytoutatice.cloud", R"({"domain":"alice.mytoutatice.cloud"})") ==
        std::optional<std::string>("domain_alias: alice.mytoutatice.cloud"));
}
