"""One sequence's world: a temporary folder, the academy's simulator (and a
partner simulator for admin-driven moves), the config, the directory file,
the passage commands and both clocks.

Every child is started in its own process group with PDEATHSIG, tracked,
and killed by close() (also on failure). All traffic goes to 127.0.0.1.
"""
import base64
import ctypes
import json
import os
import select
import signal
import subprocess
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

from gen import iso

K_PASS = "s3cret"
K_PASS_VAR = "SIMPASS"
_CHILDREN = set()


def _die_with_parent():
    try:  # PR_SET_PDEATHSIG = 1: no orphan survives a killed harness
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except Exception:
        pass


def spawn(argv, cwd, out, err, env=None):
    with open(out, "wb") as o, open(err, "wb") as e:
        p = subprocess.Popen(argv, cwd=cwd, stdout=o, stderr=e, stdin=subprocess.DEVNULL, env=env,
                             preexec_fn=_die_with_parent)
    _CHILDREN.add(p)
    return p


def spawn_listening(argv, cwd, err, env=None):
    """Like spawn, with stdout a pipe for the first line (see first_line)."""
    with open(err, "wb") as e:
        p = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=e, stdin=subprocess.DEVNULL,
                             env=env, preexec_fn=_die_with_parent)
    _CHILDREN.add(p)
    return p


def first_line(proc, timeout):
    """A child's first stdout line, read as it comes (at most `timeout`
    seconds): "listening 127.0.0.1:PORT" or "listening http://…"."""
    text = b""
    deadline = time.monotonic() + timeout
    while not text.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([proc.stdout], [], [], left)[0]:
            break
        chunk = os.read(proc.stdout.fileno(), 256)
        if not chunk:
            break  # it exited
        text += chunk
    return text.decode(errors="replace")


def reap(p, timeout=5):
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    _CHILDREN.discard(p)


def kill_all_children():
    for p in list(_CHILDREN):
        try:
            p.kill()
            p.wait(5)
        except Exception:
            pass
        _CHILDREN.discard(p)


class HarnessError(Exception):
    """The harness or the simulator failed (not a finding about Passage)."""


class Sim:
    def __init__(self, binary, folder, instances_csv, clock, extra):
        os.makedirs(folder, exist_ok=True)
        self.folder = folder
        out = os.path.join(folder, "sim.out")
        argv = [binary, "--port", "0", "--passphrase", K_PASS, "--instances-from", instances_csv,
                "--clock", clock] + extra
        self.proc = spawn_listening(argv, folder, os.path.join(folder, "sim.err"))
        text = self.first_line(10)
        with open(out, "w") as copy:  # the simulator prints nothing after its first line
            copy.write(text)
        prefix = "listening 127.0.0.1:"
        if not text.startswith(prefix):
            raise HarnessError("simulator did not start: " + open(os.path.join(folder, "sim.err")).read())
        self.port = int(text[len(prefix):].split()[0])
        self.auth = "Basic " + base64.b64encode(("admin:" + K_PASS).encode()).decode()
        self.known_faults = set(self.call("GET", "/_sim/faults").keys())

    def alive(self):
        return self.proc.poll() is None

    def first_line(self, timeout):
        return first_line(self.proc, timeout)

    def call(self, method, path, body=None, tries=1, timeout=10):
        """A control-plane or admin call; admin routes see the injected
        faults, so callers pass tries > 1 for those."""
        last = None
        for _ in range(tries):
            req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), method=method,
                                         data=None if body is None else json.dumps(body).encode())
            req.add_header("Authorization", self.auth)
            req.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(req, timeout=timeout) as answer:
                    return json.loads(answer.read() or b"null")
            except urllib.error.HTTPError as e:
                last = "%s %s: %d %s" % (method, path, e.code, e.read()[:200])
            except (OSError, ValueError) as e:
                last = "%s %s: %s" % (method, path, e)
            if not self.alive():
                raise HarnessError("simulator died: " + open(os.path.join(self.folder, "sim.err")).read())
            # Injected faults are drawn per request: the next try may go at once.
        raise HarnessError("simulator call failed: %s" % last)

    def advance(self, seconds):
        self.call("POST", "/_sim/clock?advance=%d" % seconds)

    def stats(self):
        return self.call("GET", "/_sim/stats")

    def wait_idle(self, seconds):
        """True once no client request is in flight (GET /_sim/idle answers
        then), False when `seconds` passed first."""
        ms = max(0, min(60000, int(seconds * 1000)))
        return self.call("GET", "/_sim/idle?timeout_ms=%d" % ms, timeout=ms / 1000.0 + 10)["idle"]

    def put_faults(self, faults):
        return self.call("PUT", "/_sim/faults", {k: v for k, v in faults.items() if k in self.known_faults})

    def live(self):
        """domain -> attributes of every live instance (the list route: it
        does not invite movers, but it does see the faults: retried)."""
        found, path = {}, "/instances?page[limit]=1000"
        for _ in range(20):
            doc = self.call("GET", path, tries=60)
            for item in doc.get("data", []):
                attrs = item.get("attributes", {})
                found[attrs.get("domain")] = attrs
            nxt = (doc.get("links") or {}).get("next")
            if not nxt:
                return found
            path = nxt
        raise HarnessError("instance list did not end")

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        reap(self.proc, 3)


