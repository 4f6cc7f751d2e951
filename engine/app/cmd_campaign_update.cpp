// passage campaign update NAME --accounts FILE.csv, campaign confirm NAME --by NAME
// (CONTRACT.md "Accounts file": a corrected list never deletes anyone by
// itself; a large change waits for a person).

#include <ostream>
#include <sstream>

#include "engine/app/campaign_input.hpp"
#include "engine/app/list_change.hpp"
#include "engine/sched/policy.hpp"

namespace passage {

namespace {

// Nothing done yet: still QUEUED, no export or import intent.
bool untouched(Store& store, const Account& account) {
  return account.state == State::queued && store.count_intents(account.id, "export") == 0 &&
         store.count_intents(account.id, "import") == 0;
}

// Nothing done yet (still QUEUED, no intent): cancelled. Otherwise held
// until a person cancels or releases it.
void drop(AppContext& app, const Account& account, const std::string& actor) {
  const Config& config = app.config();
  Event event(untouched(app.store(), account) ? EventKind::cancel : EventKind::hold);
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

// "3 added, 1 dropped and 2 changed out of 20 is more than …".
std::string too_many(AppContext& app, const ListChange& change) {
  std::ostringstream text;
  text << change.added.size() << " added, " << change.dropped.size() << " dropped and "
       << change.changed.size() << " changed out of " << change.current
       << " is more than campaign.max_change_fraction (" << app.config().campaign_max_change_fraction
       << ")";
  return text.str();
}

// `campaign update --dry-run`: what the update would do, read from a
// read-only database; exit 0 or 6 as the update would.
int preview(AppContext& app, const Campaign& campaign, const ListChange& change, bool held) {
  std::ostream& out = app.out();
  if (!app.line().quiet) {
    out << "campaign " << campaign.name << " (dry run): " << change.added.size() << " added, "
        << change.dropped.size() << " dropped, " << change.changed.size() << " changed out of "
        << change.current << " unfinished accounts\n";
    for (const AccountRow& row : change.added) out << "  added    " << row.login << "  " << row.domain << '\n';
    for (const Account& account : change.dropped)
      out << "  dropped  " << account.login << "  " << account.domain << "  (would be "
          << (untouched(app.store(), account) ? "CANCELLED" : "HELD dropped_from_list") << ")\n";
    for (const ChangedRow& changed : change.changed) {
      out << "  changed  " << changed.account.login << "  " << changed.account.domain << " ";
      for (std::size_t i = 0; i < changed.fields.size(); ++i) out << (i ? "; " : " ") << changed.fields[i];
      out << '\n';
    }
  }
  if (held) {
    app.err() << "passage: campaign " << campaign.name << " (dry run): " << too_many(app, change)
              << ": would be held for confirmation; nothing written\n";
    return k_exit_held;
  }
  if (!app.line().quiet) out << "would be applied; nothing written\n";
  return k_exit_done;
}

}  // namespace

int cmd_campaign_update(AppContext& app) {
  const std::string& name = app.word(2, "campaign NAME");
  if (!app.line().accounts) throw BadInput("campaign update: --accounts FILE.csv is required");
  bool dry_run = app.line().dry_run;
  auto lock = take_writer_lock(app, "campaign update " + name + (dry_run ? " --dry-run" : ""));
  Campaign campaign = require_campaign(app, name);
  std::string text = read_text_file(*app.line().accounts);
  std::vector<AccountRow> rows = validated_rows(app, *app.line().accounts, text, campaign.id);
  ListChange change = compare_list(app.store().accounts_of(campaign.id), rows);
  bool held = change.fraction() > app.config().campaign_max_change_fraction;
  if (dry_run) return preview(app, campaign, change, held);
  if (held) {
    app.store().set_pending(campaign.id, *app.line().accounts, text, app.clock().now(), app.admin_actor());
    app.err() << "passage: campaign " << name << ": " << too_many(app, change) << ": held until "
              << "`passage campaign confirm " << name << " --by NAME`\n";
    return k_exit_held;
  }
  // Changed rows count toward the fraction but are not applied here yet.
  return apply_change(app, campaign, change, app.admin_actor());
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
  return apply_change(app, campaign, compare_list(app.store().accounts_of(campaign.id), rows), actor);
}

}  // namespace passage
