#include "engine/support/campaign_progress.hpp"

#include <algorithm>

#include "engine/lifecycle/state.hpp"
#include "engine/support/reasons.hpp"

namespace passage {

namespace {

constexpr State k_states[] = {State::queued,  State::exporting, State::verifying, State::moving,
                              State::invited, State::verified,  State::notified,  State::grace,
                              State::purge_due, State::purged,  State::held,      State::retry_wait,
                              State::failed,  State::cancelled, State::no_space};

std::vector<std::string> reasons_of(const Account& account) {
  if (account.state == State::held && !account.hold_reasons.empty()) return account.hold_reasons;
  if (account.state_reason.empty()) return {std::string(to_string(account.state))};
  return {account.state_reason};
}

}  // namespace

std::vector<ReasonGroup> group_by_reason(const std::vector<Account>& accounts) {
  std::map<std::string, ReasonGroup> groups;
  for (const Account& account : accounts) {
    for (const std::string& reason : reasons_of(account)) {
      const std::string code(reason_code_of(reason));
      ReasonGroup& group = groups[code];
      group.code = code;
      if (auto sentence = reason_sentence(reason)) group.sentence = std::string(*sentence);
      group.accounts.push_back(account);
    }
  }
  std::vector<ReasonGroup> sorted;
  for (auto& [code, group] : groups) sorted.push_back(std::move(group));
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const ReasonGroup& a, const ReasonGroup& b) { return a.accounts.size() > b.accounts.size(); });
  return sorted;
}

CampaignProgress read_campaign_progress(Store& store, const Campaign& campaign, const date::time_zone* zone,
                                        Instant now) {
  CampaignProgress progress;
  progress.campaign = campaign;
  for (State state : k_states) progress.counts[state] = 0;
  for (const auto& [state, count] : store.state_counts(campaign.id)) progress.counts[state] = count;

  std::vector<Account> stopped = store.select_accounts(campaign.id, State::failed);
  for (Account& held : store.select_accounts(campaign.id, State::held)) stopped.push_back(std::move(held));
  progress.failures = group_by_reason(stopped);

  // The 7 nights from tonight: local midnights after today's.
  const date::year_month_day today = local_date(now, zone);
  const Instant end = local_midnight(date::year_month_day{date::sys_days{today} + date::days{k_progress_nights + 1}}, zone);
  for (Account& account : store.deletions_before(campaign.id, end)) {
    if (account.state == State::purge_due || *account.grace_end <= now) {
      ++progress.deletions_overdue;
      continue;
    }
    const date::year_month_day night = local_date(*account.grace_end, zone);
    if (progress.deletions.empty() || progress.deletions.back().night != night)
      progress.deletions.push_back(NightDeletions{night, {}});
    progress.deletions.back().accounts.push_back(std::move(account));
  }
  return progress;
}

}  // namespace passage
