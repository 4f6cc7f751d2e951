#!/usr/bin/python3
"""Crash test: Passage survives SIGKILL at any moment, under stack faults,
at the size of a real campaign, and loses nothing.

What it proves: one campaign (exports, admin-driven and user-driven moves)
against passage-cozy-sim with faults on (5xx, resets after the effect,
stalls, dropped websocket, silent and failed exports, incomplete parts,
stuck deletes); `passage run` and `passage purge` SIGKILLed at seeded
random moments (some purges just after a DELETE intent opens) and
restarted; both clocks moved past the 24-hour rule, the departures and the
grace period; then the faults off until everything settles. At the end:
every account final or waiting with a reason, `passage audit verify`
passes, `PRAGMA integrity_check` is ok, and the simulators count no
duplicate export within 24 h and no unsafe deletion.

  crash_test.py [--kills N] [--accounts M] [--long] [--seed S] [--bin DIR] [--keep]

It builds nothing: it runs build/bin/passage and build/bin/passage-cozy-sim.
The last line is `kills=N duplicates=D unsafe_deletions=U journal=ok|broken
integrity=ok|broken unfinished=K`; the exit code is 1 on any failure (2
when the binaries are missing).
"""
import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "safety"))
sys.dont_write_bytecode = True  # nothing written into the source tree

from stand import kill_all_children  # noqa: E402
from campaign import Campaign  # noqa: E402
from checks import failed, final_checks  # noqa: E402

K_ACCOUNTS = 2000  # what fits 8 minutes of CI on two loaded cores with 200 kills (README "Reliability")
K_KILLS, K_LONG_KILLS = 200, 1000
K_LONG_ACCOUNTS = 10000  # --long: the size of a real academy campaign (issue 12)


def parse(argv):
    ap = argparse.ArgumentParser(description="SIGKILL campaign against the simulator (tests/crash/crash_test.py)")
    ap.add_argument("--kills", type=int, help="SIGKILLs of run and purge (default %d, --long %d)"
                    % (K_KILLS, K_LONG_KILLS))
    ap.add_argument("--accounts", type=int, help="accounts in the campaign (default %d, --long %d)"
                    % (K_ACCOUNTS, K_LONG_ACCOUNTS))
    ap.add_argument("--long", action="store_true", help="%d kills on %d accounts" % (K_LONG_KILLS, K_LONG_ACCOUNTS))
    ap.add_argument("--seed", type=int, help="seed of the campaign and the kill moments (default: new)")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"), help="folder of the binaries")
    ap.add_argument("--keep", action="store_true", help="keep the work folder even when it passes")
    args = ap.parse_args(argv)
    if args.kills is None:
        args.kills = K_LONG_KILLS if args.long else K_KILLS
    if args.accounts is None:
        args.accounts = K_LONG_ACCOUNTS if args.long else K_ACCOUNTS
    if args.seed is None:
        args.seed = random.SystemRandom().randint(1, 1 << 30)
    if args.kills < 1 or args.accounts < 1:
        ap.error("--kills and --accounts must be at least 1")
    return args


def log(text):
    print("crash-test %s %s" % (time.strftime("%H:%M:%S"), text), flush=True)


def main(argv):
    args = parse(argv)
    for name in ("passage", "passage-cozy-sim"):
        if not os.access(os.path.join(args.bin, name), os.X_OK):
            print("crash-test: %s missing: build first (scripts/test)" % os.path.join(args.bin, name),
                  file=sys.stderr)
            return 2
    folder = tempfile.mkdtemp(prefix="passage-crash-")
    log("seed=%d accounts=%d kills=%d folder=%s" % (args.seed, args.accounts, args.kills, folder))
    started = time.monotonic()
    campaign = Campaign(args.seed, args.accounts, args.kills, args.bin, os.path.join(folder, "stand"), log)
    try:
        campaign.run()
        figures = final_checks(campaign)
    except Exception:
        log("harness error: " + traceback.format_exc()[-2000:])
        campaign.problems.append({"kind": "harness_error"})
        figures = {"kills": campaign.kills, "duplicates": 0, "unsafe_deletions": 0, "journal": "broken",
                   "integrity": "broken", "unfinished": -1, "details": {}}
    finally:
        campaign.stand.close()
        kill_all_children()
    bad = failed(figures, campaign)
    log("details " + json.dumps(figures["details"], sort_keys=True))
    log("problems=%d commands=%d seconds=%.0f seed=%d" % (len(campaign.problems), campaign.commands,
                                                          time.monotonic() - started, args.seed))
    if bad or args.keep:
        log("work folder kept: %s" % folder)
    else:
        shutil.rmtree(folder, ignore_errors=True)
    print("kills=%d duplicates=%d unsafe_deletions=%d journal=%s integrity=%s unfinished=%d"
          % tuple(figures[k] for k in ("kills", "duplicates", "unsafe_deletions", "journal", "integrity",
                                       "unfinished")), flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
