// Deletion (its stuck flag, a half deletion), unsafe deletions, imports.
#include <chrono>
#include "http_client.hpp"
#include "zip_check.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace simtest;
namespace json = boost::json;

namespace {

const std::vector<std::string> k_args{"--instances", "20", "--domain-suffix", "test.example", "--seed", "3",
                                      "--export-ms", "20:40", "--delete-ms", "30:30", "--import-ms", "200:200",
                                      "--trust-private-networks"};

json::object export_of(Sim& sim, const std::string& d) {
  auto r = sim.get("/_sim/exports/" + d);
  return r.status == 200 ? r.json().as_object() : json::object();
}

json::object export_done(Sim& sim, const std::string& d) {
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  REQUIRE(eventually([&] { auto e = export_of(sim, d); return e.contains("state") && e.at("state") == "done"; }));
  return export_of(sim, d);
}

void download_all(Sim& sim, const std::string& d, const json::object& e) {
  const std::string base = "/instances/" + d + "/exports/" + std::string(e.at("_id").as_string()) + "/data";
  REQUIRE(check_zip(sim.get(base).body).ok);
  for (const auto& c : e.at("parts_cursors").as_array())
    REQUIRE(check_zip(sim.get(base + "?cursor=" + std::string(c.as_string())).body).ok);
}

json::object attributes(Sim& sim, const std::string& d) {
  return sim.get("/instances/" + d).json().at("data").at("attributes").as_object();
}

// What a half deletion left, read on the admin routes.
struct HalfDeletion {
  std::string domain;
  HttpResult del, disk_usage, last_activity, disk_usage_before, last_activity_before;
};

enum class Left { nothing_read_gone, files_gone_sessions_answer, everything_gone };

Left left_of(const HalfDeletion& h) {
  if (h.disk_usage.status == 200) return Left::nothing_read_gone;
  return h.last_activity.status == 200 ? Left::files_gone_sessions_answer : Left::everything_gone;
}

// Half-deletes the instances one by one (the stop is drawn per domain)
// until one is left as `wanted`; bounded by the 20 instances.
HalfDeletion half_delete_until(Sim& sim, Left wanted) {
  sim.faults(R"({"delete_half":1})");
  for (int i = 0; i < 20; ++i) {
    HalfDeletion h;
    h.domain = domain(i);
    const std::string base = "/instances/" + h.domain;
    h.disk_usage_before = sim.get(base + "/disk-usage");
    h.last_activity_before = sim.get(base + "/last-activity");
    h.del = sim.del(base);
    h.disk_usage = sim.get(base + "/disk-usage");
    h.last_activity = sim.get(base + "/last-activity");
    if (left_of(h) == wanted) return h;
  }
  FAIL("no half deletion left the wanted outcome among 20 instances");
  return {};
}

}  // namespace

TEST_CASE("DELETE: 204 after real time, then 404 - never exported counts as unsafe", "[lifecycle]") {
  Sim sim(k_args);
  const auto d = domain(1);
  auto r = sim.del("/instances/" + d);
  CHECK(r.status == 204);
  CHECK(r.seconds >= 0.025);
  CHECK(sim.get("/instances/" + d).status == 404);
  CHECK(sim.del("/instances/" + d).status == 404);
  CHECK(sim.get("/instances/count").json().at("count") == 19);
  const auto stats = sim.stats().as_object();
  CHECK(stats.at("deletions") == 1);
  CHECK(stats.at("unsafe_deletions") == 1);
  CHECK(stats.at("unsafe_domains").as_array().at(0) == json::value(d));
}

// The safety test tells a DELETE asked before a support action from one
// asked after it by this moment, on the clock both processes read.
TEST_CASE("a DELETE that removed its instance is listed with the moment it arrived, before its latency",
          "[lifecycle]") {
  Sim sim(k_args);
  sim.faults(R"({"latency_ms":{"min":300,"max":300,"rate":1}})");
  const auto before = std::chrono::steady_clock::now().time_since_epoch();
  CHECK(sim.del("/instances/" + domain(4)).status == 204);
  const auto after = std::chrono::steady_clock::now().time_since_epoch();
  CHECK(sim.del("/instances/" + domain(4)).status == 404);  // no deletion started: not listed
  sim.faults(R"({"delete_stuck":1})");
  CHECK(sim.del("/instances/" + domain(5)).status == 500);  // stuck: the instance stays, not listed
  const auto listed = sim.stats().as_object().at("deleted_by").as_array();
  REQUIRE(listed.size() == 1);
  CHECK(listed.at(0).at("domain") == json::value(domain(4)));
  const auto arrived = std::chrono::nanoseconds(listed.at(0).at("arrived_ns").as_int64());
  CHECK(arrived >= before);
  // Arrived first, then waited its 300 ms of latency before being handled.
  CHECK(arrived + std::chrono::milliseconds(250) < after);
}

