#!/usr/bin/python3
"""Model-based, randomized safety test of Passage's whole lifecycle against
passage-cozy-sim (see tests/safety/README.md).

  safety_test.py [--sequences N] [--seed S] [--steps K] [--jobs J] [--bin DIR]
                 [--replay FILE|DIR ...] [--shrink-budget SECONDS] [--save DIR]

Each sequence runs in its own worker process (its own folder, simulators on
free ports); the last line printed is
`sequences=N steps=S violations=V seed=S`, and the exit code is 1 when V > 0.
"""
import argparse
import json
import math
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # nothing written into the source tree

import gen  # noqa: E402
from stand import kill_all_children  # noqa: E402

K_WORKER_TIMEOUT = 900  # seconds: a worker past this is killed (its sequence budget is shorter)
_WORKERS = set()


def worker(job_path):
    """Runs one sequence described by a job file, writes `<job>.out`."""
    from sequence import Sequence
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))
    job = json.load(open(job_path))
    started = time.monotonic()
    seq = Sequence(job["params"], job["ops"], job["bin"], job["folder"], job["budget"],
                   log=lambda text: print(text, file=sys.stderr), stop_kind=job.get("stop_kind"))
    try:
        seq.run()
        result = {"steps": seq.steps, "violations": seq.violations, "trace": seq.trace, "tally": seq.tally}
    except Exception:  # a bug of the harness: reported, never taken for a finding
        result = {"steps": seq.steps, "trace": seq.trace,
                  "violations": [{"kind": "harness_error", "detail": traceback.format_exc()[-2000:]}]}
    finally:
        kill_all_children()
    result["seconds"] = round(time.monotonic() - started, 2)
    with open(job_path + ".out.tmp", "w") as f:
        json.dump(result, f)
    os.replace(job_path + ".out.tmp", job_path + ".out")


class Job:
    def __init__(self, name, seed, params, ops, kind=None):
        self.name, self.seed, self.params, self.ops, self.kind = name, seed, params, ops, kind
        self.result = None


def run_jobs(jobs, args, keep_failing=True, done=None):
    """Runs jobs `args.jobs` at a time; fills job.result, then calls
    done(job) as each one ends."""
    pending, running = list(jobs), []
    while pending or running:
        while pending and len(running) < args.jobs:
            job = pending.pop(0)
            job.folder = tempfile.mkdtemp(prefix="passage-safety-%s-" % job.name)
            job.path = os.path.join(job.folder, "job.json")
            with open(job.path, "w") as f:
                json.dump({"params": job.params, "ops": job.ops, "bin": args.bin, "budget": args.budget,
                           "folder": os.path.join(job.folder, "seq"), "stop_kind": job.kind}, f)
            log = open(os.path.join(job.folder, "worker.log"), "wb")
            job.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--_worker", job.path],
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            job.started = time.monotonic()
            job.pidfd = os.pidfd_open(job.proc.pid)
            _WORKERS.add(job.proc)
            running.append(job)
        wait_for_workers(running)
        for job in list(running):
            if job.proc.poll() is None and time.monotonic() - job.started < K_WORKER_TIMEOUT:
                continue
            if job.proc.poll() is None:
                job.proc.kill()
            job.proc.wait()
            os.close(job.pidfd)
            _WORKERS.discard(job.proc)
            running.remove(job)
            try:
                job.result = json.load(open(job.path + ".out"))
            except (OSError, ValueError):
                tail = open(os.path.join(job.folder, "worker.log"), errors="replace").read()[-1500:]
                job.result = {"steps": 0, "trace": [], "seconds": 0,
                              "violations": [{"kind": "harness_error", "detail": "worker ended without a "
                                              "result (exit %s): %s" % (job.proc.returncode, tail)}]}
            if job.kind is not None:  # a shrink attempt: only "does it fail the same way"
                job.result["same"] = any(v["kind"] == job.kind for v in job.result["violations"])
            if (job.result["violations"] and keep_failing) or args.keep:
                job.result["folder"] = job.folder
            else:
                shutil.rmtree(job.folder, ignore_errors=True)
            if done:
                done(job)


