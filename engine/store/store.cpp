#include "engine/store/store.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "engine/store/journal.hpp"
#include "engine/store/schema.hpp"
#include "engine/text/plural.hpp"

namespace passage {

namespace {

// The columns read for an Account, in the order account_from_row() reads them.
constexpr const char* k_account_columns = R"sql(
  a.id, a.campaign_id, a.login, a.domain, a.action, a.email, a.target, a.target_host,
  a.admin_move, a.departure_date, a.reason, a.stack, a.state, a.held_from, a.retry_step,
  a.state_reason, a.due_at, a.attempts, a.blocked_since, a.move_deadline, a.fallback_export,
  a.delivery, a.export_id, a.export_completed_at, a.verified_at, a.evidence, a.grace_end,
  a.told_deletion_date, a.purged_at, a.purge_kind, a.reexports, a.export_doc, a.reminded,
  (SELECT MAX(i.created_at) FROM intents i WHERE i.domain = a.domain AND i.kind IN ('export', 'import')
     AND (i.outcome IS NULL OR i.outcome <> 'not_queued')),
  a.version, a.hold_reasons, a.own_block, a.own_block_since,
  EXISTS (SELECT 1 FROM intents d WHERE d.account_id = a.id AND d.kind = 'delete' AND d.outcome IS NULL),
  a.usage_at_request, a.export_queued_at, a.incomplete_files, a.reexport_requested_by
)sql";

std::optional<Instant> instant_at(const Statement& row, int column) {
  auto text = row.optional_text_at(column);
  if (!text) return std::nullopt;
  return parse_utc(*text);
}

std::optional<State> state_at(const Statement& row, int column) {
  auto text = row.optional_text_at(column);
  if (!text) return std::nullopt;
  return state_from_string(*text);
}

std::optional<std::string> text_of(const std::optional<Instant>& at) {
  if (!at) return std::nullopt;
  return format_utc(*at);
}

std::optional<std::string> text_of(const std::optional<State>& state) {
  if (!state) return std::nullopt;
  return std::string(to_string(*state));
}

std::vector<std::string> reasons_from_json(const std::string& text) {
  std::vector<std::string> reasons;
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(text, error);
  if (error || !parsed.is_array()) return reasons;
  for (const boost::json::value& reason : parsed.as_array())
    if (reason.is_string()) reasons.emplace_back(reason.as_string());
  return reasons;
}

std::string reasons_to_json(const std::vector<std::string>& reasons) {
  boost::json::array array;
  for (const std::string& reason : reasons) array.emplace_back(reason);
  return boost::json::serialize(array);
}

Account account_from_row(const Statement& row) {
  Account account;
  account.id = row.int_at(0);
  account.campaign_id = row.int_at(1);
  account.login = row.text_at(2);
  account.domain = row.text_at(3);
  account.action = row.text_at(4) == "move" ? Action::move : Action::export_;
  account.email = row.text_at(5);
  account.target = row.text_at(6);
  account.target_host = row.text_at(7);
  account.admin_move = row.int_at(8) != 0;
  account.departure_date = parse_iso_date(row.text_at(9)).value_or(date::year_month_day{});
  account.reason = row.text_at(10);
  account.stack = row.text_at(11);
  account.state = state_at(row, 12).value_or(State::failed);
  account.held_from = state_at(row, 13);
  account.retry_step = state_at(row, 14);
  account.state_reason = row.text_at(15);
  account.due_at = instant_at(row, 16);
  account.attempts = static_cast<int>(row.int_at(17));
  account.blocked_since = instant_at(row, 18);
  account.move_deadline = instant_at(row, 19);
  account.fallback_export = row.int_at(20) != 0;
  account.delivery = row.text_at(21);
  account.export_id = row.text_at(22);
  account.export_completed_at = instant_at(row, 23);
  account.verified_at = instant_at(row, 24);
  account.evidence = evidence_from_json(row.text_at(25)).value_or(Evidence{});
  account.grace_end = instant_at(row, 26);
  if (auto told = row.optional_text_at(27)) account.told_deletion_date = parse_iso_date(*told);
  account.purged_at = instant_at(row, 28);
  account.purge_kind = row.text_at(29);
  account.reexports = static_cast<int>(row.int_at(30));
  account.export_doc = row.text_at(31);
  account.reminded = parse_span(row.text_at(32));
  account.last_export_request = instant_at(row, 33);
  account.version = row.int_at(34);
  account.hold_reasons = reasons_from_json(row.text_at(35));
  account.own_block = row.text_at(36);
  account.own_block_since = instant_at(row, 37);
  account.delete_in_flight = row.int_at(38) != 0;
  account.usage_at_request = disk_usage_from_json(row.text_at(39));
  account.export_queued_at = instant_at(row, 40);
  account.incomplete_files = row.text_at(41);
  account.reexport_requested_by = row.text_at(42);
  return account;
}

// "; from FILE line N" for an imported account's journal entry (the
// support desk's timeline shows where the person came from).
std::string imported_from(const std::string& file, int line) {
  if (file.empty()) return line > 0 ? "; line " + std::to_string(line) : "";
  return "; from " + file + (line > 0 ? " line " + std::to_string(line) : "");
}

// The unfinished campaign other than `except` with an account where
// `column` (a column of `accounts a`) equals `value`.
std::optional<std::string> unfinished_campaign_where(Database& db, std::string_view column,
                                                     const std::string& value,
                                                     std::optional<std::int64_t> except) {
  // Run once per row of an accounts file: a cached statement.
  Statement& statement = db.cached("SELECT c.name FROM accounts a JOIN campaigns c ON c.id = a.campaign_id WHERE " +
                                   std::string(column) +
                                   " = ? AND c.id <> ? AND a.state NOT IN ('PURGED', 'CANCELLED', 'NO_SPACE') LIMIT 1");
  statement.bind(1, value).bind(2, except.value_or(-1));
  std::optional<std::string> found;
  if (statement.step()) found = statement.text_at(0);
  statement.reset();
  return found;
}

Campaign campaign_from_row(Statement& row) {
  return Campaign{row.int_at(0), row.text_at(1), row.text_at(2), row.text_at(3), row.int_at(4) != 0,
                  row.int_at(5), row.text_at(6)};
}

constexpr const char* k_campaign_columns =
    "SELECT id, name, created_at, accounts_file, pending_file IS NOT NULL, skipped_rows, "
    "COALESCE(closed_at, '') FROM campaigns ";

}  // namespace

