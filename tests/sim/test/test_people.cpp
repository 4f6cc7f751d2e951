// People's behaviour: moves and renewed activity.
#include "http_client.hpp"
#include "zip_check.hpp"

#include <catch2/catch.hpp>

using namespace simtest;
namespace json = boost::json;

namespace {

json::object attributes(Sim& sim, const std::string& d) {
  return sim.get("/instances/" + d).json().at("data").at("attributes").as_object();
}

}  // namespace

TEST_CASE("move-share: invited at the first GET, moved after the delay (sim clock)", "[people]") {
  Sim sim({"--instances", "5", "--domain-suffix", "test.example", "--move-share", "1", "--move-delay-s", "600:600",
           "--clock", "2026-11-20T10:00:00Z"});
  const auto d = domain(1);
  CHECK_FALSE(attributes(sim, d).contains("moved"));
  sim.advance(300);
  CHECK_FALSE(attributes(sim, d).contains("moved"));
  sim.advance(290);  // the last stretch of a move blocks the source
  CHECK(attributes(sim, d).at("blocking_reason") == "MOVING");
  sim.advance(20);
  CHECK(attributes(sim, d).at("moved") == true);
  CHECK_FALSE(attributes(sim, domain(2)).contains("moved"));  // never looked at: never invited
  CHECK(sim.del("/instances/" + d).status == 204);
  CHECK(sim.stat("unsafe_deletions") == 0);  // a moved source is deleted safely
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
