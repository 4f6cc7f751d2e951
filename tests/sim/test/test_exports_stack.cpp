// Exports as cozy-stack leaves them: `total_size` is the bytes of part 0's
// JSON documents, a replaced export's parts still answer 200, and a file
// whose content the stack cannot open keeps only its metadata.
#include "http_client.hpp"
#include "zip_check.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

using namespace simtest;
namespace json = boost::json;

namespace {

const std::vector<std::string> k_args{"--instances", "60", "--domain-suffix", "test.example", "--seed", "7",
                                      "--clock", "2026-11-20T10:00:00Z", "--export-ms", "20:40"};


// Requests an admin export of `d` and waits until it is the current one, done.
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

std::string part_path(const std::string& d, const json::object& e, std::size_t k) {
  std::string p = "/instances/" + d + "/exports/" + std::string(e.at("_id").as_string()) + "/data";
  if (k > 0) p += "?cursor=" + std::string(e.at("parts_cursors").as_array()[k - 1].as_string());
  return p;
}

// The first instance whose space spans at least two parts.
int multi_part_instance(Sim& sim) {
  for (int i = 0; i < 60; ++i)
    if (std::stoll(std::string(sim.get("/instances/" + domain(i) + "/disk-usage").json().at("used").as_string())) >
        (3LL << 29))
      return i;
  return -1;
}

// As multi_part_instance, in a space without old versions (it keeps none).
int multi_part_instance_without_versions(Sim& sim) {
  for (int i = 0; i < 60; ++i) {
    const auto usage = sim.get("/instances/" + domain(i) + "/disk-usage").json().as_object();
    if (std::stoll(std::string(usage.at("used").as_string())) > (3LL << 29) && !usage.contains("versions_count")) return i;
  }
  return -1;
}

// What writeDocuments counts: instance.json, other doctypes' documents and
// the directories, not the files' and versions' metadata (copyFiles').
bool is_json_document(const std::string& path, const std::string& bytes) {
  if (path.rfind("My Cozy/Data/", 0) != 0) return false;
  if (path.rfind("My Cozy/Data/io.cozy.files.versions/", 0) == 0) return false;
  if (path.rfind("My Cozy/Data/io.cozy.files/", 0) != 0) return true;
  return json::parse(bytes).at("type") == "directory";
}

// The problems an audit finds in every part of `e`, all parts in order.
std::vector<std::string> audit_problems(Sim& sim, const std::string& d, const json::object& e) {
  std::vector<std::string> problems;
  for (std::size_t k = 0; k <= e.at("parts_cursors").as_array().size(); ++k) {
    const auto r = sim.get(part_path(d, e, k));
    if (r.status != 200) return {"part " + std::to_string(k) + ": status " + std::to_string(r.status)};
    const auto zip = check_zip(r.body);
    if (!zip.ok) return {"part " + std::to_string(k) + ": " + zip.error};
    const auto audit = audit_part(zip);
    problems.insert(problems.end(), audit.problems.begin(), audit.problems.end());
  }
  return problems;
}

// Each file's metadata in every part of `e`, by id: `size` and `md5sum`.
std::map<std::string, std::string> file_docs(Sim& sim, const std::string& d, const json::object& e) {
  std::map<std::string, std::string> docs;
  for (std::size_t k = 0; k <= e.at("parts_cursors").as_array().size(); ++k) {
    const auto zip = check_zip(sim.get(part_path(d, e, k)).body);
    for (std::size_t n = 0; n < zip.entries.size(); ++n) {
      if (zip.entries[n].rfind("My Cozy/Data/io.cozy.files/", 0) != 0) continue;
      const auto doc = json::parse(zip.contents[n]).as_object();
      if (doc.at("type") != "file") continue;
      docs[std::string(doc.at("_id").as_string())] =
          std::string(doc.at("size").as_string()) + " " + std::string(doc.at("md5sum").as_string());
    }
  }
  return docs;
}

long long usage_files(Sim& sim, const std::string& d) {
  return std::stoll(std::string(sim.get("/instances/" + d + "/disk-usage").json().at("files").as_string()));
}

long long served_file_bytes(Sim& sim, const std::string& d, const json::object& e) {
  long long bytes = 0;
  for (std::size_t k = 0; k <= e.at("parts_cursors").as_array().size(); ++k) {
    const auto audit = audit_part(check_zip(sim.get(part_path(d, e, k)).body));
    if (!audit.complete()) return -1;
    bytes += audit.file_bytes;
  }
  return bytes;
}

}  // namespace

