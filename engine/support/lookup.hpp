#pragma once
// Finding the person a support agent names (issue 13): a login, a domain
// or the list's e-mail, in any case. Pure: the store supplies the exact
// and the partial matches.

#include <optional>
#include <string>
#include <vector>

#include "engine/accounts/account.hpp"

namespace passage {

struct AccountLookup {
  std::optional<Account> account;   // the one account meant
  std::vector<Account> candidates;  // else: what the agent may have meant
  std::string problem;              // else: why none was chosen, in words
};

// `exact`: accounts whose login, domain or e-mail equals the key (any
// case); `partial`: those containing it. One exact account, or one
// unfinished among several (the person listed again in a later campaign),
// or the newest finished one when all are finished, is the account.
// Several unfinished, or no exact match, is a problem naming the
// candidates; nothing may act on it.
AccountLookup resolve_account(const std::string& key, const std::vector<Account>& exact,
                              const std::vector<Account>& partial);

// "u0001  u0001.mytoutatice.cloud  u0001@example.org  GRACE": one candidate line.
std::string candidate_line(const Account& account);

}  // namespace passage
