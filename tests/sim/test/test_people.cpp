// People's behaviour: their own moves (as cozy-stack's StartMove and
// Finalize run them) and renewed activity.
#include "http_client.hpp"
#include "ws_client.hpp"
#include "zip_check.hpp"

#include <catch2/catch.hpp>

using namespace simtest;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

json::object attributes(Sim& sim, const std::string& d) {
  return sim.get("/instances/" + d).json().at("data").at("attributes").as_object();
}

bool moved(Sim& sim, const std::string& d) {
  const auto a = attributes(sim, d);
  return a.contains("moved") && a.at("moved") == true;
}

// A mover whose whole move takes 600 sim seconds: the go at 540 s.
std::vector<std::string> mover_args() {
  return {"--instances", "5", "--domain-suffix", "test.example", "--move-share", "1", "--move-delay-s", "600:600",
          "--clock", "2026-11-20T10:00:00Z", "--export-ms", "20:40"};
}

std::unique_ptr<WsClient> subscribed(Sim& sim) {
  auto ws = std::make_unique<WsClient>(sim.port(), Sim::auth());
  if (!ws->connected() || !ws->send(R"({"method":"SUBSCRIBE","payload":{"type":"io.cozy.exports"}})")) return nullptr;
  return ws;
}


std::string export_state(Sim& sim, const std::string& d) {
  auto r = sim.get("/_sim/exports/" + d);
  return r.status == 200 ? std::string(r.json().at("state").as_string()) : "";
}

// The move's export: CREATED exporting at the go, then UPDATED done, and
// no final CREATED (not an admin request).
void check_move_export_events(WsClient& ws, const std::string& d) {
  const auto events = read_events(ws, 2);
  REQUIRE(events.size() == 2);
  CHECK(events[0].at("event") == "CREATED");
  CHECK(events[1].at("event") == "UPDATED");
  const auto& created = events[0].at("payload").at("doc").as_object();
  const auto& updated = events[1].at("payload").at("doc").as_object();
  CHECK(created.at("domain") == json::value(d));
  CHECK(created.at("state") == "exporting");
  CHECK(updated.at("state") == "done");
  CHECK(updated.at("_id") == created.at("_id"));
  // Created at the go (invited at 10:00:00 + 540 s), whatever the clock did since.
  CHECK(std::string(created.at("created_at").as_string()).rfind("2026-11-20T10:09:0", 0) == 0);
  CHECK(updated.at("created_at") == created.at("created_at"));
  CHECK_FALSE(ws.read(300ms));
}

}  // namespace

TEST_CASE("move-share: the source is never blocked, its export at the go, moved and unblocked at the end",
          "[people]") {
  Sim sim(mover_args());
  auto ws = subscribed(sim);
  REQUIRE(ws);
  const auto d = domain(1);
  CHECK_FALSE(attributes(sim, d).contains("moved"));  // invited now
  sim.advance(300);
  CHECK_FALSE(ws->read(300ms));  // nothing before the go
  auto a = attributes(sim, d);
  CHECK_FALSE(a.contains("moved"));
  CHECK_FALSE(a.contains("blocked"));
  sim.advance(250);  // past the go (540 s), before the end (600 s)
  check_move_export_events(*ws, d);
  a = attributes(sim, d);
  CHECK_FALSE(a.contains("blocked"));  // a user move never blocks the source
  CHECK_FALSE(a.contains("moved"));
  CHECK(sim.stat("moves_started") == 1);
  // Blocked MOVING before the end (as an admin move does): /move/* still
  // gets through, and Finalize lifts the block.
  REQUIRE(sim.patch("/instances/" + d + "?Blocked=true&BlockingReason=MOVING").status == 200);
  CHECK(attributes(sim, d).at("blocking_reason") == "MOVING");
  sim.advance(60);
  REQUIRE(eventually([&] { return moved(sim, d); }));
  a = attributes(sim, d);
  CHECK_FALSE(a.contains("blocked"));
  CHECK_FALSE(a.contains("blocking_reason"));  // Unblock clears the reason
  CHECK(sim.stat("moves_done") == 1);
  CHECK(sim.stat("stack_mails") == 0);  // the target is told, the person is not mailed
  CHECK(sim.stat("exports_started") == 1);
  CHECK(sim.stat("duplicate_exports_24h") == 0);
  CHECK_FALSE(attributes(sim, domain(2)).contains("moved"));  // never looked at: never invited
  CHECK(sim.del("/instances/" + d).status == 204);
  CHECK(sim.stat("deletions") == 1);
  CHECK(sim.stat("unsafe_deletions") == 0);  // a moved source is deleted safely
}