TEST_CASE("edit-files: a part lists the files as they are when downloaded, disk-usage follows, the cursors "
          "and part 0's documents stay the export's",
          "[exports]") {
  Sim sim(k_args);
  const int i = multi_part_instance(sim);
  REQUIRE(i >= 0);
  const auto d = domain(i);
  const auto e = export_done(sim, d);
  REQUIRE(e.contains("_id"));
  const auto before = file_docs(sim, d, e);
  const auto zip0 = check_zip(sim.get(part_path(d, e, 0)).body);
  const auto activity = sim.get("/instances/" + d + "/last-activity").body;
  REQUIRE(served_file_bytes(sim, d, e) == usage_files(sim, d));

  auto r = sim.post("/_sim/edit-files?domain=" + d + "&count=2");
  REQUIRE(r.status == 200);
  const auto edited = r.json().at("edited").as_array();
  REQUIRE(edited.size() == 2);
  const auto after = file_docs(sim, d, e);
  REQUIRE(after.size() == before.size());
  // Not a structured binding: clang 14 (the sanitizer tree) cannot capture one.
  for (const auto& id_doc : before) {
    const auto& id = id_doc.first;
    const bool is_edited = std::any_of(edited.begin(), edited.end(), [&](const json::value& x) { return x.at("_id").as_string() == id; });
    CHECK((after.at(id) != id_doc.second) == is_edited);
  }
  // Each content still matches its (new) metadata, and they add up to disk-usage.
  CHECK(served_file_bytes(sim, d, e) == usage_files(sim, d));
  CHECK(sim.current_export(d).at("parts_cursors") == e.at("parts_cursors"));
  const auto zip0_after = check_zip(sim.get(part_path(d, e, 0)).body);
  for (std::size_t n = 0; n < zip0.entries.size(); ++n)
    if (is_json_document(zip0.entries[n], zip0.contents[n])) CHECK(zip0_after.contents[n] == zip0.contents[n]);
  // A konnector's write is no activity; the person's is.
  CHECK(sim.get("/instances/" + d + "/last-activity").body == activity);
  REQUIRE(sim.post("/_sim/edit-files?domain=" + d + "&activity=true").status == 200);
  CHECK(sim.get("/instances/" + d + "/last-activity").json().at("last-activity") == "2026-11-20");
  CHECK(sim.stat("files_edited") == 3);
  CHECK(sim.post("/_sim/edit-files?domain=" + d + "&count=x").status == 400);
  CHECK(sim.post("/_sim/edit-files?domain=nobody.test.example").status == 404);
}

TEST_CASE("edit_during_download, no version kept: the file written while its part streams keeps its old metadata without "
          "content, the next download has the new file whole",
          "[exports][faults]") {
  Sim sim(k_args);
  const int i = multi_part_instance_without_versions(sim);
  REQUIRE(i >= 0);
  const auto d = domain(i);
  const auto e = export_done(sim, d);
  REQUIRE(e.contains("_id"));
  const auto before = file_docs(sim, d, e);
  // A fresh export, every part but the second downloaded whole.
  const auto fresh = export_done(sim, d);
  REQUIRE(fresh.contains("_id"));
  for (std::size_t k = 0; k <= fresh.at("parts_cursors").as_array().size(); ++k)
    if (k != 1) REQUIRE(audit_part(check_zip(sim.get(part_path(d, fresh, k)).body)).complete());
  sim.faults(R"({"edit_during_download":1})");
  const auto cut = check_zip(sim.get(part_path(d, fresh, 1)).body);
  sim.faults("{}");
  REQUIRE(cut.ok);
  const auto audit = audit_part(cut);
  REQUIRE(audit.problems.size() == 1);
  CHECK(audit.problems[0].find(": content missing") != std::string::npos);
  const std::string id = audit.problems[0].substr(0, audit.problems[0].find(':'));
  CHECK(sim.stat("contents_changed_midway") == 1);
  CHECK(sim.stat("files_edited") == 1);
  CHECK_FALSE(sim.current_export(d).at("fully_read").as_bool());  // that part is no read
  // Downloaded again: whole, the file with its new metadata and content.
  const auto after = file_docs(sim, d, fresh);
  CHECK(after.at(id) != before.at(id));
  CHECK(served_file_bytes(sim, d, fresh) == usage_files(sim, d));
  CHECK(sim.current_export(d).at("fully_read").as_bool());
}

