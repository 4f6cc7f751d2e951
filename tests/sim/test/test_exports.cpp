// Exports: the job answer, realtime events, the 24-hour rule, parts, expiry.
#include "http_client.hpp"
#include "ws_client.hpp"
#include "zip_check.hpp"
#include "zip_entry.hpp"
#include "zip_read.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

using namespace simtest;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> k_args{"--instances", "60", "--domain-suffix", "test.example", "--seed", "7",
                                      "--clock", "2026-11-20T10:00:00Z", "--export-ms", "20:40"};


std::string state_of(Sim& sim, const std::string& d) {
  auto e = sim.current_export(d);
  return e.contains("state") ? std::string(e.at("state").as_string()) : "";
}

bool done(Sim& sim, const std::string& d) {
  return eventually([&] { return state_of(sim, d) == "done"; });
}

std::string part_path(const std::string& d, const json::object& e, std::size_t k) {
  std::string p = "/instances/" + d + "/exports/" + std::string(e.at("_id").as_string()) + "/data";
  if (k > 0) p += "?cursor=" + std::string(e.at("parts_cursors").as_array()[k - 1].as_string());
  return p;
}


// The first instance whose space is above `bytes`.
int instance_above(Sim& sim, std::int64_t bytes) {
  for (int i = 0; i < 60; ++i)
    if (std::stoll(std::string(sim.get("/instances/" + domain(i) + "/disk-usage").json().at("used").as_string())) > bytes)
      return i;
  return -1;
}

}  // namespace

TEST_CASE("export POST: admin-req mandatory (500), 202 with a job document", "[exports]") {
  Sim sim(k_args);
  const auto path = "/instances/" + domain(1) + "/export";
  auto r = sim.post(path);
  CHECK(r.status == 500);
  CHECK(r.body.find("Unqualified error") != std::string::npos);
  CHECK(sim.post(path + "?admin-req=maybe").status == 500);
  r = sim.post(path + "?admin-req=true");
  REQUIRE(r.status == 202);
  const auto job = r.json().as_object();
  CHECK(job.at("worker") == "export");
  CHECK(job.at("state") == "queued");
  CHECK(job.at("_id").as_string().size() == 32);
  CHECK(sim.post("/instances/nobody.test.example/export?admin-req=true").status == 404);
  CHECK(done(sim, domain(1)));
  CHECK(sim.stat("exports_started") == 1);
}

TEST_CASE("realtime: CREATED exporting, UPDATED done, and CREATED done again for admin-req=true only",
          "[exports][realtime]") {
  Sim sim(k_args);
  CHECK(WsClient(sim.port(), "").handshake_status() == 401);
  CHECK(WsClient(sim.port(), "a:wrong").handshake_status() == 403);
  WsClient ws(sim.port(), Sim::auth());
  REQUIRE(ws.connected());
  CHECK(ws.protocol() == "io.cozy.websocket");
  REQUIRE(ws.send(R"({"method":"SUBSCRIBE","payload":{"type":"io.cozy.exports"}})"));
  REQUIRE(sim.post("/instances/" + domain(2) + "/export?admin-req=true").status == 202);
  const auto events = read_events(ws, 3);
  REQUIRE(events.size() == 3);
  CHECK(events[0].at("event") == "CREATED");
  CHECK(events[1].at("event") == "UPDATED");
  CHECK(events[2].at("event") == "CREATED");
  const auto& created = events[0].at("payload").at("doc").as_object();
  CHECK(created.at("state") == "exporting");
  CHECK(created.at("total_size") == -1);
  CHECK(created.at("parts_cursors").as_array().empty());
  for (const auto& event : events) {
    const auto& payload = event.at("payload").as_object();
    CHECK(payload.at("type") == "io.cozy.exports");
    CHECK(payload.at("id") == payload.at("doc").at("_id"));
    CHECK(payload.at("id") == created.at("_id"));
    const auto& doc = payload.at("doc").as_object();
    CHECK(doc.at("domain") == json::value(domain(2)));
    CHECK(doc.at("created_at") == created.at("created_at"));
    for (const char* key : {"expires_at", "parts_size", "parts_cursors"}) CHECK(doc.contains(key));
  }
  CHECK(std::string(created.at("created_at").as_string()).rfind("2026-11-20T10:00", 0) == 0);
  for (std::size_t i : {1, 2}) {
    CHECK(events[i].at("payload").at("doc").at("state") == "done");
    CHECK(events[i].at("payload").at("doc").at("total_size").as_int64() > 0);
  }
  CHECK_FALSE(ws.read(300ms));  // nothing more

  REQUIRE(sim.post("/instances/" + domain(3) + "/export?admin-req=false").status == 202);
  const auto own = read_events(ws, 2);
  REQUIRE(own.size() == 2);
  CHECK(own[0].at("event") == "CREATED");
  CHECK(own[1].at("event") == "UPDATED");
  CHECK(own[1].at("payload").at("doc").at("state") == "done");
  CHECK(own[1].at("payload").at("doc").at("domain") == json::value(domain(3)));
  CHECK(eventually([&] { return sim.stat("stack_mails") == 1; }));
  CHECK_FALSE(ws.read(300ms));  // no final CREATED without admin-req
  CHECK(state_of(sim, domain(3)) == "done");

  REQUIRE(ws.send(R"({"method":"DANCE","payload":{"type":"io.cozy.exports"}})"));
  auto error = ws.read(2s);
  REQUIRE(error);
  CHECK(json::parse(*error).at("event") == "error");
}

