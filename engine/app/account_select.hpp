#pragma once
// Which accounts a support command acts on: the one an ID names (login,
// domain or e-mail, any case), or a selection (--from FILE, --campaign,
// --state, --failure). Nothing acts on an ambiguous or unknown ID.

#include <string>
#include <vector>

#include "engine/app/app.hpp"

namespace passage {

// The one account `key` names. Throws BadInputLines naming the problem and
// listing the candidates (partial matches, or several unfinished ones).
Account find_one_account(AppContext& app, const std::string& key);

// True when the command line selects accounts (--from or a selector).
bool has_selection(const CommandLine& line);

// The accounts --from FILE names (one ID a line; blank lines and lines
// starting with # skipped), every one of them resolved before anything
// acts, else BadInputLines with every "FILE:LINE: problem"; or those the
// selectors --campaign C, --state S and --failure CODE choose, by id.
std::vector<Account> selected_accounts(AppContext& app);

}  // namespace passage