Store::Store(const std::filesystem::path& file, OpenMode mode) : m_db(file, mode) {
  if (mode == OpenMode::read_write) migrate(m_db);
}

std::optional<Campaign> Store::find_campaign(const std::string& name) {
  auto statement = m_db.prepare(std::string(k_campaign_columns) + "WHERE name = ?");
  statement.bind(1, name);
  if (!statement.step()) return std::nullopt;
  return campaign_from_row(statement);
}

std::vector<Campaign> Store::campaigns() {
  auto statement = m_db.prepare(std::string(k_campaign_columns) + "ORDER BY id");
  std::vector<Campaign> result;
  while (statement.step()) result.push_back(campaign_from_row(statement));
  return result;
}

void Store::close_campaign(const Campaign& campaign, Instant now, const std::string& actor,
                           const std::string& reason) {
  Transaction transaction(m_db);
  m_db.prepare("UPDATE campaigns SET closed_at = ? WHERE id = ?").bind(1, format_utc(now)).bind(2, campaign.id).run();
  append_journal(m_db, now, actor, std::nullopt, "campaign_closed",
                 campaign.name + (reason.empty() ? "" : ": " + reason));
  transaction.commit();
}

std::int64_t Store::create_campaign(const std::string& name, const std::string& accounts_file,
                                    const std::vector<NewAccount>& accounts, Instant now,
                                    const std::string& actor, std::size_t skipped_rows) {
  CampaignImport import(*this, name, accounts_file, accounts.size(), now, actor, skipped_rows);
  for (const NewAccount& account : accounts) import.add(account);
  import.commit();
  return import.campaign_id();
}

