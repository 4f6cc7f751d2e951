#pragma once
// One night's purge (CONTRACT.md "Purge, throttle and breaker"): GRACE
// accounts whose grace ended become PURGE_DUE; every PURGE_DUE account is
// checked against the interlocks; too many counted failures trip the
// breaker and nothing at all is deleted; otherwise at most max_per_run
// spaces are deleted, earliest grace end first.

#include <string>
#include <vector>

#include "engine/config/config.hpp"
#include "engine/env/clock.hpp"
#include "engine/sched/purge_report.hpp"
#include "engine/store/store.hpp"

namespace passage {

struct PurgeOptions {
  bool dry_run = false;  // decide everything, change nothing
  std::string actor = "nightly";
};

// The order max_per_run cuts in: earliest grace end first, then the
// account id, so that a dry run and the night list the same accounts.
void sort_for_purge(std::vector<Account>& due);

PurgeReport purge_night(const Config& config, Store& store, const Clock& clock,
                        const PurgeOptions& options);

}  // namespace passage
