// Faults, stats and the control plane.
#include "http_client.hpp"
#include "ws_client.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <future>

using namespace simtest;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {
const std::vector<std::string> k_args{"--instances", "20", "--domain-suffix", "test.example"};
}

TEST_CASE("faults: PUT replaces, GET reads, unknown keys and bad rates are 400", "[faults]") {
  Sim sim(k_args);
  REQUIRE(sim.put("/_sim/faults", R"({"http_5xx":0.5,"throttle":{"status":503,"rate":0.1}})").status == 200);
  auto f = sim.get("/_sim/faults").json().as_object();
  CHECK(f.at("http_5xx").as_double() == 0.5);
  CHECK(f.at("throttle").at("status") == 503);
  REQUIRE(sim.put("/_sim/faults", R"({"export_error":0.5,"part_missing_entries":0.75})").status == 200);
  f = sim.get("/_sim/faults").json().as_object();
  CHECK(f.at("export_error").as_double() == 0.5);
  CHECK(f.at("part_missing_entries").as_double() == 0.75);
  CHECK(f.at("http_5xx").as_double() == 0.0);
  CHECK(sim.put("/_sim/faults", R"({"part_missing_entries":-0.1})").status == 400);
  REQUIRE(sim.put("/_sim/faults", R"({"reset_after":0.25})").status == 200);
  f = sim.get("/_sim/faults").json().as_object();
  CHECK(f.at("http_5xx").as_double() == 0.0);
  CHECK(sim.put("/_sim/faults", R"({"no_such_fault":1})").status == 400);
  CHECK(sim.put("/_sim/faults", R"({"http_5xx":2})").status == 400);
  CHECK(sim.put("/_sim/faults", R"({"throttle":{"status":418}})").status == 400);
  CHECK(sim.put("/_sim/faults", "not json").status == 400);
  const auto path = write_temp_file("faults.json", R"({"max_rps": 3, "typo": 1})");
  CHECK_THROWS(Sim({"--faults", path}));
  std::remove(path.c_str());
}

TEST_CASE("throttle: status with Retry-After only when configured", "[faults]") {
  Sim sim(k_args);
  sim.faults(R"({"throttle":{"status":429,"rate":1,"retry_after_s":3}})");
  auto r = sim.get("/instances/" + domain(1));
  CHECK(r.status == 429);
  CHECK(r.headers["retry-after"] == "3");
  sim.faults(R"({"throttle":{"status":503,"rate":1}})");
  r = sim.get("/instances/" + domain(1));
  CHECK(r.status == 503);
  CHECK_FALSE(r.headers.count("retry-after"));
  CHECK(sim.get("/_sim/stats").status == 200);  // the control plane is never faulted
}

TEST_CASE("global_db_missing: every instance 404, a count of 0, an empty list, the instances come back after", "[faults]") {
  Sim sim(k_args);
  REQUIRE(sim.get("/instances/" + domain(1)).status == 200);
  CHECK(sim.put("/_sim/faults", R"({"global_db_missing":1})").status == 400);
  sim.faults(R"({"global_db_missing":true})");
  CHECK(sim.get("/instances/" + domain(1)).status == 404);
  CHECK(sim.get("/instances/" + domain(1) + "/last-activity").status == 404);
  CHECK(sim.del("/instances/" + domain(1)).status == 404);
  CHECK(sim.get("/instances/count").json().at("count") == 0);
  CHECK(sim.get("/instances").json().at("data").as_array().empty());
  sim.faults("{}");
  CHECK(sim.get("/instances/" + domain(1)).status == 200);
  CHECK(sim.get("/instances/count").json().at("count") == 20);
}

TEST_CASE("http_5xx answers before the handler - reset_after applies the effect", "[faults]") {
  Sim sim(k_args);
  const auto path = "/instances/" + domain(2);
  sim.faults(R"({"http_5xx":1})");
  auto r = sim.patch(path + "?Blocked=true");
  CHECK(r.status >= 500);
  sim.faults(R"({"reset_after":1})");
  CHECK(sim.patch(path + "?Locale=en").status == 0);
  sim.faults(R"({"reset_before":1})");
  CHECK(sim.patch(path + "?DiskQuota=42").status == 0);
  sim.faults("{}");
  const auto attrs = sim.get(path).json().at("data").at("attributes").as_object();
  CHECK_FALSE(attrs.contains("blocked"));
  CHECK(attrs.at("locale") == "en");
  CHECK(attrs.at("disk_quota") == "5000000000");
  const auto requests = sim.stats().at("requests").as_object();
  CHECK(requests.at("PATCH /instances/:domain").at("reset") == 2);
}

TEST_CASE("latency and stall delay the answer", "[faults]") {
  Sim sim(k_args);
  sim.faults(R"({"latency_ms":{"min":150,"max":150}})");
  CHECK(sim.get("/instances/" + domain(1)).seconds >= 0.14);
  sim.faults(R"({"stall_ms":{"rate":1,"ms":200}})");
  CHECK(sim.get("/instances/" + domain(1)).seconds >= 0.19);
  // part_stall_ms: export parts only.
  sim.faults(R"({"part_stall_ms":{"rate":1,"ms":300}})");
  CHECK(sim.get("/instances/" + domain(1)).seconds < 0.25);
  CHECK(sim.get("/instances/" + domain(1) + "/exports/0000/data").seconds >= 0.29);
}

