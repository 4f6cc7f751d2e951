"""The model: what was acknowledged (exit 0 of a command, at Passage's
clock), and the invariants checked against the simulators' records, the
database and the outbox after every step.

A protective fact (hold, cancel, postpone) acknowledged while a purge or
nightly was in flight is *raced* when the DELETE that removed its
instance reached the simulator during that command and before the
acknowledgement (the simulator stamps each on CLOCK_MONOTONIC,
sequence.raced): its DELETE was
sent before the fact was committed, so that deletion is not held against it.
"""
from datetime import timedelta

from observe import FINAL, add_days, evidence_ok, local_date, local_midnight, parse_instant

K_RELEASE_GRACE = timedelta(days=7)   # CONTRACT.md HELD: a past grace end moves to now + 7 days
K_MAX_POSTPONE = 60                   # support.max_postpone in the generated config
# States from which one purge (or nightly) may take an account to PURGED.
K_PURGE_FROM = {"GRACE", "PURGE_DUE", "RETRY_WAIT"}
K_NIGHTLY_FROM = K_PURGE_FROM | {"NOTIFIED", "VERIFIED"}


def violation(kind, login=None, **detail):
    v = {"kind": kind}
    if login:
        v["login"] = login
    v.update(detail)
    return v


class Fact(dict):
    """One acknowledged action: verb, login, t (Passage clock), step."""


