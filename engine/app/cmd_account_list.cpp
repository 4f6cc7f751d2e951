// passage account list [--campaign C] [--state S] [--failure CODE] [--json]:
// the accounts behind a count (a tripped breaker's, every FAILED one).

#include <ostream>

#include <boost/json.hpp>

#include "engine/app/account_json.hpp"
#include "engine/app/account_select.hpp"
#include "engine/app/app.hpp"
#include "engine/support/local_time.hpp"
#include "engine/support/reasons.hpp"

namespace passage {

namespace {

void print_row(std::ostream& out, const Account& account, const date::time_zone* zone) {
  out << account.login << "  " << account.domain << "  " << account.email << "  " << to_string(account.state);
  if (!account.state_reason.empty()) out << "  " << account.state_reason;
  if (account.grace_end && !is_final(account.state))
    out << "  deletion from " << format_date(local_date(*account.grace_end, zone));
  out << "\n";
}

}  // namespace

int cmd_account_list(AppContext& app) {
  if (app.line().words.size() > 2) throw BadInput("account list takes no ID (see passage account --help)");
  if (app.line().from) throw BadInput("account list does not take --from");
  const Config& config = app.config();
  std::vector<Account> accounts = selected_accounts(app);
  if (app.line().json) {
    boost::json::array rows;
    for (const Account& account : accounts) {
      boost::json::object row = account_json(account, config);
      row["email"] = account.email;
      row["reason_sentence"] = explain_reasons(account.state_reason);
      rows.push_back(std::move(row));
    }
    app.out() << boost::json::serialize(rows) << '\n';
    return k_exit_done;
  }
  for (const Account& account : accounts) print_row(app.out(), account, config.zone);
  if (!app.line().quiet) app.out() << plural(static_cast<long long>(accounts.size()), "account", "accounts") << '\n';
  return k_exit_done;
}

}  // namespace passage
