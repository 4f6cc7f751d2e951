"""Runs one sequence of operations against a fresh stand and checks the
invariants after every step. Stops at the first step with a violation (or
at its time budget) and returns the executed trace, concrete enough to be
replayed."""
import copy
import json
import os
import re
import signal
import time
from datetime import timedelta

from events import ProcessEvents
from model import Fact, Model, violation
from observe import (FINAL, Outbox, add_days, delete_outcomes, local_date, open_delete_intents, open_deletes,
                     parse_instant, read_accounts)
from stand import HarnessError, Stand, iso

K_LANDED_S = 10  # at most this long after a SIGKILL for the requests it sent to be answered


def raced(deleted_by, domain, since_ns, acked_ns):
    """True when the DELETE that removed `domain` reached the simulator
    while this command ran (from `since_ns`, its start) and before the
    acknowledgement (`acked_ns`, taken once the support command had
    exited): it was sent before the fact was committed. Times are
    CLOCK_MONOTONIC: the simulator stamps a request when its headers
    arrive, before any injected latency or stall, on the clock this
    process reads (time.monotonic_ns), so nothing has to wait for a
    deletion to be handled to tell the two apart. A DELETE that removed
    nothing (stuck, half done) or came from an earlier command excuses
    nothing."""
    return any(d["domain"] == domain and since_ns <= d["arrived_ns"] < acked_ns for d in deleted_by)
# A command past its timeout is a `hang` (and ends the sequence: the next
# run would hang too). The longest legitimate run here: retries capped at
# idle_horizon (5 s) within retry_budget (8), export deadline 5 s, import 15 s.
K_TIMEOUTS = {"idle": 100, "purge": 90, "nightly": 120}
K_MAIN_CODES = {0, 1, 4, 6, 7}
# `campaign update|confirm` exit 1: the list applied except for these
# (cmd_campaign_update.cpp `drop`, support.cpp `deletion_under_way`).
K_DROP_REFUSED = re.compile(r"passage: account (\S+) \((\S+)\) could not be dropped: "
                            r"a deletion of (\S+) is under way; it cannot be stopped now"
                            r"(?:; if it does not happen, the account is held dropped_from_list)?")


