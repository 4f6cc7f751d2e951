#pragma once
// One lifecycle event applied to an account and committed as a
// compare-and-set (STYLE.md): read, decide, write only if nobody committed
// the account meanwhile, else read again and decide again. Support actions
// and running commands therefore never overwrite each other's decisions.

#include <string>

#include "engine/lifecycle/lifecycle.hpp"
#include "engine/store/store.hpp"

namespace passage {

// Applies `event` to `snapshot` (or, when the snapshot turns out stale, to
// the account as stored now) and commits the transition journaled as
// `actor`. Returns the committed transition, or the lifecycle's refusal
// on the row that was current when it refused.
StepResult apply_and_commit(Store& store, const Account& snapshot, const Event& event, Instant now,
                            const Policy& policy, const std::string& actor);

// After a hold, cancel or drop was refused because a DELETE of the account
// is under way: records `reason` as a hold kept pending on the account as
// stored now, so the purge that finds the DELETE did not happen holds it
// instead of deleting it (support.cpp keep_hold_pending). True if recorded.
bool commit_pending_hold(Store& store, std::int64_t account_id, const std::string& reason, Instant now,
                         const std::string& actor);

}  // namespace passage