TEST_CASE("export_error: the job ends in error, told by an UPDATED event - export_silent_fail says nothing",
          "[exports][realtime][faults]") {
  Sim sim(k_args);
  WsClient ws(sim.port(), Sim::auth());
  REQUIRE(ws.connected());
  REQUIRE(ws.send(R"({"method":"SUBSCRIBE","payload":{"type":"io.cozy.exports"}})"));
  sim.faults(R"({"export_error":1})");
  REQUIRE(sim.post("/instances/" + domain(8) + "/export?admin-req=true").status == 202);
  auto events = read_events(ws, 2);
  REQUIRE(events.size() == 2);
  CHECK(events[0].at("event") == "CREATED");
  CHECK(events[1].at("event") == "UPDATED");
  const auto& doc = events[1].at("payload").at("doc").as_object();
  CHECK(doc.at("state") == "error");
  CHECK(doc.at("total_size") == -1);
  CHECK_FALSE(doc.at("error").as_string().empty());
  CHECK_FALSE(ws.read(300ms));  // no final CREATED for a failure
  CHECK(state_of(sim, domain(8)) == "error");
  CHECK(sim.stat("stack_mails") == 0);
  REQUIRE(sim.post("/instances/" + domain(9) + "/export?admin-req=false").status == 202);
  events = read_events(ws, 2);
  REQUIRE(events.size() == 2);
  CHECK(events[1].at("payload").at("doc").at("state") == "error");
  CHECK(eventually([&] { return sim.stat("stack_mails") == 1; }));  // the failure mail

  sim.faults(R"({"export_silent_fail":1})");
  REQUIRE(sim.post("/instances/" + domain(10) + "/export?admin-req=true").status == 202);
  CHECK(eventually([&] { return state_of(sim, domain(10)) == "error"; }));
  CHECK_FALSE(ws.read(300ms));
}

