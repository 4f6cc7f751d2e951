#include "engine/support/lookup.hpp"

namespace passage {

AccountLookup resolve_account(const std::string& key, const std::vector<Account>& exact,
                              const std::vector<Account>& partial) {
  AccountLookup lookup;
  if (exact.empty()) {
    lookup.candidates = partial;
    lookup.problem = partial.empty() ? "no account with login, domain or e-mail " + key
                                     : "no account is exactly " + key + "; " + std::to_string(partial.size()) +
                                           " contain it: name one of them";
    return lookup;
  }
  std::vector<Account> open;
  for (const Account& account : exact)
    if (!is_final(account.state)) open.push_back(account);
  if (open.size() == 1) lookup.account = open.front();
  else if (open.empty()) lookup.account = exact.back();
  else {
    lookup.candidates = open;
    lookup.problem = key + " matches " + std::to_string(open.size()) +
                     " unfinished accounts: name it by its domain";
  }
  return lookup;
}

std::string candidate_line(const Account& account) {
  return account.login + "  " + account.domain + "  " + account.email + "  " +
         std::string(to_string(account.state));
}

}  // namespace passage