TEST_CASE("GET /_sim/idle answers once no client request is in flight, or at its timeout", "[faults][idle]") {
  Sim sim(k_args);
  auto at_once = sim.get("/_sim/idle?timeout_ms=5000");
  REQUIRE(at_once.status == 200);
  CHECK(at_once.json().at("idle") == true);
  CHECK(at_once.seconds < 1.0);
  sim.faults(R"({"stall_ms":{"rate":1,"ms":1500}})");
  auto stalled = std::async(std::launch::async, [&sim] { return sim.get("/instances/" + domain(1)); });
  REQUIRE(eventually([&sim] { return sim.stats().at("in_flight") == 1; }));
  auto busy = sim.get("/_sim/idle?timeout_ms=100");
  REQUIRE(busy.status == 200);
  CHECK(busy.json().at("idle") == false);
  CHECK(busy.json().at("in_flight") == 1);
  CHECK(busy.seconds >= 0.09);
  auto idle = sim.get("/_sim/idle?timeout_ms=10000");
  REQUIRE(idle.status == 200);
  CHECK(idle.json().at("idle") == true);
  CHECK(idle.seconds < 8.0);  // the stall's end, not the timeout
  CHECK(stalled.get().status == 200);
  CHECK(sim.get("/_sim/idle?timeout_ms=soon").status == 400);
  CHECK(sim.get("/_sim/idle?timeout_ms=60001").status == 400);
  CHECK(http("GET", sim.base() + "/_sim/idle", "").status == 401);
  CHECK_FALSE(sim.stats().at("requests").as_object().contains("GET /_sim/idle"));
}

TEST_CASE("max_rps: a ceiling enforced with 429 - stats keys - reset", "[faults][stats]") {
  Sim sim(k_args);
  sim.faults(R"({"max_rps":5})");
  int refused = 0;
  for (int i = 0; i < 12; ++i) refused += sim.get("/instances/" + domain(1)).status == 429;
  CHECK(refused >= 6);
  auto s = sim.stats().as_object();
  for (const char* key : {"requests", "max_rps_1s", "max_in_flight", "exports_started", "duplicate_exports_24h",
                          "deletions", "unsafe_deletions", "unsafe_domains", "stack_mails", "parts_incomplete_served"})
    CHECK(s.contains(key));
  CHECK(s.at("max_rps_1s").to_number<std::uint64_t>() >= 12);
  CHECK(s.at("max_in_flight").to_number<std::uint64_t>() >= 1);
  CHECK(s.at("requests").at("GET /instances/:domain").at("429").to_number<std::uint64_t>() == static_cast<std::uint64_t>(refused));
  CHECK_FALSE(s.at("requests").as_object().contains("GET /_sim/stats"));
  s = sim.post("/_sim/stats/reset").json().as_object();
  CHECK(s.at("max_rps_1s") == 0);
  CHECK(s.at("requests").as_object().empty());
}

TEST_CASE("sim clock: set and advance", "[clock]") {
  Sim sim({"--clock", "2026-11-20T10:00:00+01:00"});
  auto now = std::string(sim.post("/_sim/clock").json().at("now").as_string());
  CHECK(now.rfind("2026-11-20T09:00", 0) == 0);
  now = std::string(sim.post("/_sim/clock?set=2027-01-01T00:00:00").json().at("now").as_string());
  CHECK(now.rfind("2027-01-01T00:00:0", 0) == 0);
  CHECK(sim.advance(86400).rfind("2027-01-02T00:00:0", 0) == 0);
  CHECK(sim.post("/_sim/clock?set=garbage").status == 400);
}

TEST_CASE("ws_drop_every_s drops realtime clients", "[faults][realtime]") {
  Sim sim(k_args);
  WsClient ws(sim.port(), Sim::auth());
  REQUIRE(ws.connected());
  sim.faults(R"({"ws_drop_every_s":1})");
  for (int i = 0; i < 30 && !ws.closed(); ++i) ws.read(100ms);
  CHECK(ws.closed());
  CHECK(sim.stats().at("requests").at("GET /realtime/").at("101") == 1);
}

TEST_CASE("realtime drops a silent client and pings", "[realtime]") {
  Sim sim({"--instances", "1", "--ws-ping-s", "1", "--ws-idle-s", "60"});
  WsClient ws(sim.port(), Sim::auth());
  REQUIRE(ws.connected());
  // Beast answers the pings, so the client stays up past several ping periods.
  for (int i = 0; i < 25; ++i) ws.read(100ms);
  CHECK_FALSE(ws.closed());
  CHECK(ws.pings() >= 2);
}

TEST_CASE("realtime drops a client that stays silent past --ws-idle-s", "[realtime]") {
  Sim sim({"--instances", "1", "--ws-ping-s", "54", "--ws-idle-s", "1"});
  WsClient ws(sim.port(), Sim::auth());
  REQUIRE(ws.connected());
  // No message and no ping to answer before 54 s: the server drops it after 1 s.
  for (int i = 0; i < 40 && !ws.closed(); ++i) ws.read(100ms);
  CHECK(ws.closed());
}