TEST_CASE("move-share: a clock jump over the whole move still sends its events in order, gone 30 days later",
          "[people]") {
  Sim sim(mover_args());
  auto ws = subscribed(sim);
  REQUIRE(ws);
  const auto d = domain(3);
  attributes(sim, d);
  sim.advance(700);  // go and end in one jump
  check_move_export_events(*ws, d);
  REQUIRE(eventually([&] { return moved(sim, d); }));
  sim.advance(30 * 86400 - 200);  // 30 days after the end (600 s), less 100 s
  CHECK(sim.get("/instances/" + d).status == 200);
  CHECK(sim.get("/instances/count").json().at("count") == 5);
  sim.advance(200);
  CHECK(sim.get("/instances/" + d).status == 404);  // the manager deleted it
  CHECK(sim.get("/instances/count").json().at("count") == 4);
  CHECK(sim.stat("moved_sources_deleted") == 1);
  CHECK(sim.stat("deletions") == 0);
  CHECK(sim.stat("unsafe_deletions") == 0);
  CHECK(sim.stats().at("unsafe_domains").as_array().empty());
}

TEST_CASE("move-share: a source blocked at the go never moves, unless blocked MOVING or IMPORTING", "[people]") {
  Sim sim(mover_args());
  auto ws = subscribed(sim);
  REQUIRE(ws);
  const auto d = domain(1);
  attributes(sim, d);
  REQUIRE(sim.patch("/instances/" + d + "?Blocked=true").status == 200);  // UNKNOWN: /move/go answers 503
  sim.advance(700);
  CHECK_FALSE(ws->read(500ms));  // no export: the person could not start the move
  CHECK(sim.stat("moves_prevented_by_block") == 1);
  CHECK(sim.stat("exports_started") == 0);
  REQUIRE(sim.patch("/instances/" + d + "?Blocked=false").status == 200);
  sim.advance(31 * 86400);
  auto a = attributes(sim, d);
  CHECK_FALSE(a.contains("moved"));
  CHECK(a.at("blocking_reason") == "UNKNOWN");  // Blocked=false keeps it: nobody finalized
  CHECK(sim.stat("moves_done") == 0);
  CHECK(sim.stat("moved_sources_deleted") == 0);

  for (const char* reason : {"MOVING", "IMPORTING"}) {  // /move/* gets through those blocks
    const auto e = domain(reason[0] == 'M' ? 2 : 3);
    attributes(sim, e);
    REQUIRE(sim.patch("/instances/" + e + "?Blocked=true&BlockingReason=" + reason).status == 200);
    sim.advance(700);
    REQUIRE(eventually([&] { return moved(sim, e); }));
    a = attributes(sim, e);
    CHECK_FALSE(a.contains("blocked"));
    CHECK_FALSE(a.contains("blocking_reason"));
  }
  CHECK(sim.stat("moves_done") == 2);
  CHECK(sim.stat("moves_prevented_by_block") == 1);
}

TEST_CASE("move-share: a source blocked for another reason before the end refuses the target: not moved, still "
          "blocked",
          "[people]") {
  Sim sim(mover_args());
  const auto d = domain(1);
  attributes(sim, d);
  sim.advance(550);
  REQUIRE(eventually([&] { return export_state(sim, d) == "done"; }));
  REQUIRE(sim.patch("/instances/" + d + "?Blocked=true&BlockingReason=PAYMENT_FAILED").status == 200);
  sim.advance(60);
  REQUIRE(eventually([&] { return sim.stat("moves_prevented_by_block") == 1; }));
  const auto a = attributes(sim, d);
  CHECK_FALSE(a.contains("moved"));
  CHECK(a.at("blocking_reason") == "PAYMENT_FAILED");
  CHECK(sim.stat("moves_started") == 1);
  CHECK(sim.stat("moves_done") == 0);
}