std::int64_t Store::insert_campaign(const std::string& name, const std::string& accounts_file,
                                    std::size_t accounts, Instant now, const std::string& actor,
                                    std::size_t skipped_rows, JournalBatch& journal) {
  auto insert_campaign = m_db.prepare(
      "INSERT INTO campaigns (name, created_at, accounts_file, skipped_rows) VALUES (?, ?, ?, ?)");
  insert_campaign.bind(1, name).bind(2, format_utc(now)).bind(3, accounts_file)
      .bind(4, static_cast<std::int64_t>(skipped_rows)).run();
  std::int64_t campaign_id = m_db.last_insert_id();
  journal.append(now, actor, std::nullopt, "campaign_created",
                 name + ": " + plural(static_cast<long long>(accounts), "account", "accounts") + " from " + accounts_file);
  return campaign_id;
}

void Store::insert_account(std::int64_t campaign_id, const std::string& name,
                           const std::string& accounts_file, const NewAccount& account, Instant now,
                           const std::string& actor, JournalBatch& journal) {
  // Run once per row of an accounts file: a cached statement.
  Statement& insert = m_db.cached(R"sql(
    INSERT INTO accounts (campaign_id, login, domain, action, email, target, target_host,
      admin_move, departure_date, reason, stack, state, due_at, updated_at, delivery)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'QUEUED', ?, ?, ?))sql");
  const AccountRow& row = account.row;
  const std::string due = format_utc(account.due_at);
  const std::string departure = format_date(row.departure_date);
  const std::string updated = format_utc(now);
  // Every text outlives the run: bound without copies (a row of a million).
  insert.bind(1, campaign_id).bind_static(2, row.login).bind_static(3, row.domain)
      .bind_static(4, to_string(row.action)).bind_static(5, row.email).bind_static(6, row.target)
      .bind_static(7, row.target_host).bind(8, row.admin_move ? 1 : 0)
      .bind_static(9, departure).bind_static(10, row.reason).bind_static(11, account.stack)
      .bind_static(12, due).bind_static(13, updated)
      .bind_static(14, account.delivery);
  insert.run();
  insert.reset();
  journal.append(now, actor, m_db.last_insert_id(), "imported",
                 name + ": " + row.login + " " + row.domain + " " + to_string(row.action) +
                     ", due " + due + imported_from(accounts_file, row.line));
}

CampaignImport::CampaignImport(Store& store, const std::string& name, const std::string& accounts_file,
                               std::size_t accounts, Instant now, const std::string& actor,
                               std::size_t skipped_rows)
    : m_store(store), m_transaction(store.db()), m_journal(store.db()), m_name(name), m_accounts_file(accounts_file), m_now(now),
      m_actor(actor) {
  // A large import outgrows SQLite's 2 MB page cache: its pages would be
  // written to the WAL and read back before the commit. 32 MB for this
  // connection's life (a command imports once and exits).
  m_store.db().exec("PRAGMA cache_size = -32768");
  m_campaign_id = m_store.insert_campaign(name, accounts_file, accounts, now, actor, skipped_rows, m_journal);
  bool empty = false;
  {
    auto read = m_store.db().prepare("SELECT NOT EXISTS (SELECT 1 FROM accounts)");
    empty = read.step() && read.int_at(0) != 0;
  }  // no read open while indexes are dropped
  if (empty) set_indexes_aside();
}

// The first campaign of a database fills an empty table: building each
// index once from the sorted rows costs a fraction of keeping nine indexes
// up to date row by row (issue 15). Dropped and created again inside the
// import's transaction, so a rolled-back import leaves them as they were.
void CampaignImport::set_indexes_aside() {
  std::vector<std::string> names;
  {
    auto indexes = m_store.db().prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'accounts' AND sql IS NOT NULL");
    while (indexes.step()) {
      names.push_back(indexes.text_at(0));
      m_indexes_aside.push_back(indexes.text_at(1));
    }
  }
  for (const std::string& index : names) m_store.db().exec("DROP INDEX \"" + index + "\"");
  m_first_campaign = true;
}

