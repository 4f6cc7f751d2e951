// passage campaign create|list|close, and the campaign input
// helpers shared with campaign update|confirm.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>

#include <boost/json.hpp>

#include "engine/accounts/accounts_file.hpp"
#include "engine/app/app.hpp"
#include "engine/app/campaign_input.hpp"
#include "engine/app/stack_probe.hpp"
#include "engine/sched/policy.hpp"

namespace passage {

std::string read_text_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw BadInput(path + ": cannot read the accounts file");
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

namespace {

std::vector<std::string> other_campaign_errors(AppContext& app, const std::string& name,
                                               const std::vector<AccountRow>& rows,
                                               std::optional<std::int64_t> except) {
  Store& store = app.store();
  OwnerCampaignLookup owner_campaign{
      [&](const std::string& login) { return store.unfinished_campaign_with_login(login, except); },
      [&](const std::string& domain) { return store.unfinished_campaign_with_domain(domain, except); }};
  return check_against_existing(name, rows, owner_campaign);
}

// The line number of an error "NAME:LINE: field: ...".
long error_line(const std::string& error, const std::string& name) {
  return std::strtol(error.c_str() + std::min(error.size(), name.size() + 1), nullptr, 10);
}

}  // namespace

// Every error of the file at once, in line order: the rows that parsed are
// also checked against the other campaigns when a database exists (none
// exists before the first campaign, and a refused file must not create it).
AccountsFile parsed_file(AppContext& app, const std::string& name, const std::string& text,
                         std::optional<std::int64_t> except) {
  AccountsFile file = parse_accounts_text(name, text, app.config());
  if (file.errors.empty()) return file;
  std::error_code error;
  if (std::filesystem::is_regular_file(app.database_path(), error)) {
    for (std::string& other : other_campaign_errors(app, name, file.rows, except))
      file.errors.push_back(std::move(other));
    std::stable_sort(file.errors.begin(), file.errors.end(), [&](const std::string& a, const std::string& b) {
      return error_line(a, name) < error_line(b, name);
    });
  }
  throw BadInputLines(file.errors);
}

void check_other_campaigns(AppContext& app, const std::string& name,
                           const std::vector<AccountRow>& rows, std::optional<std::int64_t> except) {
  std::vector<std::string> errors = other_campaign_errors(app, name, rows, except);
  if (!errors.empty()) throw BadInputLines(errors);
}

AccountsFile validated_file(AppContext& app, const std::string& name, const std::string& text,
                            std::optional<std::int64_t> except) {
  AccountsFile file = parsed_file(app, name, text, except);
  check_other_campaigns(app, name, file.rows, except);
  return file;
}

std::string skipped_note(std::size_t skipped_rows) {
  if (skipped_rows == 0) return "";
  return ", " + std::to_string(skipped_rows) + (skipped_rows == 1 ? " empty row" : " empty rows") + " skipped";
}

NewAccount new_account(const Config& config, const AccountRow& row, Instant now) {
  const StackConfig& stack = *config.stack_for(row.domain);
  return NewAccount{row, stack.name, first_due(row.departure_date, now, policy_for(config, stack)),
                    config.export_.delivery};
}

NewAccount NewAccountMaker::operator()(const AccountRow& row) {
  const StackConfig* stack = m_config.stack_for(row.domain);
  const int day = date::sys_days{row.departure_date}.time_since_epoch().count();
  auto [due, added] = m_first_dues.try_emplace({stack, day}, Instant{});
  if (added) due->second = first_due(row.departure_date, m_now, policy_for(m_config, *stack));
  return NewAccount{row, stack->name, due->second, m_config.export_.delivery};
}

std::vector<NewAccount> new_accounts(const Config& config, const std::vector<AccountRow>& rows,
                                     Instant now) {
  std::vector<NewAccount> accounts;
  for (const AccountRow& row : rows) accounts.push_back(new_account(config, row, now));
  return accounts;
}

bool row_too_close_to_invite(const Config& config, const AccountRow& row, Instant now) {
  if (row.action != Action::move || row.admin_move) return false;
  return user_move_deadline(row.departure_date, policy_for(config, *config.stack_for(row.domain))) <= now;
}

std::string too_close_warning(const Config& config, const std::vector<AccountRow>& rows, Instant now) {
  int too_close = 0;
  for (const AccountRow& row : rows) too_close += row_too_close_to_invite(config, row, now) ? 1 : 0;
  return too_close_warning(too_close);
}

std::string too_close_warning(int too_close) {
  if (too_close == 0) return "";
  return plural(too_close, "move account leaves", "move accounts leave") +
         " too soon to be invited to move (move.fallback_before_departure): exported instead, and the "
         "export notice says why";
}

namespace {

// The accounts file read through once, each valid row to `on_row`.
AccountsScan scan_accounts_file(const Config& config, const std::string& path, const AccountRowSink& on_row,
                                Checks checks = Checks::all) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BadInput(path + ": cannot read the accounts file");
  return scan_accounts(in, path, config, on_row, checks);
}

// The same, BadInputLines when it has errors.
AccountsScan scanned_file(const Config& config, const std::string& path, const AccountRowSink& on_row,
                          Checks checks) {
  AccountsScan scan = scan_accounts_file(config, path, on_row, checks);
  if (!scan.errors.empty()) throw BadInputLines(scan.errors);
  return scan;
}

// The first pass: the file checked without the database, so that a
// refused file leaves none behind. With errors, BadInputLines with all of
// them in line order, the valid rows' conflicts with other unfinished
// campaigns included when a database exists (as parsed_file() does): the
// file is then read once more, to check those rows.
AccountsScan checked_file(AppContext& app, const std::string& path) {
  AccountsScan checked = scan_accounts_file(app.config(), path, [](const AccountRow&) {});
  if (checked.errors.empty()) return checked;
  std::error_code error;
  if (std::filesystem::is_regular_file(app.database_path(), error)) {
    Store& store = app.store();
    OwnerCampaignLookup owner_campaign{
        [&](const std::string& login) { return store.unfinished_campaign_with_login(login, std::nullopt); },
        [&](const std::string& domain) { return store.unfinished_campaign_with_domain(domain, std::nullopt); }};
    scan_accounts_file(app.config(), path, [&](const AccountRow& row) {
      check_row_against_existing(path, row, owner_campaign, checked.errors);
    });
    std::stable_sort(checked.errors.begin(), checked.errors.end(), [&](const std::string& a, const std::string& b) {
      return error_line(a, path) < error_line(b, path);
    });
  }
  throw BadInputLines(checked.errors);
}

// What the import of a campaign's rows says afterwards.
struct ImportTally {
  std::vector<std::string> held_elsewhere;  // rows in another unfinished campaign
  int too_close = 0;
  std::set<std::string> stacks;
};

// The file read a second time, now inserting each row inside `import`'s
// transaction (one row in memory at a time). The database's checks run
// again, and any error leaves the transaction to roll back. The file's own
// checks do not (Checks::parsing): the first pass found nothing, and a
// file whose bytes changed since (another SHA-256) is refused at the end,
// its rows rolled back (about 1 s of 14 at 1,000,000 rows, issue 15).
ImportTally import_rows(AppContext& app, const std::string& path, const AccountsScan& checked,
                        CampaignImport& import) {
  Store& store = app.store();
  const Config& config = app.config();
  const Instant now = app.clock().now();
  const std::int64_t campaign_id = import.campaign_id();
  // No other campaign in the database: nobody else can hold a login or a
  // domain (and the table's indexes are aside until the commit).
  const bool alone = import.first_campaign();
  OwnerCampaignLookup owner_campaign{
      [&](const std::string& login) {
        return alone ? std::nullopt : store.unfinished_campaign_with_login(login, campaign_id);
      },
      [&](const std::string& domain) {
        return alone ? std::nullopt : store.unfinished_campaign_with_domain(domain, campaign_id);
      }};
  ImportTally tally;
  NewAccountMaker new_account_of(config, now);
  const auto import_row = [&](const AccountRow& row) {
    check_row_against_existing(path, row, owner_campaign, tally.held_elsewhere);
    NewAccount account = new_account_of(row);
    if (tally.held_elsewhere.empty()) import.add(account);
    tally.too_close += row_too_close_to_invite(config, row, now) ? 1 : 0;
    tally.stacks.insert(account.stack);
  };
  AccountsScan scan = scanned_file(config, path, import_row, Checks::parsing);
  if (!tally.held_elsewhere.empty()) throw BadInputLines(tally.held_elsewhere);
  if (scan.sha256 != checked.sha256 || scan.rows != checked.rows || scan.skipped_rows != checked.skipped_rows)
    throw BadInput(path + ": the file changed while it was imported; nothing was imported");
  return tally;
}

int campaign_create(AppContext& app) {
  const std::string& name = app.word(2, "campaign NAME");
  if (!app.line().accounts) throw BadInput("campaign create: --accounts FILE.csv is required");
  const std::string& path = *app.line().accounts;
  const Config& config = app.config();
  // The file first: a refused file leaves no database behind.
  AccountsScan checked = checked_file(app, path);
  auto lock = take_writer_lock(app, "campaign create " + name);
  Store& store = app.store();
  if (store.find_campaign(name)) throw BadInput("campaign " + name + " already exists");
  CampaignImport import(store, name, path, checked.rows, app.clock().now(), app.admin_actor(),
                        checked.skipped_rows);
  ImportTally tally = import_rows(app, path, checked, import);
  import.commit();
  if (!app.line().quiet)
    app.out() << "campaign " << name << ": " << plural(static_cast<long long>(import.added()), "account", "accounts")
              << " imported" << skipped_note(checked.skipped_rows) << '\n';
  std::string warning = too_close_warning(tally.too_close);
  if (!warning.empty())
    app.err() << "passage: warning: " << warning << " (passage plan " << name
              << " also reads the stacks: sizes, time, whether they answer)\n";
  for (const UnreachableStack& stack : unreachable_stacks(config, tally.stacks))
    app.err() << "passage: warning: stack " << stack.name << " (" << stack.url << ") does not answer (" << stack.why
              << "): the campaign is imported, but nothing runs until it answers (passage config check)\n";
  return k_exit_done;
}

// "5 accounts are not finished (QUEUED 2, GRACE 3)"; empty when all are.
std::string unfinished_text(const std::map<State, int>& counts) {
  int unfinished = 0;
  std::string states;
  for (const auto& [state, count] : counts) {
    if (is_final(state) || count == 0) continue;
    unfinished += count;
    states += (states.empty() ? "" : ", ") + std::string(to_string(state)) + " " + std::to_string(count);
  }
  if (unfinished == 0) return "";
  return plural(unfinished, "account is", "accounts are") + " not finished (" + states + ")";
}

// A finished or test campaign leaves `campaign list`; nothing about its
// accounts changes, so only a campaign whose accounts are all final closes.
int campaign_close(AppContext& app) {
  const std::string& name = app.word(2, "campaign NAME");
  auto lock = take_writer_lock(app, "campaign close " + name);
  Store& store = app.store();
  Campaign campaign = require_campaign(app, name);
  if (!campaign.closed_at.empty())
    throw BadInput("campaign " + name + " is already closed (" + campaign.closed_at + ")");
  if (campaign.has_pending)
    throw BadInput("campaign " + name + " has an update held for confirmation: confirm it or leave it");
  std::string unfinished = unfinished_text(store.state_counts(campaign.id));
  if (!unfinished.empty())
    throw BadInput("campaign " + name + ": " + unfinished +
                   "; a campaign closes once every account is PURGED, CANCELLED or NO_SPACE (a test "
                   "campaign: cancel its accounts first, passage account cancel ID --reason TEXT --by NAME)");
  store.close_campaign(campaign, app.clock().now(), app.admin_actor(), app.line().reason.value_or(""));
  if (!app.line().quiet)
    app.out() << "campaign " << name << " closed: it leaves campaign list (--all shows it); its status and "
              << "report stay available\n";
  return k_exit_done;
}

int campaign_list(AppContext& app) {
  Store& store = app.store();
  boost::json::array list;
  for (const Campaign& campaign : store.campaigns()) {
    if (!campaign.closed_at.empty() && !app.line().all) continue;
    auto counts = store.state_counts(campaign.id);
    int total = 0, settled = 0;
    for (const auto& [state, count] : counts) {
      total += count;
      if (is_final(state)) settled += count;
    }
    if (app.line().json) {
      list.push_back(boost::json::object{{"campaign", campaign.name}, {"created_at", campaign.created_at},
                                         {"accounts", total}, {"finished", settled},
                                         {"pending_update", campaign.has_pending},
                                         {"closed_at", campaign.closed_at.empty()
                                                           ? boost::json::value(nullptr)
                                                           : boost::json::value(campaign.closed_at)}});
    } else {
      app.out() << campaign.name << "  " << plural(total, "account", "accounts") << ", " << settled << " finished, created "
                << campaign.created_at << (campaign.has_pending ? "  (update held for confirmation)" : "")
                << (campaign.closed_at.empty() ? "" : "  (closed " + campaign.closed_at + ")") << '\n';
    }
  }
  if (app.line().json) app.out() << boost::json::serialize(list) << '\n';
  return k_exit_done;
}

}  // namespace

int cmd_campaign(AppContext& app) {
  const std::string& sub = app.word(1, "campaign subcommand (create, update, confirm, list, close)");
  if (sub == "create") return campaign_create(app);
  if (sub == "list") return campaign_list(app);
  if (sub == "update") return cmd_campaign_update(app);
  if (sub == "confirm") return cmd_campaign_confirm(app);
  if (sub == "close") return campaign_close(app);
  throw BadInput("campaign " + sub + ": not a campaign subcommand (create, update, confirm, list, close)");
}

}  // namespace passage
