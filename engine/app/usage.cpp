#include "engine/app/usage.hpp"

namespace passage {

namespace {

constexpr const char* k_general = R"(usage: passage [global options] COMMAND ...

Commands:
  config check                              validate the configuration, reach the stacks and relay
  campaign create NAME --accounts FILE.csv  validate the whole file, then import it
  campaign update NAME --accounts FILE.csv [--dry-run]
                                            a corrected list for the same campaign
  campaign confirm NAME --by NAME           accept an update held for confirmation (exit 6)
  campaign list [--json] [--all]            campaigns and their progress (--all: closed ones too)
  campaign close NAME [--reason TEXT]       a finished campaign leaves campaign list
  plan NAME [--json]                        what a campaign will do and how long it takes
  run [NAME] [--until-idle] [--max-duration D]
                                            take due accounts through their lifecycle
  status [NAME] [--json]                    accounts per state
  account show ID [--json]                  one person's case as a timeline, and what comes next
                                            (ID: login, domain or e-mail, any case)
  account list [--campaign C] [--state S] [--failure CODE] [--json]
                                            the accounts behind a count
  account hold|release|retry|cancel|reexport (ID | --from FILE | selectors) --reason TEXT --by NAME
  account postpone (ID | --from FILE | selectors) (--days N | --until DATE) --reason TEXT --by NAME
  account grant-access ID --days N --reason TEXT --by NAME
                                            open a space Passage blocked after its move for N days
  purge [--dry-run] [--reset-breaker --by NAME]
                                            delete the spaces whose grace period ended
  nightly [--dry-run]                       run, then purge (the timer's command)
  report NAME --format csv|json|html [--out PATH|-] [--csv-separator SEP]
  audit verify                              prove the journal unbroken
  plugins                                   the backends, notifiers and reporters built in
  serve                                     the support desk page (serve.listen, needs a desk token)
  serve --public                            serve the personal download links (serve.public_listen)
  serve add-agent NAME                      a desk login of its own for NAME (serve.agents_file)

Global options (before or after the command):
  --config FILE   configuration (default: $PASSAGE_CONFIG, else /etc/passage/passage.yaml)
  --db FILE       database (overrides `database` in the config)
  --now TIME      start the clock at TIME (ISO 8601; local time without offset)
  --quiet         print only errors
  --verbose       print every step
  --help          this text, or a command's help after the command
  --version       print `passage X.Y.Z` and exit

An option or argument a command does not take is an error (exit 2).
--dry-run takes the lock, opens the database read-only and writes at most a
report marked "dry_run": true.

Exit codes: 0 done, 1 some accounts FAILED, 2 bad input, 3 locked, 4 breaker,
5 audit broken, 6 held for confirmation, 7 degraded (deletions failed, or a
stack or the mail relay could not be reached). Several at once: 5, 4, 7, 1.
)";

struct Help {
  const char* command;
  const char* text;
};

constexpr Help k_helps[] = {
    {"config", "usage: passage config check\n  Validates the configuration; prints every error as FILE:LINE: message.\n  Then reaches each stack (one authenticated GET /instances/count) and the mail\n  relay (connect, EHLO, QUIT; the outbox has none) and says which answered.\n  Exit 0 valid (a stack or relay that does not answer is a warning on stderr),\n  2 invalid or credentials refused (HTTP 401/403, SMTP login denied).\n"},
    {"campaign", "usage: passage campaign create NAME --accounts FILE.csv\n       passage campaign update NAME --accounts FILE.csv [--dry-run]\n       passage campaign confirm NAME --by NAME\n       passage campaign list [--json] [--all]\n       passage campaign close NAME [--reason TEXT]\n  update imports added accounts; dropped ones are CANCELLED when nothing was done yet,\n  otherwise HELD dropped_from_list. An update changing more than\n  campaign.max_change_fraction of the list is held (exit 6) until confirmed.\n  create validates the whole accounts file first: every error is printed as\n  FILE:LINE: field: what is wrong, and nothing is imported unless all is valid (exit 2).\n  update --dry-run lists the accounts added, dropped and changed (departure_date, email,\n  target or action; changed ones count toward the fraction) and exits 0 or 6 as the\n  update would, writing nothing. update lists the accounts it adds, drops and lists again.\n  close: a campaign whose accounts are all PURGED, CANCELLED or NO_SPACE leaves\n  campaign list (--all shows it); its status and report stay available.\n"},
    {"plan", "usage: passage plan NAME [--json]\n  Counts by action and next step, bytes to transfer and store, deletions by\n  night, and the estimated duration under the configured limits.\n"},
    {"run", "usage: passage run [NAME] [--until-idle] [--max-duration D]\n  Takes due accounts through export, move, verification and notices. Never deletes.\n  Without --until-idle it runs until stopped (Ctrl-C, SIGTERM) or --max-duration.\n  --until-idle returns when nothing is in flight and nothing is due within idle_horizon.\n  --max-duration D: at D no new work starts; exports already requested are awaited\n  for max_duration_drain (config, default 10 minutes), then left to the next run.\n  Exit 0, 1 when some accounts are FAILED, 7 when a stack or the mail relay did not answer.\n"},
    {"status", "usage: passage status [NAME] [--json]\n  Accounts per state, zeros included.\n"},
    {"account", "usage: passage account show ID [--json]\n"
                "       passage account list [--campaign C] [--state S] [--failure CODE] [--json]\n"
                "       passage account hold|release|retry|cancel|reexport ID --reason TEXT --by NAME\n"
                "       passage account postpone ID (--days N | --until DATE) --reason TEXT --by NAME\n"
                "       passage account VERB (--from FILE | [--campaign C] [--state S] [--failure CODE]) ...\n"
                "       passage account grant-access ID --days N --reason TEXT --by NAME\n"
                "  ID is a login, a domain or the list's e-mail, in any case. When nothing is exactly\n"
                "  ID but some accounts contain it, they are listed and nothing acts (exit 2).\n"
                "  show prints the case as a timeline, oldest first, in the local time of `timezone`\n"
                "  (YYYY-MM-DD HH:MM): the import, each state change with its reason in words, each\n"
                "  notice and its outcome, each attempt and its failure, holds, postpones and\n"
                "  releases with who and why, the evidence, the link expiry, the move deadline and\n"
                "  the deletion; then what happens next. --json: the same, ISO 8601 times with the\n"
                "  local offset.\n"
                "  list selects by campaign, state and failure reason code (delete_stuck,\n"
                "  directory_active, blocked, ...). The actions take one ID, or act on each account\n"
                "  of --from FILE (one ID a line, # comments; every ID must name one account, else\n"
                "  nothing acts) or of the selectors, each journaled on its own, with a summary.\n"
                "  Exit 0 all acted on, 1 some refused, 2 none.\n"
                "  postpone moves the deletion date later, at most support.max_postpone beyond the\n"
                "  date the person was told. A postpone or release that changes the date mails the\n"
                "  person the new date (deletion_date_changed) at once; if that fails it stays\n"
                "  queued for the next run, and the command says so.\n"
                "  reexport exports an exported account (VERIFIED, NOTIFIED, GRACE, PURGE_DUE) again\n"
                "  with archive delivery, when the 24-hour rule allows; the person gets the new\n"
                "  link \"as you asked\". The deletion date never comes earlier; it moves later when\n"
                "  the new export is verified after the departure (one grace period from then).\n"
                "  --by admin:NAME or support:NAME (a bare name means support:NAME) is recorded in\n"
                "  the journal. No stack passphrase is read, except by grant-access.\n"
                "  grant-access lifts the MOVED block Passage put on the source of an admin-driven\n"
                "  move for N days (at most support.max_grant, 14 days by default); the first run\n"
                "  after that blocks it again. The deletion date does not move (postpone it too if\n"
                "  needed). A source the stack closed itself after the person's own move (moved:\n"
                "  true) cannot be opened: the command says what to tell the person instead.\n"},
    {"purge", "usage: passage purge [--dry-run] [--reset-breaker --by NAME]\n  Deletes the spaces whose grace period ended and that pass every interlock,\n  at most purge.max_per_run a night. --dry-run shows what would happen and changes\n  nothing (database read-only; its report is <reports.dir>/dry-run-purge-<stamp>.json).\n  --reset-breaker needs --by and does not go with --dry-run.\n  Exit 4 when the breaker stops deletions.\n"},
    {"nightly", "usage: passage nightly [--dry-run]\n  run --until-idle for every campaign, then purge. Journaled as `nightly`.\n  --dry-run skips the run step (and says so) and purges as purge --dry-run.\n"},
    {"report", "usage: passage report NAME --format csv|json|html [--out PATH|-] [--csv-separator SEP]\n  Without --out, writes <reports.dir>/<NAME>-<stamp>.<ext> and prints its path.\n  csv: UTF-8 with BOM for spreadsheets, cells separated by ';' (--csv-separator ','\n  or tab to choose), times local in `timezone`, cells that would start a formula\n  (= + - @) prefixed with a quote; columns: those of json, then email, target,\n  list_reason, fell_back_to_export, told_deletion_date.\n  html: in notify.language (fr by default, or en), with charts of states per day\n  and failures by reason.\n"},
    {"audit", "usage: passage audit verify\n  Checks the hash chain of the journal. Exit 5 naming the first bad entry.\n"},
    {"plugins", "usage: passage plugins\n  The plugins built into this passage.\n"},
    {"serve", "usage: passage serve [--public]\n       passage serve add-agent NAME\n  passage serve: the support desk page on serve.listen (127.0.0.1:8470), until\n  SIGTERM or SIGINT. Agents log in with their name and the desk token\n  (serve.token_file, else the variable serve.token_env names,\n  PASSAGE_SERVE_TOKEN by default; or serve.agents_file, lines\n  `name sha256-hex-of-token`; without a token it refuses to start);\n  search a person (partial, any case), read their timeline in local time,\n  and hold, release, postpone (within support.max_postpone), retry, cancel or\n  export again with a reason, journaled as support:NAME; preview the mails the\n  person was sent; follow each campaign (counts by state, failures by reason,\n  the next 7 nights' deletions). No lock: it works while a run\n  holds it. 5 failed logins a minute from one address, then 429.\n  passage serve --public: serves the personal download links of archive\n  delivery (GET /d/TOKEN and /d/TOKEN/N) on serve.public_listen. It needs no\n  lock and writes only the `served` table.\n  passage serve add-agent NAME: appends NAME and the SHA-256 of a new token to\n  serve.agents_file and prints the token once; the desk reads the file again\n  at each login.\n"},
};

}  // namespace

std::string usage_text(const std::string& command) {
  for (const Help& help : k_helps)
    if (command == help.command) return help.text;
  return k_general;
}

}  // namespace passage
