"""The crash campaign: phases of `passage run` and `passage purge` killed
with SIGKILL at seeded random moments and restarted, faults on, both
clocks moved past the 24-hour rule, the departures and the grace period;
then a settling phase with the faults off."""
import math
import os
import random
import signal
import subprocess
import time
from datetime import timedelta

from observe import FINAL, open_deletes, parse_instant, read_accounts
from stand import Stand
import world

K_DAY = 86400
K_KILL_MIN_S, K_KILL_MAX_S = 0.05, 6.0  # a kill lands log-uniformly between these after the start
K_RUN_TIMEOUT_S = 900  # one command past this is a hang
K_WAITING = {"HELD", "FAILED", "RETRY_WAIT"}  # states that wait with a reason
K_CODES = {0, 1, 7}  # exits of run and purge that are not findings


class Campaign:
    def __init__(self, seed, accounts, kills, bin_dir, folder, log):
        self.seed, self.target, self.log = seed, kills, log
        self.rng = random.Random("kills:%d" % seed)
        self.params = world.make_params(seed, accounts)
        self.stand = Stand(self.params, bin_dir, folder)
        self.kills, self.commands, self.problems = 0, 0, []
        self.faults = {}

    # ---- commands --------------------------------------------------------------
    def command(self, args, kill_s=None, kill_on_delete=False, timeout=K_RUN_TIMEOUT_S):
        """Runs one passage command, SIGKILLed after kill_s seconds (from
        its start, or from the first open DELETE intent when
        kill_on_delete). Passage's --now then moves on by the time it ran
        (the simulators' clocks ran on by themselves)."""
        s = self.stand
        p = s.start(args)
        start = p.started
        seen = None
        while kill_s is not None and p.poll() is None:
            now = time.monotonic()
            if kill_on_delete and seen is None and (open_deletes(s.db) or now - start > 3 * K_KILL_MAX_S):
                seen = now  # no DELETE yet after a while: killed anyway
            origin = seen if kill_on_delete else start
            if origin is not None and now >= origin + kill_s:
                p.send_signal(signal.SIGKILL)
                p.killed_by_us = True
                break
            try:
                p.wait(timeout=0.02)  # wakes as soon as the command ends
            except subprocess.TimeoutExpired:
                pass  # still running: look at the kill moment again
        r = s.finish(p, timeout)
        self.commands += 1
        s.now += timedelta(seconds=r.seconds)
        if r.killed and r.code == -signal.SIGKILL:
            self.kills += 1
        self.judge(r)
        return r

    def judge(self, r):
        what = " ".join(r.argv[:1])
        if r.timed_out:
            self.problem("hang", what, "%.0f s" % r.seconds)
        elif r.code is not None and r.code < 0 and not r.killed:
            self.problem("crash_signal", what, "signal %d" % -r.code)
        elif "passage: error:" in r.err:
            self.problem("unexpected_error", what, r.err.strip()[-300:])
        elif not r.killed and r.code not in K_CODES:
            self.problem("unexpected_exit", what, "exit %s: %s" % (r.code, r.err.strip()[-300:]))

    def problem(self, kind, what, detail):
        self.problems.append({"kind": kind, "command": what, "detail": detail})
        self.log("problem: %s %s %s" % (kind, what, detail))

    def set_faults(self, faults):
        self.faults = faults
        for sim in self.stand.sims:
            sim.put_faults(faults)

    # ---- phases ----------------------------------------------------------------
    def setup(self):
        r = self.stand.passage(["campaign", "create", "crash", "--accounts", "accounts.csv"], timeout=300)
        if r.code != 0:
            raise RuntimeError("campaign create failed (%s): %s" % (r.code, r.err[-500:]))
        if self.params["admin_moves"]:
            self.stand.start_public_server()

    def killing_phase(self, name, kills, purge_share, jump_every):
        """Restarts killed commands until `kills` more kills landed (bounded
        in attempts); every `jump_every` kills, or when a run went idle,
        both clocks move 25 hours: past the 24-hour rule."""
        goal, attempts = self.kills + kills, 0
        since_jump = 0
        while self.kills < goal and attempts < 4 * kills + 20:
            attempts += 1
            if attempts % 8 == 1:
                self.set_faults(world.fault_set(self.rng))
            purge = self.rng.random() < purge_share
            on_delete = purge and self.rng.random() < 0.5
            kill_s = self.rng.uniform(0.0, 0.3) if on_delete else self.kill_moment()
            before = self.kills
            r = self.command(["purge"] if purge else ["run", "--until-idle"], kill_s, on_delete)
            since_jump += self.kills - before
            if since_jump >= jump_every or (not r.killed and not purge):
                self.stand.jump(25 * 3600)
                since_jump = 0
        self.log("%s: kills=%d commands=%d %s" % (name, self.kills, self.commands, self.summary()))

    def top_up(self):
        """When the purges ran out of work before their share of kills (a
        fast engine deletes everything in a few commands), the kills left
        land at a random moment within the life of the command before
        (start-up, the database, resuming intents, the night's probes),
        purges and runs alternately, faults still on (bounded in attempts)."""
        attempts, left = 0, self.target - self.kills
        life_s = K_KILL_MIN_S
        while self.kills < self.target and attempts < 4 * left + 20:
            attempts += 1
            argv = ["purge"] if attempts % 2 else ["run", "--until-idle"]
            r = self.command(argv, self.rng.uniform(0.0, life_s), False)
            if not r.killed:
                life_s = max(0.005, r.seconds)
        if left > 0:
            self.log("top-up: kills=%d commands=%d %s" % (self.kills, self.commands, self.summary()))

    def kill_moment(self):
        """Seconds after the start: as many kills in the first tenth of a
        second (start-up, resuming open intents) as in the last seconds
        (a run well under way)."""
        return math.exp(self.rng.uniform(math.log(K_KILL_MIN_S), math.log(K_KILL_MAX_S)))

    def settle(self, rounds=12):
        """Faults off; run and purge to the end, moving both clocks to the
        latest thing due, until every account is final or needs a person
        (bounded in rounds)."""
        self.set_faults({})
        for n in range(rounds):
            self.command(["run", "--until-idle"])
            self.command(["purge"])
            rows = read_accounts(self.stand.db)
            self.log("settle %d: %s" % (n, self.summary(rows)))
            if not moving(rows):
                return
            self.stand.jump(self.next_jump(rows))

    def next_jump(self, rows):
        """Seconds to the latest timer of an account still on its way (at
        least 25 hours, at most 40 days)."""
        dues = [parse_instant(r.get(key)) for r in moving(rows) for key in ("due_at", "grace_end")]
        later = [d for d in dues if d and d > self.stand.now]
        seconds = max((d - self.stand.now).total_seconds() for d in later) + 3600 if later else 0
        return int(min(40 * K_DAY, max(25 * 3600, seconds)))

    def run(self):
        self.setup()
        n = self.target
        # Exports, moves and invitations, killed; the 24-hour rule passes.
        self.killing_phase("exports", int(n * 0.4), purge_share=0.0, jump_every=max(5, n // 10))
        # Every departure passes (NOTIFIED -> GRACE, the final-export check).
        self.stand.jump(12 * K_DAY)
        self.killing_phase("departures", int(n * 0.2), purge_share=0.3, jump_every=max(5, n // 10))
        # Every grace period ends: purges killed, DELETEs in flight.
        self.stand.jump(35 * K_DAY)
        self.killing_phase("purges", n - self.kills, purge_share=0.6, jump_every=max(5, n // 10))
        self.top_up()
        self.settle()

    def summary(self, rows=None):
        rows = read_accounts(self.stand.db) if rows is None else rows
        states = {}
        for r in rows.values():
            states[r["state"]] = states.get(r["state"], 0) + 1
        return " ".join("%s=%d" % kv for kv in sorted(states.items()))


def moving(rows):
    """Accounts still on their way: neither final nor needing a person
    (RETRY_WAIT included: its time comes)."""
    return [r for r in rows.values() if r["state"] not in FINAL and r["state"] not in ("HELD", "FAILED")]


def unfinished(rows):
    """Accounts neither final nor waiting with a reason."""
    return [r for r in rows.values()
            if r["state"] not in FINAL and not (r["state"] in K_WAITING and r.get("state_reason"))]
