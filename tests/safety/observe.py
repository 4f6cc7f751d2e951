"""What the invariants are checked against: the database (read-only), the
outbox's notices, and the simulators (live instances, counters)."""
import email.parser
import json
import os
import sqlite3
from datetime import date, datetime, time as dtime, timedelta, timezone
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
FINAL = {"PURGED", "CANCELLED", "NO_SPACE"}


def local_midnight(day):
    """A local date (YYYY-MM-DD or date) at 00:00 in Paris, as UTC."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return datetime.combine(day, dtime(0, 0), PARIS).astimezone(timezone.utc)


def local_date(instant):
    return instant.astimezone(PARIS).date()


def parse_instant(text):
    if not text:
        return None
    text = text.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text).astimezone(timezone.utc)
    except ValueError:
        return None


def read_accounts(db_path):
    """login -> row (dict of every column) for every account, or {}."""
    if not os.path.exists(db_path):
        return {}
    con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=10)
    try:
        con.row_factory = sqlite3.Row
        rows = con.execute("SELECT * FROM accounts ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return {}
    finally:
        con.close()
    accounts = {}
    for row in rows:
        accounts[row["login"]] = dict(row)  # one campaign: logins are unique
    return accounts


def _query(db_path, sql, args=()):
    if not os.path.exists(db_path):
        return []
    con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


def open_delete_intents(db_path):
    """login -> keys of its DELETE intents that are open (committed, no
    outcome yet): what the product calls "a deletion under way"."""
    found = {}
    for login, key in _query(db_path, "SELECT a.login, i.key FROM intents i JOIN accounts a ON a.id = i.account_id "
                                      "WHERE i.kind = 'delete' AND i.outcome IS NULL ORDER BY i.id"):
        found.setdefault(login, []).append(key)
    return found


def open_deletes(db_path):
    """Logins whose DELETE intent is open (committed, no outcome yet)."""
    return sorted(open_delete_intents(db_path))


def delete_outcomes(db_path, login):
    """key -> outcome (None while open) of every DELETE intent of an account."""
    return dict(_query(db_path, "SELECT i.key, i.outcome FROM intents i JOIN accounts a ON a.id = i.account_id "
                                "WHERE i.kind = 'delete' AND a.login = ?", (login,)))


def evidence_ok(row):
    """Evidence present: a verification time and a parsable evidence
    document (parts with a SHA-256 each for an export)."""
    if not row.get("verified_at") or not row.get("evidence"):
        return False
    try:
        doc = json.loads(row["evidence"])
    except ValueError:
        return False
    if doc.get("kind") == "moved":
        return True
    parts = doc.get("parts") or []
    return doc.get("kind") == "export" and bool(parts) and all(
        len(p.get("sha256", "")) == 64 and p.get("bytes", 0) > 0 for p in parts)


class Outbox:
    """New notices, oldest first, as (file, domain, kind, deletion date)."""

    def __init__(self, folder):
        self.folder = folder
        self.seen = set()

    def new_notices(self):
        if not os.path.isdir(self.folder):
            return []
        fresh = []
        for name in os.listdir(self.folder):
            if not name.endswith(".eml") or name in self.seen:
                continue
            path = os.path.join(self.folder, name)
            try:
                mtime = os.stat(path).st_mtime_ns
                with open(path, "rb") as f:
                    headers = email.parser.BytesHeaderParser().parse(f)
            except OSError:
                continue
            self.seen.add(name)
            fresh.append((mtime, name, headers.get("X-Passage-Account", "").strip().lower(),
                          headers.get("X-Passage-Kind", "").strip(),
                          headers.get("X-Passage-Deletion-Date", "").strip()))
        fresh.sort()
        return [(name, domain, kind, day) for _, name, domain, kind, day in fresh]


def add_days(day, n):
    return (date.fromisoformat(day) + timedelta(days=n)).isoformat()