class Model:
    def __init__(self, params):
        self.domain_login = {a["domain"]: a["login"] for a in params["accounts"]}
        self.listed = {a["login"] for a in params["accounts"] if a["listed"]}
        self.pending = None           # a `campaign update` list held for confirmation
        self.hold = {}                # login -> Fact of a support hold not released since
        self.cancel = {}              # login -> Fact
        self.postpone = {}            # login -> [Fact with "date"]
        self.release = {}             # login -> [Fact with "told" (date last told then)]
        self.dropped = {}             # login -> Fact: dropped by a list, not listed again
        self.drop_refused = {}        # login -> Fact with "intents": left out of an accepted list, its
                                      # drop refused (exit 1) as a DELETE intent was open, not listed again
        self.told = {}                # login -> [dates told, in order]
        self.deleted = {}             # login -> step
        self.unsafe_seen = set()
        self.duplicates = {}          # sim name -> duplicate_exports_24h seen

    # ---- acknowledgements --------------------------------------------------
    def told_last(self, login):
        dates = self.told.get(login)
        return dates[-1] if dates else None

    def ack_support(self, fact, row_before):
        """A support command answered 0. Returns violations of what the
        contract says must be refused."""
        login, verb = fact["login"], fact["verb"]
        found = []
        told = self.told_last(login)  # the latest date told (the outbox was read just after the command)
        told_before = fact.get("told_before")
        if verb == "hold":
            self.hold[login] = fact
        elif verb == "release":
            if login in self.dropped:
                found.append(violation("release_of_dropped_acknowledged", login, step=fact["step"]))
            self.hold.pop(login, None)
            fact["told"] = told
            self.release.setdefault(login, []).append(fact)
        elif verb == "cancel":
            self.cancel[login] = fact
            self.hold.pop(login, None)
        elif verb == "postpone":
            day = fact.get("until")
            if day is None:  # --days N: the deletion date then plus N days, at least
                end = parse_instant((row_before or {}).get("grace_end"))
                if end is not None:
                    # N calendar days at the same local time (CONTRACT.md
                    # "Grace": `N days`), not N × 24 hours: across a change
                    # to summer time, 23:00 CET + 14 days is 23:00 CEST, an
                    # hour less than 14 × 24 h later, on the day before.
                    day = add_days(local_date(end).isoformat(), fact["days"])
                    if told and fact["days"] > K_MAX_POSTPONE and local_date(end).isoformat() >= told:
                        found.append(violation("postpone_beyond_cap_acknowledged", login, told=told,
                                               days=fact["days"], step=fact["step"]))
            elif told:
                if told_before and day <= told_before:
                    found.append(violation("postpone_earlier_acknowledged", login, told=told_before, until=day,
                                           step=fact["step"]))
                if day > add_days(told, K_MAX_POSTPONE):
                    found.append(violation("postpone_beyond_cap_acknowledged", login, told=told,
                                           until=day, step=fact["step"]))
            if day is not None:
                fact["date"] = day
                self.postpone.setdefault(login, []).append(fact)
        return found

    def ack_list(self, logins, states_before, step, t, refused=None):
        """An accepted list (update exit 0, or confirm of a held one).
        `refused`: login -> keys of the DELETE intents open when the list
        was applied, for the accounts whose drop the product refused (exit
        1, "a deletion ... is under way"): the list holds for everyone
        else. Those are not dropped: their deletion was committed before
        the list arrived. They stay listed for the product (not held as
        dropped), so a later list that leaves them out drops them again."""
        refused = refused or {}
        new = set(logins)
        for login in self.listed - new:
            if login in refused:
                self.drop_refused[login] = Fact(verb="drop_refused", login=login, step=step, t=t,
                                                intents=list(refused[login]))
            elif states_before.get(login) not in FINAL:
                self.dropped[login] = Fact(verb="dropped", login=login, step=step, t=t)
                self.drop_refused.pop(login, None)
        for login in new - self.listed:
            self.dropped.pop(login, None)
        for login in new:
            self.drop_refused.pop(login, None)
        self.listed = new | set(refused)
        self.pending = None

    # ---- checks after a step -----------------------------------------------
    def note_notices(self, notices, step):
        found = []
        for name, domain, kind, day in notices:
            login = self.domain_login.get(domain)
            if not login or not day:
                continue
            dates = self.told.setdefault(login, [])
            if dates and day < max(dates):
                found.append(violation("told_date_moved_earlier", login, before=max(dates), now=day,
                                       notice=name, step=step))
            if kind != "deletion_done":
                dates.append(day)
        return found

    def check_deletions(self, gone, step, op, op_now, op_seconds, rows_before, directory_at_start,
                        directory_on, delete_outcomes=lambda login: {}):
        """`gone`: logins whose instance disappeared during this step.
        `delete_outcomes(login)`: key -> outcome of its DELETE intents."""
        found = []
        kind = op.get("op")
        upper = op_now + timedelta(seconds=op_seconds + 1)  # the latest Passage time of the deletion
        allowed_from = K_NIGHTLY_FROM if kind == "nightly" else K_PURGE_FROM
        for login in sorted(gone):
            self.deleted[login] = step
            if kind not in ("purge", "nightly"):
                found.append(violation("deleted_outside_purge", login, op=kind, step=step))
            told = self.told_last(login)
            if told is None:
                found.append(violation("deleted_without_notice", login, step=step))
            elif upper < local_midnight(told):
                found.append(violation("deleted_before_told_date", login, told=told,
                                       at_latest=upper.isoformat(), step=step))
            hold = self.hold.get(login)
            if hold and not hold.get("raced"):
                found.append(violation("deleted_while_held", login, held_at_step=hold["step"], step=step))
            cancel = self.cancel.get(login)
            if cancel and not cancel.get("raced"):
                found.append(violation("deleted_after_cancel", login, cancelled_at_step=cancel["step"],
                                       step=step))
            for fact in self.postpone.get(login, []):
                if not fact.get("raced") and upper < local_midnight(fact["date"]):
                    found.append(violation("deleted_before_postponed_date", login, postponed_to=fact["date"],
                                           at_latest=upper.isoformat(), postponed_at_step=fact["step"],
                                           step=step))
            if login in self.dropped:
                found.append(violation("deleted_while_dropped", login, dropped_at_step=self.dropped[login]["step"],
                                       step=step))
            refused = self.drop_refused.get(login)
            if refused:
                # Its drop was refused because the DELETE open then "cannot
                # be stopped". If the product itself later closed that
                # intent as not done (the space was still there), this
                # deletion is a DELETE committed after the list dropped it.
                outcomes = delete_outcomes(login)
                undone = [k for k in refused["intents"] if (outcomes.get(k) or "").startswith("not_deleted")]
                if undone:
                    found.append(violation("deleted_after_refused_drop", login, refused_at_step=refused["step"],
                                           intent=undone[0], outcome=outcomes[undone[0]], step=step))
            if directory_on and directory_at_start.get(login) != "departed":
                found.append(violation("deleted_while_not_departed", login,
                                       directory=directory_at_start.get(login), step=step))
            for fact in self.release.get(login, []):
                # Released after the told date had passed: a new date at
                # least 7 days away, told before anything happens.
                if fact["told"] and fact["t"] >= local_midnight(add_days(fact["told"], 1)) \
                        and upper < fact["t"] + K_RELEASE_GRACE - timedelta(hours=1):
                    found.append(violation("deleted_right_after_release", login, released_at_step=fact["step"],
                                           told_then=fact["told"], step=step))
            before = (rows_before.get(login) or {}).get("state")
            released_now = any(f["step"] == step for f in self.release.get(login, []))
            if before is not None and before not in allowed_from and not (before == "HELD" and released_now):
                found.append(violation("deleted_from_state", login, state_before=before, op=kind, step=step))
        return found

    def check_stats(self, name, stats, step):
        found = []
        for domain in stats.get("unsafe_domains", []):
            if domain not in self.unsafe_seen:
                self.unsafe_seen.add(domain)
                found.append(violation("unsafe_deletion", self.domain_login.get(domain, domain), sim=name,
                                       step=step))
        dup = stats.get("duplicate_exports_24h", 0)
        if dup > self.duplicates.get(name, 0):
            found.append(violation("duplicate_export_24h", None, sim=name, count=dup, step=step))
            self.duplicates[name] = dup
        return found

    def check_rows(self, rows, step):
        """Every acknowledged support action still in effect; PURGED only
        with evidence."""
        found = []
        for login, row in rows.items():
            state = row.get("state")
            if state == "PURGED" and not evidence_ok(row):
                found.append(violation("purged_without_evidence", login, evidence=row.get("evidence", "")[:120],
                                       step=step))
            hold = self.hold.get(login)
            if hold and not hold.get("raced") and state not in ("HELD", "CANCELLED", "PURGED"):
                found.append(violation("hold_not_in_effect", login, state=state, held_at_step=hold["step"],
                                       step=step))
            cancel = self.cancel.get(login)
            if cancel and not cancel.get("raced") and state not in ("CANCELLED", "PURGED"):
                found.append(violation("cancel_not_in_effect", login, state=state, step=step))
            if login in self.dropped and state not in ("HELD", "CANCELLED", "PURGED", "NO_SPACE"):
                found.append(violation("drop_not_in_effect", login, state=state,
                                       dropped_at_step=self.dropped[login]["step"], step=step))
            end = parse_instant(row.get("grace_end"))
            if end is not None and state not in FINAL:
                for fact in self.postpone.get(login, []):
                    if not fact.get("raced") and end < local_midnight(fact["date"]):
                        found.append(violation("postpone_not_in_effect", login, postponed_to=fact["date"],
                                               grace_end=row.get("grace_end"),
                                               postponed_at_step=fact["step"], step=step))
        return found
