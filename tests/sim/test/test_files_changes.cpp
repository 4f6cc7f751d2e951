// Files created, destroyed, moved or renamed between downloads, as
// cozy-stack's data route lists them: a part lists the io.cozy.files whose
// ids are in its range (from its cursor to the next one) when it is
// downloaded, so a new file lands in the part whose range holds its id, a
// destroyed one vanishes from its part (with its old versions), a moved or
// renamed one keeps its id and its part under a new path.
#include "http_client.hpp"
#include "zip_check.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>

using namespace simtest;
namespace json = boost::json;

namespace {

const std::vector<std::string> k_args{"--instances", "60", "--domain-suffix", "test.example", "--seed", "7",
                                      "--clock", "2026-11-20T10:00:00Z", "--export-ms", "20:40"};

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

std::string cursor(const json::object& e, std::size_t k) {
  return std::string(e.at("parts_cursors").as_array()[k].as_string());
}

std::string part_path(const std::string& d, const json::object& e, std::size_t k) {
  std::string p = "/instances/" + d + "/exports/" + std::string(e.at("_id").as_string()) + "/data";
  if (k > 0) p += "?cursor=" + cursor(e, k - 1);
  return p;
}

// The largest space with old versions (several parts).
int big_instance(Sim& sim) {
  int best = -1;
  long long best_used = 3LL << 29;
  for (int i = 0; i < 60; ++i) {
    const auto usage = sim.get("/instances/" + domain(i) + "/disk-usage").json().as_object();
    const long long used = std::stoll(std::string(usage.at("used").as_string()));
    if (used > best_used && usage.contains("versions")) best = i, best_used = used;
  }
  return best;
}

long long usage_of(Sim& sim, const std::string& d, const char* key) {
  const auto usage = sim.get("/instances/" + d + "/disk-usage").json().as_object();
  return usage.contains(key) ? std::stoll(std::string(usage.at(key).as_string())) : 0;
}

// One file's metadata as a part serves it, and where its content went.
struct Listed {
  std::size_t part = 0;
  std::string name;
  std::string content_path;  // empty: no content entry after the metadata
};

// Every file of every part of `e`, by id, each part checked whole (every
// content matches its metadata); `versions` gets each old version's file id.
std::map<std::string, Listed> listed_files(Sim& sim, const std::string& d, const json::object& e,
                                           std::multiset<std::string>* versions = nullptr) {
  std::map<std::string, Listed> out;
  for (std::size_t k = 0; k < part_count(e); ++k) {
    const auto zip = check_zip(sim.get(part_path(d, e, k)).body);
    REQUIRE(zip.ok);
    const auto audit = audit_part(zip);
    INFO("part " << k << ": " << (audit.problems.empty() ? "" : audit.problems[0]));
    REQUIRE(audit.complete());
    for (std::size_t n = 0; n < zip.entries.size(); ++n) {
      const std::string& path = zip.entries[n];
      if (versions && path.rfind("My Cozy/Data/io.cozy.files.versions/", 0) == 0) {
        const auto doc = json::parse(zip.contents[n]).as_object();
        versions->insert(std::string(doc.at("relationships").at("file").at("data").at("_id").as_string()));
      }
      if (path.rfind("My Cozy/Data/io.cozy.files/", 0) != 0) continue;
      const auto doc = json::parse(zip.contents[n]).as_object();
      if (doc.at("type") != "file") continue;
      Listed l{k, std::string(doc.at("name").as_string()), {}};
      if (n + 1 < zip.entries.size() && zip.entries[n + 1].rfind("My Cozy/Files/", 0) == 0) l.content_path = zip.entries[n + 1];
      out[std::string(doc.at("_id").as_string())] = l;
    }
  }
  return out;
}

// The part whose io.cozy.files range holds `id`, as listFilesFromCursor
// reads the cursors: from a files cursor to the next one (or the end).
std::size_t part_holding(const json::object& e, const std::string& id) {
  static const std::string k_files = "io.cozy.files/";
  std::size_t part = 0;
  for (std::size_t k = 0; k + 1 < part_count(e); ++k) {
    const std::string c = cursor(e, k);
    if (c.rfind(k_files, 0) == 0 && c.substr(k_files.size()) <= id) part = k + 1;
  }
  return part;
}

std::vector<std::string> ids_of(const json::array& changed) {
  std::vector<std::string> ids;
  for (const auto& f : changed) ids.emplace_back(f.at("_id").as_string());
  return ids;
}

long long bytes_of(const json::array& changed) {
  long long bytes = 0;
  for (const auto& f : changed) bytes += f.at("size").as_int64();
  return bytes;
}

json::array change(Sim& sim, const std::string& d, const std::string& query) {
  const auto r = sim.post("/_sim/change-files?domain=" + d + "&" + query);
  REQUIRE(r.status == 200);
  return r.json().at("changed").as_array();
}

}  // namespace

