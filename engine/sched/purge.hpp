#pragma once
// One night's purge (CONTRACT.md "Purge, throttle and breaker"): GRACE
// accounts whose grace ended become PURGE_DUE; every PURGE_DUE account is
// checked against the interlocks; too many counted failures trip the
// breaker and nothing at all is deleted; otherwise at most max_per_run
// spaces are deleted, earliest grace end first.

#include <map>
#include <string>
#include <vector>

#include "engine/config/config.hpp"
#include "engine/env/clock.hpp"
#include "engine/store/store.hpp"

namespace passage {

struct PurgeOptions {
  bool dry_run = false;  // decide everything, change nothing
  std::string actor = "nightly";
};

struct PurgeReport {
  int due = 0;
  int deleted = 0;
  int already_gone = 0;
  int held = 0;
  int reexport = 0;
  int unreadable = 0;   // stays PURGE_DUE, not counted by the breaker
  int delete_failed = 0;  // DELETE failed tonight: stays PURGE_DUE
  int deferred = 0;     // over max_per_run: next night
  int not_yet = 0;      // grace not ended by this purge's clock: a later night
  std::map<std::string, int> interlock_failures;
  bool directory_check = false;
  bool tripped = false;
  std::string reason;
  bool dry_run = false;  // decided only: nothing was changed
  // Stacks whose last call got no answer, and the mail relay's likewise.
  std::vector<std::string> stacks_unreached;
  bool relay_unreached = false;
};

PurgeReport purge_night(const Config& config, Store& store, const Clock& clock,
                        const PurgeOptions& options);

// The purge report document (CONTRACT.md "Outputs").
std::string purge_report_json(const PurgeReport& report);

}  // namespace passage