// The crash test once counted as unsafe an admin-moved source whose read
// export a later one (a request whose answer was lost) had replaced.
TEST_CASE("a later export of an unchanged space keeps it safe to delete, of a changed one not", "[lifecycle]") {
  Sim sim(k_args);
  const auto d = domain(6);
  download_all(sim, d, export_done(sim, d));
  export_done(sim, d);  // nothing changed since the copy read whole
  CHECK(sim.del("/instances/" + d).status == 204);
  CHECK(sim.stat("unsafe_deletions") == 0);
  const auto d7 = domain(7);
  download_all(sim, d7, export_done(sim, d7));
  REQUIRE(sim.post("/_sim/change-files?domain=" + d7 + "&op=create&count=2").status == 200);
  export_done(sim, d7);  // holds files the copy read whole lacks
  CHECK(sim.del("/instances/" + d7).status == 204);
  CHECK(sim.stat("unsafe_deletions") == 1);
}

TEST_CASE("a deletion after a completed, fully read export is safe", "[lifecycle]") {
  Sim sim(k_args);
  const auto d = domain(2);
  const auto e = export_done(sim, d);
  download_all(sim, d, e);
  CHECK(sim.del("/instances/" + d).status == 204);
  CHECK(sim.stat("unsafe_deletions") == 0);
  CHECK(sim.stat("deletions") == 1);
  // Exported but not read whole: unsafe.
  const auto d3 = domain(3);
  export_done(sim, d3);
  CHECK(sim.del("/instances/" + d3).status == 204);
  CHECK(sim.stat("unsafe_deletions") == 1);
}

TEST_CASE("delete_stuck: deleting stays set, 500 until PATCH Deleting=false", "[lifecycle][faults]") {
  Sim sim(k_args);
  const auto d = domain(4);
  sim.faults(R"({"delete_stuck":1})");
  CHECK(sim.del("/instances/" + d).status == 500);
  CHECK(attributes(sim, d).at("deleting") == true);
  sim.faults("{}");
  auto again = sim.del("/instances/" + d);
  CHECK(again.status == 500);
  CHECK(again.body.find("deletion already requested") != std::string::npos);
  REQUIRE(sim.patch("/instances/" + d + "?Deleting=false").status == 200);
  CHECK_FALSE(attributes(sim, d).contains("deleting"));
  CHECK(sim.del("/instances/" + d).status == 204);
  CHECK(sim.stat("deletions") == 1);
}

TEST_CASE("DELETE: `deleting` is set for the clean-up only, cleared before the databases and files go - a DELETE "
          "then runs a second Destroy that ends with the first",
          "[lifecycle][faults]") {
  std::vector<std::string> args = k_args;
  args.insert(args.end(), {"--delete-cleanup-share", "0.25"});
  Sim sim(args);
  const auto d = domain(12);
  // Phases long enough for a loaded CI machine: the clean-up 1.5 s, the
  // removal 4.5 s.
  sim.faults(R"({"delete_hang":{"rate":1,"ms":6000}})");
  CHECK(http("DELETE", sim.base() + "/instances/" + d, Sim::auth(), {}, std::chrono::milliseconds(100)).status == 0);
  CHECK(attributes(sim, d).at("deleting") == true);  // the clean-up
  // Then the flag is off while the instance still answers, its databases going.
  REQUIRE(eventually([&] { return !attributes(sim, d).contains("deleting"); }, std::chrono::seconds(4)));
  CHECK(sim.get("/instances/" + d).status == 200);
  // The databases go one by one in _all_dbs order: io.cozy.files (disk-usage)
  // before io.cozy.oauth.clients (last-activity).
  CHECK(eventually([&] { return sim.get("/instances/" + d + "/disk-usage").status == 404; }, std::chrono::seconds(4)));
  CHECK(eventually([&] { return sim.get("/instances/" + d + "/last-activity").status == 404; }, std::chrono::seconds(4)));
  CHECK(sim.get("/instances/" + d).status == 200);
  CHECK(sim.stat("deletions") == 0);
  // Not refused now: a second Destroy, answered when the first one ends.
  const auto again = sim.del("/instances/" + d);
  CHECK(again.status == 204);
  CHECK(sim.get("/instances/" + d).status == 404);
  CHECK(sim.stat("deletions") == 1);
  CHECK(sim.stat("deletes_during_removal") == 1);
}

