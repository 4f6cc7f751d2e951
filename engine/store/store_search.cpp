// The support desk's searches (issue 13): by login, domain or e-mail in
// any case, partial matches, and selections by campaign and state.

#include "engine/store/store.hpp"

namespace passage {

std::vector<Account> Store::find_accounts(const std::string& key) {
  return query_accounts(
      "WHERE lower(a.login) = lower(?1) OR lower(a.domain) = lower(?1) OR lower(a.email) = lower(?1) "
      "ORDER BY a.id",
      {key});
}

std::vector<Account> Store::search_accounts(const std::string& fragment, int limit) {
  // instr(), not LIKE: '%' and '_' in what an agent types are plain characters.
  return query_accounts(
      "WHERE instr(lower(a.login), lower(?1)) > 0 OR instr(lower(a.domain), lower(?1)) > 0 "
      "OR instr(lower(a.email), lower(?1)) > 0 ORDER BY a.id LIMIT " + std::to_string(limit),
      {fragment});
}

std::vector<Account> Store::deletions_before(std::int64_t campaign_id, Instant until) {
  // grace_end is format_utc() text: it sorts as the instants do.
  return query_accounts(
      "WHERE a.campaign_id = ?1 AND a.state IN ('VERIFIED', 'NOTIFIED', 'GRACE', 'PURGE_DUE') "
      "AND a.grace_end IS NOT NULL AND a.grace_end < ?2 ORDER BY a.grace_end, a.id",
      {std::to_string(campaign_id), format_utc(until)});
}

std::vector<Account> Store::select_accounts(std::optional<std::int64_t> campaign_id,
                                            std::optional<State> state) {
  std::string where = "WHERE 1 = 1";
  std::vector<std::string> binds;
  if (campaign_id) {
    binds.push_back(std::to_string(*campaign_id));
    where += " AND a.campaign_id = ?" + std::to_string(binds.size());
  }
  if (state) {
    binds.emplace_back(to_string(*state));
    where += " AND a.state = ?" + std::to_string(binds.size());
  }
  return query_accounts(where + " ORDER BY a.id", binds);
}

}  // namespace passage
