#pragma once
// The durable state of Passage: campaigns, accounts (with their timers),
// intents, cooldowns and the breaker, over one SQLite file. Every state
// change is committed together with its journal entry (and its intent, for
// a remote side effect) in one transaction.

#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/accounts/account.hpp"
#include "engine/lifecycle/lifecycle.hpp"
#include "engine/store/db.hpp"
#include "engine/store/journal.hpp"

namespace passage {

struct Campaign {
  std::int64_t id = 0;
  std::string name;
  std::string created_at;
  std::string accounts_file;
  bool has_pending = false;
  std::int64_t skipped_rows = 0;  // empty rows of the latest list applied
  std::string closed_at;          // empty while open (`campaign close`)
};

// A new account as imported from the accounts file.
struct NewAccount {
  AccountRow row;
  std::string stack;
  Instant due_at;
  std::string delivery = "space";  // export.delivery: "space" or "archive"
};

// A write-ahead intent to commit together with a transition.
// An account due for the runner, before it is read whole.
struct DueAccount {
  std::int64_t id = 0;
  std::string stack;
  bool wants_new_export = false;  // QUEUED (or waiting to retry QUEUED) for an export
};

// What Store::visit_due_for_runner does after a row.
enum class DueVisit {
  next,                // the next row
  // The row's stack has no export slot left: the rest of QUEUED and
  // RETRY_WAIT (where new exports wait) is left to the next visit, whose
  // search leaves that stack's new exports out. Reading on past them here
  // would walk every one of them at each wake-up (issue 15).
  queue_later,
  stop,                // nothing more
};

struct IntentSpec {
  std::string kind;  // export, import, delete, notice
  std::string key;   // idempotency key, unique
};

// One account's step for Store::commit_steps: what Store::commit takes.
struct StepCommit {
  Account before;
  Transition transition;
  Instant now;
  std::string actor;
  std::optional<IntentSpec> intent;
};

// The outcome of an intent whose side effect is over: the intent `key`,
// or (key empty) every still open intent of `kind` for `account_id`.
struct IntentFinish {
  std::string key;
  std::int64_t account_id = 0;
  std::string kind;
  std::string outcome;
  Instant now;
};

// What Store::commit_steps did with one step.
struct StepCommitted {
  bool written = false;       // false: stale (see Store::commit), nothing of it written
  std::exception_ptr error;   // its own write failed: nothing of it written
};

class Store;

// A campaign imported one account at a time in one transaction, so that a
// 1,000,000-row file is never held in memory: nothing is written unless
// commit() is called (a refused file rolls everything back). The database
// and the journal end as create_campaign() leaves them.
class CampaignImport {
 public:
  CampaignImport(Store& store, const std::string& name, const std::string& accounts_file,
                 std::size_t accounts, Instant now, const std::string& actor, std::size_t skipped_rows);
  void add(const NewAccount& account);
  std::int64_t campaign_id() const { return m_campaign_id; }
  std::size_t added() const { return m_added; }
  // No other campaign's account exists: checks against other campaigns
  // can be skipped (the table's indexes are set aside until commit()).
  bool first_campaign() const { return m_first_campaign; }
  void commit();

 private:
  void set_indexes_aside();

  Store& m_store;
  Transaction m_transaction;
  JournalBatch m_journal;  // after m_transaction: read and written inside it
  std::string m_name;
  std::string m_accounts_file;
  Instant m_now;
  std::string m_actor;
  std::int64_t m_campaign_id = 0;
  std::size_t m_added = 0;
  bool m_first_campaign = false;
  std::vector<std::string> m_indexes_aside;  // CREATE INDEX statements
};

class Store {
 public:
  // Opens (creating) the database and brings its schema up to date;
  // OpenMode::read_only opens an existing one as it is (no migration,
  // every write throws StoreError).
  explicit Store(const std::filesystem::path& file, OpenMode mode = OpenMode::read_write);

  Database& db() { return m_db; }