void CampaignImport::add(const NewAccount& account) {
  m_store.insert_account(m_campaign_id, m_name, m_accounts_file, account, m_now, m_actor, m_journal);
  ++m_added;
}

void CampaignImport::commit() {
  m_journal.finish();
  for (const std::string& index : m_indexes_aside) m_store.db().exec(index);
  m_transaction.commit();
}

void Store::add_accounts(std::int64_t campaign_id, const std::vector<NewAccount>& accounts,
                         Instant now, const std::string& actor, const std::string& accounts_file) {
  auto campaign = m_db.prepare("SELECT name FROM campaigns WHERE id = ?");
  campaign.bind(1, campaign_id);
  if (!campaign.step()) throw StoreError("no campaign " + std::to_string(campaign_id));
  std::string name = campaign.text_at(0);
  Transaction transaction(m_db);
  JournalBatch journal(m_db);
  for (const NewAccount& account : accounts)
    insert_account(campaign_id, name, accounts_file, account, now, actor, journal);
  journal.finish();
  transaction.commit();
}

void Store::set_pending(std::int64_t campaign_id, const std::string& file, const std::string& text,
                        Instant now, const std::string& actor) {
  Transaction transaction(m_db);
  auto update = m_db.prepare("UPDATE campaigns SET pending_file = ?, pending_text = ? WHERE id = ?");
  update.bind(1, file).bind(2, text).bind(3, campaign_id).run();
  append_journal(m_db, now, actor, std::nullopt, "campaign_update_held",
                 "campaign " + std::to_string(campaign_id) + ": update from " + file +
                     " held for confirmation");
  transaction.commit();
}

std::optional<std::pair<std::string, std::string>> Store::pending(std::int64_t campaign_id) {
  auto statement = m_db.prepare(
      "SELECT pending_file, pending_text FROM campaigns WHERE id = ? AND pending_file IS NOT NULL");
  statement.bind(1, campaign_id);
  if (!statement.step()) return std::nullopt;
  return std::make_pair(statement.text_at(0), statement.text_at(1));
}

void Store::clear_pending(std::int64_t campaign_id) {
  auto update = m_db.prepare("UPDATE campaigns SET pending_file = NULL, pending_text = NULL WHERE id = ?");
  update.bind(1, campaign_id).run();
}

void Store::set_skipped_rows(std::int64_t campaign_id, std::size_t skipped_rows) {
  auto update = m_db.prepare("UPDATE campaigns SET skipped_rows = ? WHERE id = ?");
  update.bind(1, static_cast<std::int64_t>(skipped_rows)).bind(2, campaign_id).run();
}

std::optional<std::string> Store::unfinished_campaign_with_login(const std::string& login,
                                                                 std::optional<std::int64_t> except) {
  return unfinished_campaign_where(m_db, "a.login", login, except);
}

std::optional<std::string> Store::unfinished_campaign_with_domain(const std::string& domain,
                                                                  std::optional<std::int64_t> except) {
  return unfinished_campaign_where(m_db, "a.domain", domain, except);
}

std::vector<Account> Store::query_accounts(const std::string& where,
                                           const std::vector<std::string>& binds) {
  auto statement = m_db.prepare(std::string("SELECT ") + k_account_columns +
                                " FROM accounts a " + where);
  for (std::size_t i = 0; i < binds.size(); ++i) statement.bind(static_cast<int>(i + 1), binds[i]);
  std::vector<Account> result;
  while (statement.step()) result.push_back(account_from_row(statement));
  return result;
}

// Read at every step of the runner: a cached statement.
std::optional<Account> Store::account(std::int64_t id) {
  static const std::string sql = std::string("SELECT ") + k_account_columns + " FROM accounts a WHERE a.id = ?";
  Statement& statement = m_db.cached(sql);
  statement.bind(1, id);
  std::optional<Account> found;
  if (statement.step()) found = account_from_row(statement);
  statement.reset();
  return found;
}

