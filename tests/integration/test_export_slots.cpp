// The export slots (CONTRACT.md "Limits"): max_exports_in_flight counts a
// stack's exports from their POST until their event, deadline or failure,
// not while their parts download (issue 15: the slot held for the whole
// drive kept the campaign's exports to the cap's share of its makespan).

#include <catch2/catch.hpp>

#include "tests/integration/probe.hpp"
#include "tests/integration/sim_fixture.hpp"

using namespace passage::testing;

namespace {

const SysSeconds k_start = parse_iso_utc("2026-11-25T09:00:00Z");

// The journal's sequence number of `account`'s first entry whose detail
// starts with `prefix`, 0 when it has none.
std::int64_t first_entry(Db& db, const std::string& login, const std::string& prefix) {
  return db.scalar("SELECT COALESCE(MIN(j.seq), 0) FROM journal j JOIN accounts a ON a.id = j.account_id "
                   "WHERE a.login = '" + login + "' AND j.kind = 'state' AND j.detail LIKE '" + prefix + "%'");
}

// `name`.csv's export campaign run to idle at `cap` exports at once, each
// part taking `part_stall_ms` to come: every account ends NOTIFIED.
void run_all(Workspace& ws, const CozySim& sim, const std::string& name, int cap, int part_stall_ms) {
  use_cozy_config(ws, sim.port(), CozyConfig{400, 400, 8, cap, "30 seconds"});
  sim.put_faults(R"({"part_stall_ms": {"rate": 1, "ms": )" + std::to_string(part_stall_ms) + "}}");
  REQUIRE(ws.passage({"campaign", "create", name, "--accounts", name + ".csv", "--now", iso_utc(k_start)})
              .exit_code == 0);
  ProcessResult run = ws.passage({"run", "--until-idle", "--now", iso_utc(k_start)});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  for (const auto& [login, state] : account_states(ws)) REQUIRE(state == "NOTIFIED");
}

}  // namespace

TEST_CASE("An export's slot serves the next export while its parts download", "[cozy-admin][slots]") {
  Workspace ws;
  write_export_accounts(ws, "two.csv", 2, "2026-12-10");
  CozySim sim(ws.dir(), ws.dir() / "two.csv", iso_utc(k_start), {"--export-ms", "20:20"});
  run_all(ws, sim, "two", 1, 1500);  // one export at a time, every part 1.5 s to come
  Db db(ws.database());
  const std::int64_t first_export_1 = first_entry(db, "u0001", "QUEUED -> EXPORTING");
  const std::int64_t first_export_2 = first_entry(db, "u0002", "QUEUED -> EXPORTING");
  const bool one_first = first_export_1 < first_export_2;
  const std::string first = one_first ? "u0001" : "u0002";
  const std::int64_t second_export = one_first ? first_export_2 : first_export_1;
  // The second export was asked for while the first's parts still came:
  // before the first was verified.
  CHECK(second_export < first_entry(db, first, "VERIFYING -> VERIFIED"));
  CHECK(stat(sim.stats(), "max_admin_exports_open") == 1);
}

TEST_CASE("max_exports_in_flight holds from the export POST to its event", "[cozy-admin][slots]") {
  Workspace ws;
  write_export_accounts(ws, "ten.csv", 10, "2026-12-10");
  CozySim sim(ws.dir(), ws.dir() / "ten.csv", iso_utc(k_start), {"--export-ms", "60:120"});
  run_all(ws, sim, "ten", 2, 200);
  // The cap was reached, never passed.
  CHECK(stat(sim.stats(), "max_admin_exports_open") == 2);
}