TEST_CASE("delete_half: 500 with the flag cleared, the instance still answers without its databases, "
          "a plain DELETE again finishes it",
          "[lifecycle][faults]") {
  Sim sim(k_args);
  // Where the removal stops is drawn per domain and run: the first fully
  // read domain whose databases all went (VFS().Delete() failed).
  std::string d;
  json::object e;
  HttpResult r;
  std::int64_t halves = 0;
  int i = 0;
  for (; i < 18 && d.empty(); ++i) {
    e = export_done(sim, domain(i));
    download_all(sim, domain(i), e);
    sim.faults(R"({"delete_half":1})");
    // Each run resumes where the last one stopped: a few runs go further.
    for (int run = 0; run < 4 && d.empty(); ++run) {
      r = sim.del("/instances/" + domain(i));
      ++halves;
      REQUIRE(r.status == 500);
      if (r.body.find("Could not delete VFS") != std::string::npos) d = domain(i);
    }
    sim.faults("{}");
  }
  REQUIRE_FALSE(d.empty());
  CHECK(r.body.find("Unqualified error") != std::string::npos);
  // Destroy cleared `deleting` before removing the databases and files.
  REQUIRE(sim.get("/instances/" + d).status == 200);
  CHECK_FALSE(attributes(sim, d).contains("deleting"));
  CHECK(sim.get("/instances/count").json().at("count") == 20);
  // What reads the instance's own databases finds none.
  for (const char* route : {"/last-activity", "/disk-usage"}) {
    auto gone = sim.get("/instances/" + d + route);
    CHECK(gone.status == 404);
    CHECK(gone.body.find("Database does not exist.") != std::string::npos);
  }
  // Its export's archive is in the stack's global store, which Destroy
  // leaves: part 0 streams the JSON documents, then copyFiles fails on the
  // missing io.cozy.files and the zip ends, well-formed, without a file.
  const auto part0 = check_zip(sim.get("/instances/" + d + "/exports/" + std::string(e.at("_id").as_string()) + "/data").body);
  CHECK(part0.ok);
  REQUIRE_FALSE(part0.entries.empty());
  CHECK(part0.entries.front() == "My Cozy/Data/instance.json");
  for (const auto& path : part0.entries) CHECK(path.rfind("My Cozy/Files/", 0) != 0);
  CHECK(audit_part(part0).files == 0);
  // A new export ends in error.
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  REQUIRE(eventually([&] { auto x = export_of(sim, d); return x.at("_id") != e.at("_id") && x.at("state") == "error"; }));
  CHECK(export_of(sim, d).at("error") == "The export failed: Database does not exist.");
  // The same failure again leaves it as it was; counted each time, never a deletion.
  sim.faults(R"({"delete_half":1})");
  CHECK(sim.del("/instances/" + d).status == 500);
  CHECK(sim.stat("deletions_half_done") == halves + 1);
  CHECK(sim.stat("deletions") == 0);
  // Fixed behind it, a plain DELETE (no PATCH needed) ends the deletion.
  sim.faults("{}");
  CHECK(sim.del("/instances/" + d).status == 204);
  CHECK(sim.get("/instances/" + d).status == 404);
  CHECK(sim.stat("deletions") == 1);
  CHECK(sim.stat("unsafe_deletions") == 0);  // it rested on a fully read export
  // A space never exported loses its data at the first, half, deletion: unsafe once.
  const auto never = domain(i);
  sim.faults(R"({"delete_half":1})");
  CHECK(sim.del("/instances/" + never).status == 500);
  CHECK(sim.stat("unsafe_deletions") == 1);
  sim.faults("{}");
  CHECK(sim.del("/instances/" + never).status == 204);
  CHECK(sim.stat("unsafe_deletions") == 1);
}

TEST_CASE("delete_half stopped before io.cozy.files - every route Passage reads still answers as before",
          "[lifecycle][faults][half]") {
  Sim sim(k_args);
  const auto h = half_delete_until(sim, Left::nothing_read_gone);
  CHECK(h.del.status == 500);
  CHECK(h.del.body.find("CouchDB(internal_server_error): deleting io.cozy.") != std::string::npos);
  CHECK(h.disk_usage.body == h.disk_usage_before.body);
  CHECK(h.last_activity.status == 200);
  CHECK(h.last_activity.body == h.last_activity_before.body);
  REQUIRE(sim.get("/instances/" + h.domain).status == 200);
  CHECK_FALSE(attributes(sim, h.domain).contains("deleting"));
  // The files are all there: a new export ends done, with files.
  sim.faults("{}");
  const auto e = export_done(sim, h.domain);
  const auto part0 = check_zip(sim.get("/instances/" + h.domain + "/exports/" + std::string(e.at("_id").as_string()) + "/data").body);
  CHECK(part0.ok);
  CHECK(audit_part(part0).files > 0);
  CHECK(sim.stat("deletions") == 0);
}

