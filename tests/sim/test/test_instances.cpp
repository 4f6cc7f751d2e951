// Instances: auth, lookups, listing, disk usage, activity, PATCH, their realtime events.
#include "http_client.hpp"
#include "ws_client.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <set>

using namespace std::chrono_literals;

using namespace simtest;
namespace json = boost::json;

namespace {
const std::vector<std::string> k_args{"--instances", "60", "--domain-suffix", "test.example", "--seed", "7"};
}

TEST_CASE("admin auth: no header 401, wrong passphrase 403, user name ignored", "[instances]") {
  Sim sim(k_args);
  const auto url = sim.base() + "/instances/" + domain(1);
  CHECK(http("GET", url, "").status == 401);
  CHECK(http("GET", url, "admin:wrong").status == 403);
  CHECK(http("GET", url, std::string("anyone:") + k_passphrase).status == 200);
  CHECK(http("GET", sim.base() + "/_sim/stats", "").status == 401);
  CHECK(http("GET", sim.base() + "/_sim/stats", "x:nope").status == 403);
  CHECK(sim.startup() < std::chrono::milliseconds(2000));
}

TEST_CASE("GET /instances/:domain: 404, 422, id not the domain, omitted fields, secrets", "[instances]") {
  Sim sim(k_args);
  CHECK(sim.get("/instances/" + domain(60)).status == 404);
  CHECK(sim.get("/instances/nobody.test.example").status == 404);
  CHECK(sim.get("/instances/Bad_Domain!").status == 422);
  CHECK(sim.get("/instances/nodot").status == 422);
  auto r = sim.get("/instances/" + domain(3));
  REQUIRE(r.status == 200);
  const auto data = r.json().at("data").as_object();
  CHECK(data.at("type") == "instances");
  CHECK(data.at("id").as_string().size() == 32);
  CHECK(data.at("id") != json::value(domain(3)));
  const auto& attrs = data.at("attributes").as_object();
  CHECK(attrs.at("domain") == json::value(domain(3)));
  CHECK(attrs.at("disk_quota").is_string());
  for (const char* absent : {"blocked", "deleting", "moved", "blocking_reason", "passphrase_hash", "session_secret",
                             "oauth_secret", "cli_secret"})
    CHECK_FALSE(attrs.contains(absent));
  int with_token = 0;
  for (int i = 0; i < 60; ++i)
    with_token += sim.get("/instances/" + domain(i)).json().at("data").at("attributes").as_object().contains("register_token");
  CHECK(with_token > 0);
}

TEST_CASE("disk-usage: strings except doc_count, zeros omitted, trash, 500 on unknown", "[instances]") {
  Sim sim(k_args);
  auto r = sim.get("/instances/" + domain(4) + "/disk-usage");
  REQUIRE(r.status == 200);
  const auto o = r.json().as_object();
  CHECK(o.at("used").is_string());
  CHECK(o.at("quota").is_string());
  if (o.contains("files")) CHECK(o.at("files").is_string());
  if (o.contains("doc_count")) CHECK(o.at("doc_count").is_int64());
  for (const auto& kv : o)
    if (kv.key() != "used" && kv.key() != "doc_count") CHECK(kv.value().as_string() != "0");
  bool trashed = false;
  for (int i = 0; i < 20 && !trashed; ++i)
    trashed = sim.get("/instances/" + domain(i) + "/disk-usage?include=trash").json().as_object().contains("trashed");
  CHECK(trashed);
  CHECK(sim.get("/instances/nobody.test.example/disk-usage").status == 500);
}

TEST_CASE("last-activity: a day, 2018-01-01 when never used, 404 on unknown", "[instances]") {
  Sim sim(k_args);
  bool never = false;
  for (int i = 0; i < 60; ++i) {
    auto r = sim.get("/instances/" + domain(i) + "/last-activity");
    REQUIRE(r.status == 200);
    const std::string day(r.json().at("last-activity").as_string());
    CHECK(day.size() == 10);
    never = never || day == "2018-01-01";
  }
  CHECK(never);
  CHECK(sim.get("/instances/nobody.test.example/last-activity").status == 404);
}

TEST_CASE("GET /instances pages with links.next - count", "[instances]") {
  Sim sim({"--instances", "7", "--domain-suffix", "test.example"});
  CHECK(sim.get("/instances/count").json().at("count") == 7);
  std::set<std::string> seen;
  std::string next = "/instances?page[limit]=3";
  int pages = 0;
  while (!next.empty() && pages < 10) {
    auto o = sim.get(next).json().as_object();
    for (const auto& d : o.at("data").as_array()) seen.emplace(d.at("attributes").at("domain").as_string());
    const auto& links = o.at("links").as_object();
    next = links.contains("next") ? std::string(links.at("next").as_string()) : "";
    ++pages;
  }
  CHECK(pages == 3);
  CHECK(seen.size() == 7);
}