  // --- campaigns ---
  std::optional<Campaign> find_campaign(const std::string& name);
  std::vector<Campaign> campaigns();
  // Imports a whole campaign in one transaction, journaled.
  std::int64_t create_campaign(const std::string& name, const std::string& accounts_file,
                               const std::vector<NewAccount>& accounts, Instant now,
                               const std::string& actor, std::size_t skipped_rows = 0);
  // Starts a campaign inside a transaction the caller holds: its row and
  // its "campaign_created" journal entry (naming `accounts` accounts).
  std::int64_t insert_campaign(const std::string& name, const std::string& accounts_file,
                               std::size_t accounts, Instant now, const std::string& actor,
                               std::size_t skipped_rows, JournalBatch& journal);
  // One imported account, journaled, inside a transaction the caller holds.
  void insert_account(std::int64_t campaign_id, const std::string& campaign_name,
                      const std::string& accounts_file, const NewAccount& account, Instant now,
                      const std::string& actor, JournalBatch& journal);
  // How many empty rows the list applied last had.
  void set_skipped_rows(std::int64_t campaign_id, std::size_t skipped_rows);
  // Adds accounts to an existing campaign in one transaction, journaled.
  void add_accounts(std::int64_t campaign_id, const std::vector<NewAccount>& accounts, Instant now,
                    const std::string& actor, const std::string& accounts_file = {});
  // The unfinished campaign (any account not final) other than `except`
  // holding this login, or this domain, if any.
  std::optional<std::string> unfinished_campaign_with_login(const std::string& login,
                                                            std::optional<std::int64_t> except = {});
  std::optional<std::string> unfinished_campaign_with_domain(const std::string& domain,
                                                             std::optional<std::int64_t> except = {});
  // A campaign update held for confirmation: the file's name and text.
  void set_pending(std::int64_t campaign_id, const std::string& file, const std::string& text,
                   Instant now, const std::string& actor);
  std::optional<std::pair<std::string, std::string>> pending(std::int64_t campaign_id);
  void clear_pending(std::int64_t campaign_id);
  // `campaign close`: the campaign leaves `campaign list`, journaled.
  void close_campaign(const Campaign& campaign, Instant now, const std::string& actor,
                      const std::string& reason);

  // --- accounts ---
  std::optional<Account> account(std::int64_t id);
  // --- the support desk's searches (store_search.cpp) ---
  // Accounts whose login, domain or e-mail address equals `key`, in any
  // case ("Hakim.BenAli@Laposte.net" finds hakim.benali@laposte.net).
  std::vector<Account> find_accounts(const std::string& key);
  // Accounts whose login, domain or e-mail contains `fragment` in any
  // case, at most `limit` of them, by id.
  std::vector<Account> search_accounts(const std::string& fragment, int limit);
  // Accounts of a campaign (all when none) in a state (any when none), by id.
  std::vector<Account> select_accounts(std::optional<std::int64_t> campaign_id,
                                       std::optional<State> state);
  std::vector<Account> accounts_of(std::int64_t campaign_id);
  // The same accounts one at a time, by id, over a cursor (a 1,000,000-
  // account campaign is never in memory whole). `visit` must not write
  // the database.
  void for_each_account_of(std::int64_t campaign_id, const std::function<void(const Account&)>& visit);
  // Accounts of a campaign whose deletion is scheduled (VERIFIED, NOTIFIED,
  // GRACE, PURGE_DUE, not held) before `until`, soonest first.
  std::vector<Account> deletions_before(std::int64_t campaign_id, Instant until);
  // Accounts the runner acts on whose timer is due, earliest first. New
  // export requests of the stacks in `no_export_slot` are left out: they
  // could not start, and must not fill the window ahead of the downloads,
  // notices and departures due after them.
  std::vector<Account> due_for_runner(Instant now, std::optional<std::int64_t> campaign_id,
                                      int limit, const std::vector<std::string>& no_export_slot = {});
  // The same accounts as due_for_runner, in the same order, as their ids
  // and what the runner needs to skip one without reading it whole.
  // When `no_export_slot` is not empty, the new exports of every stack
  // not in `with_export_slot` are left out too (a stack the config no
  // longer has waits until no stack is full).
  std::vector<DueAccount> due_ids_for_runner(Instant now, std::optional<std::int64_t> campaign_id,
                                             int limit, const std::vector<std::string>& no_export_slot = {},
                                             const std::vector<std::string>& with_export_slot = {});
  // due_ids_for_runner one row at a time, with no limit, as long as
  // `visit` says next: the runner reads about what it starts, not hundreds
  // of new exports waiting for a slot at every wake-up (issue 15). After
  // queue_later, the rows are due_for_runner's after that row less those
  // in QUEUED and RETRY_WAIT.
  void visit_due_for_runner(Instant now, std::optional<std::int64_t> campaign_id,
                            std::vector<std::string> no_export_slot, std::vector<std::string> with_export_slot,
                            const std::function<DueVisit(const DueAccount&)>& visit);
  // Accounts in `state` (all campaigns when none given), earliest timer first.
  std::vector<Account> in_state(State state, std::optional<std::int64_t> campaign_id = {});
  // Accounts no run drives (HELD, CANCELLED, FAILED) whose own_block is
  // `block`: a block Passage set and may have to lift itself.
  std::vector<Account> stopped_with_own_block(const std::string& block);
  // True when an account other than `except` (of any campaign), its space
  // not gone, records a block of its own on `domain`: that block is not
  // `except`'s to lift.
  bool other_account_blocks(const std::string& domain, std::int64_t except);
  // The earliest runner timer.
  std::optional<Instant> next_runner_due(std::optional<std::int64_t> campaign_id);
  std::map<State, int> state_counts(std::optional<std::int64_t> campaign_id);
  // The accounts a run or a purge still steps (neither final nor HELD or
  // FAILED, which wait for a person) whose stack is not in `known`,
  // counted by stack and campaign name. A scan: 0.15 s at 1M accounts.
  struct StackCount {
    std::string stack;
    std::string campaign;
    int accounts = 0;
  };
  std::vector<StackCount> stepped_outside(const std::vector<std::string>& known,
                                          std::optional<std::int64_t> campaign_id);

