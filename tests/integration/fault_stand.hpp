// The stand of the failure-matrix and disk tests (README "Reliability"): a
// small campaign on two passage-cozy-sim stacks (the academy's, and a
// partner's that Passage also administers), `passage serve --public` for
// the admin-driven move, and the campaign's commands as a list of steps,
// each one process, run with or without PASSAGE_FAULTS. Both clocks move
// together (`--now` and /_sim/clock), never by sleeping.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/public_serve.hpp"
#include "tests/integration/sim_fixture.hpp"

namespace passage::testing::faults {

// One command of the campaign: the clock moves by `advance`, then
// `passage ARGS --now <now>` runs.
struct Step {
  std::chrono::seconds advance;
  std::vector<std::string> args;
};

// Calls per side effect of one step, read from PASSAGE_FAULTS_LOG.
using CallCounts = std::map<std::string, long>;

class FaultStand {
 public:
  // `exports` export accounts u0001…, then one admin-driven move to the
  // partner's stack; all departed, both simulators calm. `target_flags`
  // are added to the partner's simulator's command line (its import timing).
  explicit FaultStand(int exports, const std::vector<std::string>& target_flags = {});
  ~FaultStand();

  // Runs `step`; `faults` (empty: none) is given as PASSAGE_FAULTS, and the
  // calls counted go to `log` when it is not empty.
  ProcessResult run(const Step& step, const std::string& faults = {},
                    const std::filesystem::path& log = {});

  // What `log` counted, per site.
  static CallCounts read_counts(const std::filesystem::path& log);

  // `move.overwrite` (on by default: the simulator's targets hold files).
  void set_move_overwrite(bool on);
  // The partner stack's `rate` (YAML flow map): a slow one makes a request
  // to the target wait in Passage's own gate before it is sent.
  void set_partner_rate(const std::string& rate);
  // The academy stack's `max_exports_in_flight` (16 unless set).
  void set_academy_max_exports(int max_exports);

  int accounts() const { return m_accounts; }
  std::int64_t stat_sum(const char* key) const;  // over both simulators

  Workspace ws;
  std::unique_ptr<CozySim> source;
  std::unique_ptr<CozySim> target;
  std::unique_ptr<PublicServe> serve;
  SysSeconds now;

 private:
  void write_config(const std::string& public_url) const;
  int m_accounts = 0;
  bool m_overwrite = true;
  int m_academy_max_exports = 16;
  std::string m_partner_rate = "{ per_second: 2000, burst: 200 }";
};

// The campaign every sequence runs: a run, a second run past the 24-hour
// rule, and a purge past the grace period.
std::vector<Step> campaign_steps();
// The clean restart after a fault: run and purge, clocks moved, twice.
std::vector<Step> recovery_steps();

// What must hold after the recovery (REQUIREs and CHECKs, labelled with
// `what`): every account final or waiting with a reason, none verified or
// deleted without evidence, zero unsafe deletions and duplicate exports,
// `audit verify` and `PRAGMA integrity_check` ok. Returns the number of
// accounts PURGED. Without `require_settled`, accounts may still be in
// flight (right after a refused command): only the safety checks.
int check_recovered(FaultStand& stand, const std::string& what, bool require_settled = true);

}  // namespace passage::testing::faults
