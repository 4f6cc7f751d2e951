#include "tests/integration/fault_stand.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "tests/integration/probe.hpp"

namespace passage::testing::faults {

namespace json = boost::json;
namespace fs = std::filesystem;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

namespace {

// 09:00 UTC; every departure (2026-10-01) is past: one run exports,
// notifies and reaches GRACE; grace (1 month) ends in late December.
const SysSeconds k_t = parse_iso_utc("2026-11-25T09:00:00Z");
const std::string k_departed = "2026-10-01";
constexpr Millis k_step_timeout{120000};

std::string stack_yaml(const std::string& name, int port, const std::string& domains,
                       const std::string& rate = "{ per_second: 2000, burst: 200 }", int max_exports = 16) {
  std::ostringstream text;
  text << "  - name: " << name << "\n"
       << "    backend: cozy-admin\n"
       << "    url: http://127.0.0.1:" << port << "\n"
       << "    passphrase_env: " << k_passphrase_variable << "\n"
       << "    domains: [\"" << domains << "\"]\n"
       << "    rate: " << rate << "\n"
       << "    max_in_flight: 32\n"
       << "    max_exports_in_flight: " << max_exports << "\n"
       << "    export_deadline: 60 seconds\n"
       << "    import_deadline: 60 seconds\n";
  return text.str();
}

const std::string k_academy_rate = "{ per_second: 2000, burst: 200 }";

std::string accounts_header() { return "login,domain,action,email,target,departure_date,reason\n"; }

const std::vector<std::string> k_sim_flags{"--export-workers", "16", "--export-ms", "5:20",
                                           "--delete-ms",      "1:5"};

}  // namespace

FaultStand::FaultStand(int exports, const std::vector<std::string>& target_flags)
    : now(k_t), m_accounts(exports + 1) {
  std::string accounts = accounts_header();
  for (int n = 1; n <= exports; ++n)
    accounts += login_of(n) + "," + login_of(n) + ".mytoutatice.cloud,export," + login_of(n) +
                "@example.org,," + k_departed + ",left\n";
  const std::string mover = login_of(exports + 1);
  accounts += mover + "," + mover + ".mytoutatice.cloud,move," + mover + "@example.org,https://" + mover +
              ".partner.test," + k_departed + ",left\n";
  ws.write("accounts.csv", accounts);
  // Spaces nobody listed, as on a real stack: it never counts zero instances.
  ws.write("universe.csv", accounts + "bystander,bystander.mytoutatice.cloud,export,b@example.org,,2030-01-01,\n");
  ws.write("partner.csv", accounts_header() + mover + "," + mover + ".partner.test,export," + mover +
                              "@example.org,," + k_departed + ",left\n");
  fs::create_directories(ws.dir() / "source");
  fs::create_directories(ws.dir() / "target");
  // Started two days early: the simulator's people were last active before
  // its start day, so no space shows activity on the export day.
  source = std::make_unique<CozySim>(ws.dir() / "source", ws.dir() / "universe.csv", iso_utc(now - days(2)),
                                     k_sim_flags);
  std::vector<std::string> partner_flags = k_sim_flags;
  partner_flags.insert(partner_flags.end(), target_flags.begin(), target_flags.end());
  target = std::make_unique<CozySim>(ws.dir() / "target", ws.dir() / "partner.csv", iso_utc(now - days(2)),
                                     partner_flags);
  source->advance_clock(std::chrono::duration_cast<seconds>(days(2)).count());
  target->advance_clock(std::chrono::duration_cast<seconds>(days(2)).count());
  ws.set_environment({{k_passphrase_variable, k_sim_passphrase}});
  write_config("http://127.0.0.1:9");  // nothing answers there until serve is up
  ProcessResult created = run(Step{seconds(0), {"campaign", "create", "c1", "--accounts", "accounts.csv"}});
  INFO("campaign create stderr: " << created.err);
  REQUIRE(created.exit_code == 0);
  serve = std::make_unique<PublicServe>(ws, iso_utc(now), "serve");
  write_config(serve->base());
}

FaultStand::~FaultStand() = default;

void FaultStand::write_config(const std::string& public_url) const {
  ws.write("c.yaml", "database: var/passage.db\n"
                     "timezone: Europe/Paris\n"
                     "allow_future_purge: true\n"
                     "stacks:\n" +
                         stack_yaml("academy", source->port(), "*.mytoutatice.cloud", k_academy_rate, m_academy_max_exports) +
                         stack_yaml("partner", target->port(), "*.partner.test", m_partner_rate) +
                         "notify: { notifier: outbox, dir: var/outbox }\n"
                         "reports: { dir: var/reports }\n"
                         "purge: { max_per_run: 5000 }\n"
                         "metrics: { textfile: var/metrics.prom }\n"
                         "serve: { public_listen: \"127.0.0.1:0\", public_url: \"" +
                         public_url + "\" }\n"
                         "move: { overwrite: " + (m_overwrite ? "true" : "false") + " }\n");
}

void FaultStand::set_academy_max_exports(int max_exports) {
  m_academy_max_exports = max_exports;
  write_config(serve->base());
}

void FaultStand::set_partner_rate(const std::string& rate) {
  m_partner_rate = rate;
  write_config(serve->base());
}

void FaultStand::set_move_overwrite(bool on) {
  m_overwrite = on;
  write_config(serve->base());
}

ProcessResult FaultStand::run(const Step& step, const std::string& faults, const fs::path& log) {
  if (step.advance.count() > 0) {
    now += step.advance;
    source->advance_clock(step.advance.count());
    target->advance_clock(step.advance.count());
  }
  std::vector<std::string> args = step.args;
  args.insert(args.end(), {"--now", iso_utc(now)});
  Environment env = ws.environment();
  if (!faults.empty()) env.emplace_back("PASSAGE_FAULTS", faults);
  if (!log.empty()) env.emplace_back("PASSAGE_FAULTS_LOG", log.string());
  ProcessResult result = run_process(ws.passage_argv(args), k_step_timeout, ws.dir(), env);
  INFO("passage " << args.front() << " stderr: " << result.err);
  REQUIRE_FALSE(result.timed_out);
  return result;
}

CallCounts FaultStand::read_counts(const fs::path& log) {
  CallCounts counts;
  std::ifstream in(log);
  std::string site;
  long number = 0;
  while (in >> site >> number) counts[site] = std::max(counts[site], number);
  return counts;
}

std::int64_t FaultStand::stat_sum(const char* key) const {
  return stat(source->stats(), key) + stat(target->stats(), key);
}

std::vector<Step> campaign_steps() {
  return {Step{seconds(0), {"run", "--until-idle"}},
          Step{std::chrono::duration_cast<seconds>(hours(25)), {"run", "--until-idle"}},
          Step{std::chrono::duration_cast<seconds>(days(35)), {"purge"}}};
}

std::vector<Step> recovery_steps() {
  const seconds day_and_more = std::chrono::duration_cast<seconds>(hours(25));
  return {Step{day_and_more, {"run", "--until-idle"}}, Step{seconds(0), {"purge"}},
          Step{day_and_more, {"run", "--until-idle"}}, Step{seconds(0), {"purge"}}};
}

namespace {

std::string text_of(const json::object& object, const char* key) {
  const json::value* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

bool has_evidence(const json::object& account) {
  const json::value* evidence = account.if_contains("evidence");
  if (!evidence || !evidence->is_object()) return false;
  const json::object& found = evidence->as_object();
  // The stand's moves are admin-driven: their evidence is the verified
  // export the target imported, parts and all, never a bare "moved".
  const std::string kind = text_of(found, "kind");
  const json::value* parts = found.if_contains("parts");
  if ((kind != "export" && kind != "moved") || !parts || !parts->is_array() || parts->as_array().empty())
    return false;
  for (const json::value& part : parts->as_array())
    if (!part.is_object() || text_of(part.as_object(), "sha256").size() != 64) return false;
  return true;
}

// Final, or waiting with a reason or a timer the database names.
bool settled(Db& db, const std::string& login, const std::string& state) {
  static const std::set<std::string> k_final{"PURGED", "CANCELLED", "NO_SPACE"};
  if (k_final.count(state)) return true;
  const std::string where = " FROM accounts WHERE login = '" + login + "'";
  if (state == "FAILED" || state == "HELD" || state == "RETRY_WAIT")
    return db.scalar("SELECT length(state_reason) > 0" + where) == 1;
  if (state == "GRACE" || state == "NOTIFIED" || state == "PURGE_DUE")
    return db.scalar("SELECT grace_end IS NOT NULL" + where) == 1;
  return false;
}

}  // namespace

int check_recovered(FaultStand& stand, const std::string& what, bool require_settled) {
  INFO(what);
  json::array accounts = report_accounts(stand.ws, "c1");
  REQUIRE(static_cast<int>(accounts.size()) == stand.accounts());
  Db db(stand.ws.database());
  int purged = 0;
  for (const json::value& value : accounts) {
    const json::object& account = value.as_object();
    const std::string login = text_of(account, "login");
    const std::string state = text_of(account, "state");
    INFO("account " << login << " " << state << " (" << text_of(account, "reason") << "): "
                    << json::serialize(account));
    if (require_settled) CHECK(settled(db, login, state));
    if (!account.at("verified_at").is_null() || !account.at("purged_at").is_null() || state == "PURGED")
      CHECK(has_evidence(account));
    purged += state == "PURGED" ? 1 : 0;
  }
  CHECK(stand.stat_sum("unsafe_deletions") == 0);
  CHECK(stand.stat_sum("duplicate_exports_24h") == 0);
  CHECK(stand.stat_sum("deletions") <= stand.accounts());
  auto integrity = db.rows("PRAGMA integrity_check");
  REQUIRE_FALSE(integrity.empty());
  CHECK(integrity[0][0] == "ok");
  ProcessResult audit = stand.ws.passage({"audit", "verify"});
  INFO("audit stderr: " << audit.err);
  CHECK(audit.exit_code == 0);
  return purged;
}

}  // namespace passage::testing::faults
