// Imports as cozy-stack's import worker runs them: a target blocked by the
// job (not the handler), wiped after a done manifest, restored part by part
// from another stack's /move/exports URLs.
#include "http_client.hpp"
#include "relay_server.hpp"
#include "zip_check.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace simtest;
namespace json = boost::json;

namespace {

const std::vector<std::string> k_source_args{"--instances", "20", "--domain-suffix", "test.example", "--seed", "3",
                                             "--export-ms", "20:40"};
const std::vector<std::string> k_target_args{"--instances", "5", "--domain-suffix", "target.example", "--seed", "9",
                                             "--import-ms", "100:100", "--import-start-ms", "300:300",
                                             "--trust-private-networks"};
constexpr long long k_gib = 1LL << 30;

json::object usage(Sim& sim, const std::string& d) { return sim.get("/instances/" + d + "/disk-usage").json().as_object(); }

long long number(const json::object& o, const char* key) {
  return o.contains(key) ? std::stoll(std::string(o.at(key).as_string())) : 0;
}

json::object attributes(Sim& sim, const std::string& d) {
  return sim.get("/instances/" + d).json().at("data").at("attributes").as_object();
}

bool importing(Sim& sim, const std::string& d) {
  const auto a = attributes(sim, d);
  return a.contains("blocking_reason") && a.at("blocking_reason") == "IMPORTING" && a.contains("blocked");
}

// The export token (the export's id) once the source's export is done.
std::string export_token(Sim& sim, const std::string& d) {
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  std::string token;
  REQUIRE(eventually([&] {
    auto r = sim.get("/_sim/exports/" + d);
    if (r.status != 200 || r.json().at("state") != "done") return false;
    token = std::string(r.json().at("move_token").as_string());
    return true;
  }));
  return token;
}

// The first source instance matching `wanted` on its disk-usage.
std::string pick(Sim& sim, const std::function<bool(const json::object&)>& wanted) {
  for (int i = 0; i < 20; ++i)
    if (wanted(usage(sim, domain(i)))) return domain(i);
  FAIL("no source instance fits");
  return {};
}

// Bytes of the files part 0 of an export holds, read the way a careful client reads them.
long long part0_file_bytes(Sim& source, const std::string& token) {
  const auto zip = check_zip(source.get_public("/move/exports/data/" + token).body);
  REQUIRE(zip.ok);
  return audit_part(zip).file_bytes;
}

}  // namespace

TEST_CASE("import from a second stack: the target's disk-usage files and versions are the source's",
          "[import]") {
  Sim source(k_source_args);
  Sim target(k_target_args);
  const auto from = pick(source, [](const json::object& u) { return u.contains("versions"); });
  const auto to = domain(1, "target.example");
  const auto token = export_token(source, from);
  const auto own = export_token(target, to);  // the target's own export, which the wipe keeps
  const auto before = usage(target, to);

  REQUIRE(target.post("/instances/" + to + "/import?manifest_url=" + source.public_base() + "/move/exports/" + token).status == 204);
  // The job has not started: the target looks untouched.
  CHECK_FALSE(attributes(target, to).contains("blocked"));
  CHECK(usage(target, to) == before);
  CHECK(target.get("/_sim/exports/" + to).status == 200);
  REQUIRE(eventually([&] { return importing(target, to); }));
  REQUIRE(eventually([&] { return target.stat("imports_done") == 1; }));

  const auto source_usage = usage(source, from), target_usage = usage(target, to);
  CHECK(number(target_usage, "files") > 0);
  CHECK(number(target_usage, "files") == number(source_usage, "files"));
  CHECK(number(target_usage, "versions") > 0);
  CHECK(number(target_usage, "versions") == number(source_usage, "versions"));
  CHECK(number(target_usage, "versions_count") == number(source_usage, "versions_count"));
  CHECK(number(target_usage, "used") == number(target_usage, "files") + number(target_usage, "versions"));
  CHECK(target.stat("import_bytes") == number(target_usage, "used"));
  CHECK_FALSE(attributes(target, to).contains("blocked"));
  // Export documents and archives are the stack's, not the instance's: the
  // wipe keeps the target's own export, found by id as GetExport finds it.
  CHECK(target.get("/_sim/exports/" + to).status == 200);
  CHECK(target.get_public("/move/exports/" + own).status == 200);
  CHECK(source.get("/_sim/exports/" + from).json().at("fully_read") == true);
  CHECK(target.stat("stack_mails") == 1);
  CHECK(target.stat("imports_refused_private") == 0);
}

