// libFuzzer target: the accounts file parser (engine/accounts), the text of
// a campaign's CSV as an admin or a spreadsheet may save it. Whatever the
// bytes: no crash, no leak, no exception; a refused file has errors and no
// row is trusted, an accepted one has rows that say what the contract says.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/accounts/accounts_file.hpp"

namespace {

passage::Config fuzz_config() {
  passage::Config config;
  passage::StackConfig academy;
  academy.name = "academy";
  academy.domains = {"*.mytoutatice.cloud"};
  passage::StackConfig target;
  target.name = "target";
  target.domains = {"*.target-stack.test"};
  config.stacks = {academy, target};
  return config;
}

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const passage::Config config = fuzz_config();
  const std::string text(reinterpret_cast<const char*>(data), size);
  const passage::AccountsFile file = passage::parse_accounts_text("fuzz.csv", text, config);
  if (!file.errors.empty()) return 0;
  for (const passage::AccountRow& row : file.rows) {
    require(row.line >= 2);
    require(!row.login.empty() && !row.domain.empty());
    require((row.action == passage::Action::move) == !row.target.empty());
  }
  return 0;
}
