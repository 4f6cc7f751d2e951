#pragma once
// A campaign's progress for the support desk page (issue 13): the accounts
// by state (zeros included), the FAILED and HELD accounts grouped by reason
// code with their sentence, and the deletions of the next 7 nights.

#include <map>
#include <string>
#include <vector>

#include "engine/store/store.hpp"

namespace passage {

struct ReasonGroup {
  std::string code;      // "delete_stuck", or the state when no reason is recorded
  std::string sentence;  // empty for a support agent's own words
  std::vector<Account> accounts;
};

struct NightDeletions {
  date::year_month_day night;  // local date the deletion is due from
  std::vector<Account> accounts;
};

struct CampaignProgress {
  Campaign campaign;
  std::map<State, int> counts;              // every state, zeros included
  std::vector<ReasonGroup> failures;         // largest group first
  std::vector<NightDeletions> deletions;     // night by night, soonest first
  int deletions_overdue = 0;                 // PURGE_DUE or past their date: the next purge
};

inline constexpr int k_progress_nights = 7;

// Reads the progress of `campaign` as of `now` in `zone`.
CampaignProgress read_campaign_progress(Store& store, const Campaign& campaign, const date::time_zone* zone,
                                        Instant now);

// The FAILED and HELD accounts of `accounts` grouped by the code of their
// reason (a HELD account with several reasons counts under each), pure.
std::vector<ReasonGroup> group_by_reason(const std::vector<Account>& accounts);

}  // namespace passage
