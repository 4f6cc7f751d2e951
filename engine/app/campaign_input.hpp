#pragma once
// Reading an accounts file for a campaign command: the whole file is
// validated (file, config, other unfinished campaigns) before anything is
// written; errors all printed, the last one thrown as BadInput.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/accounts/accounts_file.hpp"
#include "engine/app/app.hpp"

namespace passage {

// `name`'s `text` read as an accounts file (rows and skipped rows),
// checked against the file and the config. When it has errors,
// BadInputLines with all of them in line order, those of its valid rows
// against other unfinished campaigns than `except` included (an admin
// fixes every error in one pass).
AccountsFile parsed_file(AppContext& app, const std::string& name, const std::string& text,
                         std::optional<std::int64_t> except);

// BadInputLines when a row's login or domain is in another unfinished
// campaign than `except`.
void check_other_campaigns(AppContext& app, const std::string& name,
                           const std::vector<AccountRow>& rows, std::optional<std::int64_t> except);

// Both of the above: `name`'s `text` validated; accounts of campaign
// `except` do not count as "in another unfinished campaign".
AccountsFile validated_file(AppContext& app, const std::string& name, const std::string& text,
                            std::optional<std::int64_t> except);

// ", 2 empty rows skipped" (rows of separators only), nothing for none:
// the end of a campaign command's summary line.
std::string skipped_note(std::size_t skipped_rows);

// The file's text, or BadInput naming it.
std::string read_text_file(const std::string& path);

// A new account for this row, due `lead` before its departure.
NewAccount new_account(const Config& config, const AccountRow& row, Instant now);
// new_account() for the rows of one file, made at one `now`. A row's due
// time depends only on its stack's policy and its departure date, and a
// file of a million rows holds a few hundred dates: each worked out once
// (the policy built, the time zone's rules read) rather than a row at a
// time, which was about 2 % of `campaign create` at 100,000 rows (issue 15).
class NewAccountMaker {
 public:
  NewAccountMaker(const Config& config, Instant now) : m_config(config), m_now(now) {}
  NewAccount operator()(const AccountRow& row);

 private:
  const Config& m_config;
  Instant m_now;
  // (stack, departure day) -> first due time
  std::map<std::pair<const StackConfig*, int>, Instant> m_first_dues;
};
// New accounts for these rows, due `lead` before their departure.
std::vector<NewAccount> new_accounts(const Config& config, const std::vector<AccountRow>& rows,
                                     Instant now);

// "3 move accounts leave too soon to be invited …", or empty: user moves
// whose departure is too close for an invitation (exported instead).
std::string too_close_warning(const Config& config, const std::vector<AccountRow>& rows, Instant now);
std::string too_close_warning(int too_close);
// A user move whose departure is too close for an invitation.
bool row_too_close_to_invite(const Config& config, const AccountRow& row, Instant now);

int cmd_campaign_update(AppContext& app);
int cmd_campaign_confirm(AppContext& app);

}  // namespace passage