TEST_CASE("import progress: the target's files grow part by part, while it is IMPORTING", "[import]") {
  Sim source(k_source_args);
  Sim target(k_target_args);
  const auto from = pick(source, [](const json::object& u) { return number(u, "used") > k_gib; });  // 2 parts or more
  const auto to = domain(2, "target.example");
  const auto token = export_token(source, from);
  const long long first = part0_file_bytes(source, token);
  REQUIRE(first > 0);
  RelayServer relay(source.public_base(), {std::chrono::milliseconds(1500), false});

  REQUIRE(target.post("/instances/" + to + "/import?manifest_url=" + relay.base() + "/move/exports/" + token).status == 204);
  // Part 0 is restored before part 1 is fetched.
  CHECK(eventually([&] { return importing(target, to) && number(usage(target, to), "files") == first; }));
  REQUIRE(eventually([&] { return target.stat("imports_done") == 1; }, std::chrono::seconds(15)));
  CHECK(number(usage(target, to), "files") == number(usage(source, from), "files"));
  CHECK(number(usage(target, to), "files") > first);
  CHECK(relay.later_parts_served() >= 1);
}

TEST_CASE("import: a later part that is no zip fails the import at the end, part 0 stays restored", "[import]") {
  Sim source(k_source_args);
  Sim target(k_target_args);
  const auto from = pick(source, [](const json::object& u) { return number(u, "used") > k_gib; });
  const auto to = domain(3, "target.example");
  const auto token = export_token(source, from);
  const long long first = part0_file_bytes(source, token);
  RelayServer relay(source.public_base(), {std::chrono::milliseconds(0), true});

  REQUIRE(target.post("/instances/" + to + "/import?manifest_url=" + relay.base() + "/move/exports/" + token).status == 204);
  REQUIRE(eventually([&] { return target.stat("imports_failed") == 1; }));
  CHECK(target.stat("imports_done") == 0);
  CHECK(target.stat("import_bytes") == 0);
  CHECK(target.stat("stack_mails") == 1);
  CHECK_FALSE(attributes(target, to).contains("blocked"));
  CHECK(number(usage(target, to), "files") == first);
  CHECK(relay.later_parts_served() == static_cast<int>(source.get("/_sim/exports/" + from).json().at("parts_cursors").as_array().size()));
}

