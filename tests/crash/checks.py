"""The end of the campaign: what the simulators counted, the journal, the
database's integrity and every account's state."""
import sqlite3

from campaign import unfinished
from observe import evidence_ok, read_accounts


def integrity(db_path):
    con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=30)
    try:
        rows = con.execute("PRAGMA integrity_check").fetchall()
    finally:
        con.close()
    return "ok" if rows == [("ok",)] else "broken"


def final_checks(campaign):
    """A dict of the figures of the last line, plus details to print."""
    stand = campaign.stand
    academy = stand.academy.stats()
    duplicates = sum(sim.stats().get("duplicate_exports_24h", 0) for sim in stand.sims)
    unsafe = academy.get("unsafe_deletions", 0)
    targets_deleted = stand.partner.stats().get("deletions", 0) if stand.partner else 0
    audit = stand.passage(["audit", "verify"], timeout=600)
    rows = read_accounts(stand.db)
    left = unfinished(rows)
    without_evidence = [r["login"] for r in rows.values()
                        if r["state"] == "PURGED" and r.get("purge_kind") == "deleted" and not evidence_ok(r)]
    return {
        "kills": campaign.kills,
        "duplicates": duplicates,
        "unsafe_deletions": unsafe + targets_deleted + len(without_evidence),
        "journal": "ok" if audit.code == 0 else "broken",
        "integrity": integrity(stand.db),
        "unfinished": len(left),
        "details": {
            "unsafe_domains": academy.get("unsafe_domains", []),
            "targets_deleted": targets_deleted,
            "purged_without_evidence": without_evidence[:20],
            "audit": audit.err.strip()[-300:],
            "unfinished": ["%s %s %s" % (r["login"], r["state"], r.get("state_reason", "")) for r in left[:20]],
            "waiting": reasons(rows),
            "deletions": academy.get("deletions", 0),
            "exports_started": academy.get("exports_started", 0),
        },
    }


def reasons(rows):
    """(state, reason) -> count for accounts waiting with a reason."""
    found = {}
    for r in rows.values():
        if r["state"] in ("HELD", "FAILED", "RETRY_WAIT"):
            key = "%s:%s" % (r["state"], (r.get("state_reason") or "")[:60])
            found[key] = found.get(key, 0) + 1
    return found


def failed(figures, campaign):
    return bool(figures["duplicates"] or figures["unsafe_deletions"] or figures["journal"] != "ok"
                or figures["integrity"] != "ok" or figures["unfinished"] or campaign.problems
                or figures["kills"] < campaign.target)
