#include "engine/store/schema.hpp"

#include <string_view>

namespace passage {

namespace {

// Times are ISO 8601 UTC text ("2026-12-01T02:00:00.000Z"), which sorts
// chronologically. States are stored by name.
constexpr std::string_view k_migration_1 = R"sql(
CREATE TABLE campaigns (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  created_at    TEXT NOT NULL,
  accounts_file TEXT NOT NULL,
  pending_file  TEXT,            -- a held update, waiting for `campaign confirm`
  pending_text  TEXT
);

CREATE TABLE accounts (
  id                  INTEGER PRIMARY KEY,
  campaign_id         INTEGER NOT NULL REFERENCES campaigns(id),
  login               TEXT NOT NULL,
  domain              TEXT NOT NULL,
  action              TEXT NOT NULL,
  email               TEXT NOT NULL,
  target              TEXT NOT NULL DEFAULT '',
  target_host         TEXT NOT NULL DEFAULT '',
  admin_move          INTEGER NOT NULL DEFAULT 0,
  departure_date      TEXT NOT NULL,
  reason              TEXT NOT NULL DEFAULT '',
  stack               TEXT NOT NULL,
  state               TEXT NOT NULL,
  held_from           TEXT,
  retry_step          TEXT,
  state_reason        TEXT NOT NULL DEFAULT '',
  due_at              TEXT,      -- the durable timer of the current state
  attempts            INTEGER NOT NULL DEFAULT 0,
  blocked_since       TEXT,
  move_deadline       TEXT,
  fallback_export     INTEGER NOT NULL DEFAULT 0,
  delivery            TEXT NOT NULL DEFAULT 'space',
  export_id           TEXT NOT NULL DEFAULT '',
  export_doc          TEXT NOT NULL DEFAULT '',
  export_completed_at TEXT,
  verified_at         TEXT,
  evidence            TEXT NOT NULL DEFAULT '',
  grace_end           TEXT,
  told_deletion_date  TEXT,
  purged_at           TEXT,
  purge_kind          TEXT NOT NULL DEFAULT '',
  reexports           INTEGER NOT NULL DEFAULT 0,
  updated_at          TEXT NOT NULL
);
CREATE INDEX accounts_by_campaign ON accounts(campaign_id);
CREATE INDEX accounts_by_due ON accounts(state, due_at);
CREATE INDEX accounts_by_login ON accounts(login);
CREATE INDEX accounts_by_domain ON accounts(domain);

-- Write-ahead intents: committed before the remote side effect, finished
-- with its outcome after it. An intent without outcome after a crash is
-- reconciled with the stack before anything is retried.
CREATE TABLE intents (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  kind        TEXT NOT NULL,     -- export, import, delete, notice
  key         TEXT NOT NULL UNIQUE,
  created_at  TEXT NOT NULL,
  outcome     TEXT,              -- NULL while open
  finished_at TEXT
);
CREATE INDEX intents_by_account ON intents(account_id, kind);

-- The append-only, hash-chained journal.
CREATE TABLE journal (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  account_id INTEGER,
  kind       TEXT NOT NULL,
  detail     TEXT NOT NULL,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);

-- Per-stack cooldowns asked by the stack (Retry-After), kept across restarts;
-- `until` is in system time (real time), whatever --now says.
CREATE TABLE stack_cooldowns (
  stack TEXT PRIMARY KEY,
  until TEXT NOT NULL
);

-- The purge breaker: tripped until reset by a person.
CREATE TABLE breaker (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  tripped    INTEGER NOT NULL,
  reason     TEXT NOT NULL,
  changed_at TEXT NOT NULL
);
)sql";

// The journal's head (last seq and hash), kept beside the chain so that
// entries removed from its end are noticed too.
constexpr std::string_view k_migration_2 = R"sql(
CREATE TABLE journal_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO journal_head (id, seq, hash)
  SELECT 1, seq, hash FROM journal ORDER BY seq DESC LIMIT 1;
)sql";

