// Attacks on exports as the admin socket announces them, on the evidence
// taken from them, and on user-driven moves (issue 11): a person's own
// export, a move's export, clocks apart, an export gone stale before it was
// read. Each test says what was observed before its fix. Both clocks move
// together (`--now` and /_sim/clock); waits are bounded, on what the
// simulator or the database shows.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>

#include "tests/integration/grace_stand.hpp"

using namespace passage::testing;
using namespace passage::testing::grace;
namespace json = boost::json;

namespace {

std::string domain_of(int n) { return login_of(n) + ".mytoutatice.cloud"; }

std::int64_t journal_count(const Workspace& ws, const std::string& kind) {
  Db db(ws.database());
  return db.scalar("SELECT COUNT(*) FROM journal WHERE kind = '" + kind + "'");
}

std::string account_column(const Workspace& ws, const std::string& column) {
  Db db(ws.database());
  return db.rows("SELECT " + column + " FROM accounts ORDER BY id LIMIT 1")[0][0];
}

// The id of the instance's current export once it is `state`, else empty.
std::string current_export_id(const CozySim& sim, const std::string& domain, const std::string& state) {
  const json::value exported = sim.export_of(domain);
  if (!exported.is_object() || exported.at("state") != state.c_str()) return {};
  return std::string(exported.at("_id").as_string());
}

}  // namespace

// Was: the person's export became Passage's evidence (VERIFIED, then
// NOTIFIED "your export is ready" on an export the stack had already mailed
// the person about), because it was created after Passage's request and
// Passage takes the first finished export of the domain from then on. The
// person's export (admin-req=false) never gets the CREATED(done) that the
// stack's NotifyRealtime sends for an admin request: nothing says it is
// Passage's, and its options are the person's (with_doctypes, max_age).
TEST_CASE("A person's own export created after Passage's request whose own job was lost never becomes "
          "Passage's evidence",
          "[cozy-admin][evidence][attack]") {
  Options options;
  options.accounts = 1;
  Stand s(options);  // export_deadline: 60 seconds
  s.sim->put_faults(R"({"export_silent_fail": 1})");
  BackgroundProcess run(s.ws.passage_argv({"run", "--max-duration", "10 minutes", "--now", iso_utc(s.now)}),
                        s.ws.dir(), s.ws.dir() / "run.out", s.ws.dir() / "run.err", s.ws.environment());
  // Passage's job ran and ended, its events lost.
  REQUIRE(wait_until([&] { return !current_export_id(*s.sim, domain_of(1), "error").empty(); }, Millis(20000),
                     Millis(20)));
  s.sim->clear_faults();
  // The person exports the space from their settings, after Passage's request.
  REQUIRE(s.sim->call("POST", "/_sim/user-export?domain=" + domain_of(1)).status == 202);
  std::string person_export;
  REQUIRE(wait_until([&] { return !(person_export = current_export_id(*s.sim, domain_of(1), "done")).empty(); },
                     Millis(20000), Millis(20)));
  // Either it is taken (evidence) or recorded as the person's.
  const bool settled = wait_until([&] {
    return account_column(s.ws, "evidence") != "" || journal_count(s.ws, "foreign_export") >= 1;
  }, Millis(60000), Millis(100));
  ::kill(run.pid(), SIGTERM);
  REQUIRE(run.wait_exit(Millis(120000)));
  INFO("run stderr: " << read_file(s.ws.dir() / "run.err"));
  INFO("state: " << account_column(s.ws, "state") << " (" << account_column(s.ws, "state_reason") << ")");
  REQUIRE(settled);
  const std::string evidence = account_column(s.ws, "evidence");
  INFO("evidence: " << evidence);
  CHECK(evidence.find(person_export) == std::string::npos);
  CHECK(journal_count(s.ws, "foreign_export") == 1);
  CHECK(outbox_notices(s.ws.outbox_dir(), "export_ready").empty());
}