def wait_for_workers(running):
    """Returns once a running worker has ended (its pidfd is readable) or
    the earliest worker's K_WORKER_TIMEOUT has passed, whichever is first."""
    deadline = min(job.started + K_WORKER_TIMEOUT for job in running)
    poller = select.poll()
    for job in running:
        poller.register(job.pidfd, select.POLLIN)
    # Rounded up: a timeout rounded down to 0 ms would spin until the deadline.
    poller.poll(max(0, math.ceil((deadline - time.monotonic()) * 1000)))


def concrete(trace):
    """An executed trace as replayable operations (no outcomes)."""
    ops = []
    for op in trace:
        op = {k: v for k, v in op.items() if k not in ("result", "now", "applied")}
        if "concurrent" in op:
            op["concurrent"] = [{k: v for k, v in c.items() if k not in ("result", "raced")}
                                for c in op["concurrent"]]
        ops.append(op)
    return ops


def candidates(ops):
    """Smaller versions of `ops`: chunks removed (halves down to single
    operations), then concurrent actions and kills removed."""
    n, size = len(ops), max(1, len(ops) // 2)
    while size >= 1:
        for start in range(0, n, size):
            if start + size <= n and n - size >= 1:
                yield ops[:start] + ops[start + size:]
        if size == 1:
            break
        size //= 2
    for i, op in enumerate(ops):
        for key in ("concurrent", "kill_ms"):
            if key in op:
                simpler = dict(op)
                del simpler[key]
                yield ops[:i] + [simpler] + ops[i + 1:]
        concurrent = op.get("concurrent", [])
        if len(concurrent) > 1:
            for j in range(len(concurrent)):
                simpler = dict(op, concurrent=concurrent[:j] + concurrent[j + 1:])
                yield ops[:i] + [simpler] + ops[i + 1:]
        if concurrent:  # the support actions alone, after the command instead of during it
            alone = [{k: v for k, v in c.items() if k != "delay_ms"} for c in concurrent]
            simpler = {k: v for k, v in op.items() if k != "concurrent"}
            yield ops[:i] + [simpler] + alone + ops[i + 1:]


def size(ops):
    """How complex a replay is: operations, concurrent actions, kills."""
    return sum(1 + 1.5 * len(op.get("concurrent", [])) + 0.5 * ("kill_ms" in op) for op in ops)


def shrink(job, violation, args, deadline):
    """Removes operations while the same invariant still fails (bounded in
    attempts and time). Returns the shortest failing operation list."""
    kind = violation["kind"]
    best = concrete(job.result["trace"][:violation.get("step", len(job.result["trace"]) - 1) + 1])
    attempts = 0
    improved = True
    while improved and attempts < args.shrink_attempts and time.monotonic() < deadline:
        improved = False
        batch = []
        for cand in candidates(best):
            batch.append(cand)
            if len(batch) < args.jobs:
                continue
            found = try_batch(job, batch, kind, args, best)
            attempts += len(batch)
            batch = []
            if found is not None:
                best, improved = found, True
                break
            if attempts >= args.shrink_attempts or time.monotonic() >= deadline:
                break
        if not improved and batch and attempts < args.shrink_attempts and time.monotonic() < deadline:
            found = try_batch(job, batch, kind, args, best)
            attempts += len(batch)
            if found is not None:
                best, improved = found, True
        print("  shrink %s: %d operations after %d attempts" % (kind, len(best), attempts), flush=True)
    return best


def try_batch(job, batch, kind, args, best):
    jobs = [Job("shrink", job.seed, job.params, cand, kind) for cand in batch]
    run_jobs(jobs, args, keep_failing=False)
    for j in jobs:  # in order: the earliest candidate removes the most
        if j.result.get("same"):
            found = concrete(j.result["trace"])
            if size(found) < size(best):
                return found
    return None


def write_replay(folder, job, violation, ops):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "%s-seed%s.json" % (violation["kind"], job.seed))
    with open(path, "w") as f:
        json.dump({"format": 1, "seed": job.seed, "invariant": violation["kind"], "violation": violation,
                   "params": job.params, "ops": ops}, f, indent=1, sort_keys=True)
        f.write("\n")
    return path


