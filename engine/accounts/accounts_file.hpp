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
#include <iosfwd>
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

// What scan_accounts() found: every error, and how many rows were valid
// or skipped.
struct AccountsScan {
  std::vector<std::string> errors;  // "FILE:LINE: field: what is wrong"
  std::size_t rows = 0;             // valid rows, each handed to the sink
  std::size_t skipped_rows = 0;     // empty lines and rows of separators only
  std::string sha256;               // of every byte read, lowercase hex
};

// What a scan checks. `all`: everything, the file as given. `parsing`:
// only what building the rows needs (the CSV structure, the number of
// fields, the action, a move's target URL, the date, a stack for the
// domain); the checks that can only refuse a row (UTF-8, the form of a
// login, a domain, an e-mail) and those between rows (a login, a domain,
// a target used twice; a move onto a listed domain) are skipped. For the
// import's second reading (issue 15): when it read the same bytes as the
// first (the same sha256), they can find nothing the first did not, and
// the caller refuses the file when the bytes differ.
enum class Checks { all, parsing };

using AccountRowSink = std::function<void(const AccountRow& row)>;

// Reads the accounts file from `in` one record at a time, with the checks
// and messages of parse_accounts_text(), holding neither the text nor the
// rows: each valid row goes to `on_row` as soon as it is checked, also
// after an error (errors found later, such as a target listed as another
// row's domain, come only at the end). The caller decides what to do with
// a row; the file is valid only if `errors` is empty at the end.
// `scan.sha256` is that of the bytes read from `in`.
AccountsScan scan_accounts(std::istream& in, const std::string& name, const Config& config,
                           const AccountRowSink& on_row, Checks checks = Checks::all);

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
void check_row_against_existing(const std::string& name, const AccountRow& row,
                                const OwnerCampaignLookup& owner_campaign, std::vector<std::string>& errors);
std::vector<std::string> check_against_existing(const std::string& name,
                                                const std::vector<AccountRow>& rows,
                                                const OwnerCampaignLookup& owner_campaign);

}  // namespace passage
