#pragma once
// What happens next to an account, and when, in words for the support
// desk ("deletion in the night of 15 January 2027; reminder on 8 January
// 2027"). Pure: the same reading of the lifecycle's timers as the runner's.

#include <optional>
#include <string>
#include <vector>

#include "engine/accounts/account.hpp"
#include "engine/lifecycle/lifecycle.hpp"

namespace passage {

struct NextStep {
  std::optional<Instant> at;  // none: it waits for a person, or nothing happens
  std::string text;           // in words, dates included
};

// The coming steps, soonest first; in `lang`: "en" (the command line's),
// French otherwise (engine/support/say.hpp).
std::vector<NextStep> next_steps(const Account& account, const Policy& policy, Instant now,
                                 std::string_view lang = "en");

// Adds the end of an access the desk granted to a moved space (`account
// grant-access`): blocked again at the first run after `until`; keeps the
// steps soonest first.
void add_access_end(std::vector<NextStep>& steps, Instant until, const Policy& policy, Instant now,
                    std::string_view lang = "en");

// The steps' texts joined by "; ".
std::string next_steps_in_words(const std::vector<NextStep>& steps);

}  // namespace passage
