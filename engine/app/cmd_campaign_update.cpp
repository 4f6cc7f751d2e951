// passage campaign update NAME --accounts FILE.csv, campaign confirm NAME --by NAME
// (CONTRACT.md "Accounts file": a corrected list never deletes anyone by
// itself; a large change waits for a person).

#include <algorithm>
#include <ostream>
#include <set>

#include "engine/app/campaign_input.hpp"
#include "engine/sched/policy.hpp"
#include "engine/store/apply_commit.hpp"

namespace passage {

namespace {

struct ListChange {
  std::vector<AccountRow> added;
  std::vector<Account> dropped;   // unfinished accounts missing from the new list
  std::vector<Account> relisted;  // held as dropped by an earlier list, listed again
  std::size_t current = 0;
};

bool held_as_dropped(const Account& account) {
  return account.state == State::held &&
         std::find(account.hold_reasons.begin(), account.hold_reasons.end(), "dropped_from_list") !=
             account.hold_reasons.end();
}

ListChange compare(const std::vector<Account>& current, const std::vector<AccountRow>& rows) {
  ListChange change;
  std::set<std::string> listed, known;
  for (const AccountRow& row : rows) listed.insert(row.domain);
  for (const Account& account : current) {
    known.insert(account.domain);
    if (!is_final(account.state)) ++change.current;
    bool is_listed = listed.count(account.domain) > 0;
    if (!is_listed && !is_final(account.state) && !held_as_dropped(account))
      change.dropped.push_back(account);
    if (is_listed && held_as_dropped(account)) change.relisted.push_back(account);
  }
  for (const AccountRow& row : rows)
    if (!known.count(row.domain)) change.added.push_back(row);
  return change;
}

// Nothing done yet (still QUEUED, no intent): cancelled. Otherwise held
// (an account already held keeps its other reasons too) until a person
// cancels it or a later list includes it again. A refusal is an error:
// printing "dropped" for an account that is not would be a lie.
bool drop(AppContext& app, const Account& account, const std::string& actor) {
  const Config& config = app.config();
  bool untouched = account.state == State::queued && app.store().count_intents(account.id, "export") == 0 &&
                   app.store().count_intents(account.id, "import") == 0 &&
                   app.store().count_intents(account.id, "notice") == 0;
  Event event(untouched ? EventKind::cancel : EventKind::hold);
  event.detail = "dropped_from_list";
  Policy policy = policy_for(config, *config.stack_for(account.domain));
  StepResult result = apply_and_commit(app.store(), account, event, app.clock().now(), policy, actor);
  if (auto* refusal = std::get_if<Refusal>(&result)) {
    app.err() << "passage: account " << account.login << " (" << account.domain
              << ") could not be dropped: " << refusal->reason << '\n';
    return false;
  }
  return true;
}

// A list that includes a dropped account again lifts that hold (others stay).
bool relist(AppContext& app, const Account& account, const std::string& actor) {
  const Config& config = app.config();
  Event event(EventKind::relisted);
  event.detail = "campaign update";
  Policy policy = policy_for(config, *config.stack_for(account.domain));
  StepResult result = apply_and_commit(app.store(), account, event, app.clock().now(), policy, actor);
  if (auto* refusal = std::get_if<Refusal>(&result)) {
    app.err() << "passage: account " << account.login << " (" << account.domain
              << ") could not be listed again: " << refusal->reason << '\n';
    return false;
  }
  return true;
}

int apply_change(AppContext& app, const Campaign& campaign, const ListChange& change,
                 const std::string& actor) {
  Instant now = app.clock().now();
  app.store().add_accounts(campaign.id, new_accounts(app.config(), change.added, now), now, actor);
  int refused = 0;
  for (const Account& account : change.dropped) refused += drop(app, account, actor) ? 0 : 1;
  for (const Account& account : change.relisted) refused += relist(app, account, actor) ? 0 : 1;
  app.store().clear_pending(campaign.id);
  app.store().journal(now, actor, std::nullopt, "campaign_updated",
                      campaign.name + ": " + std::to_string(change.added.size()) + " added, " +
                          std::to_string(change.dropped.size()) + " dropped, " +
                          std::to_string(change.relisted.size()) + " listed again");
  if (!app.line().quiet)
    app.out() << "campaign " << campaign.name << ": " << change.added.size() << " added, "
              << change.dropped.size() << " dropped, " << change.relisted.size() << " listed again"
              << (refused > 0 ? ", " + std::to_string(refused) + " refused (see above)" : "") << '\n';
  return refused > 0 ? k_exit_failed : k_exit_done;
}

}  // namespace

int cmd_campaign_update(AppContext& app) {
  const std::string& name = app.word(2, "campaign NAME");
  if (!app.line().accounts) throw BadInput("campaign update: --accounts FILE.csv is required");
  auto lock = take_writer_lock(app, "campaign update " + name);
  Campaign campaign = require_campaign(app, name);
  std::string text = read_text_file(*app.line().accounts);
  std::vector<AccountRow> rows = validated_rows(app, *app.line().accounts, text, campaign.id);
  ListChange change = compare(app.store().accounts_of(campaign.id), rows);
  double fraction = static_cast<double>(change.added.size() + change.dropped.size()) /
                    static_cast<double>(std::max<std::size_t>(1, change.current));
  std::string actor = app.admin_actor();
  if (fraction > app.config().campaign_max_change_fraction) {
    app.store().set_pending(campaign.id, *app.line().accounts, text, app.clock().now(), actor);
    app.err() << "passage: campaign " << name << ": " << change.added.size() << " added and "
              << change.dropped.size() << " dropped out of " << change.current
              << " is more than campaign.max_change_fraction ("
              << app.config().campaign_max_change_fraction << "): held until "
              << "`passage campaign confirm " << name << " --by NAME`\n";
    return k_exit_held;
  }
  return apply_change(app, campaign, change, actor);
}

int cmd_campaign_confirm(AppContext& app) {
  const std::string& name = app.word(2, "campaign NAME");
  std::string actor = app.support_actor();
  auto lock = take_writer_lock(app, "campaign confirm " + name);
  Campaign campaign = require_campaign(app, name);
  auto pending = app.store().pending(campaign.id);
  if (!pending) throw BadInput("campaign " + name + " has no update waiting for confirmation");
  // Validated again: other campaigns may have changed since.
  std::vector<AccountRow> rows = validated_rows(app, pending->first, pending->second, campaign.id);
  return apply_change(app, campaign, compare(app.store().accounts_of(campaign.id), rows), actor);
}

}  // namespace passage