TEST_CASE("file ids are sorted across parts: each files cursor is its part's first id, a range start",
          "[exports][files]") {
  Sim sim(k_args);
  const int i = big_instance(sim);
  REQUIRE(i >= 0);
  const auto d = domain(i);
  const auto e = export_done(sim, d);
  REQUIRE(e.contains("_id"));
  REQUIRE(part_count(e) >= 2);
  const auto files = listed_files(sim, d, e);
  std::size_t last_part = 0;
  for (const auto& [id, l] : files) {  // ascending ids: never a lower part after a higher one
    CHECK(l.part >= last_part);
    CHECK(part_holding(e, id) == l.part);
    last_part = l.part;
  }
}

TEST_CASE("change-files: created files land in the part whose id range holds them, destroyed ones vanish "
          "with their old versions, moved and renamed ones keep their id and part - disk-usage follows",
          "[exports][files]") {
  Sim sim(k_args);
  const int i = big_instance(sim);
  REQUIRE(i >= 0);
  const auto d = domain(i);
  const auto e = export_done(sim, d);
  REQUIRE(e.contains("_id"));
  const auto before = listed_files(sim, d, e);
  const long long files_before = usage_of(sim, d, "files");
  const auto activity = sim.get("/instances/" + d + "/last-activity").body;

  const auto created = change(sim, d, "op=create&count=6");
  REQUIRE(created.size() == 6);
  auto now = listed_files(sim, d, e);
  CHECK(now.size() == before.size() + 6);
  std::set<std::size_t> parts_hit;
  for (const auto& f : created) {
    const std::string id(f.at("_id").as_string());
    REQUIRE(now.count(id) == 1);
    CHECK(now.at(id).part == part_holding(e, id));
    CHECK(now.at(id).content_path == "My Cozy/Files" + std::string(f.at("path").as_string()));
    parts_hit.insert(now.at(id).part);
  }
  CHECK(parts_hit.size() > 1);  // random ids spread over the parts' ranges
  CHECK(usage_of(sim, d, "files") == files_before + bytes_of(created));

  for (const char* op : {"op=move&count=2", "op=rename&count=2"}) {
    const auto old = listed_files(sim, d, e);
    const auto changed = change(sim, d, op);
    REQUIRE(changed.size() == 2);
    now = listed_files(sim, d, e);
    for (const auto& f : changed) {
      const std::string id(f.at("_id").as_string());
      CHECK(now.at(id).part == old.at(id).part);
      CHECK(now.at(id).content_path == "My Cozy/Files" + std::string(f.at("path").as_string()));
      CHECK(now.at(id).content_path != old.at(id).content_path);
      CHECK(now.at(id).name == std::string(f.at("name").as_string()));
    }
  }
  CHECK(usage_of(sim, d, "files") == files_before + bytes_of(created));
  CHECK(sim.get("/instances/" + d + "/last-activity").body == activity);  // a konnector's: no activity

  const auto destroyed = change(sim, d, "op=destroy&count=3");
  REQUIRE(destroyed.size() == 3);
  now = listed_files(sim, d, e);
  for (const auto& id : ids_of(destroyed)) CHECK(now.count(id) == 0);
  CHECK(usage_of(sim, d, "files") == files_before + bytes_of(created) - bytes_of(destroyed));
  CHECK(sim.stat("files_created") == 6);
  CHECK(sim.stat("files_moved") == 4);
  CHECK(sim.stat("files_destroyed") == 3);

  // Every file destroyed: no file, no old version left in any part, nothing in disk-usage.
  REQUIRE(usage_of(sim, d, "versions") > 0);
  change(sim, d, "op=destroy&count=9999&activity=true");
  std::multiset<std::string> versions;
  CHECK(listed_files(sim, d, e, &versions).empty());
  CHECK(versions.empty());
  CHECK(usage_of(sim, d, "files") == 0);
  CHECK(usage_of(sim, d, "versions") == 0);
  CHECK(usage_of(sim, d, "versions_count") == 0);
  CHECK(sim.get("/instances/" + d + "/last-activity").json().at("last-activity") == "2026-11-20");
  CHECK(sim.post("/_sim/change-files?domain=" + d + "&op=shred").status == 400);
  CHECK(sim.post("/_sim/change-files?domain=" + d).status == 400);
  CHECK(sim.post("/_sim/change-files?domain=nobody.test.example&op=create").status == 404);
}