namespace {

// The workspace's environment plus PASSAGE_FAULTS=`faults` (empty: none).
void set_passage_faults(Workspace& ws, const Environment& base, const std::string& faults) {
  Environment env = base;
  if (!faults.empty()) env.emplace_back("PASSAGE_FAULTS", faults);
  ws.set_environment(env);
}

std::string notice_text(const Workspace& ws, const std::string& kind, const std::string& domain) {
  const auto told = outbox_notices(ws.outbox_dir(), kind);
  const auto found = told.find(domain);
  return found == told.end() ? std::string() : found->second;
}

}  // namespace

TEST_CASE("An export_ready notice sent only after the stack's export expired does not tell the person to "
          "download it",
          "[cozy-admin][notices][attack]") {
  Options options;
  options.accounts = 1;
  options.departure = [](int) { return std::string("2026-12-10"); };  // within the lead: exported now
  Stand s(options);
  const Environment base = s.ws.environment();
  // The relay refuses every notice for ten days: the export is verified, the
  // person not yet told.
  set_passage_faults(s.ws, base, "notice:1+");
  const ProcessResult first = s.passage({"run", "--until-idle"});
  INFO("first run: " << first.exit_code << " " << first.err);
  INFO("state after the first run: " << account_column(s.ws, "state") << " ("
                                     << account_column(s.ws, "state_reason") << ")");
  REQUIRE(Db(s.ws.database()).scalar("SELECT COUNT(*) FROM accounts WHERE verified_at IS NOT NULL") == 1);
  REQUIRE(outbox_notices(s.ws.outbox_dir(), "export_ready").empty());
  set_passage_faults(s.ws, base, "");
  s.advance(days(10));
  s.run();
  const std::string told = notice_text(s.ws, "export_ready", domain_of(1));
  INFO("notice:\n" << told);
  REQUIRE_FALSE(told.empty());
  // The stack's link died 7 days after the export: nothing to download there.
  CHECK(told.find("avant le") == std::string::npos);
  CHECK(told.find("a expir") != std::string::npos);
}

// Was: GRACE on the first export, and deleted after the grace: the
// departure check read activity on the day before the export's completion
// as older than the export, though the stack reports a session's activity
// up to a day late (last_seen refreshed once a day) and in its own local
// day (CONTRACT.md "Reading the stack safely": the stale rule compares with
// the day before the completion day). Work done after the export on its
// completion day was never exported.
TEST_CASE("Activity reported for the day before the export completed makes the evidence stale at departure",
          "[cozy-admin][evidence][activity][attack]") {
  Options options;
  options.accounts = 1;
  options.departure = [](int) { return std::string("2026-12-10"); };
  Stand s(options);
  // The person works in the space on 25 November (the stack's day).
  REQUIRE(s.sim->call("POST", "/_sim/edit-files?domain=" + domain_of(1) + "&count=1&activity=true").status == 200);
  // The export completes on 26 November; the person's work on the 26th after
  // it shows as the 25th (the session's last_seen was refreshed on the 25th).
  s.advance(hours(25));
  s.run();
  REQUIRE(account_column(s.ws, "state") == "NOTIFIED");
  REQUIRE(route_count(s.sim->stats(), "POST /instances/:domain/export", "202") == 1);
  // Departure (10 December, local midnight): the departure check.
  s.advance_to(parse_iso_utc("2026-12-10T02:00:00Z"));
  s.run();
  INFO("state: " << account_column(s.ws, "state") << " (" << account_column(s.ws, "state_reason") << ")");
  CHECK(account_column(s.ws, "state") != "GRACE");
  CHECK(account_column(s.ws, "reexports") == "1");
  // The final export, once that activity is older than the day before its
  // completion: verified, kept, and the grace starts from it.
  s.advance(days(2));
  s.run();
  INFO("then: " << account_column(s.ws, "state") << " (" << account_column(s.ws, "state_reason") << ")");
  CHECK(route_count(s.sim->stats(), "POST /instances/:domain/export", "202") == 2);
  CHECK(account_column(s.ws, "state") == "GRACE");
}

