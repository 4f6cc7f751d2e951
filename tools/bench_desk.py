#!/usr/bin/python3
"""The desk page under load (issue 13): logs in to a running `passage serve`,
then sends rounds of 50 concurrent GETs (search, an account's page with its
timeline, a campaign's progress) while a run writes the database, and prints
the latency of each answer (scripts/bench, section desk). Not a test.

  tools/bench_desk.py BASE_URL TOKEN [--concurrent 50] [--seconds 20]

Prints `desk_requests=N desk_errors=E desk_p50_ms=… desk_p95_ms=… desk_max_ms=…`.
"""

import argparse
import concurrent.futures
import re
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def log_in(base, token):
    opener = urllib.request.build_opener(NoRedirect)
    body = urllib.parse.urlencode({"name": "bench", "token": token}).encode()
    try:
        opener.open(base + "/login", data=body, timeout=10)
    except urllib.error.HTTPError as answer:
        if answer.code != 303:
            raise
        return answer.headers["Set-Cookie"].split(";")[0]
    raise RuntimeError("login did not answer 303")


def get(url, cookie):
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as answer:
        status = answer.code
    except OSError:
        status = 0
    return status, (time.monotonic() - started) * 1000


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("token")
    parser.add_argument("--concurrent", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    cookie = log_in(args.base, args.token)
    page = urllib.request.urlopen(urllib.request.Request(args.base + "/?q=u0001", headers={"Cookie": cookie}), timeout=10).read().decode()
    accounts = re.findall(r'href="(/account/\d+)"', page)[:10] or ["/account/1"]
    campaigns = re.findall(r'href="(/campaign/\d+)"', page)[:1] or ["/campaign/1"]
    urls = [args.base + "/?q=u00", args.base + "/?q=example.org"] + [args.base + a for a in accounts] + [
        args.base + c for c in campaigns]
    latencies, errors, by_kind = [], 0, {}
    deadline = time.monotonic() + args.seconds
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.concurrent) as pool:
        for _ in range(1000):  # rounds, bounded
            if time.monotonic() >= deadline:
                break
            batch = [urls[i % len(urls)] for i in range(args.concurrent)]
            for url, (status, ms) in zip(batch, pool.map(lambda url: get(url, cookie), batch)):
                latencies.append(ms)
                errors += status != 200
                kind = re.sub(r"\d+$", "N", url[len(args.base):])
                by_kind.setdefault(kind, []).append(ms)
    for kind, values in sorted(by_kind.items()):
        print("  %-24s n=%-6d p50=%.1f ms p95=%.1f ms max=%.1f ms" % (
            kind, len(values), statistics.median(values), p95(values), max(values)))
    print("desk_requests=%d desk_errors=%d desk_p50_ms=%.1f desk_p95_ms=%.1f desk_max_ms=%.1f" % (
        len(latencies), errors, statistics.median(latencies), p95(latencies), max(latencies)))


if __name__ == "__main__":
    main()