namespace {

// A mover whose space fits in one part (used <= 1 GiB), or needs several.
std::string mover_with_parts(Sim& sim, bool several) {
  for (int i = 0; i < 40; ++i) {
    const auto usage = sim.get("/instances/" + domain(i) + "/disk-usage").json();
    if ((std::stoll(std::string(usage.at("used").as_string())) > (1LL << 30)) == several) return domain(i);
  }
  FAIL("no mover with the wanted number of parts");
  return {};
}

std::vector<std::string> many_movers_args() {
  auto args = mover_args();
  args[1] = "40";
  return args;
}

// Invites `d`, lets its move go, and replaces the move's done export with an admin export.
void replace_move_export(Sim& sim, const std::string& d) {
  attributes(sim, d);
  sim.advance(550);
  REQUIRE(eventually([&] { return export_state(sim, d) == "done"; }));  // the move's export
  const auto move_export = sim.get("/_sim/exports/" + d).json().at("_id");
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  REQUIRE(eventually([&] {
    auto r = sim.get("/_sim/exports/" + d);
    return r.status == 200 && r.json().at("_id") != move_export && r.json().at("state") == "done";
  }));
}

}  // namespace

TEST_CASE("move-share: a single-part move whose export is replaced still moves (its target imports an empty part)",
          "[people]") {
  Sim sim(many_movers_args());
  const auto d = mover_with_parts(sim, false);
  replace_move_export(sim, d);
  CHECK(sim.stat("moves_broken_by_export") == 0);
  sim.advance(60);
  CHECK(eventually([&] { return moved(sim, d); }));
  CHECK(sim.stat("moves_done") == 1);
  CHECK(sim.stat("moves_done_replaced_export") == 1);
  CHECK(sim.stat("duplicate_exports_24h") == 0);  // the move's export is not the client's request
  sim.advance(31 * 86400);
  CHECK(sim.get("/instances/" + d).status == 404);  // the manager deletes the moved source
}

TEST_CASE("move-share: a multi-part move whose export is replaced fails, the target's abort unblocks the source",
          "[people]") {
  Sim sim(many_movers_args());
  const auto d = mover_with_parts(sim, true);
  replace_move_export(sim, d);
  CHECK(sim.stat("moves_broken_by_export") == 1);
  REQUIRE(sim.patch("/instances/" + d + "?Blocked=true&BlockingReason=MOVING").status == 200);
  sim.advance(60);
  REQUIRE(eventually([&] { return sim.stat("moves_aborted") == 1; }));
  const auto a = attributes(sim, d);
  CHECK_FALSE(a.contains("blocked"));  // lifecycle.Unblock: the MOVING block lifted, its reason cleared
  CHECK_FALSE(a.contains("blocking_reason"));
  CHECK_FALSE(a.contains("moved"));
  sim.advance(31 * 86400);
  CHECK_FALSE(moved(sim, d));
  CHECK(sim.stat("moves_done") == 0);
}

TEST_CASE("move-share: an export still running at the go refuses the move's export, a failed export fails the move",
          "[people]") {
  Sim sim(mover_args());
  const auto d = domain(1);
  attributes(sim, d);
  sim.faults(R"({"export_never_finish": 1})");
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  REQUIRE(eventually([&] { return export_state(sim, d) == "exporting"; }));
  sim.faults("{}");
  sim.advance(550);  // the move's job meets an export under 24 h old: 409 inside the job
  REQUIRE(eventually([&] { return sim.stat("moves_broken_by_export") == 1; }));
  CHECK(sim.stat("exports_started") == 1);

  const auto e = domain(2);
  attributes(sim, e);
  sim.faults(R"({"export_error": 1})");
  sim.advance(550);
  REQUIRE(eventually([&] { return sim.stat("moves_export_failed") == 1; }));
  CHECK(export_state(sim, e) == "error");
  CHECK(sim.stat("stack_mails") == 1);  // the person gets the failure mail
  sim.faults("{}");
  sim.advance(60);
  CHECK_FALSE(eventually([&] { return moved(sim, d) || moved(sim, e); }, 500ms));
  CHECK(sim.stat("moves_done") == 0);
}

TEST_CASE("late-move-share: a second band moves after --late-move-delay-s", "[people]") {
  Sim sim({"--instances", "5", "--domain-suffix", "test.example", "--late-move-share", "1", "--late-move-delay-s",
           "1000:1000", "--export-ms", "20:40"});
  const auto d = domain(1);
  attributes(sim, d);
  sim.advance(950);  // past its go (900 s)
  REQUIRE(eventually([&] { return export_state(sim, d) == "done"; }));
  CHECK_FALSE(moved(sim, d));
  sim.advance(100);
  CHECK(eventually([&] { return moved(sim, d); }));
}

