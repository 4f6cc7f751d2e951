#pragma once
// The accounts file (DESIGN.md "Accounts file", CONTRACT.md "Accounts file"):
// CSV, UTF-8 with or without BOM, LF or CRLF, RFC 4180 quoting, header
// exactly `login,domain,action,email,target,departure_date,reason`, or the
// same names separated by `;` (then `;` separates every record), as French
// spreadsheets save it. Spaces around fields are dropped, rows of
// separators only are skipped, actions and domains are read in any case.
// Parsing checks everything that can be checked from the file and the
// config alone; checks against the database (accounts in other unfinished
// campaigns) are done by the caller with the same error format.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <date/date.h>

#include "engine/config/config.hpp"

namespace passage {

enum class Action { export_, move };

struct AccountRow {
  int line = 0;  // physical line of the record's first line (header = 1)
  std::string login;
  std::string domain;        // lower-case
  Action action = Action::export_;
  std::string email;         // as written (compared case-insensitively)
  std::string target;        // https:// Cozy URL for a move, empty otherwise
  std::string target_host;   // host part of target, empty for exports
  bool admin_move = false;   // target host served by a configured stack
  date::year_month_day departure_date;
  std::string reason;
};

struct AccountsFile {
  std::vector<AccountRow> rows;     // complete only when errors is empty
  std::vector<std::string> errors;  // "FILE:LINE: field: what is wrong"
  std::size_t skipped_rows = 0;     // empty lines and rows of separators only
};

// Reads `file` (as given, for messages) and validates every record. A file
// that cannot be read gives the single error "FILE:0: file: cannot read ...".
AccountsFile read_accounts_file(const std::filesystem::path& file, const Config& config);

// Same, from text already in memory; `name` is used in messages.
AccountsFile parse_accounts_text(const std::string& name, const std::string& text,
                                 const Config& config);

const char* to_string(Action action);

// Tell which other unfinished campaign already holds a login, or a
// domain; nullopt when none does. Kept abstract so that this module needs
// no database.
struct OwnerCampaignLookup {
  std::function<std::optional<std::string>(const std::string& login)> of_login;
  std::function<std::optional<std::string>(const std::string& domain)> of_domain;
};

// One error per login or domain already held elsewhere, in the same format
// as parsing: "NAME:LINE: login: already in unfinished campaign X", and
// the same on `domain`.
std::vector<std::string> check_against_existing(const std::string& name,
                                                const std::vector<AccountRow>& rows,
                                                const OwnerCampaignLookup& owner_campaign);

}  // namespace passage