// Each stack's token bucket as the last command left it (system time), so
// the next command continues it instead of starting with a full burst.
constexpr std::string_view k_migration_3 = R"sql(
CREATE TABLE stack_buckets (
  stack   TEXT PRIMARY KEY,
  next_at TEXT NOT NULL
);
)sql";

// The last deletion reminder sent for the current deletion date.
constexpr std::string_view k_migration_4 = R"sql(
ALTER TABLE accounts ADD COLUMN reminded TEXT NOT NULL DEFAULT '';
)sql";

// Compare-and-set commits (a row version), intents keyed by instance
// (domain) across accounts and campaigns, the set of reasons an account is
// HELD for, and the blocks Passage itself put on an instance.
constexpr std::string_view k_migration_5 = R"sql(
ALTER TABLE accounts ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN hold_reasons TEXT NOT NULL DEFAULT '[]';
ALTER TABLE accounts ADD COLUMN own_block TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN own_block_since TEXT;
ALTER TABLE intents ADD COLUMN domain TEXT NOT NULL DEFAULT '';
UPDATE intents SET domain = (SELECT a.domain FROM accounts a WHERE a.id = intents.account_id);
CREATE INDEX intents_by_domain ON intents(domain, kind);
UPDATE accounts SET hold_reasons = json_array(state_reason) WHERE state = 'HELD' AND state_reason <> '';
)sql";

// Personal download links of `archive` delivery (CONTRACT.md "Two servers"):
// only the SHA-256 of each token is kept, the token itself is in the mail
// alone. `served` is what `passage serve --public` served: its only writes.
constexpr std::string_view k_migration_6 = R"sql(
CREATE TABLE download_links (
  token_hash TEXT PRIMARY KEY,   -- SHA-256 hex of the token, never the token
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  message_id TEXT NOT NULL,      -- the notice that carried it
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX download_links_by_account ON download_links(account_id);

CREATE TABLE served (
  id         INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  account_id INTEGER,
  token_hash TEXT NOT NULL,      -- the link's hash, never the token
  path       TEXT NOT NULL,      -- the route with the token masked: "/d/*", "/d/*/0"
  bytes      INTEGER NOT NULL    -- body bytes sent
);
CREATE INDEX served_by_account ON served(account_id, at);
)sql";

// The disk usage read just before an export request (issue 11): what the
// export's file contents must add up to.
constexpr std::string_view k_migration_7 = R"sql(
ALTER TABLE accounts ADD COLUMN usage_at_request TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN export_queued_at TEXT;
ALTER TABLE accounts ADD COLUMN incomplete_files TEXT NOT NULL DEFAULT '';
)sql";

// Admin-driven moves served by `passage serve --public` (CONTRACT.md "Two
// servers", "Admin moves"): a token per import, stored hashed, naming the
// verified export it serves; `served` is read back by the token.
constexpr std::string_view k_migration_8 = R"sql(
CREATE TABLE move_tokens (
  token_hash TEXT PRIMARY KEY,   -- SHA-256 hex of the token, never the token
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  export_doc TEXT NOT NULL,      -- the verified export: id, parts, cursors (JSON)
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,      -- the import deadline
  revoked_at TEXT                -- the move ended: no longer served
);
CREATE INDEX move_tokens_by_account ON move_tokens(account_id);
CREATE INDEX served_by_token ON served(token_hash);
)sql";

// Rows of the latest accounts list skipped as empty (issue 14), for `plan`.
constexpr std::string_view k_migration_9 = R"sql(
ALTER TABLE campaigns ADD COLUMN skipped_rows INTEGER NOT NULL DEFAULT 0;
)sql";

// One account's journal entries, for the support desk's timeline
// (`account show`, issue 13): read by index, not by scanning the chain.
constexpr std::string_view k_migration_10 = R"sql(
CREATE INDEX journal_by_account ON journal(account_id, seq);
)sql";

