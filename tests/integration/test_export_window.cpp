// The export window gates new export requests only (CONTRACT.md
// "Configuration keys": export_window is read in `timezone`).

#include <catch2/catch.hpp>

#include "tests/integration/probe.hpp"
#include "tests/support/process.hpp"

using namespace passage::testing;

namespace {

const char* k_config = R"(database: var/passage.db
timezone: Europe/Paris
stacks:
  - name: academy
    backend: dry-run
    domains: ["*.mytoutatice.cloud"]
    rate: { per_second: 1000, burst: 100 }
    max_in_flight: 16
    max_exports_in_flight: 8
    export_window: "20:00-06:00"
    dry_run: { seed: 3, transient_failure_rate: 0, duration_ms: [1, 3] }
notify: { notifier: outbox, dir: var/outbox }
reports: { dir: var/reports }
serve: { public_url: https://passage.test }
)";

}  // namespace

TEST_CASE("Exports wait for the export window and start when it opens", "[window]") {
  Workspace ws;
  ws.write("c.yaml", k_config);
  ws.write("accounts.csv",
           "login,domain,action,email,target,departure_date,reason\n"
           "u1,u1.mytoutatice.cloud,export,u1@example.org,,2026-11-01,\n"
           "u2,u2.mytoutatice.cloud,export,u2@example.org,,2026-11-01,\n");
  REQUIRE(ws.passage({"campaign", "create", "c1", "--accounts", "accounts.csv", "--now",
                      "2026-11-25T12:00:00"}).exit_code == 0);

  ProcessResult noon = ws.passage({"run", "--until-idle", "--now", "2026-11-25T12:00:00"});
  INFO("noon run stderr: " << noon.err);
  REQUIRE(noon.exit_code == 0);
  Db db(ws.database());
  // Still queued, their timer at 20:00 local (19:00 UTC), no export intent.
  CHECK(db.scalar("SELECT COUNT(*) FROM accounts WHERE state = 'QUEUED' "
                  "AND due_at = '2026-11-25T19:00:00.000Z'") == 2);
  CHECK(db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'export'") == 0);

  ProcessResult evening = ws.passage({"run", "--until-idle", "--now", "2026-11-25T20:00:00"});
  INFO("evening run stderr: " << evening.err);
  REQUIRE(evening.exit_code == 0);
  CHECK(db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'export'") == 2);
  CHECK(db.scalar("SELECT COUNT(*) FROM accounts WHERE state = 'GRACE'") == 2);
}
