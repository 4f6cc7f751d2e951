#include "engine/app/account_select.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>

#include "engine/support/lookup.hpp"
#include "engine/support/reasons.hpp"

namespace passage {

namespace {

constexpr int k_max_candidates = 20;

// The substring search reads every account (no index serves instr()):
// 0.3 s at 100,000 accounts. It runs only when nothing matches exactly,
// the only case where its candidates are shown.
AccountLookup look_up(Store& store, const std::string& key) {
  std::vector<Account> exact = store.find_accounts(key);
  if (!exact.empty()) return resolve_account(key, exact, {});
  return resolve_account(key, exact, store.search_accounts(key, k_max_candidates + 1));
}

std::vector<std::string> problem_lines(const std::string& where, const AccountLookup& lookup) {
  std::vector<std::string> lines{where + lookup.problem};
  int shown = 0;
  for (const Account& candidate : lookup.candidates) {
    if (++shown > k_max_candidates) {
      lines.push_back("  … and more: type more of it");
      break;
    }
    lines.push_back("  " + candidate_line(candidate));
  }
  return lines;
}

std::vector<Account> accounts_from_file(AppContext& app, const std::string& file) {
  std::ifstream in(file);
  if (!in) throw BadInput("--from: cannot read " + file);
  std::vector<Account> accounts;
  std::vector<std::string> errors;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    AccountLookup lookup = look_up(app.store(), line.substr(start));
    // One person named twice (login, then e-mail) is acted on once.
    if (lookup.account) {
      if (std::none_of(accounts.begin(), accounts.end(),
                       [&](const Account& seen) { return seen.id == lookup.account->id; }))
        accounts.push_back(*lookup.account);
    } else for (std::string& error : problem_lines(file + ":" + std::to_string(number) + ": ", lookup)) errors.push_back(std::move(error));
  }
  if (!errors.empty()) throw BadInputLines(errors);
  if (accounts.empty()) throw BadInput("--from: " + file + " names no account");
  return accounts;
}

std::vector<Account> accounts_by_selectors(AppContext& app) {
  const CommandLine& line = app.line();
  std::optional<std::int64_t> campaign_id;
  if (line.campaign) campaign_id = require_campaign(app, *line.campaign).id;
  std::optional<State> state;
  if (line.state) {
    std::string name = *line.state;
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    state = state_from_string(name);
    if (!state) throw BadInput("--state: '" + *line.state + "' is not a state (QUEUED, GRACE, HELD, FAILED, …)");
  }
  std::vector<Account> accounts;
  for (Account& account : app.store().select_accounts(campaign_id, state))
    if (!line.failure || reasons_include(account.state_reason, *line.failure)) accounts.push_back(std::move(account));
  return accounts;
}

}  // namespace

Account find_one_account(AppContext& app, const std::string& key) {
  AccountLookup lookup = look_up(app.store(), key);
  if (lookup.account) return *lookup.account;
  std::vector<std::string> lines = problem_lines("passage: ", lookup);
  throw BadInputLines(lines);
}

bool has_selection(const CommandLine& line) {
  return line.from || line.campaign || line.state || line.failure;
}

std::vector<Account> selected_accounts(AppContext& app) {
  const CommandLine& line = app.line();
  if (line.from && (line.campaign || line.state || line.failure))
    throw BadInput("give --from FILE or the selectors (--campaign, --state, --failure), not both");
  if (line.from) return accounts_from_file(app, *line.from);
  return accounts_by_selectors(app);
}

}  // namespace passage
