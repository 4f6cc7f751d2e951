"""Seeded generation of one sequence: its parameters (campaign, simulator
flags, config) and its list of operations.

Everything here is a pure function of the seed, and the result is plain
JSON, so a sequence can be written to a replay file and run again without
the random generator. Targets of support actions may be *selectors*
({"pick": "deletable", "k": 3}) resolved against the database when the
operation runs; the executed trace records the login they resolved to, and
replays and shrinking use that concrete form.
"""
import random
from datetime import datetime, timedelta, timezone

K_BASE = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_params(seed):
    r = random.Random("params:%d" % seed)
    listed = r.randint(10, 50)
    extra = r.randint(0, 4)  # in the simulator and directory, added later by `campaign update`
    t0 = K_BASE + timedelta(days=r.randint(0, 240), hours=r.randint(0, 12))
    admin_moves = r.random() < 0.5
    accounts = []
    for i in range(listed + extra):
        login = "u%04d" % (i + 1)
        roll = r.random()
        if admin_moves and roll < 0.10:
            action, target = "move", "https://%s.partner.test" % login
        elif roll < 0.25:
            action, target = "move", "https://%s.mycozy.cloud" % login
        else:
            action, target = "export", ""
        departure = (t0 + timedelta(days=r.randint(-60, 45))).date().isoformat()
        accounts.append({"login": login, "domain": "%s.mytoutatice.cloud" % login, "action": action,
                         "target": target, "email": "%s@example.org" % login,
                         "departure": departure, "listed": i < listed})
    directory = r.random() < 0.8
    active = sorted(a["login"] for a in accounts if directory and r.random() < 0.08)
    return {
        "t0": iso(t0),
        "accounts": accounts,
        "admin_moves": admin_moves and any(a["target"].endswith(".partner.test") for a in accounts),
        "directory": directory,
        "active": active,
        "sim": {
            "seed": r.randint(1, 1 << 30),
            "move_share": r.choice([0.0, 0.15, 0.3]),
            "never_move_share": r.choice([0.0, 0.1]),
            "active_share": r.choice([0.0, 0.0, 0.05, 0.15]),
        },
        "config": {
            "delivery": r.choice(["space", "archive"]),
            "max_change_fraction": r.choice([0.1, 0.25, 0.5]),
            "max_per_run": r.choice([3, 10, 500]),
            "max_fraction": r.choice([0.05, 0.2, 0.5]),
            "retry_budget": r.choice([4, 8]),
            "final_export": r.choice(["archive", "archive", "none"]),
        },
    }


# Fault menu: (name, generator). Keys the simulator does not know are
# dropped when the set is applied (the executed trace says which).
def _fault_menu(r):
    return [
        ("latency", lambda: {"latency_ms": {"min": 0, "max": r.choice([50, 150, 250]), "rate": 0.5}}),
        ("stall", lambda: {"stall_ms": {"rate": 0.05, "ms": 300}}),
        ("resets", lambda: {"reset_before": r.choice([0.05, 0.15]), "reset_after": r.choice([0.05, 0.1])}),
        ("5xx", lambda: {"http_5xx": r.choice([0.05, 0.15, 0.3])}),
        ("throttle", lambda: {"throttle": {"status": r.choice([429, 503]), "rate": 0.1, "retry_after_s": 1}}),
        ("delete_stuck", lambda: {"delete_stuck": r.choice([0.3, 0.7, 1.0])}),
        ("silent", lambda: {"export_silent_fail": r.choice([0.2, 0.5])}),
        ("error", lambda: {"export_error": r.choice([0.2, 0.5])}),
        ("never", lambda: {"export_never_finish": r.choice([0.1, 0.3])}),
        ("truncate", lambda: {"truncate_part": r.choice([0.1, 0.3])}),
        ("missing", lambda: {"part_missing_entries": r.choice([0.1, 0.3])}),
        ("import_never", lambda: {"import_never_finish": 0.3}),
        ("ws_drop", lambda: {"ws_drop_every_s": r.choice([2, 4])}),
    ]


def _fault_set(r):
    chosen = r.sample(_fault_menu(r), r.randint(1, 3))
    faults = {}
    for _, make in chosen:
        faults.update(make())
    return faults


def _target(r, logins, verb, during_purge):
    # Mostly selectors over the database (so the action hits an account in
    # an interesting state), sometimes a login drawn from the universe.
    if r.random() < 0.25:
        return {"login": r.choice(logins)}
    picks = {"hold": ["deletable", "grace", "any"], "cancel": ["deletable", "any"],
             "postpone": ["grace", "deletable"], "release": ["held"], "retry": ["failed"]}[verb]
    if during_purge and verb in ("hold", "cancel", "postpone") and r.random() < 0.6:
        picks = ["deleting"]
    elif during_purge is False and verb in ("hold", "postpone") and r.random() < 0.5:
        picks = ["due"]  # about to be taken by the run in flight
    return {"pick": r.choice(picks), "k": r.randint(0, 999)}


