// passage campaign update NAME --accounts FILE.csv, campaign confirm NAME --by NAME
// (CONTRACT.md "Accounts file": a corrected list never deletes anyone by
// itself; a large change waits for a person).

#include <ostream>
#include <set>

#include "engine/app/campaign_input.hpp"
#include "engine/sched/policy.hpp"

namespace passage {

namespace {

struct ListChange {
  std::vector<AccountRow> added;
  std::vector<Account> dropped;  // unfinished accounts missing from the new list
  std::size_t current = 0;
};

ListChange compare(const std::vector<Account>& current, const std::vector<AccountRow>& rows) {
  ListChange change;
  std::set<std::string> listed, known;
  for (const AccountRow& row : rows) listed.insert(row.domain);
  for (const Account& account : current) {
    known.insert(account.domain);
    if (!is_final(account.state)) ++change.current;
    if (!listed.count(account.domain) && !is_final(account.state)) change.dropped.push_back(account);
  }
  for (const AccountRow& row : rows)
    if (!known.count(row.domain)) change.added.push_back(row);
  return change;
}

// Nothing done yet (still QUEUED, no intent): cancelled. Otherwise held
// until a person cancels or releases it.
void drop(AppContext& app, const Account& account, const std::string& actor) {
  const Config& config = app.config();
  bool untouched = account.state == State::queued && app.store().count_intents(account.id, "export") == 0 &&
                   app.store().count_intents(account.id, "import") == 0;
  Event event(untouched ? EventKind::cancel : EventKind::hold);
  event.detail = "dropped_from_list";
  Policy policy = policy_for(config, *config.stack_for(account.domain));
  Instant now = app.clock().now();
  StepResult result = apply(account, event, now, policy);
  if (auto* transition = std::get_if<Transition>(&result))
    app.store().commit(account, *transition, now, actor);
}

int apply_change(AppContext& app, const Campaign& campaign, const ListChange& change,
                 const std::string& actor) {
  Instant now = app.clock().now();
  app.store().add_accounts(campaign.id, new_accounts(app.config(), change.added, now), now, actor);
  for (const Account& account : change.dropped) drop(app, account, actor);
  app.store().clear_pending(campaign.id);
  app.store().journal(now, actor, std::nullopt, "campaign_updated",
                      campaign.name + ": " + std::to_string(change.added.size()) + " added, " +
                          std::to_string(change.dropped.size()) + " dropped");
  if (!app.line().quiet)
    app.out() << "campaign " << campaign.name << ": " << change.added.size() << " added, "
              << change.dropped.size() << " dropped\n";
  return k_exit_done;
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
