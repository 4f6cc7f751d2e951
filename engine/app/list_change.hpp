#pragma once
// What a corrected accounts list changes in a campaign (CONTRACT.md
// "Accounts file" and "`campaign update`"): accounts added, dropped and
// changed, and the fraction of the current list that is.

#include <string>
#include <vector>

#include "engine/accounts/accounts_file.hpp"
#include "engine/store/store.hpp"

namespace passage {

// A listed row whose departure date, e-mail, target or action differs
// from its unfinished account's.
struct ChangedRow {
  Account account;
  AccountRow row;
  std::vector<std::string> fields;  // "departure_date 2026-10-01 -> 2026-12-01", one per field
};

struct ListChange {
  std::vector<AccountRow> added;   // domains the campaign does not have
  std::vector<Account> dropped;    // unfinished accounts missing from the new list
  std::vector<ChangedRow> changed;
  std::vector<Account> relisted;   // held as dropped by an earlier list, listed again
  std::size_t current = 0;         // unfinished accounts before the change

  // (added + dropped + changed) / current (current taken as 1 when 0).
  double fraction() const;
};

// Accounts match rows by domain. A finished account is neither dropped nor
// changed, and its domain is not added again.
ListChange compare_list(const std::vector<Account>& current, const std::vector<AccountRow>& rows);

// HELD with the reason "dropped_from_list" (among others, maybe).
bool held_as_dropped(const Account& account);

// "departure_date 2026-10-01 -> 2026-12-01" for each field that differs.
std::vector<std::string> changed_fields(const Account& account, const AccountRow& row);

}  // namespace passage