TEST_CASE("skip_file_content: the same files keep their metadata without content, on every export and route - "
          "never a read",
          "[exports][faults]") {
  Sim sim(k_args);
  const int i = multi_part_instance(sim);
  REQUIRE(i >= 0);
  const auto d = domain(i);
  sim.faults(R"({"skip_file_content":0.4})");
  const auto first = export_done(sim, d);
  REQUIRE(first.contains("_id"));
  const auto missing = audit_problems(sim, d, first);
  INFO("missing: " << missing.size());
  REQUIRE_FALSE(missing.empty());
  for (const auto& problem : missing) CHECK(problem.find(": content missing") != std::string::npos);
  // The metadata stays: as many file documents as without the fault.
  const auto skipped_once = sim.stat("contents_skipped_served");
  CHECK(skipped_once == static_cast<std::int64_t>(missing.size()));
  CHECK_FALSE(sim.current_export(d).at("fully_read").as_bool());
  // The control plane names them (by document id, as the audit does).
  const auto unreadable = sim.current_export(d).at("unreadable").as_array();
  REQUIRE(unreadable.size() == missing.size());
  for (std::size_t n = 0; n < missing.size(); ++n)
    CHECK(missing[n] == std::string(unreadable[n].at("_id").as_string()) + ": content missing");
  // Downloaded again, and on the next export: the very same files.
  CHECK(audit_problems(sim, d, first) == missing);
  const auto second = export_done(sim, d);
  REQUIRE(second.contains("_id"));
  CHECK(audit_problems(sim, d, second) == missing);
  // The instances' own route streams the same zip (the storage, not the request).
  const auto token = std::string(second.at("_id").as_string());
  const auto moved = check_zip(sim.get_public("/move/exports/data/" + token).body);
  REQUIRE(moved.ok);
  const auto direct = check_zip(sim.get(part_path(d, second, 0)).body);
  CHECK(moved.entries == direct.entries);
  CHECK_FALSE(audit_part(moved).complete());
  // At a higher rate, the same files and more.
  sim.faults(R"({"skip_file_content":0.8})");
  const auto more = audit_problems(sim, d, second);
  CHECK(more.size() > missing.size());
  for (const auto& problem : missing) CHECK(std::find(more.begin(), more.end(), problem) != more.end());
  CHECK_FALSE(sim.current_export(d).at("fully_read").as_bool());
  // Without the fault every content is back, and only then is the export read.
  sim.faults("{}");
  CHECK(audit_problems(sim, d, second).empty());
  CHECK(sim.current_export(d).at("fully_read").as_bool());
  // Metadata counts: each file document is there whether or not its content is.
  sim.faults(R"({"skip_file_content":1})");
  const auto all_skipped = check_zip(sim.get(part_path(d, second, 1)).body);
  sim.faults("{}");
  const auto none_skipped = check_zip(sim.get(part_path(d, second, 1)).body);
  REQUIRE(all_skipped.ok);
  const auto audit_all = audit_part(all_skipped), audit_none = audit_part(none_skipped);
  CHECK(audit_all.files == audit_none.files);
  CHECK(audit_all.versions == audit_none.versions);
  CHECK(static_cast<int>(audit_all.problems.size()) == audit_none.files + audit_none.versions);
  CHECK(all_skipped.entries.size() + audit_all.problems.size() == none_skipped.entries.size());
}

TEST_CASE("total_size of a done export: the bytes of part 0's JSON documents, not the space's size",
          "[exports]") {
  Sim sim(k_args);
  for (int i : {2, multi_part_instance(sim)}) {
    REQUIRE(i >= 0);
    const auto d = domain(i);
    const auto e = export_done(sim, d);
    REQUIRE(e.contains("total_size"));
    const auto zip = check_zip(sim.get(part_path(d, e, 0)).body);
    REQUIRE(zip.ok);
    long long documents = 0;
    for (std::size_t n = 0; n < zip.entries.size(); ++n)
      if (is_json_document(zip.entries[n], zip.contents[n])) documents += static_cast<long long>(zip.contents[n].size());
    CHECK(documents > 0);
    CHECK(e.at("total_size").as_int64() == documents);
    const auto used = std::stoll(std::string(sim.get("/instances/" + d + "/disk-usage").json().at("used").as_string()));
    CHECK(e.at("total_size").as_int64() < used);
  }
}

