#pragma once
// The runner: one event loop that takes due accounts, within each stack's
// limits, through the lifecycle (`passage run`). It never deletes.
//
// Each due account gets one coroutine that applies the lifecycle, commits
// every transition (with its intent) before acting, performs the effects
// through the backend or the notifier, and feeds the outcome back.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/config/config.hpp"
#include "engine/env/clock.hpp"
#include "engine/store/store.hpp"

namespace passage {

struct RunOptions {
  std::optional<std::int64_t> campaign_id;  // all campaigns when empty
  bool until_idle = false;
  std::optional<Millis> max_duration;
  // After max_duration: how long exports already requested are awaited.
  Millis drain{0};
  std::string actor = "nightly";
  // Progress on stderr: none, a live line (a terminal), or a plain line a
  // minute (a log).
  enum class Progress { none, live, lines } progress = Progress::none;
};

struct RunSummary {
  int steps = 0;     // transitions committed
  int failed = 0;    // accounts FAILED at the end (in scope)
  int lookups = 0;   // instance lookups answered
  int lookups_404 = 0;
  // Accounts held lookup_404_storm: too many lookups answered 404 for a
  // 404 to be believed (CONTRACT.md "Reading the stack safely").
  int storm_held = 0;
  // Stacks whose last call got no answer, and the mail relay's likewise.
  std::vector<std::string> stacks_unreached;
  bool relay_unreached = false;
  // Exports still awaited when the run stopped, left to the next run.
  int exports_left = 0;
  bool reached_max_duration = false;
  bool stopped_by_signal = false;  // SIGINT or SIGTERM: no new work after it
};

// The hold reason of an account whose lookup answered 404 during a storm.
inline constexpr const char* k_lookup_404_storm = "lookup_404_storm";

// True when `lookups_404` 404s among `lookups` answered lookups are more
// than max(5, 10 %): a stack that lost its instances, not people gone.
bool is_lookup_404_storm(int lookups_404, int lookups);

// Runs until idle (or until stopped by SIGTERM/SIGINT or max_duration).
RunSummary run_accounts(const Config& config, Store& store, const Clock& clock,
                        const RunOptions& options);

}  // namespace passage