std::vector<Account> Store::accounts_of(std::int64_t campaign_id) {
  return query_accounts("WHERE a.campaign_id = ? ORDER BY a.id", {std::to_string(campaign_id)});
}

void Store::for_each_account_of(std::int64_t campaign_id, const std::function<void(const Account&)>& visit) {
  auto statement = m_db.prepare(std::string("SELECT ") + k_account_columns +
                                " FROM accounts a WHERE a.campaign_id = ? ORDER BY a.id");
  statement.bind(1, campaign_id);
  while (statement.step()) visit(account_from_row(statement));
}

namespace {

// The runner's states: those with a timer the runner acts on.
const std::vector<std::string> k_runner_states = {"QUEUED", "EXPORTING", "VERIFYING", "MOVING", "INVITED",
                                                  "VERIFIED", "NOTIFIED", "GRACE", "RETRY_WAIT"};

// The WHERE of due_for_runner and due_ids_for_runner and its binds, for
// `state_clause` (its binds given first).
std::pair<std::string, std::vector<std::string>> runner_due_filter(
    const std::string& state_clause, std::vector<std::string> binds, Instant now,
    std::optional<std::int64_t> campaign_id, const std::vector<std::string>& no_export_slot) {
  std::string where = "WHERE " + state_clause + " AND a.due_at IS NOT NULL AND a.due_at <= ?";
  binds.push_back(format_utc(now));
  if (campaign_id) {
    where += " AND a.campaign_id = ?";
    binds.push_back(std::to_string(*campaign_id));
  }
  for (const std::string& stack : no_export_slot) {
    // Runner::export_bound, less EXPORTING (already requested: no slot needed).
    where += " AND NOT (a.stack = ? AND (a.action = 'export' OR a.fallback_export = 1) AND "
             "(a.state = 'QUEUED' OR (a.state = 'RETRY_WAIT' AND a.retry_step = 'QUEUED')))";
    binds.push_back(stack);
  }
  return {where, binds};
}

}  // namespace

std::vector<Account> Store::due_for_runner(Instant now, std::optional<std::int64_t> campaign_id,
                                           int limit, const std::vector<std::string>& no_export_slot) {
  std::string states;
  for (const std::string& state : k_runner_states) states += (states.empty() ? "'" : ",'") + state + "'";
  auto [where, binds] = runner_due_filter("a.state IN (" + states + ")", {}, now, campaign_id, no_export_slot);
  return query_accounts(where + " ORDER BY a.due_at, a.id LIMIT " + std::to_string(limit), binds);
}

std::vector<Account> Store::in_state(State state, std::optional<std::int64_t> campaign_id) {
  std::string where = "WHERE a.state = ?";
  std::vector<std::string> binds{std::string(to_string(state))};
  if (campaign_id) {
    where += " AND a.campaign_id = ?";
    binds.push_back(std::to_string(*campaign_id));
  }
  return query_accounts(where + " ORDER BY a.due_at, a.id", binds);
}

std::vector<Account> Store::stopped_with_own_block(const std::string& block) {
  return query_accounts("WHERE a.own_block = ? AND a.state IN ('HELD','CANCELLED','FAILED') ORDER BY a.id", {block});
}

bool Store::other_account_blocks(const std::string& domain, std::int64_t except) {
  return !query_accounts("WHERE a.domain = ? AND a.id != ? AND a.own_block != '' "
                         "AND a.state NOT IN ('PURGED','NO_SPACE') ORDER BY a.id",
                         {domain, std::to_string(except)})
              .empty();
}

std::optional<Instant> Store::next_runner_due(std::optional<std::int64_t> campaign_id) {
  std::string sql =
      "SELECT MIN(due_at) FROM accounts WHERE state IN ('QUEUED','EXPORTING','VERIFYING',"
      "'MOVING','INVITED','VERIFIED','NOTIFIED','GRACE','RETRY_WAIT') AND due_at IS NOT NULL";
  if (campaign_id) sql += " AND campaign_id = " + std::to_string(*campaign_id);
  // Asked at every wake-up of the runner: one statement a campaign.
  Statement& statement = m_db.cached(sql);
  std::optional<Instant> next;
  if (statement.step() && !statement.is_null(0)) next = parse_utc(statement.text_at(0));
  statement.reset();
  return next;
}