TEST_CASE("24-hour rule: a second export while exporting fails silently - duplicates counted", "[exports]") {
  Sim sim(k_args);
  const auto d = domain(4);
  sim.faults(R"({"export_never_finish":1})");
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  REQUIRE(eventually([&] { return state_of(sim, d) == "exporting"; }));
  const auto first = sim.current_export(d).at("_id");
  sim.faults("{}");
  sim.advance(3600);
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  std::this_thread::sleep_for(150ms);  // the job would have finished by now
  CHECK(sim.current_export(d).at("_id") == first);
  CHECK(state_of(sim, d) == "exporting");
  CHECK(sim.stat("duplicate_exports_24h") == 1);
  // The export worker's 1 h Timeout is a context deadline CreateExport never
  // reads: the job neither ends nor errs, its export blocks others for 24 h.
  sim.advance(22 * 3600);
  std::this_thread::sleep_for(150ms);
  CHECK(state_of(sim, d) == "exporting");
  CHECK(sim.current_export(d).at("_id") == first);

  sim.advance(3 * 3600);  // the stuck export is now older than 24 h
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  CHECK(done(sim, d));
  CHECK(sim.current_export(d).at("_id") != first);
  CHECK(sim.stat("duplicate_exports_24h") == 1);

  // A new export deletes the previous one.
  const auto previous = sim.current_export(d);
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  CHECK(sim.stat("duplicate_exports_24h") == 2);
  REQUIRE(eventually([&] { return sim.current_export(d).at("_id") != previous.at("_id") && state_of(sim, d) == "done"; }));
  CHECK(sim.get(part_path(d, previous, 0)).status == 200);  // its document stays, its archive is gone
}

TEST_CASE("parts: size rule, cursors, real zips, file names, fully read", "[exports]") {
  Sim sim(k_args);
  const int big = instance_above(sim, 3LL << 30);
  REQUIRE(big >= 0);
  const auto d = domain(big);
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  REQUIRE(done(sim, d));
  const auto e = sim.current_export(d);
  CHECK(e.at("parts_size").as_int64() >= (1LL << 30));
  const auto parts = e.at("parts_cursors").as_array().size() + 1;
  CHECK(parts >= 2);
  for (std::size_t k = 0; k < parts; ++k) {
    CHECK_FALSE(sim.current_export(d).at("fully_read").as_bool());
    auto r = sim.get(part_path(d, e, k));
    REQUIRE(r.status == 200);
    CHECK(r.headers["content-type"] == "application/zip");
    char name[64];
    std::snprintf(name, sizeof name, " - part%03zu.zip\"", k + 1);
    CHECK(r.headers["content-disposition"].find(d + name) != std::string::npos);
    const auto zip = check_zip(r.body);
    CHECK(zip.ok);
    CHECK(zip.has("My Cozy/Data/instance.json") == (k == 0));
    CHECK(std::any_of(zip.entries.begin(), zip.entries.end(),
                      [](const std::string& p) { return p.rfind("My Cozy/Files/", 0) == 0; }));
  }
  CHECK(sim.current_export(d).at("fully_read").as_bool());
  CHECK(sim.get(part_path(d, e, 0) + "?cursor=nonsense").status == 400);
}

TEST_CASE("parts: every entry deflated, each CRC-32 matching its bytes", "[exports]") {
  Sim sim(k_args);
  const auto d = domain(5);
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  REQUIRE(done(sim, d));
  const auto body = sim.get(part_path(d, sim.current_export(d), 0)).body;
  std::string error;
  const auto entries = sim::read_zip_directory(body, error);
  REQUIRE(entries);
  REQUIRE(entries->size() > 2);
  for (const auto& e : *entries) {
    CHECK(e.method == 8);
    CHECK(sim::read_entry_data(body, e, [](std::string_view) {}) == sim::EntryError::none);
  }
}

TEST_CASE("disk-usage files and versions: the content bytes of all parts, each checked against its metadata",
          "[exports]") {
  Sim sim(k_args);
  int chosen = -1;
  for (int i = 0; i < 60 && chosen < 0; ++i) {
    const auto usage = sim.get("/instances/" + domain(i) + "/disk-usage").json().as_object();
    if (usage.contains("versions") && std::stoll(std::string(usage.at("used").as_string())) > (1LL << 30)) chosen = i;
  }
  REQUIRE(chosen >= 0);
  const auto d = domain(chosen);
  const auto usage = sim.get("/instances/" + d + "/disk-usage").json().as_object();
  CHECK(usage.at("versions_count").is_string());
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  REQUIRE(done(sim, d));
  const auto e = sim.current_export(d);
  long long files = 0, versions = 0, versions_count = 0;
  for (std::size_t k = 0; k <= e.at("parts_cursors").as_array().size(); ++k) {
    const auto zip = check_zip(sim.get(part_path(d, e, k)).body);
    REQUIRE(zip.ok);
    const auto audit = audit_part(zip);
    CHECK(audit.complete());
    CHECK((audit.directories > 0) == (k == 0));
    files += audit.file_bytes;
    versions += audit.version_bytes;
    versions_count += audit.versions;
  }
  CHECK(std::to_string(files) == usage.at("files").as_string());
  CHECK(std::to_string(versions) == usage.at("versions").as_string());
  CHECK(std::to_string(versions_count) == usage.at("versions_count").as_string());
}

