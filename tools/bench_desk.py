#!/usr/bin/python3
"""The desk page under load (issue 13): logs in to a running `passage serve`,
then sends rounds of 50 concurrent GETs (search, an account's page with its
timeline, a campaign's progress) while a run writes the database, and prints
the latency of each answer (scripts/bench, section desk). Not a test.

  tools/bench_desk.py BASE_URL TOKEN [--concurrent 50] [--seconds 20] [--client curl|python]

The client: `curl` (default) sends each round as one `curl -Z` of 50
transfers started at once, each timed by curl itself (time_total), as a
browser would; `python` uses 50 threads of urllib, whose own scheduling
under the GIL on a loaded 2-core machine adds tens to hundreds of ms.

Prints `desk_requests=N desk_errors=E desk_p50_ms=… desk_p95_ms=… desk_max_ms=…`.
"""

import argparse
import concurrent.futures
import re
import statistics
import subprocess
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


def curl_round(urls, cookie):
    """One round: every URL at once through `curl -Z`; (url, status, ms) each."""
    args = ["curl", "-Z", "--parallel-immediate", "--parallel-max", str(len(urls)), "-s", "--max-time", "10",
            "-H", "Cookie: " + cookie, "-w", "%{http_code} %{time_total} %{url}\\n"]
    for url in urls:
        args += ["-o", "/dev/null", url]
    out = subprocess.run(args, capture_output=True, text=True, timeout=60).stdout
    answers = []
    for line in out.splitlines():
        status, seconds, url = line.split(" ", 2)
        answers.append((url, int(status), float(seconds) * 1000))
    return answers


def python_round(pool, urls, cookie):
    return [(url, status, ms) for url, (status, ms) in zip(urls, pool.map(lambda url: get(url, cookie), urls))]


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("token")
    parser.add_argument("--concurrent", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--client", choices=["curl", "python"], default="curl")
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
            answers = curl_round(batch, cookie) if args.client == "curl" else python_round(pool, batch, cookie)
            errors += len(batch) - len(answers)
            for url, status, ms in answers:
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
