// Fuzz target: the accounts file parser (engine/accounts), the text of a
// campaign's CSV as an admin or a spreadsheet may save it. Whatever the
// bytes: no crash, leak or exception; an accepted file has rows that say
// what the contract says.

#include <string>

#include "engine/accounts/accounts_file.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace passage::fuzz {

namespace {

Config accounts_config() {
  Config config;
  StackConfig academy;
  academy.name = "academy";
  academy.domains = {"*.mytoutatice.cloud"};
  StackConfig target;
  target.name = "target";
  target.domains = {"*.target-stack.test"};
  config.stacks = {academy, target};
  return config;
}

}  // namespace

void accounts_file(std::string_view input) {
  static const Config config = accounts_config();
  const AccountsFile file = parse_accounts_text("fuzz.csv", std::string(input), config);
  if (!file.errors.empty()) return;
  for (const AccountRow& row : file.rows) {
    require(row.line >= 2, "a record's line is after the header");
    require(!row.login.empty() && !row.domain.empty(), "a record has a login and a domain");
    require((row.action == Action::move) == !row.target.empty(), "a target exactly for a move");
  }
}

}  // namespace passage::fuzz

PASSAGE_FUZZ_ENTRY(passage::fuzz::accounts_file)
