#include "engine/app/list_change.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "engine/accounts/field_checks.hpp"

namespace passage {

namespace {

std::string shown(const std::string& text) { return text.empty() ? "(none)" : text; }

void differ(std::vector<std::string>& fields, const char* name, const std::string& from,
            const std::string& to) {
  if (from != to) fields.push_back(std::string(name) + " " + shown(from) + " -> " + shown(to));
}

}  // namespace

double ListChange::fraction() const {
  return static_cast<double>(added.size() + dropped.size() + changed.size()) /
         static_cast<double>(std::max<std::size_t>(1, current));
}

std::vector<std::string> changed_fields(const Account& account, const AccountRow& row) {
  std::vector<std::string> fields;
  differ(fields, "departure_date", format_date(account.departure_date), format_date(row.departure_date));
  if (!same_email(account.email, row.email)) differ(fields, "email", account.email, row.email);
  differ(fields, "target", account.target, row.target);
  differ(fields, "action", to_string(account.action), to_string(row.action));
  return fields;
}

// Held as dropped, or the drop kept pending while a deletion was under way.
bool held_as_dropped(const Account& account) {
  return std::find(account.hold_reasons.begin(), account.hold_reasons.end(), "dropped_from_list") !=
             account.hold_reasons.end();
}

ListChange compare_list(const std::vector<Account>& current, const std::vector<AccountRow>& rows) {
  ListChange change;
  std::map<std::string, const AccountRow*> listed;
  for (const AccountRow& row : rows) listed[row.domain] = &row;
  std::set<std::string> known;
  for (const Account& account : current) {
    known.insert(account.domain);
    if (is_final(account.state)) continue;
    ++change.current;
    auto row = listed.find(account.domain);
    bool dropped_before = held_as_dropped(account);
    if (row == listed.end()) {
      // Already held as dropped by an earlier list: nothing new to do.
      if (!dropped_before) change.dropped.push_back(account);
      continue;
    }
    if (dropped_before) change.relisted.push_back(account);
    std::vector<std::string> fields = changed_fields(account, *row->second);
    if (!fields.empty()) change.changed.push_back(ChangedRow{account, *row->second, std::move(fields)});
  }
  for (const AccountRow& row : rows)
    if (!known.count(row.domain)) change.added.push_back(row);
  return change;
}

}  // namespace passage