// Access to a moved space granted by the support desk (`account
// grant-access`, issue 13): the block lifted, until when, and its closing.
constexpr std::string_view k_migration_11 = R"sql(
CREATE TABLE access_grants (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts(id),
  domain      TEXT NOT NULL,
  block       TEXT NOT NULL,
  granted_at  TEXT NOT NULL,
  until       TEXT NOT NULL,
  reason      TEXT NOT NULL,
  actor       TEXT NOT NULL,
  closed_at   TEXT,
  outcome     TEXT
);
CREATE INDEX access_grants_open ON access_grants(closed_at, until);
)sql";

// `campaign close`: a finished or test campaign leaves `campaign list`.
constexpr std::string_view k_migration_12 = R"sql(
ALTER TABLE campaigns ADD COLUMN closed_at TEXT;
)sql";

// `account show` finds an account by login, domain or e-mail in any case
// (store_search.cpp compares lower(...)): without these expression indexes
// the OR scans every account (about 0.2 s at 1,000,000 accounts, issue 15).
constexpr std::string_view k_migration_13 = R"sql(
CREATE INDEX accounts_by_lower_login ON accounts(lower(login));
CREATE INDEX accounts_by_lower_domain ON accounts(lower(domain));
CREATE INDEX accounts_by_lower_email ON accounts(lower(email));
)sql";

// Who asked for the latest export again ("support"), so that its notice
// says "as you asked" rather than "your space was used after the export".
constexpr std::string_view k_migration_14 = R"sql(
ALTER TABLE accounts ADD COLUMN reexport_requested_by TEXT NOT NULL DEFAULT '';
)sql";

// Counts by state (`status`, the desk's campaign page, metrics), a
// campaign's FAILED or HELD accounts and its coming deletions read this
// index alone instead of every row of the campaign (issue 13: the desk
// answers 50 requests at once during a run). It starts with campaign_id,
// so the older index on campaign_id alone goes.
constexpr std::string_view k_migration_15 = R"sql(
CREATE INDEX accounts_by_campaign_state ON accounts(campaign_id, state, grace_end);
DROP INDEX accounts_by_campaign;
)sql";

// The verified export each move token serves, as evidence (issue 11, the
// known defect of the failure matrix): recorded before the import is
// requested, so a run that died after blocking the source MOVED can tell
// its own finished move from a MOVED someone else set.
constexpr std::string_view k_migration_16 = R"sql(
ALTER TABLE move_tokens ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
)sql";

// The QUEUED and RETRY_WAIT rows that need no export slot, for the
// runner (issue 15, engine/store/runner_due.cpp): once a stack's export
// slots are all taken, they are read in due order without walking that
// stack's thousands of waiting exports at every wake-up (18 s of a
// 20,000-account run's loop). Partial: empty for an export campaign, so
// `campaign create` builds it for nothing (an index of every QUEUED row
// cost 0.7 s at 1,000,000 accounts). Its WHERE is k_needs_no_slot of
// runner_due.cpp, character for character.
constexpr std::string_view k_migration_17 = R"sql(
CREATE INDEX accounts_by_due_no_slot ON accounts(state, due_at) WHERE state IN ('QUEUED', 'RETRY_WAIT') AND NOT ((action = 'export' OR fallback_export = 1) AND (state = 'QUEUED' OR (state = 'RETRY_WAIT' AND retry_step = 'QUEUED')));
)sql";

constexpr std::string_view k_migrations[] = {k_migration_1, k_migration_2, k_migration_3,
                                             k_migration_4, k_migration_5, k_migration_6,
                                             k_migration_7, k_migration_8, k_migration_9,
                                             k_migration_10, k_migration_11, k_migration_12,
                                             k_migration_13, k_migration_14, k_migration_15,
                                             k_migration_16, k_migration_17};

}  // namespace

int latest_schema_version() { return static_cast<int>(std::size(k_migrations)); }

void migrate(Database& db) {
  for (int version = db.user_version(); version < latest_schema_version(); ++version) {
    Transaction transaction(db);
    db.exec(k_migrations[version]);
    db.set_user_version(version + 1);
    transaction.commit();
  }
}

}  // namespace passage
