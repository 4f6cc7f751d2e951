#pragma once
// The deletion_date_changed notice (CONTRACT.md "Notices, added"): sent by
// the command that changed the date (a postpone, a release), right after
// its commit. Its intent is committed first, so a notice the notifier does
// not take stays queued: the next `run` sends it with the same Message-ID.

#include <optional>
#include <string>

#include "engine/config/config.hpp"
#include "engine/lifecycle/lifecycle.hpp"
#include "engine/store/store.hpp"

namespace passage {

struct DateNotice {
  bool owed = false;  // the person was told another date than the current one
  bool sent = false;
  date::year_month_day date;  // the new deletion date
  std::string why;            // not sent: the notifier's reason
};

// Tells the person the account's new deletion date if they were told
// another one: commits the notice's intent, sends it, and on success
// records the date as told (journaled as `actor`).
DateNotice tell_new_deletion_date(Store& store, const Config& config, const Policy& policy,
                                  std::int64_t account_id, Instant now, const std::string& actor);

}  // namespace passage
