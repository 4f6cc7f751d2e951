#pragma once
// Internal to the lifecycle: the building blocks of transitions and one
// handler per (state, event) row of the table in lifecycle.cpp. Pure.

#include <optional>
#include <string>
#include <vector>

#include "engine/lifecycle/lifecycle.hpp"

namespace passage::steps {

// --- building blocks (steps_common.cpp) ---
Transition move_to(const Account& account, State to, std::string why);
Transition stay(const Account& account, std::string why);
// HELD from `account`'s state with `reason`, joining the holds kept pending
// on it (a support hold or a drop refused while a DELETE was under way):
// each reason is lifted by its own mechanism, none is lost.
Transition hold_for(const Account& account, const std::string& reason, std::string why);
Transition act(const Account& account, std::string why, std::vector<Effect> effects);
Transition fail(const Account& account, std::string reason);
Transition wait_then(const Account& account, State step, Instant at, std::string reason);
std::string failure_reason(const Event& event);
// A notice that cannot go for good: FAILED "no_public_url" when an archive
// link could not be made, "notice_refused" otherwise.
std::string refused_notice_reason(const Event& event);
Transition retry_or_fail(const Account& account, State step, const Event& event, Instant now,
                         const Policy& policy);
Instant departure_instant(const Account& account, const Policy& policy);
bool wants_export(const Account& account);
// The 24-hour rule (CONTRACT.md), measured from the last export request
// that may have been queued: RETRY_WAIT until it allows a new export, or
// nullopt when it already does.
std::optional<Transition> wait_for_export_spacing(const Account& account, Instant now,
                                                  const Policy& policy);
// A retry of a step that may have exported waits at least for the rule.
void retry_after_export_spacing(Transition& transition, const Account& account,
                                const Policy& policy);
StepResult start_export(const Account& account, Instant now, const Policy& policy);
StepResult start_user_move(const Account& account, Instant now, const Policy& policy);
Transition verified(const Account& account, const Evidence& evidence, Instant now,
                    const Policy& policy);

// --- QUEUED, EXPORTING, VERIFYING, MOVING (steps_export.cpp) ---
StepResult queued_due(const Account& account, const Event&, Instant, const Policy&);
StepResult queued_window_closed(const Account& account, const Event& event, Instant now,
                                const Policy&);
StepResult queued_lookup_ok(const Account& account, const Event&, Instant now,
                            const Policy& policy);
StepResult lookup_missing(const Account& account, const Event&, Instant, const Policy&);
StepResult lookup_moved(const Account& account, const Event&, Instant now, const Policy& policy);
StepResult queued_lookup_blocked(const Account& account, const Event& event, Instant now,
                                 const Policy& policy);
StepResult queued_failure(const Account& account, const Event& event, Instant now,
                          const Policy& policy);
StepResult exporting_queued(const Account& account, const Event&, Instant, const Policy&);
StepResult exporting_resume(const Account& account, const Event&, Instant, const Policy&);
StepResult exporting_due(const Account& account, const Event& event, Instant now,
                         const Policy& policy);
StepResult exporting_done(const Account& account, const Event& event, Instant now,
                          const Policy& policy);
StepResult exporting_failure(const Account& account, const Event& event, Instant now,
                             const Policy& policy);
StepResult verifying_due(const Account& account, const Event&, Instant, const Policy&);
StepResult evidence_ok(const Account& account, const Event& event, Instant now,
                       const Policy& policy);
StepResult verifying_failure(const Account& account, const Event& event, Instant now,
                             const Policy& policy);
StepResult moving_due(const Account& account, const Event& event, Instant now,
                      const Policy& policy);
StepResult moving_failure(const Account& account, const Event& event, Instant now,
                          const Policy& policy);

// --- INVITED, VERIFIED, NOTIFIED, GRACE, PURGE_DUE, RETRY_WAIT (steps_notice.cpp) ---
StepResult invited_due(const Account& account, const Event&, Instant now, const Policy& policy);
StepResult invited_notice_sent(const Account& account, const Event&, Instant now,
                               const Policy& policy);
StepResult invited_resume(const Account& account, const Event&, Instant, const Policy&);
StepResult invited_not_moved(const Account& account, const Event&, Instant now,
                             const Policy& policy);
StepResult invited_failure(const Account& account, const Event& event, Instant now,
                           const Policy& policy);
StepResult verified_due(const Account& account, const Event&, Instant, const Policy&);
StepResult verified_notice_sent(const Account& account, const Event&, Instant now,
                                const Policy& policy);
StepResult verified_failure(const Account& account, const Event& event, Instant now,
                            const Policy& policy);
Transition enter_grace(const Account& account, Instant now, const Policy& policy);
StepResult notified_due(const Account& account, const Event&, Instant now, const Policy& policy);
StepResult notified_clean(const Account& account, const Event&, Instant, const Policy& policy);
StepResult stale(const Account& account, const Event&, Instant now, const Policy& policy);
StepResult notified_failure(const Account& account, const Event& event, Instant now,
                            const Policy& policy);
StepResult grace_due(const Account& account, const Event&, Instant now, const Policy& policy);
StepResult grace_ended(const Account& account, const Event&, Instant now, const Policy&);
StepResult grace_notice_sent(const Account& account, const Event&, Instant now,
                             const Policy& policy);
StepResult grace_failure(const Account& account, const Event& event, Instant now,
                         const Policy& policy);
StepResult purge_done(const Account& account, const Event& event, Instant now, const Policy&);
StepResult purge_interlock(const Account& account, const Event& event, Instant, const Policy&);
StepResult purge_failure(const Account& account, const Event& event, Instant, const Policy&);
StepResult retry_due(const Account& account, const Event&, Instant now, const Policy&);

}  // namespace passage::steps