// Was: VERIFIED, then NOTIFIED and in GRACE, on a first part that lacked
// most of the space's documents (contacts, calendars, passwords, the
// directories): with no file in the space, the content checks had nothing
// to count, and the part, well-formed with its instance.json, passed.
// total_size is exactly the bytes of those documents.
TEST_CASE("A space without files whose first part lost its last documents is never verified on it",
          "[cozy-admin][evidence][attack]") {
  Options options;
  options.accounts = 1;
  Stand s(options);
  const SimAnswer emptied =
      s.sim->call("POST", "/_sim/change-files?domain=" + domain_of(1) + "&op=destroy&count=9999");
  REQUIRE(emptied.status == 200);
  REQUIRE(disk_usage_files(*s.sim, domain_of(1)) == 0);
  // The copy of the job's archive fails midway on every download.
  s.sim->put_faults(R"({"part_missing_entries": 1})");
  s.run();
  INFO("state: " << account_column(s.ws, "state") << " (" << account_column(s.ws, "state_reason") << ")");
  REQUIRE(stat(s.sim->stats(), "parts_incomplete_served") > 0);
  CHECK(account_column(s.ws, "evidence") == "");
  // Whole again: verified on a part the stack served whole.
  s.sim->clear_faults();
  s.advance(hours(25));
  s.run();
  INFO("then: " << account_column(s.ws, "state") << " (" << account_column(s.ws, "state_reason") << ")");
  CHECK(account_column(s.ws, "evidence") != "");
  const json::value exported = s.sim->export_of(domain_of(1));
  REQUIRE(exported.is_object());
  CHECK(exported.at("fully_read").as_bool());
}

// Was: with the stack's clock three hours behind, Passage's own export was
// also journaled foreign_export ("not requested by Passage: the person's
// own, or a move's"), for 2 accounts of 3: its first CREATED came before
// the 202 and was judged by Passage's clock minus 10 minutes. The evidence
// itself was right (matched by the job's queued_at, stack time).
TEST_CASE("A stack clock hours apart from Passage's still gives Passage its own export and nothing else",
          "[cozy-admin][evidence][clock][attack]") {
  const auto skew = GENERATE(-3 * 3600, 3 * 3600);
  INFO("stack clock skew (s): " << skew);
  Options options;
  options.accounts = 3;
  Stand s(options);
  s.sim->advance_clock(skew);
  const auto started = std::chrono::steady_clock::now();
  s.run();
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));  // no deadline reached
  Db db(s.ws.database());
  CHECK(db.scalar("SELECT COUNT(*) FROM accounts WHERE state = 'GRACE'") == options.accounts);
  CHECK(journal_count(s.ws, "foreign_export") == 0);
  CHECK(route_count(s.sim->stats(), "POST /instances/:domain/export", "202") == options.accounts);
}

// Held (no defect found): the stack's export expired (7 days) before
// Passage could download it whole: its data route answers 404, the export
// is requested again (the 24-hour rule long past), and the evidence is the
// new export, never a part of the expired one.
TEST_CASE("An export that expired before its parts were all downloaded is exported again and never evidence",
          "[cozy-admin][evidence][attack]") {
  Options options;
  options.accounts = 1;
  options.extra = "retry_budget: 30\n";
  Stand s(options);
  s.sim->put_faults(R"({"truncate_part": 1})");  // every download comes cut
  BackgroundProcess run(s.ws.passage_argv({"run", "--max-duration", "5 seconds", "--now", iso_utc(s.now)}),
                        s.ws.dir(), s.ws.dir() / "run.out", s.ws.dir() / "run.err", s.ws.environment());
  REQUIRE(run.wait_exit(k_timeout));
  const std::string first_id = current_export_id(*s.sim, domain_of(1), "done");
  REQUIRE_FALSE(first_id.empty());
  REQUIRE(account_column(s.ws, "evidence") == "");
  s.sim->clear_faults();
  s.advance(days(8));  // past the export's expires_at
  s.run();
  INFO("state: " << account_column(s.ws, "state") << " (" << account_column(s.ws, "state_reason") << ")");
  const std::string evidence = account_column(s.ws, "evidence");
  REQUIRE(evidence != "");
  CHECK(evidence.find(first_id) == std::string::npos);
  CHECK(route_count(s.sim->stats(), "POST /instances/:domain/export", "202") == 2);
}