TEST_CASE("PATCH by query parameters - secrets in the answer - Blocked=false keeps the reason", "[instances]") {
  Sim sim(k_args);
  const auto path = "/instances/" + domain(5);
  auto r = sim.patch(path + "?Blocked=true&BlockingReason=MOVING&Nonsense=1&DiskQuota=123&Locale=en");
  REQUIRE(r.status == 200);
  auto attrs = r.json().at("data").at("attributes").as_object();
  CHECK(attrs.at("blocked") == true);
  CHECK(attrs.at("blocking_reason") == "MOVING");
  CHECK(attrs.at("disk_quota") == "123");
  CHECK(attrs.at("locale") == "en");
  CHECK(attrs.contains("passphrase_hash"));
  CHECK(attrs.contains("session_secret"));
  attrs = sim.patch(path + "?Blocked=false").json().at("data").at("attributes").as_object();
  CHECK_FALSE(attrs.contains("blocked"));
  CHECK(attrs.at("blocking_reason") == "MOVING");
  CHECK_FALSE(sim.get(path).json().at("data").at("attributes").as_object().contains("passphrase_hash"));
  CHECK(sim.patch("/instances/nobody.test.example?Blocked=true").status == 404);
}

TEST_CASE("instances-from: serves the domains of an accounts file", "[instances]") {
  const auto csv = write_temp_file("accounts.csv",
                                   "login,domain,action,email,target,departure_date,reason\r\n"
                                   "jdupont,jdupont.mytoutatice.cloud,export,j@example.org,,2026-12-01,\"retraite, enfin\"\r\n"
                                   "amartin,amartin.mytoutatice.cloud,move,a@example.org,https://a.mycozy.cloud,2026-12-01,\"dit \"\"bye\"\"\nsur deux lignes\"\r\n");
  Sim sim({"--instances-from", csv});
  CHECK(sim.get("/instances/count").json().at("count") == 2);
  CHECK(sim.get("/instances/jdupont.mytoutatice.cloud").status == 200);
  CHECK(sim.get("/instances/amartin.mytoutatice.cloud").status == 200);
  CHECK(sim.get("/instances/u000000.mytoutatice.cloud").status == 404);
  std::remove(csv.c_str());
}

TEST_CASE("instances events: every write of an instance document on the socket, secrets included, a "
          "deletion ends in DELETED",
          "[instances][realtime]") {
  Sim sim({"--instances", "5", "--domain-suffix", "test.example", "--delete-ms", "10:10"});
  WsClient ws(sim.port(), Sim::auth());
  REQUIRE(ws.connected());
  REQUIRE(ws.send(R"({"method":"SUBSCRIBE","payload":{"type":"instances"}})"));
  const auto d = domain(1);
  const std::string id(sim.get("/instances/" + d).json().at("data").at("id").as_string());
  CHECK_FALSE(ws.read(200ms));  // a read is no write
  REQUIRE(sim.patch("/instances/" + d + "?Blocked=true&BlockingReason=MOVING").status == 200);
  auto events = read_events(ws, 1);
  REQUIRE(events.size() == 1);
  CHECK(events[0].at("event") == "UPDATED");
  const auto& payload = events[0].at("payload").as_object();
  CHECK(payload.at("type") == "instances");
  CHECK(payload.at("id") == json::value(id));
  const auto& doc = payload.at("doc").as_object();
  CHECK(doc.at("domain") == json::value(d));
  CHECK(doc.at("blocking_reason") == "MOVING");
  CHECK(doc.contains("passphrase_hash"));  // the stack's hub sends the whole document
  CHECK(doc.contains("session_secret"));
  // DELETE: deleting set, then cleared (before the databases go), then the document deleted.
  REQUIRE(sim.del("/instances/" + d).status == 204);
  events = read_events(ws, 3);
  REQUIRE(events.size() == 3);
  CHECK(events[0].at("event") == "UPDATED");
  CHECK(events[0].at("payload").at("doc").at("deleting") == true);
  CHECK(events[1].at("event") == "UPDATED");
  CHECK_FALSE(events[1].at("payload").at("doc").as_object().contains("deleting"));
  CHECK(events[2].at("event") == "DELETED");
  CHECK(events[2].at("payload").at("id") == json::value(id));
  CHECK_FALSE(ws.read(200ms));
}
