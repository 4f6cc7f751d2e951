#pragma once
// The support desk's actions on one account (hold, release, retry, cancel,
// postpone, reexport), shared by `passage account VERB` and the desk page (`passage
// serve`). No lock: each action is one short compare-and-set transaction
// through the lifecycle (apply_and_commit), so the desk works while a run
// or the nightly holds the lock. The lifecycle refuses whatever would
// delete or bring a deletion earlier; a postpone is capped by
// support.max_postpone.

#include <optional>
#include <string>
#include <string_view>

#include "engine/accounts/account.hpp"
#include "engine/config/config.hpp"
#include "engine/lifecycle/lifecycle.hpp"
#include "engine/store/store.hpp"

namespace passage {

// The event of a support verb ("hold", "release", "retry", "cancel",
// "postpone", "reexport"); nullopt for any other word.
std::optional<EventKind> support_event_named(std::string_view verb);

// What the agent asked: the verb's event, the reason in their words, and
// for a postpone either a number of days after the current deletion date
// or a local date.
struct SupportRequest {
  EventKind kind = EventKind::hold;
  std::string verb;
  std::string reason;
  std::optional<int> days;
  std::optional<date::year_month_day> until;
};

struct ActionOutcome {
  bool done = false;
  std::string message;  // "login: what was done", or "login: why not"
  std::string said;     // the same in the language asked (action_words.hpp)
};

// The lifecycle policy of `account` for the desk: its stack's timers,
// the academy's zone, the postpone cap and the reminders.
Policy support_policy(const Config& config, const Account& account);

// Decides and commits `request` on `account` (as read before) for `actor`
// ("support:jane", "admin:root"): journaled with the actor and the reason.
// A hold or cancel that a DELETE under way makes impossible is kept
// pending. After a postpone or release that changed the date the person
// was told, the deletion_date_changed notice is sent at once (queued for
// the next run when the notifier fails; the message says so).
// `lang`: the language of `said` ("en", or French otherwise).
ActionOutcome act_on_account(Store& store, const Config& config, const Account& account,
                             const SupportRequest& request, Instant now, const std::string& actor,
                             std::string_view lang = "en");

}  // namespace passage
