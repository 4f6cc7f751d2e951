"""The crash campaign's world: its accounts, simulator flags and config as
the parameters tests/safety/stand.py takes, a pure function of the seed."""
import random
from datetime import datetime, timedelta, timezone

K_T0 = datetime(2026, 10, 5, 8, 0, tzinfo=timezone.utc)


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _account(r, i, t0):
    login = "c%05d" % (i + 1)
    roll = r.random()
    if roll < 0.04:  # admin-driven: the partner stack is administered by Passage
        action, target = "move", "https://%s.partner.test" % login
    elif roll < 0.14:  # user-driven: a hoster Passage cannot administer
        action, target = "move", "https://%s.mycozy.cloud" % login
    else:
        action, target = "export", ""
    # Departures from a month ago to ten days ahead: every export and
    # invitation is due at once (lead 21 days), every departure passes
    # during the campaign.
    departure = (t0 + timedelta(days=r.randint(-30, 10))).date().isoformat()
    return {"login": login, "domain": "%s.mytoutatice.cloud" % login, "action": action, "target": target,
            "email": "%s@example.org" % login, "departure": departure, "listed": True}


def make_params(seed, accounts):
    r = random.Random("crash:%d" % seed)
    listed = [_account(r, i, K_T0) for i in range(accounts)]
    return {
        "t0": iso(K_T0),
        "accounts": listed,
        "admin_moves": any(a["target"].endswith(".partner.test") for a in listed),
        "directory": True,  # everyone departed: the interlock is read, never trips
        "active": [],
        "sim": {"seed": r.randint(1, 1 << 30), "move_share": 0.1, "never_move_share": 0.1,
                "active_share": 0.03, "export_ms": "5:40", "export_workers": 8},
        "stack": {"per_second": 400, "burst": 400, "max_in_flight": 16, "max_exports_in_flight": 8},
        "config": {"delivery": "space", "max_change_fraction": 0.1, "max_per_run": 1000000,
                   "max_fraction": 0.5, "retry_budget": 8, "final_export": "archive"},
    }


# Fault sets the campaign rotates through (COZY.md "Simulator control").
K_FAULTS = [
    {"http_5xx": 0.05, "reset_after": 0.03, "export_silent_fail": 0.1},
    {"reset_before": 0.03, "reset_after": 0.05, "stall_ms": {"rate": 0.03, "ms": 300}, "ws_drop_every_s": 2},
    {"export_error": 0.1, "truncate_part": 0.05, "part_missing_entries": 0.03, "http_5xx": 0.03},
    # No export_never_finish: such a job keeps one of the stack's export
    # workers for good (COZY.md), and a few of them stop every export of a
    # 10,000-account campaign until the stack restarts.
    {"delete_stuck": 0.3, "http_5xx": 0.05, "reset_after": 0.05, "latency_ms": {"min": 0, "max": 100, "rate": 0.3}},
    {"throttle": {"status": 429, "rate": 0.03, "retry_after_s": 1}, "export_silent_fail": 0.05,
     "import_never_finish": 0.2, "ws_drop_every_s": 3},
]


def fault_set(r):
    return r.choice(K_FAULTS)