TEST_CASE("parts: old versions after every file, each cursor its part's first file or version", "[exports]") {
  Sim sim(k_args);
  int chosen = -1;
  for (int i = 0; i < 60 && chosen < 0; ++i) {
    const auto usage = sim.get("/instances/" + domain(i) + "/disk-usage").json().as_object();
    if (usage.contains("versions") && std::stoll(std::string(usage.at("used").as_string())) > (2LL << 30)) chosen = i;
  }
  REQUIRE(chosen >= 0);
  const auto d = domain(chosen);
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  REQUIRE(done(sim, d));
  const auto e = sim.current_export(d);
  const auto& cursors = e.at("parts_cursors").as_array();
  REQUIRE(cursors.size() >= 1);
  bool versions_seen = false;
  for (std::size_t k = 0; k <= cursors.size(); ++k) {
    const auto zip = check_zip(sim.get(part_path(d, e, k)).body);
    REQUIRE(zip.ok);
    std::string first;  // the part's first file or version, as a cursor names it
    for (std::size_t i = 0; i < zip.entries.size(); ++i) {
      const bool version = zip.entries[i].rfind("My Cozy/Data/io.cozy.files.versions/", 0) == 0;
      const bool file = zip.entries[i].rfind("My Cozy/Data/io.cozy.files/", 0) == 0 &&
                        json::parse(zip.contents[i]).at("type") == "file";
      if (!version && !file) continue;
      CHECK_FALSE((file && versions_seen));  // never a file after a version, whatever the part
      versions_seen = versions_seen || version;
      if (first.empty())
        first = (version ? "io.cozy.files.versions/" : "io.cozy.files/") +
                std::string(json::parse(zip.contents[i]).at("_id").as_string());
    }
    if (k > 0) CHECK(json::value(first) == cursors[k - 1]);
  }
  CHECK(versions_seen);
}

TEST_CASE("disk-usage at --size-scale 1: used is files + versions", "[exports]") {
  Sim sim({"--instances", "30", "--domain-suffix", "test.example", "--size-scale", "1"});
  for (int i = 0; i < 30; ++i) {
    const auto usage = sim.get("/instances/" + domain(i) + "/disk-usage").json().as_object();
    const auto number = [&](const char* key) {
      return usage.contains(key) ? std::stoll(std::string(usage.at(key).as_string())) : 0LL;
    };
    CHECK(number("used") == number("files") + number("versions"));
  }
}

TEST_CASE("truncate_part: a 200 whose zip libarchive rejects", "[exports][faults]") {
  Sim sim(k_args);
  const auto d = domain(6);
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  REQUIRE(done(sim, d));
  const auto e = sim.current_export(d);
  sim.faults(R"({"truncate_part":1})");
  auto r = sim.get(part_path(d, e, 0));
  CHECK(r.status == 200);
  CHECK_FALSE(check_zip(r.body).ok);
  CHECK_FALSE(sim.current_export(d).at("fully_read").as_bool());
  CHECK(sim.stat("parts_incomplete_served") == 1);
  sim.faults("{}");
  CHECK(check_zip(sim.get(part_path(d, e, 0)).body).ok);
  CHECK(sim.stat("parts_incomplete_served") == 1);
}

