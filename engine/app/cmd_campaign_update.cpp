// passage campaign update NAME --accounts FILE.csv, campaign confirm NAME --by NAME
// (CONTRACT.md "Accounts file": a corrected list never deletes anyone by
// itself; a large change waits for a person).

#include <ostream>
#include <sstream>

#include "engine/app/campaign_input.hpp"
#include "engine/app/list_change.hpp"
#include "engine/sched/policy.hpp"
#include "engine/store/apply_commit.hpp"

namespace passage {

namespace {

// Nothing done yet: still QUEUED, no export, import or notice intent.
bool untouched(Store& store, const Account& account) {
  return account.state == State::queued && store.count_intents(account.id, "export") == 0 &&
         store.count_intents(account.id, "import") == 0 && store.count_intents(account.id, "notice") == 0;
}

// Nothing done yet (still QUEUED, no intent): cancelled. Otherwise held
// (an account already held keeps its other reasons too) until a person
// cancels it or a later list includes it again. A refusal is an error:
// printing "dropped" for an account that is not would be a lie.
bool drop(AppContext& app, const Account& account, const std::string& actor) {
  const Config& config = app.config();
  Event event(untouched(app.store(), account) ? EventKind::cancel : EventKind::hold);
  event.detail = "dropped_from_list";
  Policy policy = policy_for(config, *config.stack_for(account.domain));
  StepResult result = apply_and_commit(app.store(), account, event, app.clock().now(), policy, actor);
  if (auto* refusal = std::get_if<Refusal>(&result)) {
    // A DELETE under way may still not happen: the drop is kept pending.
    const bool pending = commit_pending_hold(app.store(), account.id, "dropped_from_list", app.clock().now(), actor);
    app.err() << "passage: account " << account.login << " (" << account.domain
              << ") could not be dropped: " << refusal->reason
              << (pending ? "; if it does not happen, the account is held dropped_from_list" : "") << '\n';
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

// One line per account the list adds, drops, lists again or changes, with
// what happens to it ("would" in a preview).
void print_change(AppContext& app, const ListChange& change, bool preview) {
  std::ostream& out = app.out();
  const std::string becomes = preview ? "would be " : "";
  for (const AccountRow& row : change.added) out << "  added    " << row.login << "  " << row.domain << '\n';
  for (const Account& account : change.dropped)
    out << "  dropped  " << account.login << "  " << account.domain << "  (" << becomes
        << (untouched(app.store(), account) ? "CANCELLED" : "HELD dropped_from_list") << ")\n";
  for (const Account& account : change.relisted)
    out << "  listed again  " << account.login << "  " << account.domain << "  (its dropped_from_list hold "
        << (preview ? "would be" : "is") << " lifted)\n";
  for (const ChangedRow& changed : change.changed) {
    out << "  changed  " << changed.account.login << "  " << changed.account.domain << " ";
    for (std::size_t i = 0; i < changed.fields.size(); ++i) out << (i ? "; " : " ") << changed.fields[i];
    out << '\n';
  }
}

// A changed row applies (list_correction.cpp): a refusal is printed and
// counted, like a drop's.
bool correct(AppContext& app, const ChangedRow& changed, const std::string& actor) {
  const Config& config = app.config();
  const AccountRow& row = changed.row;
  Event event(EventKind::list_corrected);
  event.correction = ListCorrection{row.departure_date, row.email, row.action, row.target, row.target_host,
                                    row.admin_move};
  Policy policy = policy_for(config, *config.stack_for(changed.account.domain));
  StepResult result = apply_and_commit(app.store(), changed.account, event, app.clock().now(), policy, actor);
  if (auto* refusal = std::get_if<Refusal>(&result)) {
    app.err() << "passage: account " << changed.account.login << " (" << changed.account.domain
              << ") could not be corrected: " << refusal->reason << '\n';
    return false;
  }
  return true;
}

int apply_change(AppContext& app, const Campaign& campaign, const ListChange& change, std::size_t skipped_rows,
                 const std::string& actor) {
  Instant now = app.clock().now();
  // Listed before anything changes: what each account becomes is read from
  // its state now.
  if (!app.line().quiet) print_change(app, change, false);
  app.store().add_accounts(campaign.id, new_accounts(app.config(), change.added, now), now, actor);
  int refused = 0;
  for (const Account& account : change.dropped) refused += drop(app, account, actor) ? 0 : 1;
  for (const Account& account : change.relisted) refused += relist(app, account, actor) ? 0 : 1;
  for (const ChangedRow& changed : change.changed) refused += correct(app, changed, actor) ? 0 : 1;
  app.store().clear_pending(campaign.id);
  app.store().set_skipped_rows(campaign.id, skipped_rows);
  app.store().journal(now, actor, std::nullopt, "campaign_updated",
                      campaign.name + ": " + std::to_string(change.added.size()) + " added, " +
                          std::to_string(change.dropped.size()) + " dropped, " +
                          std::to_string(change.changed.size()) + " changed, " +
                          std::to_string(change.relisted.size()) + " listed again");
  if (!app.line().quiet)
    app.out() << "campaign " << campaign.name << ": " << change.added.size() << " added, "
              << change.dropped.size() << " dropped, " << change.changed.size() << " changed, "
              << change.relisted.size() << " listed again"
              << skipped_note(skipped_rows)
              << (refused > 0 ? ", " + std::to_string(refused) + " refused (see above)" : "") << '\n';
  return refused > 0 ? k_exit_failed : k_exit_done;
}

// A changed action or target on an account already exported or invited is
// an error on that row: the whole update is refused, nothing applied.
void check_action_changes(AppContext& app, const std::string& file, const ListChange& change) {
  std::vector<std::string> errors;
  for (const ChangedRow& changed : change.changed) {
    const bool new_action = changed.row.action != changed.account.action ||
                            changed.row.target != changed.account.target;
    if (new_action && !untouched(app.store(), changed.account))
      errors.push_back(file + ":" + std::to_string(changed.row.line) + ": " +
                       (changed.row.action != changed.account.action ? "action" : "target") +
                       ": the account was already exported or invited (" +
                       std::string(to_string(changed.account.state)) +
                       "): its action and target can no longer change");
  }
  if (!errors.empty()) throw BadInputLines(errors);
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
int preview(AppContext& app, const Campaign& campaign, const ListChange& change, std::size_t skipped_rows,
            bool held) {
  std::ostream& out = app.out();
  if (!app.line().quiet) {
    out << "campaign " << campaign.name << " (dry run): " << change.added.size() << " added, "
        << change.dropped.size() << " dropped, " << change.changed.size() << " changed, "
        << change.relisted.size() << " listed again out of "
        << plural(change.current, "unfinished account", "unfinished accounts")
        << skipped_note(skipped_rows) << '\n';
    print_change(app, change, true);
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
  AccountsFile file = validated_file(app, *app.line().accounts, text, campaign.id);
  ListChange change = compare_list(app.store().accounts_of(campaign.id), file.rows);
  check_action_changes(app, *app.line().accounts, change);
  bool held = change.fraction() > app.config().campaign_max_change_fraction;
  if (dry_run) return preview(app, campaign, change, file.skipped_rows, held);
  if (held) {
    if (!app.line().quiet) print_change(app, change, true);
    app.store().set_pending(campaign.id, *app.line().accounts, text, app.clock().now(), app.admin_actor());
    app.err() << "passage: campaign " << name << ": " << too_many(app, change) << ": held until "
              << "`passage campaign confirm " << name << " --by NAME`\n";
    return k_exit_held;
  }
  // Changed rows count toward the fraction but are not applied here yet.
  return apply_change(app, campaign, change, file.skipped_rows, app.admin_actor());
}

int cmd_campaign_confirm(AppContext& app) {
  const std::string& name = app.word(2, "campaign NAME");
  std::string actor = app.support_actor();
  auto lock = take_writer_lock(app, "campaign confirm " + name);
  Campaign campaign = require_campaign(app, name);
  auto pending = app.store().pending(campaign.id);
  if (!pending) throw BadInput("campaign " + name + " has no update waiting for confirmation");
  // Validated again: other campaigns may have changed since.
  AccountsFile file = validated_file(app, pending->first, pending->second, campaign.id);
  ListChange change = compare_list(app.store().accounts_of(campaign.id), file.rows);
  check_action_changes(app, pending->first, change);
  return apply_change(app, campaign, change, file.skipped_rows, actor);
}

}  // namespace passage