std::map<State, int> Store::state_counts(std::optional<std::int64_t> campaign_id) {
  std::map<State, int> counts;
  for (State state : k_all_states) counts[state] = 0;
  std::string sql = "SELECT state, COUNT(*) FROM accounts";
  if (campaign_id) sql += " WHERE campaign_id = " + std::to_string(*campaign_id);
  auto statement = m_db.prepare(sql + " GROUP BY state");
  while (statement.step())
    if (auto state = state_from_string(statement.text_at(0))) counts[*state] = static_cast<int>(statement.int_at(1));
  return counts;
}

std::vector<Store::StackCount> Store::stepped_outside(const std::vector<std::string>& known,
                                                     std::optional<std::int64_t> campaign_id) {
  std::string sql = "SELECT a.stack, c.name, COUNT(*) FROM accounts a JOIN campaigns c ON c.id = a.campaign_id "
                    "WHERE a.state NOT IN ('PURGED', 'CANCELLED', 'NO_SPACE', 'HELD', 'FAILED') "
                    "AND a.stack NOT IN (''";
  for (std::size_t i = 0; i < known.size(); ++i) sql += ", ?";
  sql += ")";
  if (campaign_id) sql += " AND a.campaign_id = " + std::to_string(*campaign_id);
  auto statement = m_db.prepare(sql + " GROUP BY a.stack, c.name ORDER BY a.stack, c.name");
  for (std::size_t i = 0; i < known.size(); ++i) statement.bind(static_cast<int>(i + 1), known[i]);
  std::vector<StackCount> counts;
  while (statement.step())
    counts.push_back({statement.text_at(0), statement.text_at(1), static_cast<int>(statement.int_at(2))});
  return counts;
}

bool Store::write_account(const Account& account, Instant now) {
  // Run for every step of every account: a cached statement.
  Statement& update = m_db.cached(R"sql(
    UPDATE accounts SET state = ?, held_from = ?, retry_step = ?, state_reason = ?, due_at = ?,
      attempts = ?, blocked_since = ?, move_deadline = ?, fallback_export = ?, delivery = ?,
      export_id = ?, export_completed_at = ?, verified_at = ?, evidence = ?, grace_end = ?,
      told_deletion_date = ?, purged_at = ?, purge_kind = ?, reexports = ?, updated_at = ?,
      export_doc = ?, reminded = ?, hold_reasons = ?, own_block = ?, own_block_since = ?,
      usage_at_request = ?, export_queued_at = ?, incomplete_files = ?, email = ?, departure_date = ?,
      action = ?, target = ?, target_host = ?, admin_move = ?, reexport_requested_by = ?,
      version = version + 1
    WHERE id = ? AND version = ?)sql");
  update.bind(1, to_string(account.state)).bind(2, text_of(account.held_from))
      .bind(3, text_of(account.retry_step)).bind(4, account.state_reason)
      .bind(5, text_of(account.due_at)).bind(6, account.attempts)
      .bind(7, text_of(account.blocked_since)).bind(8, text_of(account.move_deadline))
      .bind(9, account.fallback_export ? 1 : 0).bind(10, account.delivery)
      .bind(11, account.export_id).bind(12, text_of(account.export_completed_at))
      .bind(13, text_of(account.verified_at)).bind(14, evidence_to_json(account.evidence))
      .bind(15, text_of(account.grace_end));
  if (account.told_deletion_date)
    update.bind(16, format_date(*account.told_deletion_date));
  else
    update.bind_null(16);
  update.bind(17, text_of(account.purged_at)).bind(18, account.purge_kind)
      .bind(19, account.reexports).bind(20, format_utc(now)).bind(21, account.export_doc)
      .bind(22, account.reminded ? to_string(*account.reminded) : std::string())
      .bind(23, reasons_to_json(account.hold_reasons)).bind(24, account.own_block)
      .bind(25, text_of(account.own_block_since))
      .bind(26, account.usage_at_request ? disk_usage_to_json(*account.usage_at_request) : std::string())
      .bind(27, text_of(account.export_queued_at)).bind(28, account.incomplete_files)
      // The listed fields: a corrected list may change them (list_correction.cpp).
      .bind(29, account.email).bind(30, format_date(account.departure_date))
      .bind(31, std::string(to_string(account.action))).bind(32, account.target)
      .bind(33, account.target_host).bind(34, account.admin_move ? 1 : 0)
      .bind(35, account.reexport_requested_by)
      .bind(36, account.id).bind(37, account.version);
  update.run();
  return m_db.changes() == 1;
}