  // Commits a transition of `before`, journaled as `actor`, with its
  // intent if any, as a compare-and-set on the account's version: if
  // anyone committed the account since `before` was read (a hold or a
  // postpone by the support desk), nothing is written and false is
  // returned; the caller re-reads and decides again. On success the
  // stored version is before.version + 1.
  bool commit(const Account& before, const Transition& transition, Instant now,
              const std::string& actor, const std::optional<IntentSpec>& intent = {});
  // Group commit (issue 15): the intents' outcomes, then every step, in
  // one transaction. Each step is written exactly as commit() writes it —
  // its compare-and-set reads the account inside this transaction, so a
  // hold committed before it wins — or not at all: a step whose own write
  // throws is rolled back alone and its error returned. As durable as
  // commit(): synchronous=FULL when a step carries an intent other than a
  // notice. A refused COMMIT throws, and then nothing was written.
  std::vector<StepCommitted> commit_steps(const std::vector<IntentFinish>& finished,
                                          const std::vector<StepCommit>& steps);

  // --- intents ---
  // A new, unique key for the account's next intent of `kind`:
  // "<kind>:<domain>:<account id>:<n>" (a domain listed again by another
  // account row never collides).
  std::string next_intent_key(const Account& account, const std::string& kind);
  void finish_intent(const std::string& key, const std::string& outcome, Instant now);
  // An export of the account's instance that Passage did not request, seen
  // at `now`: a finished export intent (outcome "foreign"), so the 24-hour
  // rule counts it, journaled once per (account, export id).
  void record_foreign_export(const Account& account, const std::string& export_id, Instant now);
  // Reconciliation: every still open intent of `kind` for the account.
  void finish_open_intents(std::int64_t account_id, const std::string& kind,
                           const std::string& outcome, Instant now);
  // "open" for an intent without outcome, its outcome otherwise; nullopt
  // when no such intent exists.
  std::optional<std::string> intent_outcome(const std::string& key);
  int count_intents(std::int64_t account_id, const std::string& kind);
  // The latest intent of `kind` for the account: its time and outcome
  // ("open" while it has none).
  struct IntentInfo {
    Instant created_at;
    std::string outcome;
  };
  std::optional<IntentInfo> latest_intent(std::int64_t account_id, const std::string& kind);

  // --- journal outside transitions (commands, resets) ---
  void journal(Instant now, const std::string& actor, std::optional<std::int64_t> account_id,
               const std::string& kind, const std::string& detail);

  // --- per-stack cooldowns (Retry-After), kept across restarts ---
  void set_cooldown(const std::string& stack, Instant until);
  std::optional<Instant> cooldown(const std::string& stack);

  // --- per-stack token buckets, continued from one command to the next ---
  void set_bucket(const std::string& stack, std::chrono::system_clock::time_point next_at);
  std::optional<std::chrono::system_clock::time_point> bucket(const std::string& stack);

  // --- purge breaker ---
  struct Breaker {
    bool tripped = false;
    std::string reason;
  };
  Breaker breaker();
  void set_breaker(bool tripped, const std::string& reason, Instant now, const std::string& actor);

 private:
  std::vector<Account> query_accounts(const std::string& where,
                                      const std::vector<std::string>& binds);
  // Writes `account` if its stored version is still account.version.
  bool write_account(const Account& account, Instant now);
  // One step of commit_steps, inside the caller's transaction.
  bool write_step(const StepCommit& step);
  void write_finish(const IntentFinish& finish);
  void insert_intent(const Account& account, const IntentSpec& intent, Instant now,
                     const std::string& actor);

  Database m_db;
};

}  // namespace passage