TEST_CASE("people bands: never, then move, then late, over one draw", "[people]") {
  Sim sim({"--instances", "60", "--domain-suffix", "test.example", "--never-move-share", "0.3", "--move-share",
           "0.3", "--late-move-share", "0.4", "--move-delay-s", "100:200", "--late-move-delay-s", "1000:2000",
           "--export-ms", "1:5"});
  for (int i = 0; i < 60; ++i) attributes(sim, domain(i));
  auto count_moved = [&] {
    int n = 0;
    for (int i = 0; i < 60; ++i) n += moved(sim, domain(i)) ? 1 : 0;
    return n;
  };
  sim.advance(500);
  REQUIRE(eventually([&] { return sim.stat("moves_done") == sim.stat("moves_started"); }));
  const int soon = count_moved();
  sim.advance(2000);
  REQUIRE(eventually([&] { return sim.stat("moves_done") == sim.stat("moves_started"); }));
  const int all = count_moved();
  CHECK(soon > 0);
  CHECK(all > soon);  // the late band
  CHECK(all < 60);    // the never band
  CHECK(sim.stat("moves_done") == all);
}

TEST_CASE("never-move-share: those people never move", "[people]") {
  Sim sim({"--instances", "5", "--domain-suffix", "test.example", "--never-move-share", "1", "--move-delay-s", "1:1"});
  const auto d = domain(1);
  attributes(sim, d);
  sim.advance(86400);
  CHECK_FALSE(attributes(sim, d).contains("moved"));
}

TEST_CASE("active-share: new last-activity after the export was fully downloaded", "[people]") {
  Sim sim({"--instances", "5", "--domain-suffix", "test.example", "--active-share", "1", "--clock",
           "2026-11-20T10:00:00Z", "--export-ms", "20:20"});
  const auto d = domain(1);
  const auto before = sim.get("/instances/" + d + "/last-activity").json().at("last-activity");
  CHECK(before != "2026-11-20");
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  json::object e;
  REQUIRE(eventually([&] {
    auto r = sim.get("/_sim/exports/" + d);
    if (r.status == 200) e = r.json().as_object();
    return r.status == 200 && e.at("state") == "done";
  }));
  sim.advance(86400);
  const std::string base = "/instances/" + d + "/exports/" + std::string(e.at("_id").as_string()) + "/data";
  REQUIRE(check_zip(sim.get(base).body).ok);
  for (const auto& c : e.at("parts_cursors").as_array()) sim.get(base + "?cursor=" + std::string(c.as_string()));
  CHECK(sim.get("/instances/" + d + "/last-activity").json().at("last-activity") == "2026-11-21");
}

TEST_CASE("the person's own counter: 5 exports or move steps per 24 h, the 6th answered 404, a mover who "
          "used it up cannot start the move",
          "[people]") {
  Sim sim(mover_args());
  const auto d = domain(1), other = domain(2);
  // Five of the person's own exports pass (the 24-hour conflict rule may
  // refuse their jobs silently: still a 202), the sixth is a 404.
  for (int n = 0; n < 5; ++n) CHECK(sim.post("/_sim/user-export?domain=" + other).status == 202);
  auto refused = sim.post("/_sim/user-export?domain=" + other);
  CHECK(refused.status == 404);
  CHECK(refused.body.find("Not found") != std::string::npos);
  CHECK(sim.stat("person_requests_limited") == 1);
  // Per instance: another person's counter is untouched.
  sim.advance(23 * 3600);
  CHECK(sim.post("/_sim/user-export?domain=" + other).status == 404);  // still within 24 h of the first
  sim.advance(3600);
  CHECK(sim.post("/_sim/user-export?domain=" + other).status == 202);  // a new period

  // A mover (invited now, the go in 540 s) who exported four times: the
  // move needs two more hits (/move/initialize, /move/authorize).
  CHECK_FALSE(attributes(sim, d).contains("moved"));
  for (int n = 0; n < 4; ++n) CHECK(sim.post("/_sim/user-export?domain=" + d).status == 202);
  sim.advance(650);
  CHECK(sim.stat("moves_rate_limited") == 1);
  CHECK(sim.stat("moves_started") == 0);
  CHECK_FALSE(moved(sim, d));
}