bool Store::commit(const Account& before, const Transition& transition, Instant now,
                   const std::string& actor, const std::optional<IntentSpec>& intent) {
  std::vector<StepCommitted> done = commit_steps({}, {StepCommit{before, transition, now, actor, intent}});
  if (done.front().error) std::rethrow_exception(done.front().error);
  return done.front().written;
}

void Store::insert_intent(const Account& account, const IntentSpec& intent, Instant now,
                          const std::string& actor) {
  // A notice resent after a crash keeps its Message-ID, and so its intent.
  // Any other intent is new by construction: a key that exists already is
  // a bug, never something to skip silently.
  const bool resendable = intent.kind == "notice";
  Statement& insert = m_db.cached(resendable
                                      ? "INSERT OR IGNORE INTO intents (account_id, domain, kind, key, created_at) "
                                        "VALUES (?, ?, ?, ?, ?)"
                                      : "INSERT INTO intents (account_id, domain, kind, key, created_at) "
                                        "VALUES (?, ?, ?, ?, ?)");
  insert.bind(1, account.id).bind(2, account.domain).bind(3, intent.kind).bind(4, intent.key)
      .bind(5, format_utc(now)).run();
  if (m_db.changes() > 0)
    append_journal(m_db, now, actor, account.id, "intent", intent.kind + " " + intent.key);
}

std::string Store::next_intent_key(const Account& account, const std::string& kind) {
  return kind + ":" + account.domain + ":" + std::to_string(account.id) + ":" +
         std::to_string(count_intents(account.id, kind) + 1);
}

void Store::record_foreign_export(const Account& account, const std::string& export_id, Instant now) {
  Transaction transaction(m_db);
  const std::string key = "foreign:" + account.domain + ":" + std::to_string(account.id) + ":" + export_id;
  auto insert = m_db.prepare(
      "INSERT OR IGNORE INTO intents (account_id, domain, kind, key, created_at, outcome, finished_at) "
      "VALUES (?, ?, 'export', ?, ?, 'foreign', ?)");
  insert.bind(1, account.id).bind(2, account.domain).bind(3, key).bind(4, format_utc(now))
      .bind(5, format_utc(now)).run();
  if (m_db.changes() > 0)
    append_journal(m_db, now, "runner", account.id, "foreign_export",
                   "export " + export_id + " not requested by Passage (the person's own, or a move's)");
  transaction.commit();
}

void Store::finish_intent(const std::string& key, const std::string& outcome, Instant now) {
  Statement& update = m_db.cached("UPDATE intents SET outcome = ?, finished_at = ? WHERE key = ?");
  update.bind(1, outcome).bind(2, format_utc(now)).bind(3, key).run();
}

void Store::finish_open_intents(std::int64_t account_id, const std::string& kind,
                                const std::string& outcome, Instant now) {
  Statement& update = m_db.cached(
      "UPDATE intents SET outcome = ?, finished_at = ? WHERE account_id = ? AND kind = ? "
      "AND outcome IS NULL");
  update.bind(1, outcome).bind(2, format_utc(now)).bind(3, account_id).bind(4, kind).run();
}