TEST_CASE("delete_half stopped past io.cozy.files and before io.cozy.oauth.clients - disk-usage and exports fail, "
          "last-activity still answers",
          "[lifecycle][faults][half]") {
  Sim sim(k_args);
  const auto h = half_delete_until(sim, Left::files_gone_sessions_answer);
  CHECK(h.del.status == 500);
  CHECK(h.del.body.find("CouchDB(internal_server_error): deleting io.cozy.") != std::string::npos);
  CHECK(h.disk_usage.status == 404);
  CHECK(h.disk_usage.body.find("Database does not exist.") != std::string::npos);
  CHECK(h.last_activity.body == h.last_activity_before.body);
  sim.faults("{}");
  REQUIRE(sim.post("/instances/" + h.domain + "/export?admin-req=true").status == 202);
  REQUIRE(eventually([&] { auto x = export_of(sim, h.domain); return x.contains("state") && x.at("state") == "error"; }));
  CHECK(export_of(sim, h.domain).at("error") == "The export failed: Database does not exist.");
  CHECK(sim.stat("deletions") == 0);
}

TEST_CASE("delete_half with every database gone - only the instance document answers",
          "[lifecycle][faults][half]") {
  Sim sim(k_args);
  const auto h = half_delete_until(sim, Left::everything_gone);
  CHECK(h.del.status == 500);
  CHECK(h.disk_usage.status == 404);
  CHECK(h.last_activity.status == 404);
  CHECK(h.last_activity.body.find("Database does not exist.") != std::string::npos);
  CHECK(sim.get("/instances/" + h.domain).status == 200);
  CHECK(sim.stat("deletions") == 0);
}

TEST_CASE("import: fetches the manifest and parts, blocks IMPORTING, then unblocks", "[lifecycle][import]") {
  Sim sim(k_args);
  const auto source = domain(5), target = domain(6);
  const auto e = export_done(sim, source);
  const auto manifest = sim.public_base() + "/move/exports/" + std::string(e.at("move_token").as_string());
  auto m = sim.get_public("/move/exports/" + std::string(e.at("move_token").as_string()));
  REQUIRE(m.status == 200);
  CHECK(m.json().at("data").at("attributes").at("state") == "done");
  REQUIRE(sim.post("/instances/" + target + "/import?manifest_url=" + manifest).status == 204);
  // The job blocks the target, not the handler: right after the 204 it is untouched.
  CHECK_FALSE(attributes(sim, target).contains("blocked"));
  CHECK(eventually([&] {
    auto a = attributes(sim, target);
    return a.contains("blocking_reason") && a.at("blocking_reason") == "IMPORTING" && a.at("blocked") == true;
  }));
  REQUIRE(eventually([&] { return sim.stat("imports_done") == 1; }));
  auto attrs = attributes(sim, target);
  CHECK_FALSE(attrs.contains("blocked"));
  CHECK_FALSE(attrs.contains("blocking_reason"));
  CHECK(sim.stat("stack_mails") == 1);
  // The target reports what it restored: the source's files and versions, and used = files + versions.
  const auto usage = [&](const std::string& d) { return sim.get("/instances/" + d + "/disk-usage").json().as_object(); };
  const auto from = usage(source), to = usage(target);
  const auto n = [](const json::object& o, const char* k) { return o.contains(k) ? std::stoll(std::string(o.at(k).as_string())) : 0LL; };
  CHECK(n(to, "files") > 0);
  CHECK(n(to, "files") == n(from, "files"));
  CHECK(n(to, "versions") == n(from, "versions"));
  CHECK(n(to, "versions_count") == n(from, "versions_count"));
  CHECK(n(to, "used") == n(to, "files") + n(to, "versions"));
  CHECK(sim.stat("import_bytes") == n(to, "used"));

  // A bad manifest fails the import, which still unblocks and mails.
  REQUIRE(sim.post("/instances/" + domain(7) + "/import?manifest_url=" + sim.public_base() + "/move/exports/nope").status == 204);
  REQUIRE(eventually([&] { return sim.stat("imports_failed") == 1; }));
  CHECK_FALSE(attributes(sim, domain(7)).contains("blocked"));
  CHECK(sim.stat("stack_mails") == 2);
  CHECK(sim.stat("imports_refused_private") == 0);
}

