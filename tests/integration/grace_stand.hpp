// The stand of the grace-and-purge integration tests: a workspace with
// campaign c1 of N export accounts, passage-cozy-sim serving exactly those
// instances, an outbox or a local SMTP sink, and both clocks moved
// together (`--now` and /_sim/clock), never by sleeping.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/probe.hpp"
#include "tests/integration/sim_fixture.hpp"
#include "tests/integration/smtp_fixture.hpp"

namespace passage::testing::grace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

// 09:00 UTC, 10:00 in Paris. Every departure (2026-10-01) is past: one run
// exports, notifies and reaches GRACE; grace (1 month) ends on 25 December.
inline const SysSeconds k_t = parse_iso_utc("2026-11-25T09:00:00Z");
inline const std::string k_departed = "2026-10-01";
inline const std::string k_not_yet = "2027-06-01";  // QUEUED until 21 days before
inline constexpr Millis k_timeout{300000};

// Generous limits: the tests are about grace and purge, not the stack's.
inline const CozyConfig k_fast_limits{2000, 200, 32, 16, "60 seconds"};

struct Options {
  int accounts = 1000;
  // departure_date of account n (1-based); k_departed for all by default.
  std::function<std::string(int)> departure = [](int) { return k_departed; };
  // "move": user-driven moves to https://<login>.mycozy.cloud (no stack of
  // the config serves it); "export" by default.
  std::string action = "export";
  bool smtp = false;  // notices to the SMTP sink, else to the outbox
  bool directory = false;  // directory: csv, directory.csv (all departed at first)
  int max_per_run = 5000;
  double max_fraction = 0.05;
  std::string extra;  // more top-level config lines
  std::vector<std::string> sim_flags;  // more simulator flags (replacing the defaults)
};

inline void replace_once(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
}

// A workspace with campaign c1, the simulator serving exactly its
// instances, and the SMTP sink when asked; both clocks at k_t.
class Stand {
 public:
  explicit Stand(const Options& options) : m_options(options) {
    std::string accounts = "login,domain,action,email,target,departure_date,reason\n";
    for (int n = 1; n <= options.accounts; ++n) {
      const std::string login = login_of(n);
      const std::string target = options.action == "move" ? "https://" + login + ".mycozy.cloud" : "";
      accounts += login + "," + login + ".mytoutatice.cloud," + options.action + "," + login + "@example.org," +
                  target + "," + options.departure(n) + ",left\n";
    }
    ws.write("accounts.csv", accounts);
    // The stack also holds spaces nobody listed, as a real one does: it
    // never counts zero instances, even once every listed one is deleted.
    std::string universe = accounts;
    for (int n = 1; n <= 3; ++n)
      universe += "bystander" + std::to_string(n) + ",bystander" + std::to_string(n) +
                  ".mytoutatice.cloud,export,b@example.org,,2030-01-01,\n";
    ws.write("universe.csv", universe);
    if (options.smtp) sink = std::make_unique<SmtpSink>(ws.dir());
    // The simulator's people were last active up to 400 days before its
    // start day, that day included: started two days early, no space shows
    // activity on the export day (which would ask for a final export).
    sim = std::make_unique<CozySim>(
        ws.dir(), ws.dir() / "universe.csv", iso_utc(k_t - days(2)),
        sim_flags(options));
    sim->advance_clock(std::chrono::duration_cast<seconds>(days(2)).count());
    write_config();
    if (options.directory) write_directory({});
    require_exit(passage({"campaign", "create", "c1", "--accounts", "accounts.csv"}), 0);
  }

  // passage ARGS --now <now>.
  ProcessResult passage(std::vector<std::string> args) const {
    args.push_back("--now");
    args.push_back(iso_utc(now));
    return ws.passage(args, k_timeout);
  }

  static void require_exit(const ProcessResult& result, int code) {
    INFO("stdout: " << result.out);
    INFO("stderr: " << result.err);
    REQUIRE_FALSE(result.timed_out);
    REQUIRE(result.exit_code == code);
  }

  void run() const { require_exit(passage({"run", "--until-idle"}), 0); }
  ProcessResult purge() const { return passage({"purge"}); }

  // Moves passage's next --now and the simulator's clock together.
  void advance_to(SysSeconds at) {
    sim->advance_clock((at - now).count());
    now = at;
  }
  void advance(seconds by) { advance_to(now + by); }

  // directory.csv: every account departed but the logins given active.
  void write_directory(const std::set<std::string>& active) const {
    std::string text = "login,status\n";
    for (int n = 1; n <= m_options.accounts; ++n)
      text += login_of(n) + (active.count(login_of(n)) ? ",active\n" : ",departed\n");
    ws.write("directory.csv", text);
  }

  std::int64_t deletions() const { return stat(sim->stats(), "deletions"); }

  Workspace ws;
  std::unique_ptr<SmtpSink> sink;  // declared after ws: killed before its folder goes
  std::unique_ptr<CozySim> sim;
  SysSeconds now = k_t;

 private:
  void write_config() {
    use_cozy_config(ws, sim->port(), k_fast_limits);
    std::string config = read_file(ws.config());
    if (sink)
      replace_once(config, "notify: { notifier: outbox, dir: var/outbox }\n",
                   "notify: { notifier: smtp, smtp_url: \"" + sink->url() +
                       "\", from: mytoutatice.cloud@ac-test.fr, rate: { per_second: 1000 } }\n");
    std::ostringstream purge;
    purge << "purge: { max_per_run: " << m_options.max_per_run
          << ", max_fraction: " << m_options.max_fraction << " }\n";
    if (m_options.directory) purge << "directory: { provider: csv, file: directory.csv }\n";
    purge << m_options.extra;
    replace_once(config, "purge: { max_per_run: 5000 }\n", purge.str());
    ws.write("c.yaml", config);
  }

  static std::vector<std::string> sim_flags(const Options& options) {
    std::vector<std::string> flags = options.sim_flags;
    auto given = [&](const std::string& flag) {
      return std::find(flags.begin(), flags.end(), flag) != flags.end();
    };
    for (const auto& [flag, value] : {std::pair<std::string, std::string>{"--export-workers", "16"},
                                      {"--export-ms", "5:20"},
                                      {"--delete-ms", "1:5"}})
      if (!given(flag)) flags.insert(flags.end(), {flag, value});
    return flags;
  }

  Options m_options;
};

// The stack `academy` waits `timeout` for a DELETE's answer.
inline void set_delete_timeout(Stand& s, const std::string& timeout) {
  std::string config = read_file(s.ws.config());
  replace_once(config, "    export_deadline: ", "    delete_timeout: " + timeout + "\n    export_deadline: ");
  s.ws.write("c.yaml", config);
}

// DELETE intents without outcome: a deletion Passage cannot yet say happened.
inline std::int64_t open_delete_intents(const Workspace& ws) {
  Db db(ws.database());
  return db.scalar("SELECT COUNT(*) FROM intents WHERE kind = 'delete' AND outcome IS NULL");
}

}  // namespace passage::testing::grace