TEST_CASE("part_missing_entries: a well-formed zip that lacks its last files, the last one cut short",
          "[exports][faults]") {
  Sim sim(k_args);
  const int chosen = instance_above(sim, 100'000'000);
  REQUIRE(chosen >= 0);
  const auto d = domain(chosen);
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  REQUIRE(done(sim, d));
  const auto e = sim.current_export(d);
  const auto whole = check_zip(sim.get(part_path(d, e, 0)).body);
  REQUIRE(audit_part(whole).complete());
  CHECK(sim.stat("parts_incomplete_served") == 0);
  sim.faults(R"({"part_missing_entries":1})");
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto r = sim.get(part_path(d, e, 0));
    CHECK(r.status == 200);
    const auto zip = check_zip(r.body);
    CHECK(zip.ok);  // libarchive reads it to the end without complaint
    CHECK(zip.entries.size() < whole.entries.size());
    CHECK(std::equal(zip.entries.begin(), zip.entries.end(), whole.entries.begin()));
    CHECK(zip.contents.back().size() < whole.contents[zip.entries.size() - 1].size());
    CHECK_FALSE(audit_part(zip).complete());  // only the metadata tells
    std::string error;
    const auto entries = sim::read_zip_directory(r.body, error);
    REQUIRE(entries);
    CHECK(entries->back().method == 8);  // deflated, cut short, its CRC-32 that of the bytes written
    CHECK(sim::read_entry_data(r.body, entries->back(), [](std::string_view) {}) == sim::EntryError::none);
  }
  CHECK(sim.stat("parts_incomplete_served") == 5);
  // A new export whose every part is served with entries missing is never
  // read. The space changed first: the copy read whole above no longer
  // holds it (an unchanged space would stay safe with that copy).
  REQUIRE(sim.post("/_sim/change-files?domain=" + d + "&op=create&count=1").status == 200);
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  REQUIRE(eventually([&] { return sim.current_export(d).at("_id") != e.at("_id") && state_of(sim, d) == "done"; }));
  const auto again = sim.current_export(d);
  for (std::size_t k = 0; k <= again.at("parts_cursors").as_array().size(); ++k)
    CHECK(check_zip(sim.get(part_path(d, again, k)).body).ok);
  CHECK_FALSE(sim.current_export(d).at("fully_read").as_bool());
  sim.faults("{}");
  CHECK(sim.del("/instances/" + d).status == 204);
  CHECK(sim.stat("unsafe_deletions") == 1);  // it rested on an incomplete part
}

TEST_CASE("exports expire after 7 days of sim time", "[exports]") {
  Sim sim(k_args);
  const auto d = domain(7);
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  REQUIRE(done(sim, d));
  const auto e = sim.current_export(d);
  const auto created = std::string(e.at("created_at").as_string());
  CHECK(created.rfind("2026-11-20T10:00", 0) == 0);
  CHECK(std::string(e.at("expires_at").as_string()).rfind("2026-11-27T10:00", 0) == 0);
  CHECK(sim.get(part_path(d, e, 0)).status == 200);
  CHECK(sim.get_public("/move/exports/" + std::string(e.at("_id").as_string())).status == 200);
  sim.advance(7 * 86400 + 1);
  CHECK(sim.get(part_path(d, e, 0)).status == 404);
  CHECK(sim.get_public("/move/exports/" + std::string(e.at("_id").as_string())).status == 404);
}