TEST_CASE("import: a loopback manifest URL is refused without --trust-private-networks, nothing wiped",
          "[lifecycle][import]") {
  std::vector<std::string> args(k_args.begin(), k_args.end() - 1);  // without --trust-private-networks
  Sim sim(args);
  const auto source = domain(5), target = domain(6);
  const auto e = export_done(sim, source);
  const auto before = sim.get("/instances/" + target + "/disk-usage").body;
  const auto token = std::string(e.at("move_token").as_string());
  for (const std::string& url : {sim.public_base() + "/move/exports/" + token,
                                 "http://localhost:" + std::to_string(sim.public_port()) + "/move/exports/" + token}) {
    REQUIRE(sim.post("/instances/" + target + "/import?manifest_url=" + url).status == 204);
  }
  REQUIRE(eventually([&] { return sim.stat("imports_failed") == 2; }));
  CHECK(sim.stat("imports_refused_private") == 2);
  CHECK(sim.stat("imports_done") == 0);
  CHECK(sim.stat("stack_mails") == 2);
  CHECK(sim.get("/instances/" + target + "/disk-usage").body == before);
  CHECK_FALSE(attributes(sim, target).contains("blocked"));
  auto s = sim.stats().as_object();
  CHECK_FALSE(s.at("requests").as_object().contains("GET /move/exports/:token"));  // never dialed
  // Not an http(s) URL: failed, not counted as refused.
  REQUIRE(sim.post("/instances/" + target + "/import?manifest_url=ftp://127.0.0.1/move/exports/" + token).status == 204);
  REQUIRE(eventually([&] { return sim.stat("imports_failed") == 3; }));
  CHECK(sim.stat("imports_refused_private") == 2);
}

TEST_CASE("delete_hang: the DELETE holds the connection, the deletion goes on after the client gives up",
          "[lifecycle][faults]") {
  Sim sim(k_args);
  const auto d = domain(8);
  sim.faults(R"({"delete_hang":{"rate":1,"ms":1500}})");
  CHECK(sim.get("/_sim/faults").json().at("delete_hang").at("ms") == 1500);
  // The client gives up long before the stack answers: no answer at all.
  const auto cut = http("DELETE", sim.base() + "/instances/" + d, Sim::auth(), {}, std::chrono::milliseconds(300));
  CHECK(cut.status == 0);
  // Behind it, Destroy goes on: the flag is set and a second DELETE is refused.
  CHECK(attributes(sim, d).at("deleting") == true);
  const auto again = sim.del("/instances/" + d);
  CHECK(again.status == 500);
  CHECK(again.body.find("deletion already requested") != std::string::npos);
  CHECK(sim.stat("deletions") == 0);
  // Then it ends, though nobody waits for the answer.
  CHECK(eventually([&] { return sim.get("/instances/" + d).status == 404; }, std::chrono::seconds(5)));
  CHECK(sim.stat("deletions") == 1);

  // A client that waits gets the answer at the end of the hang.
  const auto e = domain(9);
  const auto waited = sim.del("/instances/" + e);
  CHECK(waited.status == 204);
  CHECK(waited.seconds >= 1.4);
  // With delete_stuck too, the hang ends in the failure: the flag stays set.
  sim.faults(R"({"delete_hang":{"rate":1,"ms":500},"delete_stuck":1})");
  const auto f = domain(10);
  CHECK(http("DELETE", sim.base() + "/instances/" + f, Sim::auth(), {}, std::chrono::milliseconds(100)).status == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  CHECK(sim.get("/instances/" + f).status == 200);
  CHECK(attributes(sim, f).at("deleting") == true);
  CHECK(sim.stat("deletions") == 2);
}

TEST_CASE("the admin port has no /move routes, the public port serves them and nothing else", "[lifecycle][move]") {
  Sim sim(k_args);
  const auto d = domain(11);
  const auto e = export_done(sim, d);
  const std::string token(e.at("move_token").as_string());
  // As on the stack: /move lives on the instance's own domain, not the admin API.
  CHECK(sim.get("/move/exports/" + token).status == 404);
  CHECK(sim.get("/move/exports/data/" + token).status == 404);
  CHECK(sim.get_public("/move/exports/" + token).status == 200);
  CHECK(check_zip(sim.get_public("/move/exports/data/" + token).body).ok);
  // The public port answers neither the admin API nor the control plane, even with the passphrase.
  CHECK(http("GET", sim.public_base() + "/instances/" + d, Sim::auth()).status == 404);
  CHECK(http("GET", sim.public_base() + "/_sim/stats", Sim::auth()).status == 404);
  const auto requests = sim.stats().at("requests").as_object();
  CHECK(requests.at("GET /move/exports/:token").at("200") == 1);
  CHECK(requests.at("GET (unknown route)").at("404") == 4);
}
