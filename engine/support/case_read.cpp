#include "engine/support/case_read.hpp"

#include "engine/sched/policy.hpp"
#include "engine/store/access_grants.hpp"
#include "engine/store/case_reads.hpp"

namespace passage {

namespace {

std::string campaign_name(Store& store, std::int64_t campaign_id) {
  for (const Campaign& campaign : store.campaigns())
    if (campaign.id == campaign_id) return campaign.name;
  return "#" + std::to_string(campaign_id);
}

Policy account_policy(const Config& config, const Account& account) {
  const StackConfig* stack = config.stack_for(account.domain);
  Policy policy = stack ? policy_for(config, *stack) : Policy{};
  policy.zone = config.zone;
  return policy;
}

}  // namespace

CaseRecord read_case(Store& store, const Account& account) {
  CaseRecord record;
  record.account = account;
  record.campaign = campaign_name(store, account.campaign_id);
  record.journal = journal_of_account(store.db(), account.id);
  record.notices = notices_of_account(store.db(), account.id);
  record.download_link_expiry = latest_download_link_expiry(store.db(), account.id);
  return record;
}

std::vector<NextStep> case_next_steps(Store& store, const Config& config, const Account& account, Instant now,
                                      std::string_view lang) {
  const Policy policy = account_policy(config, account);
  std::vector<NextStep> next = next_steps(account, policy, now, lang);
  if (auto grant = open_access_grant(store.db(), account.id)) add_access_end(next, grant->until, policy, now, lang);
  return next;
}

}  // namespace passage
