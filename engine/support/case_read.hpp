#pragma once
// Reading one person's case from the store, for `passage account show` and
// the desk page alike: the record the timeline is built from, and what
// happens next (with the end of an access the desk granted).

#include <vector>

#include "engine/config/config.hpp"
#include "engine/store/store.hpp"
#include "engine/support/next_steps.hpp"
#include "engine/support/timeline.hpp"

namespace passage {

// The account's campaign name, journal, notices and newest link expiry.
CaseRecord read_case(Store& store, const Account& account);

// The coming steps of `account`, soonest first, under its stack's policy,
// in `lang` (next_steps.hpp).
std::vector<NextStep> case_next_steps(Store& store, const Config& config, const Account& account, Instant now,
                                      std::string_view lang = "en");

}  // namespace passage