class Result:
    def __init__(self, argv, code, out, err, seconds, killed, timed_out):
        self.argv, self.code, self.out, self.err = argv, code, out, err
        self.seconds, self.killed, self.timed_out = seconds, killed, timed_out

    def brief(self):
        return {"code": self.code, "seconds": round(self.seconds, 3), "killed": self.killed,
                "timed_out": self.timed_out, "err": self.err[-400:]}


class Stand:
    def __init__(self, params, bin_dir, folder):
        self.params = params
        self.bin = os.path.abspath(bin_dir)
        self.dir = folder
        os.makedirs(folder, exist_ok=True)
        self.counter = 0
        self.t0 = datetime.strptime(params["t0"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        self.now = self.t0  # Passage's --now; the sims' clocks move by the same jumps
        self.env = dict(os.environ, **{K_PASS_VAR: K_PASS})
        self.sims = []
        self.directory = {a["login"]: ("active" if a["login"] in params["active"] else "departed")
                          for a in params["accounts"]}
        self._write_inputs()
        s = params["sim"]
        # Started three days early, then moved to t0: no space shows activity
        # on the export day (which would ask for a final export).
        start = iso(self.t0 - timedelta(days=3))
        flags = ["--seed", str(s["seed"]), "--move-share", str(s["move_share"]),
                 "--never-move-share", str(s["never_move_share"]), "--move-delay-s", "3600:432000",
                 "--active-share", str(s["active_share"]), "--export-ms", s.get("export_ms", "20:150"),
                 "--delete-ms", "20:80", "--import-ms", "20:100",
                 "--export-workers", str(s.get("export_workers", 4))]
        self.academy = Sim(os.path.join(self.bin, "passage-cozy-sim"), os.path.join(folder, "academy"),
                           os.path.join(folder, "universe.csv"), start, flags)
        self.sims.append(self.academy)
        self.partner = None
        if params["admin_moves"]:
            self.partner = Sim(os.path.join(self.bin, "passage-cozy-sim"), os.path.join(folder, "partner"),
                               os.path.join(folder, "partner.csv"), start,
                               ["--seed", str(s["seed"] + 1), "--import-ms", "20:100",
                                "--trust-private-networks"])  # it imports from the academy's 127.0.0.1
            self.sims.append(self.partner)
        for sim in self.sims:
            sim.advance(3 * 86400)
        self.public_url = "http://127.0.0.1:9"  # nothing answers there until serve --public runs
        self.public = None
        self._write_config()

    # ---- inputs -----------------------------------------------------------
    def accounts_csv(self, logins):
        rows = ["login,domain,action,email,target,departure_date,reason"]
        for a in self.params["accounts"]:
            if a["login"] in logins:
                rows.append("%s,%s,%s,%s,%s,%s,left" % (a["login"], a["domain"], a["action"], a["email"],
                                                         a["target"], a["departure"]))
        return "\n".join(rows) + "\n"

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
        return path

    def _write_inputs(self):
        everyone = {a["login"] for a in self.params["accounts"]}
        self.write("universe.csv", self.accounts_csv(everyone))
        self.write("accounts.csv", self.accounts_csv({a["login"] for a in self.params["accounts"] if a["listed"]}))
        partner = ["login,domain,action,email,target,departure_date,reason"]
        for a in self.params["accounts"]:
            if a["target"].endswith(".partner.test"):
                partner.append("%s,%s,export,%s,,%s,target" % (a["login"], a["target"][len("https://"):],
                                                                a["email"], a["departure"]))
        self.write("partner.csv", "\n".join(partner) + "\n")
        self.write_directory()

    def write_directory(self):
        self.write("directory.csv", "login,status\n" + "".join(
            "%s,%s\n" % (login, status) for login, status in sorted(self.directory.items())))

    def _stack(self, name, port, domains):
        # Limits: the safety test's by default; the crash test (a larger
        # campaign) passes its own in params["stack"].
        lim = dict({"per_second": 50, "burst": 50, "max_in_flight": 8, "max_exports_in_flight": 4},
                   **self.params.get("stack", {}))
        return ("  - name: %s\n    backend: cozy-admin\n    url: http://127.0.0.1:%d\n"
                "    passphrase_env: %s\n    domains: [\"%s\"]\n    rate: { per_second: %d, burst: %d }\n"
                "    max_in_flight: %d\n    max_exports_in_flight: %d\n    export_deadline: 5 seconds\n"
                "    import_deadline: 15 seconds\n    delete_timeout: 10 minutes\n"
                % (name, port, K_PASS_VAR, domains, lim["per_second"], lim["burst"], lim["max_in_flight"],
                   lim["max_exports_in_flight"]))

    def _write_config(self):
        c = self.params["config"]
        text = ("database: var/passage.db\ntimezone: Europe/Paris\ngrace: 1 month\nlead: 21 days\n"
                "allow_future_purge: true\nidle_horizon: 5 seconds\nretry_budget: %d\nstacks:\n"
                % c["retry_budget"])
        text += self._stack("academy", self.academy.port, "*.mytoutatice.cloud")
        if self.partner:
            text += self._stack("partner", self.partner.port, "*.partner.test")
        text += ("notify: { notifier: outbox, dir: var/outbox }\n"
                 "export: { delivery: %s, archive_dir: var/archive, final_export: %s }\n"
                 # The partner's targets hold seeded files: overwritten by the import.
                 "move: { fallback_before_departure: 7 days, poll_interval: 1 hour, overwrite: true, "
                 "stall_timeout: 10 seconds }\n"
                 "campaign: { max_change_fraction: %s }\nsupport: { max_postpone: 60 days }\n"
                 "purge: { max_per_run: %d, max_fraction: %s }\nreports: { dir: var/reports }\n"
                 # Archive links are never fetched here; admin moves' parts are.
                 "serve: { public_listen: \"127.0.0.1:0\", public_url: \"%s\" }\n"
                 % (c["delivery"], c["final_export"], c["max_change_fraction"], c["max_per_run"],
                    c["max_fraction"], self.public_url))
        if self.params["directory"]:
            text += "directory: { provider: csv, file: directory.csv }\n"
        self.write("c.yaml", text)

    def start_public_server(self):
        """`passage serve --public` (the database must exist): the partner
        stack imports admin moves from it. It runs for the whole sequence,
        its clock started at the stand's now (a token then never looks
        expired to it before the run that issued it says so)."""
        argv = [os.path.join(self.bin, "passage"), "serve", "--public", "--config", "c.yaml", "--now", iso(self.now)]
        # CONTRACT says serve --public needs no passphrase; today the config
        # loader reads every stack's: the environment is given.
        self.public = spawn_listening(argv, self.dir, os.path.join(self.dir, "serve.err"), env=self.env)
        text = first_line(self.public, 10)
        prefix = "listening http://127.0.0.1:"
        if not text.startswith(prefix):
            raise HarnessError("serve --public did not start: " + open(os.path.join(self.dir, "serve.err")).read())
        self.public_url = "http://127.0.0.1:%d" % int(text[len(prefix):].split()[0])
        self._write_config()

    # ---- paths ------------------------------------------------------------
    @property
    def db(self):
        return os.path.join(self.dir, "var", "passage.db")

    @property
    def outbox(self):
        return os.path.join(self.dir, "var", "outbox")

    # ---- clocks -----------------------------------------------------------
    def jump(self, seconds):
        for sim in self.sims:
            sim.advance(seconds)
        self.now += timedelta(seconds=seconds)

    def back(self, seconds):
        # Only Passage's clock: a clock that goes back must only make waits
        # longer (CONTRACT.md "Time"); the simulator stays ahead.
        self.now -= timedelta(seconds=seconds)

    # ---- passage ----------------------------------------------------------
    def argv(self, args):
        return [os.path.join(self.bin, "passage")] + args + ["--config", "c.yaml", "--now", iso(self.now)]

    def start(self, args):
        self.counter += 1
        base = os.path.join(self.dir, "cmd", "%04d-%s" % (self.counter, args[0]))
        os.makedirs(os.path.dirname(base), exist_ok=True)
        p = spawn(self.argv(args), self.dir, base + ".out", base + ".err", env=self.env)
        p.files, p.started, p.killed_by_us = (base + ".out", base + ".err"), time.monotonic(), False
        p.args = args
        return p

    def finish(self, p, timeout):
        timed_out = False
        try:
            p.wait(max(0.0, timeout - (time.monotonic() - p.started)))
        except subprocess.TimeoutExpired:
            timed_out = True
            p.kill()
            p.wait()
        _CHILDREN.discard(p)
        seconds = time.monotonic() - p.started
        out, err = (open(f, errors="replace").read() for f in p.files)
        return Result(p.args, p.returncode, out, err, seconds, p.killed_by_us, timed_out)

    def passage(self, args, timeout=60):
        return self.finish(self.start(args), timeout)

    def close(self):
        if self.public is not None:
            if self.public.poll() is None:
                self.public.send_signal(signal.SIGTERM)
            reap(self.public, 3)
        for sim in self.sims:
            sim.close()