def load_replays(paths):
    jobs = []
    for path in paths:
        files = sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".json")) \
            if os.path.isdir(path) else [path]
        for name in files:
            doc = json.load(open(name))
            job = Job("replay", doc.get("seed"), doc["params"], doc["ops"])
            job.file, job.invariant = name, doc.get("invariant")
            jobs.append(job)
    return jobs


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sequences", type=int, default=4)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--steps", type=int, default=30, help="operations per sequence")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--bin", default=None, help="folder of passage and passage-cozy-sim (build/bin)")
    ap.add_argument("--replay", action="append", default=[], help="a replay file or a folder of them")
    ap.add_argument("--budget", type=float, default=300, help="seconds per sequence at most")
    ap.add_argument("--shrink-budget", type=float, default=900, help="seconds of shrinking per failure")
    ap.add_argument("--shrink-attempts", type=int, default=60)
    ap.add_argument("--save", default=None, help="folder for shrunk replays (build/safety-replays)")
    ap.add_argument("--shrink", action="store_true", help="with --replay: shrink the failing replays further")
    ap.add_argument("--keep", action="store_true", help="keep every sequence's folder")
    ap.add_argument("--_worker", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    if args._worker:
        worker(args._worker)
        return 0
    root = os.path.dirname(os.path.dirname(HERE))
    args.bin = os.path.abspath(args.bin or os.path.join(root, "build", "bin"))
    args.save = os.path.abspath(args.save or os.path.join(os.path.dirname(args.bin), "safety-replays"))
    for binary in ("passage", "passage-cozy-sim"):
        if not os.access(os.path.join(args.bin, binary), os.X_OK):
            print("safety-test: no %s in %s (build it first)" % (binary, args.bin), file=sys.stderr)
            return 2
    seed = args.seed if args.seed is not None else int(time.time()) % 1000000
    if args.replay:
        jobs = load_replays(args.replay)
    else:
        jobs = []
        for i in range(args.sequences):
            params = gen.make_params(seed + i)
            jobs.append(Job("seq%d" % (seed + i), seed + i, params, gen.make_ops(seed + i, params, args.steps)))
    print("safety-test: %d %s, %d jobs, bin %s, seed %d" % (
        len(jobs), "replays" if args.replay else "sequences of %d steps" % args.steps, args.jobs, args.bin, seed),
        flush=True)
    started = time.monotonic()
    run_jobs(jobs, args, done=lambda job: print_result(job, args))
    steps = sum(job.result["steps"] for job in jobs)
    violations = sum(len(job.result["violations"]) for job in jobs)
    shrunk_kinds = set()
    if not args.replay or args.shrink:
        for job in jobs:
            for v in job.result["violations"]:
                if v["kind"] in shrunk_kinds or v["kind"] == "harness_error":
                    continue
                if getattr(job, "invariant", None) not in (None, v["kind"]):
                    continue  # a replay: shrink only the failure it was written for
                shrunk_kinds.add(v["kind"])
                last = v.get("step", len(job.result["trace"]) - 1)
                ops = concrete(job.result["trace"][:last + 1])
                if args.shrink_budget > 0:
                    ops = shrink(job, v, args, time.monotonic() + args.shrink_budget)
                path = write_replay(args.save, job, v, ops)
                print("replay (%d operations, seed %s, %s): %s" % (len(ops), job.seed, v["kind"], path), flush=True)
    print("time %.1f s for %d sequences (%.1f s each on average, %d jobs)" % (
        time.monotonic() - started, len(jobs), sum(j.result["seconds"] for j in jobs) / max(1, len(jobs)),
        args.jobs), flush=True)
    print("sequences=%d steps=%d violations=%d seed=%d" % (len(jobs), steps, violations, seed), flush=True)
    return 1 if violations else 0


def print_result(job, args):
    from sequence import summary_line
    r = job.result
    name = getattr(job, "file", "seed %s" % job.seed)
    tally = " ".join("%s=%s" % kv for kv in sorted(r.get("tally", {}).items()))
    print("%s %s: %d steps in %.1f s  %s" % ("FAIL" if r["violations"] else "ok", name, r["steps"], r["seconds"],
                                            tally), flush=True)
    if args.keep:
        print("  folder: %s" % r.get("folder"), flush=True)
    for v in r["violations"]:
        print("  violation: %s" % summary_line(v), flush=True)
    if r["violations"]:
        print("  kept: %s  rerun: scripts/safety-test --sequences 1 --seed %s --steps %d" % (
            r.get("folder"), job.seed, args.steps), flush=True)


def _stop(*_):
    raise SystemExit(130)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    try:
        sys.exit(main(sys.argv[1:]))
    finally:
        for p in list(_WORKERS):
            try:
                p.send_signal(signal.SIGTERM)
                p.wait(5)
            except Exception:
                p.kill()