TEST_CASE("import: a failure lifts an earlier block, import_never_finish stays IMPORTING with its usage restored",
          "[import]") {
  Sim source(k_source_args);
  Sim target(k_target_args);
  const auto from = domain(4);
  const auto token = export_token(source, from);
  const auto manifest = source.public_base() + "/move/exports/" + token;

  const auto blocked = domain(0, "target.example");
  REQUIRE(target.patch("/instances/" + blocked + "?Blocked=true&BlockingReason=PAYMENT_FAILED").status == 200);
  REQUIRE(target.post("/instances/" + blocked + "/import?manifest_url=" + source.public_base() + "/move/exports/nope").status == 204);
  REQUIRE(eventually([&] { return target.stat("imports_failed") == 1; }));
  CHECK_FALSE(attributes(target, blocked).contains("blocked"));

  target.faults(R"({"import_never_finish":1})");
  const auto stuck = domain(4, "target.example");
  REQUIRE(target.post("/instances/" + stuck + "/import?manifest_url=" + manifest).status == 204);
  REQUIRE(eventually([&] { return number(usage(target, stuck), "files") == number(usage(source, from), "files"); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // past --import-ms
  CHECK(importing(target, stuck));
  CHECK(target.stat("imports_done") == 0);
  // The import worker's 3 h Timeout is a context deadline move.Import never reads: no end, ever.
  target.advance(4 * 3600);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(importing(target, stuck));
  CHECK(target.stat("imports_done") + target.stat("imports_failed") == 1);
}

TEST_CASE("import: the target's disk quota refuses the files beyond it, and the import fails", "[import]") {
  Sim source(k_source_args);
  Sim target(k_target_args);
  const auto from = pick(source, [](const json::object& u) { return number(u, "files") > 0; });
  const auto to = domain(0, "target.example");
  const auto token = export_token(source, from);
  const long long files = number(usage(source, from), "files");
  // A quota of half the source's files: CheckAvailableDiskSpace refuses each
  // file that would go past it, the importer goes on, the job fails.
  const long long quota = files / 2;
  REQUIRE(target.patch("/instances/" + to + "?DiskQuota=" + std::to_string(quota)).status == 200);
  REQUIRE(target.post("/instances/" + to + "/import?manifest_url=" + source.public_base() + "/move/exports/" + token)
              .status == 204);
  REQUIRE(eventually([&] { return target.stat("imports_failed") == 1; }));
  CHECK(target.stat("imports_done") == 0);
  CHECK_FALSE(attributes(target, to).contains("blocked"));
  const auto after = usage(target, to);
  CHECK(number(after, "files") + number(after, "versions") <= quota);
  CHECK(number(after, "files") < files);
  CHECK(number(after, "quota") == quota);

  // The same import on a target without quota restores everything.
  const auto free_target = domain(1, "target.example");
  REQUIRE(target.post("/instances/" + free_target + "/import?manifest_url=" + source.public_base() + "/move/exports/" +
                      token).status == 204);
  REQUIRE(eventually([&] { return target.stat("imports_done") == 1; }));
  CHECK(number(usage(target, free_target), "files") == files);
}

namespace {

// A second export of `d` (the first one's token `first` is then replaced):
// the new export's token once it is done.
std::string replacing_token(Sim& sim, const std::string& d, const std::string& first) {
  REQUIRE(sim.post("/instances/" + d + "/export?admin-req=true").status == 202);
  std::string token;
  REQUIRE(eventually([&] {
    auto r = sim.get("/_sim/exports/" + d);
    if (r.status != 200 || r.json().at("state") != "done") return false;
    token = std::string(r.json().at("move_token").as_string());
    return token != first;
  }));
  return token;
}

}  // namespace

TEST_CASE("import from a replaced export: the manifest is found (done), the target is wiped, part 0 is an empty "
          "zip, the later parts' files find no folder and the import fails, a single-part one succeeds empty",
          "[import]") {
  Sim source(k_source_args);
  Sim target(k_target_args);
  const auto big = pick(source, [](const json::object& u) { return number(u, "used") > k_gib; });
  const auto small = pick(source, [](const json::object& u) {
    return number(u, "used") > 0 && number(u, "used") < k_gib && number(u, "files") > 0;
  });
  const auto old_big = export_token(source, big);
  replacing_token(source, big, old_big);
  const auto old_small = export_token(source, small);
  replacing_token(source, small, old_small);

  const auto to = domain(0, "target.example");
  const auto before = number(usage(target, to), "files");
  REQUIRE(before > 0);
  REQUIRE(target.post("/instances/" + to + "/import?manifest_url=" + source.public_base() + "/move/exports/" + old_big)
              .status == 204);
  REQUIRE(eventually([&] { return target.stat("imports_failed") == 1; }, std::chrono::seconds(15)));
  CHECK(number(usage(target, to), "files") < before);  // wiped: what it held is gone
  CHECK(number(usage(target, to), "files") < number(usage(source, big), "files"));
  CHECK_FALSE(attributes(target, to).contains("blocked"));
  CHECK(source.stat("replaced_parts_served") >= 2);

  const auto other = domain(1, "target.example");
  REQUIRE(target.post("/instances/" + other + "/import?manifest_url=" + source.public_base() + "/move/exports/" +
                      old_small).status == 204);
  REQUIRE(eventually([&] { return target.stat("imports_done") == 1; }, std::chrono::seconds(15)));
  CHECK(number(usage(target, other), "files") == 0);  // the "successful" move that restored nothing
  CHECK(number(usage(target, other), "versions") == 0);
}

namespace {

long long changed_bytes(const boost::json::value& answer, const char* key) {
  long long total = 0;
  for (const auto& f : answer.at(key).as_array()) total += f.at("size").to_number<long long>();
  return total;
}

}  // namespace

// The person (or a sharing) writes in the new space after its import: the
// VFS sums the documents as they are now, so disk-usage must show it, as it
// does on a space never imported (Passage tells an import of its own from a
// space written since by these bytes).
TEST_CASE("change-files on an imported space: disk-usage counts the files created and destroyed after the import",
          "[import][edits]") {
  Sim source(k_source_args);
  Sim target(k_target_args);
  const auto from = pick(source, [](const json::object& u) { return number(u, "files") > 0; });
  const auto to = domain(1, "target.example");
  const auto token = export_token(source, from);
  REQUIRE(target.post("/instances/" + to + "/import?manifest_url=" + source.public_base() + "/move/exports/" + token)
              .status == 204);
  REQUIRE(eventually([&] { return target.stat("imports_done") == 1; }));
  const long long imported = number(usage(target, to), "files");
  REQUIRE(imported == number(usage(source, from), "files"));

  auto created = target.post("/_sim/change-files?domain=" + to + "&op=create&count=2");
  REQUIRE(created.status == 200);
  const long long grown = imported + changed_bytes(created.json(), "changed");
  CHECK(number(usage(target, to), "files") == grown);
  CHECK(number(usage(target, to), "used") == grown + number(usage(target, to), "versions"));

  auto destroyed = target.post("/_sim/change-files?domain=" + to + "&op=destroy&count=1");
  REQUIRE(destroyed.status == 200);
  const long long shrunk = number(usage(target, to), "files");
  CHECK(shrunk < grown);
  CHECK(shrunk == std::max(0LL, grown - changed_bytes(destroyed.json(), "changed")));
}
