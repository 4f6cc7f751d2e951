// passage account show|list|hold|release|retry|cancel|postpone|reexport: the
// support desk. No lock: one short transaction per account, so the desk
// works while the nightly runs. No stack passphrase either (CONTRACT.md
// "Secrets by command"): nothing here talks to a stack.

#include <ostream>

#include "engine/app/account_select.hpp"
#include "engine/app/app.hpp"
#include "engine/support/account_actions.hpp"

namespace passage {

int cmd_account_show(AppContext& app, const std::string& key);
int cmd_account_list(AppContext& app);
int cmd_account_grant(AppContext& app);

namespace {

void check_verb(const std::string& verb) {
  if (!support_event_named(verb))
    throw BadInput("account " + verb +
                   ": not an account subcommand (show, list, hold, release, retry, cancel, postpone, "
                   "reexport, grant-access)");
}

void check_postpone_options(const CommandLine& line) {
  if (line.days && line.until) throw BadInput("postpone: give --days or --until, not both");
  if (!line.days && !line.until) throw BadInput("postpone: --days N or --until DATE is required");
  if (line.days && *line.days <= 0) throw BadInput("postpone: --days must be a positive number");
  if (line.until && !parse_iso_date(*line.until))
    throw BadInput("postpone: --until '" + *line.until + "' is not a date YYYY-MM-DD");
}

SupportRequest request_of(const CommandLine& line, const std::string& verb) {
  SupportRequest request{*support_event_named(verb), verb, *line.reason, line.days, std::nullopt};
  if (line.until) request.until = parse_iso_date(*line.until);
  return request;
}

ActionOutcome act_on(AppContext& app, const std::string& verb, const Account& account, const std::string& actor) {
  return act_on_account(app.store(), app.config(), account, request_of(app.line(), verb), app.clock().now(), actor);
}

int act_on_one(AppContext& app, const std::string& verb, const std::string& actor) {
  if (has_selection(app.line()))
    throw BadInput("account " + verb + ": give one ID, or --from FILE or selectors, not both");
  Account account = find_one_account(app, app.word(2, "account ID (login, domain or e-mail)"));
  ActionOutcome outcome = act_on(app, verb, account, actor);
  if (!outcome.done) throw BadInput("account " + outcome.message);
  if (!app.line().quiet) app.out() << outcome.message << "\n";
  return k_exit_done;
}

// Each account is decided and journaled on its own; the summary says how
// many were acted on. Exit 0 all, 1 some, 2 none (nothing changed).
int act_on_many(AppContext& app, const std::string& verb, const std::string& actor) {
  std::vector<Account> accounts = selected_accounts(app);
  if (accounts.empty()) throw BadInput("account " + verb + ": no account matches the selection");
  std::size_t done = 0;
  for (const Account& account : accounts) {
    ActionOutcome outcome = act_on(app, verb, account, actor);
    if (outcome.done) ++done;
    if (!outcome.done) app.err() << "passage: refused: " << outcome.message << "\n";
    else if (!app.line().quiet) app.out() << outcome.message << "\n";
  }
  app.out() << verb << ": " << done << " of " << plural(static_cast<long long>(accounts.size()), "account", "accounts")
            << " acted on";
  if (done < accounts.size()) app.out() << ", " << accounts.size() - done << " refused";
  app.out() << "\n";
  if (done == accounts.size()) return k_exit_done;
  return done == 0 ? k_exit_bad_input : k_exit_failed;
}

int support_action(AppContext& app, const std::string& verb) {
  check_verb(verb);
  if (!app.line().reason || app.line().reason->empty()) throw BadInput(verb + ": --reason TEXT is required");
  std::string actor = app.support_actor();
  if (verb == "postpone") check_postpone_options(app.line());
  app.config();
  if (app.line().words.size() > 2) return act_on_one(app, verb, actor);
  if (!has_selection(app.line()))
    throw BadInput("account " + verb + ": give an ID, --from FILE, or selectors (--campaign, --state, --failure)");
  return act_on_many(app, verb, actor);
}

}  // namespace

int cmd_account(AppContext& app) {
  const std::string& verb = app.word(1, "account subcommand");
  if (verb == "list") return cmd_account_list(app);
  if (verb == "show") return cmd_account_show(app, app.word(2, "account ID (login, domain or e-mail)"));
  if (verb == "grant-access") return cmd_account_grant(app);
  return support_action(app, verb);
}

}  // namespace passage