def _support(r, logins, during_purge=None):
    verb = r.choices(["hold", "release", "postpone", "retry", "cancel"], [5, 4, 4, 2, 1])[0]
    op = {"op": "support", "verb": verb, "target": _target(r, logins, verb, during_purge)}
    if verb == "postpone":
        if r.random() < 0.5:
            op["days"] = r.choice([1, 3, 7, 14, 30, 59, 61, 90])
        else:  # --until, days after the date last told (resolved when run)
            op["until_rel"] = r.choice([-3, 0, 2, 10, 30, 60, 61, 75])
    return op


def make_ops(seed, params, steps):
    r = random.Random("ops:%d" % seed)
    logins = [a["login"] for a in params["accounts"]]
    listed = [a["login"] for a in params["accounts"] if a["listed"]]
    active = set(params["active"])
    kinds = ["run", "slice", "purge", "nightly", "support", "update", "confirm", "jump", "jump_grace",
             "back", "faults", "clear", "directory", "reset_breaker", "grace_purge"]
    weights = [14, 8, 10, 6, 14, 3, 2, 22, 5, 2, 6, 5, 3 if params["directory"] else 0, 1, 4]
    ops = []
    while len(ops) < steps:
        kind = r.choices(kinds, weights)[0]
        if kind == "grace_purge":
            # Past the next grace end, then a purge whose DELETEs fail now and
            # then, with support actions as soon as a DELETE is open.
            if r.random() < 0.7:
                ops.append({"op": "faults", "set": r.choice([{"http_5xx": 0.3}, {"reset_before": 0.3},
                                                             {"throttle": {"status": 503, "rate": 0.3}},
                                                             {"delete_stuck": 0.5, "http_5xx": 0.2}])})
            ops.append({"op": "jump", "to_grace": r.choice([600, 3600, 6 * 3600])})
            op = {"op": r.choice(["purge", "purge", "nightly"]), "concurrent": []}
            for _ in range(r.randint(1, 3)):
                c = _support(r, logins, True)
                c["verb"] = r.choice(["hold", "hold", "cancel", "postpone"])
                c["target"] = {"pick": "deleting", "k": r.randint(0, 999)}
                c.pop("days", None), c.pop("until_rel", None)
                if c["verb"] == "postpone":
                    c["days"] = r.choice([7, 14, 30])
                c.update(when="open_delete", delay_ms=r.randint(0, 150))
                op["concurrent"].append(c)
            ops.append(op)
            continue
        if kind in ("run", "slice", "purge", "nightly"):
            op = {"op": "run", "mode": "idle"} if kind == "run" else {"op": kind}
            if kind == "slice":
                op = {"op": "run", "mode": "slice", "seconds": r.randint(1, 6)}
            purge = kind in ("purge", "nightly")
            if r.random() < 0.2:
                op["kill_ms"] = r.randint(30, 2500)
                if purge and r.random() < 0.5:  # killed while a DELETE is in flight
                    op["kill_ms"], op["kill_when"] = r.randint(0, 300), "open_delete"
            if r.random() < (0.5 if kind in ("purge", "nightly") else 0.35):
                op["concurrent"] = [dict(_support(r, logins, purge),
                                         delay_ms=r.choice([r.randint(0, 200), r.randint(0, 3000 if purge else 1500)]))
                                    for _ in range(r.randint(1, 3))]
                for c in op["concurrent"]:
                    if c["target"].get("pick") == "deleting":  # as soon as a DELETE is open
                        c["when"], c["delay_ms"] = "open_delete", r.randint(0, 150)
        elif kind == "support":
            op = _support(r, logins)
        elif kind == "update":
            new = set(listed)
            for login in r.sample(listed, min(len(listed), r.randint(1, 3))):
                new.discard(login)
            others = [l for l in logins if l not in listed]
            for login in r.sample(others, min(len(others), r.randint(0, 2))):
                new.add(login)
            listed = sorted(new)
            op = {"op": "update", "logins": listed}
        elif kind == "confirm":
            op = {"op": "confirm"}
        elif kind == "jump":
            unit = r.choices(["hours", "days", "weeks"], [30, 35, 35])[0]
            seconds = {"hours": r.randint(1, 12) * 3600, "days": r.randint(1, 6) * 86400,
                       "weeks": r.randint(1, 3) * 7 * 86400}[unit]
            op = {"op": "jump", "seconds": seconds}
        elif kind == "jump_grace":  # to around the next grace end (resolved when run)
            op = {"op": "jump", "to_grace": r.choice([-7200, -600, 600, 3600, 6 * 3600, 86400])}
        elif kind == "back":
            op = {"op": "back", "seconds": r.choice([600, 3600, 4 * 3600])}
        elif kind == "faults":
            op = {"op": "faults", "set": _fault_set(r)}
        elif kind == "clear":
            op = {"op": "faults", "set": {}}
        elif kind == "directory":
            login = r.choice(logins)
            status = "departed" if login in active else "active"
            (active.discard if status == "departed" else active.add)(login)
            op = {"op": "directory", "login": login, "status": status}
        else:
            op = {"op": "reset_breaker"}
        ops.append(op)
    return ops[:steps]