TEST_CASE("a part that lacks a file of its export's snapshot, destroyed since, is never a read - a new export "
          "of the space as it is now is",
          "[exports][files]") {
  Sim sim(k_args);
  const int i = big_instance(sim);
  REQUIRE(i >= 0);
  const auto d = domain(i);
  const auto e = export_done(sim, d);
  REQUIRE(e.contains("_id"));
  change(sim, d, "op=destroy");
  change(sim, d, "op=create&count=2");  // files created after the export are no gap
  listed_files(sim, d, e);
  CHECK_FALSE(sim.current_export(d).at("fully_read").as_bool());
  const auto missing = sim.stat("snapshot_files_missing_served");  // its part, and the parts of its old versions
  CHECK(missing >= 1);
  sim.advance(25 * 3600);
  const auto fresh = export_done(sim, d);
  REQUIRE(fresh.contains("_id"));
  change(sim, d, "op=create");
  change(sim, d, "op=move");
  listed_files(sim, d, fresh);
  CHECK(sim.current_export(d).at("fully_read").as_bool());
  CHECK(sim.stat("snapshot_files_missing_served") == missing);
}

TEST_CASE("files_change: each part download first changes one file of the space, without activity - "
          "files_change_by_person with it",
          "[exports][files][faults]") {
  Sim sim(k_args);
  const int i = big_instance(sim);
  REQUIRE(i >= 0);
  const auto d = domain(i);
  const auto e = export_done(sim, d);
  REQUIRE(e.contains("_id"));
  const auto activity = sim.get("/instances/" + d + "/last-activity").body;
  sim.faults(R"({"files_change":1})");
  listed_files(sim, d, e);  // each part stays consistent: every content matches its metadata
  const auto changes = [&] {
    return sim.stat("files_created") + sim.stat("files_destroyed") + sim.stat("files_moved");
  };
  CHECK(changes() == static_cast<std::int64_t>(part_count(e)));
  CHECK(sim.get("/instances/" + d + "/last-activity").body == activity);
  sim.faults(R"({"files_change_by_person":1})");
  CHECK(sim.get(part_path(d, e, 0)).status == 200);
  CHECK(changes() == static_cast<std::int64_t>(part_count(e)) + 1);
  CHECK(sim.get("/instances/" + d + "/last-activity").json().at("last-activity") == "2026-11-20");
}

TEST_CASE("files created and old versions kept before an export are packed by it, as exportFiles walks the "
          "space: its cursors move, each file and version listed once, the parts adding up to disk-usage",
          "[exports][files]") {
  Sim sim(k_args);
  const int i = big_instance(sim);
  REQUIRE(i >= 0);
  const auto d = domain(i);
  const auto first = export_done(sim, d);
  REQUIRE(first.contains("_id"));
  const auto created = change(sim, d, "op=create&count=40");
  REQUIRE(created.size() == 40);
  REQUIRE(sim.post("/_sim/edit-files?domain=" + d + "&count=9999").status == 200);  // old versions kept
  const auto second = export_done(sim, d);
  REQUIRE(second.contains("_id"));
  CHECK(second.at("parts_cursors") != first.at("parts_cursors"));

  long long file_bytes = 0, version_bytes = 0;
  for (std::size_t k = 0; k < part_count(second); ++k) {
    const auto audit = audit_part(check_zip(sim.get(part_path(d, second, k)).body));
    CHECK(audit.complete());
    file_bytes += audit.file_bytes;
    version_bytes += audit.version_bytes;
  }
  CHECK(file_bytes == usage_of(sim, d, "files"));
  CHECK(version_bytes == usage_of(sim, d, "versions"));
  const auto listed = listed_files(sim, d, second);
  for (const auto& id : ids_of(created)) {
    REQUIRE(listed.count(id) == 1);
    CHECK(listed.at(id).part == part_holding(second, id));
  }
  CHECK(sim.current_export(d).at("fully_read").as_bool());
}