TEST_CASE("a replaced export's parts: 200, part 0 an empty well-formed zip, the others the current files - never a read",
          "[exports]") {
  Sim sim(k_args);
  const int i = multi_part_instance(sim);
  REQUIRE(i >= 0);
  const auto d = domain(i);
  const auto old = export_done(sim, d);
  REQUIRE(old.contains("_id"));
  const auto parts = old.at("parts_cursors").as_array().size() + 1;
  REQUIRE(parts >= 2);
  const auto latest = export_done(sim, d);
  REQUIRE(latest.contains("_id"));

  auto r = sim.get(part_path(d, old, 0));
  REQUIRE(r.status == 200);
  CHECK(r.headers["content-type"] == "application/zip");
  const auto empty = check_zip(r.body);
  CHECK(empty.ok);  // libarchive reads it to the end without complaint
  CHECK(empty.entries.empty());
  for (std::size_t k = 1; k < parts; ++k) {
    r = sim.get(part_path(d, old, k));
    REQUIRE(r.status == 200);
    const auto zip = check_zip(r.body);
    REQUIRE(zip.ok);
    const auto audit = audit_part(zip);
    CHECK(audit.complete());
    CHECK(audit.files > 0);
    CHECK(audit.directories == 0);
  }
  CHECK(sim.stat("replaced_parts_served") == static_cast<std::int64_t>(parts));
  CHECK(sim.stat("parts_incomplete_served") == 0);
  CHECK_FALSE(sim.current_export(d).at("fully_read").as_bool());
  CHECK(sim.get(part_path(d, old, 1) + "nonsense").status == 400);
  // The public move route finds its document, done, as GetExport does.
  const auto manifest = sim.get_public("/move/exports/" + std::string(old.at("_id").as_string()));
  REQUIRE(manifest.status == 200);
  CHECK(manifest.json().at("data").at("attributes").at("state") == "done");

  // Reading the replaced export whole is not reading the latest one: its deletion is unsafe.
  CHECK(sim.del("/instances/" + d).status == 204);
  CHECK(sim.stat("unsafe_deletions") == 1);
  CHECK(sim.get(part_path(d, old, 1)).status == 404);  // a deleted instance answers nothing
}

TEST_CASE("a replaced export that ended in error keeps its document: its part 0 answers 200, an empty zip, "
          "and the move route finds it", "[exports]") {
  Sim sim(k_args);
  const auto d = domain(4);
  sim.faults(R"({"export_error": 1})");
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  json::object failed;
  REQUIRE(eventually([&] {
    failed = sim.current_export(d);
    return failed.contains("_id") && failed.at("state") == "error";
  }));
  sim.faults("{}");
  REQUIRE(export_done(sim, d).contains("_id"));

  // CleanPreviousExports removed its archive and kept its document.
  const auto r = sim.get(part_path(d, failed, 0));
  REQUIRE(r.status == 200);
  const auto empty = check_zip(r.body);
  CHECK(empty.ok);
  CHECK(empty.entries.empty());
  const auto manifest = sim.get_public("/move/exports/" + std::string(failed.at("_id").as_string()));
  REQUIRE(manifest.status == 200);
  CHECK(manifest.json().at("data").at("attributes").at("state") == "error");
}

TEST_CASE("a replaced export's parts expire with it, 7 days after its creation", "[exports]") {
  Sim sim(k_args);
  const auto d = domain(5);
  const auto old = export_done(sim, d);
  REQUIRE(old.contains("_id"));
  sim.advance(6 * 86400);
  REQUIRE(export_done(sim, d).contains("_id"));
  CHECK(sim.get(part_path(d, old, 0)).status == 200);
  sim.advance(86400 + 1);
  CHECK(sim.get(part_path(d, old, 0)).status == 404);
  CHECK(sim.stat("replaced_parts_served") == 1);
}

TEST_CASE("part 0 streams the documents the job wrote: a change after the export does not alter it or total_size",
          "[exports]") {
  Sim sim(k_args);
  const auto d = domain(3);
  const auto e = export_done(sim, d);
  REQUIRE(e.contains("total_size"));
  const auto locale = std::string(sim.get("/instances/" + d).json().at("data").at("attributes").at("locale").as_string());
  const std::string changed = locale == "fr" ? "en" : "fr";
  REQUIRE(sim.patch("/instances/" + d + "?Locale=" + changed).status == 200);
  const auto zip = check_zip(sim.get(part_path(d, e, 0)).body);
  REQUIRE(zip.ok);
  long long documents = 0;
  std::string instance;
  for (std::size_t n = 0; n < zip.entries.size(); ++n) {
    if (zip.entries[n] == "My Cozy/Data/instance.json") instance = zip.contents[n];
    if (is_json_document(zip.entries[n], zip.contents[n])) documents += static_cast<long long>(zip.contents[n].size());
  }
  CHECK(json::parse(instance).at("locale") == json::value(locale));
  CHECK(e.at("total_size").as_int64() == documents);
}