std::optional<std::string> Store::intent_outcome(const std::string& key) {
  Statement& statement = m_db.cached("SELECT outcome FROM intents WHERE key = ?");
  statement.bind(1, key);
  std::optional<std::string> outcome;
  if (statement.step()) outcome = statement.optional_text_at(0).value_or("open");
  statement.reset();
  return outcome;
}

std::optional<Store::IntentInfo> Store::latest_intent(std::int64_t account_id, const std::string& kind) {
  auto statement = m_db.prepare(
      "SELECT created_at, outcome FROM intents WHERE account_id = ? AND kind = ? "
      "ORDER BY id DESC LIMIT 1");
  statement.bind(1, account_id).bind(2, kind);
  if (!statement.step()) return std::nullopt;
  auto at = parse_utc(statement.text_at(0));
  if (!at) return std::nullopt;
  return IntentInfo{*at, statement.optional_text_at(1).value_or("open")};
}

int Store::count_intents(std::int64_t account_id, const std::string& kind) {
  Statement& statement = m_db.cached("SELECT COUNT(*) FROM intents WHERE account_id = ? AND kind = ?");
  statement.bind(1, account_id).bind(2, kind);
  statement.step();
  const int count = static_cast<int>(statement.int_at(0));
  statement.reset();
  return count;
}

void Store::journal(Instant now, const std::string& actor, std::optional<std::int64_t> account_id,
                    const std::string& kind, const std::string& detail) {
  Transaction transaction(m_db);
  append_journal(m_db, now, actor, account_id, kind, detail);
  transaction.commit();
}

void Store::set_cooldown(const std::string& stack, Instant until) {
  Transaction transaction(m_db);
  auto upsert = m_db.prepare(
      "INSERT INTO stack_cooldowns (stack, until) VALUES (?, ?) "
      "ON CONFLICT(stack) DO UPDATE SET until = MAX(until, excluded.until)");
  upsert.bind(1, stack).bind(2, format_utc(until)).run();
  transaction.commit();
}

std::optional<Instant> Store::cooldown(const std::string& stack) {
  auto statement = m_db.prepare("SELECT until FROM stack_cooldowns WHERE stack = ?");
  statement.bind(1, stack);
  if (!statement.step()) return std::nullopt;
  return parse_utc(statement.text_at(0));
}

void Store::set_bucket(const std::string& stack, std::chrono::system_clock::time_point next_at) {
  auto upsert = m_db.prepare(
      "INSERT INTO stack_buckets (stack, next_at) VALUES (?, ?) "
      "ON CONFLICT(stack) DO UPDATE SET next_at = excluded.next_at");
  upsert.bind(1, stack).bind(2, format_utc(std::chrono::time_point_cast<Millis>(next_at))).run();
}

std::optional<std::chrono::system_clock::time_point> Store::bucket(const std::string& stack) {
  auto statement = m_db.prepare("SELECT next_at FROM stack_buckets WHERE stack = ?");
  statement.bind(1, stack);
  if (!statement.step()) return std::nullopt;
  auto at = parse_utc(statement.text_at(0));
  if (!at) return std::nullopt;
  return std::chrono::system_clock::time_point(*at);
}

Store::Breaker Store::breaker() {
  auto statement = m_db.prepare("SELECT tripped, reason FROM breaker WHERE id = 1");
  if (!statement.step()) return {};
  return Breaker{statement.int_at(0) != 0, statement.text_at(1)};
}

void Store::set_breaker(bool tripped, const std::string& reason, Instant now,
                        const std::string& actor) {
  Transaction transaction(m_db);
  auto upsert = m_db.prepare(
      "INSERT INTO breaker (id, tripped, reason, changed_at) VALUES (1, ?, ?, ?) "
      "ON CONFLICT(id) DO UPDATE SET tripped = excluded.tripped, reason = excluded.reason, "
      "changed_at = excluded.changed_at");
  upsert.bind(1, tripped ? 1 : 0).bind(2, reason).bind(3, format_utc(now)).run();
  append_journal(m_db, now, actor, std::nullopt, tripped ? "breaker_tripped" : "breaker_reset",
                 reason);
  transaction.commit();
}

}  // namespace passage