TEST_CASE("user-export: the person's own export, as noise on the socket", "[exports][realtime]") {
  Sim sim(k_args);
  WsClient ws(sim.port(), Sim::auth());
  REQUIRE(ws.connected());
  REQUIRE(ws.send(R"({"method":"SUBSCRIBE","payload":{"type":"io.cozy.exports"}})"));
  const auto d = domain(12);
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  REQUIRE(read_events(ws, 3).size() == 3);
  const auto mine = sim.current_export(d);

  CHECK(http("POST", sim.base() + "/_sim/user-export?domain=" + d, "").status == 401);
  CHECK(sim.post("/_sim/user-export?domain=nobody.test.example").status == 404);
  CHECK(sim.post("/_sim/user-export").status == 400);
  auto r = sim.post("/_sim/user-export?domain=" + d);
  REQUIRE(r.status == 202);
  CHECK(r.json().at("worker") == "export");
  CHECK(r.json().at("state") == "queued");
  CHECK(r.json().at("message").at("admin_req") == false);
  const auto events = read_events(ws, 2);
  REQUIRE(events.size() == 2);
  CHECK(events[0].at("event") == "CREATED");
  CHECK(events[1].at("event") == "UPDATED");
  CHECK(events[1].at("payload").at("doc").at("domain") == json::value(d));
  CHECK(events[1].at("payload").at("id") != mine.at("_id"));
  CHECK_FALSE(ws.read(300ms));
  CHECK(eventually([&] { return sim.stat("stack_mails") == 1; }));
  const auto replaced = sim.get(part_path(d, mine, 0));  // it replaced the admin's export: its archive is gone
  CHECK(replaced.status == 200);
  CHECK(check_zip(replaced.body).entries.empty());
  CHECK(sim.stat("duplicate_exports_24h") == 0);  // not the client's request
  CHECK(sim.stat("exports_started") == 2);

  // The stack's 24-hour rule applies to it: refused without a word while another export runs.
  sim.faults(R"({"export_never_finish":1})");
  REQUIRE(sim.post("/instances/" + domain(13) + "/export?admin-req=true").status == 202);
  REQUIRE(read_events(ws, 1).size() == 1);
  sim.faults("{}");
  REQUIRE(sim.post("/_sim/user-export?domain=" + domain(13)).status == 202);
  CHECK_FALSE(ws.read(300ms));
  CHECK(state_of(sim, domain(13)) == "exporting");
  CHECK(sim.stat("stack_mails") == 1);
}

TEST_CASE("export_never_finish keeps its worker: on a one-worker stack the next export stays queued",
          "[exports][faults]") {
  std::vector<std::string> args = k_args;
  args.insert(args.end(), {"--export-workers", "1"});
  Sim sim(args);
  const auto hung = domain(20), next = domain(21);
  sim.faults(R"({"export_never_finish":1})");
  REQUIRE(sim.post("/instances/" + hung + "/export?admin-req=true").status == 202);
  REQUIRE(eventually([&] { return state_of(sim, hung) == "exporting"; }));
  sim.faults("{}");
  // The job hangs inside a live stack: it holds the only worker, so the
  // next job is accepted (202) but never starts.
  REQUIRE(sim.post("/instances/" + next + "/export?admin-req=true").status == 202);
  std::this_thread::sleep_for(300ms);  // many times --export-ms
  CHECK(sim.current_export(next).empty());
  CHECK(sim.stat("exports_started") == 1);
  sim.advance(25 * 3600);  // no sim time frees it: only the process's end would
  std::this_thread::sleep_for(300ms);
  CHECK(sim.current_export(next).empty());
  CHECK(state_of(sim, hung) == "exporting");
}

TEST_CASE("max_admin_exports_open: the admin API's exports from their request to their end, at most at once",
          "[exports][stats]") {
  Sim sim(k_args);
  // Three at once, each open until its job ends.
  for (int i = 30; i < 33; ++i) REQUIRE(sim.post("/instances/" + domain(i) + "/export?admin-req=true").status == 202);
  for (int i = 30; i < 33; ++i) REQUIRE(done(sim, domain(i)));
  CHECK(sim.stat("max_admin_exports_open") == 3);
  // One after the other: never more than one open. A person's own export
  // is not the admin API's.
  REQUIRE(sim.post("/_sim/stats/reset").status == 200);
  CHECK(sim.stat("max_admin_exports_open") == 0);
  for (int i = 33; i < 35; ++i) {
    REQUIRE(sim.post("/instances/" + domain(i) + "/export?admin-req=true").status == 202);
    REQUIRE(done(sim, domain(i)));
  }
  REQUIRE(sim.post("/_sim/user-export?domain=" + domain(35)).status == 202);
  REQUIRE(sim.post("/instances/" + domain(36) + "/export?admin-req=true").status == 202);
  REQUIRE(done(sim, domain(35)));
  REQUIRE(done(sim, domain(36)));
  CHECK(sim.stat("max_admin_exports_open") == 1);
}