class Sequence:
    def __init__(self, params, ops, bin_dir, folder, budget_s=600, log=None, stop_kind=None):
        self.params, self.ops, self.bin_dir, self.folder = params, ops, bin_dir, folder
        self.budget_s = budget_s
        self.stop_kind = stop_kind  # shrinking: stop once this invariant failed
        self.reported = set()
        self.faults = {}  # the fault set in force
        self.log = log or (lambda text: None)
        self.trace, self.violations, self.steps = [], [], 0
        self.model = Model(params)
        self.stand = None
        self.tally = {}  # what the sequence exercised: deletions, acknowledgements, kills...

    def count(self, key, n=1):
        self.tally[key] = self.tally.get(key, 0) + n

    # ---- the loop ------------------------------------------------------------
    def run(self):
        started = time.monotonic()
        try:
            self.stand = Stand(self.params, self.bin_dir, self.folder)
            self.outbox = Outbox(self.stand.outbox)
            r = self.stand.passage(["campaign", "create", "c1", "--accounts", "accounts.csv"])
            if r.code != 0:
                self.violations.append(violation("setup_refused", None, result=r.brief()))
                return self
            if self.params["admin_moves"]:
                self.stand.start_public_server()
            self.rows = read_accounts(self.stand.db)
            self.audit_ok = True
            for step, op in enumerate(self.ops):
                if time.monotonic() - started > self.budget_s:
                    self.log("time budget reached after %d steps" % step)
                    break
                self.step = step
                self.found = []
                done = self.execute(copy.deepcopy(op))
                self.trace.append(done)
                self.steps += 1
                self.found += self.check(done)
                for v in self.found:  # each (invariant, account) once: later steps repeat it
                    key = (v["kind"], v.get("login"))
                    if key not in self.reported:
                        self.reported.add(key)
                        self.violations.append(v)
                if any(v["kind"] in (self.stop_kind, "harness_error", "hang") for v in self.found):
                    break
        except HarnessError as e:
            self.violations.append(violation("harness_error", None, detail=str(e)))
        finally:
            if self.stand:
                self.stand.close()
        return self

    # ---- one operation ---------------------------------------------------------
    def execute(self, op):
        s = self.stand
        op["now"] = iso(s.now)
        self.rows_before = self.rows
        self.directory_at_start = dict(s.directory)
        self.op_seconds = 0.0
        kind = op["op"]
        if kind in ("run", "purge", "nightly"):
            self.main(op)
        elif kind == "support":
            self.support(op, None)
        elif kind == "update":
            self.update(op)
        elif kind == "confirm":
            self.apply_list(op, ["campaign", "confirm", "c1", "--by", "agent"], self.model.pending)
        elif kind == "jump":
            self.count("jumps")
            if "to_grace" in op:
                op["seconds"] = self.to_next_grace_end(op.pop("to_grace"))
            if op["seconds"] > 0:
                s.jump(op["seconds"])
        elif kind == "back":
            s.back(op["seconds"])
        elif kind == "faults":
            self.faults = op["set"]
            for sim in s.sims:
                applied = sim.put_faults(op["set"])
            op["applied"] = applied
        elif kind == "directory":
            s.directory[op["login"]] = op["status"]
            s.write_directory()
        elif kind == "reset_breaker":
            r = s.passage(["purge", "--reset-breaker", "--by", "agent"])
            op["result"] = r.brief()
            self.expect(r, {0})
        return op

    def to_next_grace_end(self, offset):
        """Seconds from now to the next grace end (plus offset), or a day."""
        ends = sorted(e for e in (parse_instant(r.get("grace_end")) for r in read_accounts(self.stand.db).values()
                                  if r.get("state") in ("NOTIFIED", "GRACE")) if e and e > self.stand.now)
        if not ends:
            return 86400
        return max(60, int((ends[0] - self.stand.now).total_seconds()) + offset)

    def states(self):
        return {login: row.get("state") for login, row in read_accounts(self.stand.db).items()}

    def expect(self, r, codes, what=None):
        what = what or " ".join(r.argv[:2])
        if r.timed_out:
            self.found.append(violation("hang", None, command=what, seconds=round(r.seconds), step=self.step))
        elif r.code is not None and r.code < 0 and not r.killed:
            self.found.append(violation("crash_signal", None, command=what, signal=-r.code, step=self.step))
        elif "passage: error:" in r.err:
            self.found.append(violation("unexpected_error", None, command=what, err=r.err.strip()[-300:],
                                        step=self.step))
        elif not r.killed and r.code not in codes:
            self.found.append(violation("unexpected_exit", None, command=what, code=r.code,
                                        err=r.err.strip()[-300:], step=self.step))

    def main(self, op):
        s = self.stand
        if op["op"] == "run":
            args = ["run", "--until-idle"] if op["mode"] == "idle" else \
                ["run", "--max-duration", "%d seconds" % op["seconds"]]
            timeout = K_TIMEOUTS["idle"] if op["mode"] == "idle" else op["seconds"] + 120
        else:
            args, timeout = [op["op"]], K_TIMEOUTS[op["op"]]
        deleting = op["op"] in ("purge", "nightly")
        p = s.start(args)
        events = ProcessEvents(p.pid, os.path.dirname(s.db))
        try:
            probes = self.run_pending(op, p, events, timeout, deleting)
        finally:
            events.close()
        r = s.finish(p, timeout)
        if r.killed:
            self.count("killed")
        if r.killed or probes:
            self.wait_requests_landed()  # a DELETE already sent lands before the observation
        for fact in probes:
            self.probe(fact, int(p.started * 1e9))
        self.op_seconds = r.seconds
        op["result"] = r.brief()
        self.expect(r, K_MAIN_CODES)

    def run_pending(self, op, p, events, timeout, deleting):
        """Runs the concurrent support actions and the kill of `op` while
        `p` runs, each at its delay from the start, or (`when`:
        "open_delete") that delay after a DELETE intent is first seen open
        in the database. Returns the acknowledged facts to probe once the
        process has ended."""
        s = self.stand
        pending = [(c, i) for i, c in enumerate(op.get("concurrent", []))]
        if "kill_ms" in op:
            pending.append(({"delay_ms": op["kill_ms"], "when": op.get("kill_when")}, "kill"))
        seen, probes = None, []
        hard_stop = p.started + timeout
        while pending and time.monotonic() < hard_stop:
            now = time.monotonic()
            if seen is None and any(e.get("when") for e, _ in pending) and (
                    events.exited or open_deletes(s.db)):
                seen = now  # the process ended without one: the actions go anyway
            ready = [(e, what) for e, what in pending
                     if (seen is not None or not e.get("when"))
                     and now >= (seen if e.get("when") else p.started) + e["delay_ms"] / 1000.0]
            if not ready:
                # Until the next delay is due (the delays are the point: a
                # kill or an action N ms after the start or after the open
                # DELETE was seen), or sooner when the process ends or
                # writes its database (then an open DELETE is looked for).
                events.wait(self.pause_until_next(pending, p, seen, hard_stop))
                continue
            e, what = min(ready, key=lambda x: x[0]["delay_ms"])
            pending.remove((e, what))
            if what == "kill":
                if p.poll() is None:
                    p.send_signal(signal.SIGKILL)
                    p.killed_by_us = True
            else:
                fact = self.support(e, p if deleting else None)
                if fact is not None and fact.get("probe"):
                    probes.append((fact, e))
        return probes

    @staticmethod
    def pause_until_next(pending, p, seen, hard_stop):
        """Seconds until the next event is due: the earliest delay. An
        event waiting for an open DELETE adds no due time: the wait ends on
        the database's next write or the process's end."""
        now = time.monotonic()
        dues = []
        for e, _ in pending:
            if not e.get("when"):
                dues.append(p.started + e["delay_ms"] / 1000.0)
            elif seen is not None:
                dues.append(seen + e["delay_ms"] / 1000.0)
        return max(0.0, min(dues + [hard_stop]) - now)

    def wait_requests_landed(self):
        """After a SIGKILL (the process reaped): until the simulator has
        answered every request the killed process sent, at most K_LANDED_S.
        Two idle answers in a row (GET /_sim/idle, a long poll): a request
        still unread in a socket when the first one answered is in flight
        by the second."""
        deadline, quiet = time.monotonic() + K_LANDED_S, 0
        while quiet < 2 and time.monotonic() < deadline:
            idle = self.stand.academy.wait_idle(deadline - time.monotonic())
            quiet = quiet + 1 if idle else 0

    def probe(self, what, since_ns):
        fact, op = what
        domain = self.login_domain(fact["login"])
        deleted_by = self.stand.academy.stats().get("deleted_by", [])
        fact["raced"] = op["raced"] = raced(deleted_by, domain, since_ns, fact.pop("acked_ns"))
        self.count("raced" if fact["raced"] else "probed_not_raced")
        fact.pop("probe", None)

    def login_domain(self, login):
        return next(a["domain"] for a in self.params["accounts"] if a["login"] == login)

    # ---- support actions -------------------------------------------------------
    def resolve(self, target):
        if "login" in target:
            return target["login"]
        rows = read_accounts(self.stand.db)
        pick = target["pick"]
        if pick == "deleting":  # an account whose DELETE is in flight (or being retried)
            busy = open_deletes(self.stand.db)
            self.count("open_delete_hit" if busy else "open_delete_miss")
            if busy:
                return busy[target["k"] % len(busy)]
            pick = "deletable"
        pools = {"deletable": lambda r: r["state"] in ("GRACE", "PURGE_DUE")
                 or (r["state"] == "HELD" and r.get("held_from") in ("GRACE", "PURGE_DUE")),
                 "held": lambda r: r["state"] == "HELD",
                 "failed": lambda r: r["state"] in ("FAILED", "RETRY_WAIT"),
                 "grace": lambda r: r["state"] in ("NOTIFIED", "GRACE", "PURGE_DUE"),
                 "due": lambda r: r["state"] in ("VERIFIED", "NOTIFIED", "GRACE") and r.get("due_at")
                 and parse_instant(r["due_at"]) <= self.stand.now + timedelta(seconds=60),
                 "any": lambda r: r["state"] not in FINAL}
        pool = sorted(login for login, row in rows.items() if pools[pick](row))
        if not pool:
            pool = sorted(a["login"] for a in self.params["accounts"])
        return pool[target["k"] % len(pool)]

    def support(self, op, running):
        """Runs `account VERB`; returns the acknowledged fact, if any."""
        s = self.stand
        login = self.resolve(op["target"])
        op["target"] = {"login": login}
        verb = op["verb"]
        args = ["account", verb, login, "--reason", "safety test", "--by", "agent"]
        row_before = read_accounts(s.db).get(login)
        if verb == "postpone":
            if "until_rel" in op:
                told = self.model.told_last(login)
                if told is None and row_before and parse_instant(row_before.get("grace_end")):
                    told = local_date(parse_instant(row_before["grace_end"])).isoformat()
                op["until"] = add_days(told or s.now.date().isoformat(), op.pop("until_rel"))
            args += ["--until", op["until"]] if "until" in op else ["--days", str(op["days"])]
        # The dates told just before and just after the command bound the one
        # the product compared with (a concurrent run may tell a new one).
        self.found += self.model.note_notices(self.outbox.new_notices(), self.step)
        told_before = self.model.told_last(login)
        r = s.passage(args, timeout=30)
        acked_ns = time.monotonic_ns()  # after the commit: what raced() compares with
        self.found += self.model.note_notices(self.outbox.new_notices(), self.step)
        op["result"] = r.brief()
        self.expect(r, {0, 2}, "account " + verb)
        self.count("ack" if r.code == 0 else "refused")
        if r.code != 0:
            return None
        fact = Fact(verb=verb, login=login, step=self.step, t=s.now, days=op.get("days"), until=op.get("until"),
                    told_before=told_before)
        if running is not None and verb in ("hold", "cancel", "postpone"):
            fact["probe"] = True  # a purge in flight: raced or not, told by the probe
            fact["acked_ns"] = acked_ns
        self.found += self.model.ack_support(fact, row_before)
        return fact

    def update(self, op):
        name = "list-%03d.csv" % self.step
        self.stand.write(name, self.stand.accounts_csv(set(op["logins"])))
        self.apply_list(op, ["campaign", "update", "c1", "--accounts", name], op["logins"])

    def apply_list(self, op, args, logins):
        """`campaign update` (logins: the new list) or `campaign confirm`
        (logins: the pending list, None without one). Nothing else runs
        meanwhile, so the DELETE intents open just before the command are
        the ones it saw."""
        s, m = self.stand, self.model
        confirm = args[1] == "confirm"
        states, open_before = self.states(), open_delete_intents(s.db)
        r = s.passage(args)
        op["result"] = r.brief()
        if r.code == 1 and logins is not None and not r.killed and not r.timed_out:
            refused, why = self.drops_refused(r, logins, open_before, open_delete_intents(s.db))
            if refused:
                op["drop_refused"] = sorted(refused)
                self.count("drop_refused", len(refused))
                m.ack_list(logins, states, self.step, s.now, refused=refused)
                return
            self.found.append(violation("unexpected_exit", None, command=" ".join(args[:2]), code=r.code, why=why,
                                        err=r.err.strip()[-300:], step=self.step))
            return
        if confirm:
            self.expect(r, {0, 2} if logins is None else {0})
        else:
            self.expect(r, {0, 6})
        if r.code == 0 and logins is not None:
            m.ack_list(logins, states, self.step, s.now)
        elif r.code == 0:
            self.found.append(violation("confirm_without_pending_acknowledged", None, step=self.step))
        elif r.code == 6 and not confirm:
            m.pending = list(logins)

    def drops_refused(self, r, logins, open_before, open_after):
        """Exit 1 of a list: every stderr line must name an account the
        list drops whose DELETE intent was open at the command (before and
        after it: nothing else writes meanwhile), and stdout the same count
        refused. Returns (login -> open intent keys, "") or (None, why)."""
        lines = [line for line in r.err.splitlines() if line.strip()]
        if not lines:
            return None, "exit 1 without a refusal on stderr"
        dropped = self.model.listed - set(logins)
        refused = {}
        for line in lines:
            match = K_DROP_REFUSED.fullmatch(line.strip())
            if not match:
                return None, "not a refused drop: " + line[:160]
            login, domain, deleting = match.groups()
            if login not in dropped:
                return None, "%s is not dropped by this list" % login
            if domain != self.login_domain(login) or deleting != domain:
                return None, "%s: domain %s / %s is not its own" % (login, domain, deleting)
            keys = [k for k in open_before.get(login, []) if k in open_after.get(login, [])]
            if not keys:
                return None, "%s: no DELETE intent open when its drop was refused" % login
            refused[login] = keys
        if "%d refused" % len(refused) not in r.out:
            return None, "stdout does not count %d refused: %s" % (len(refused), r.out.strip()[-160:])
        return refused, ""

    # ---- invariants --------------------------------------------------------------
    def check(self, op):
        s, m = self.stand, self.model
        found = []
        found += m.note_notices(self.outbox.new_notices(), self.step)
        live = s.academy.live()
        # A person's completed move: the hoster's manager deletes the source
        # 30 days later (cozy-stack's Finalize). Not a deletion by Passage.
        by_hoster = set(s.academy.stats().get("moved_sources_deleted_domains", []))
        gone = {a["login"] for a in self.params["accounts"]
                if a["domain"] not in live and a["domain"] not in by_hoster and a["login"] not in m.deleted}
        if gone:
            self.count("deleted", len(gone))
            found += m.check_deletions(gone, self.step, op, s.now, self.op_seconds, self.rows_before,
                                       self.directory_at_start, self.params["directory"],
                                       lambda login: delete_outcomes(s.db, login))
        for sim, name in ((s.academy, "academy"), (s.partner, "partner")):
            if sim is None:
                continue
            stats = sim.stats()
            found += m.check_stats(name, stats, self.step)
            if name == "partner" and stats.get("deletions", 0) > 0:
                found.append(violation("target_deleted", None, count=stats["deletions"], step=self.step))
        self.rows = read_accounts(s.db)
        found += m.check_rows(self.rows, self.step)
        audit = s.passage(["audit", "verify"], timeout=30)
        if audit.code != 0:
            found.append(violation("journal_broken", None, code=audit.code, err=audit.err.strip()[-300:],
                                   step=self.step))
        return found


def summary_line(v):
    extra = {k: v[k] for k in v if k not in ("kind", "login")}
    return "%s%s %s" % (v["kind"], " " + v["login"] if v.get("login") else "", json.dumps(extra, sort_keys=True))
