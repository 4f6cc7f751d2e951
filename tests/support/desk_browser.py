#!/usr/bin/env python3
"""Drives Debian's headless Chromium over the DevTools protocol (through
--remote-debugging-pipe: NUL-terminated JSON on fds 3 and 4, no websocket,
standard library only) through the support desk page of `passage serve`:
log in, search part of an e-mail, open the account, postpone it, read the
page again. Prints one JSON object: what each step saw, every URL the
browser requested, and every console error or exception. Exit 0 when it
could drive the browser; what it saw is for the calling test to judge.

usage: desk_browser.py CHROMIUM BASE_URL NAME TOKEN QUERY DAYS REASON
"""

import fcntl
import json
import os
import select
import subprocess
import sys
import tempfile
import time

DEADLINE_SECONDS = 60


class NoAnswer(RuntimeError):
    """Chromium sent nothing more before a deadline."""


class Browser:
    def __init__(self, chromium, profile):
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def plumb():
            a = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--remote-debugging-pipe", "--user-data-dir=" + profile, "about:blank"],
            preexec_fn=plumb, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.log = []  # every event, in order
        self.session = None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        want = self.next_id
        deadline = time.monotonic() + DEADLINE_SECONDS  # one for the whole reply, events or not
        while True:
            reply = self.read(deadline)
            if reply.get("id") == want:
                if "error" in reply:
                    raise RuntimeError(method + ": " + json.dumps(reply["error"]))
                return reply.get("result", {})

    def read(self, deadline=None):
        """The next message from chromium (an event is also logged); raises
        when none is whole by `deadline` (by default DEADLINE_SECONDS from now)."""
        if deadline is None:
            deadline = time.monotonic() + DEADLINE_SECONDS
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_browser], [], [], left)[0]:
                raise NoAnswer("no answer from chromium")
            chunk = os.read(self.from_browser, 65536)
            if not chunk:
                raise RuntimeError("chromium closed its pipe")
            self.buffer += chunk
        text, self.buffer = self.buffer.split(b"\0", 1)
        message = json.loads(text)
        if "method" in message:
            self.log.append(message)
        return message

    def wait_event(self, method, since, where=lambda params: True):
        """The first event `method` whose params satisfy `where`, logged at
        or after index `since`; raises when none comes within DEADLINE_SECONDS."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            for event in self.log[since:]:
                if event.get("method") == method and where(event.get("params", {})):
                    return event
            since = len(self.log)
            self.read(deadline)

    def attach(self):
        # Counted before discovery starts: a page created while getTargets is
        # on its way is logged after `since`, so it is not missed.
        since = len(self.log)
        self.send("Target.setDiscoverTargets", {"discover": True}, session=False)
        targets = self.send("Target.getTargets", session=False)["targetInfos"]
        page = next((t for t in targets if t["type"] == "page"), None)
        if page is None:  # the first tab may not be there yet
            try:
                created = self.wait_event("Target.targetCreated", since,
                                          lambda params: params["targetInfo"]["type"] == "page")
            except NoAnswer:
                raise NoAnswer("chromium opened no page") from None
            page = created["params"]["targetInfo"]
        self.session = self.send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(domain + ".enable")

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    def load(self, action):
        """Runs `action` (a navigation or a form submission) and waits for the page's load."""
        since = len(self.log)
        action()
        self.wait_event("Page.loadEventFired", since)

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def page_text(browser):
    return browser.evaluate("document.body ? document.body.innerText : ''") or ""


def main():
    chromium, base, name, token, query, days, reason = sys.argv[1:8]
    seen = {}
    with tempfile.TemporaryDirectory(prefix="passage-cdp") as profile:
        browser = Browser(chromium, profile)
        log = []
        try:
            browser.attach()
            browser.load(lambda: browser.send("Page.navigate", {"url": base + "/"}))
            seen["login_page"] = page_text(browser)
            seen["page_lang"] = browser.evaluate("document.documentElement.lang")
            seen["login_style"] = browser.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")
            browser.load(lambda: browser.evaluate(
                "document.querySelector('input[name=name]').value=%s;"
                "document.querySelector('input[name=token]').value=%s;"
                "document.querySelector('form[action=\"/login\"]').submit()" % (json.dumps(name), json.dumps(token))))
            seen["after_login"] = page_text(browser)
            seen["cookie_visible_to_script"] = browser.evaluate("document.cookie")
            browser.load(lambda: browser.evaluate(
                "document.querySelector('input[name=q]').value=%s;"
                "document.querySelector('form[action=\"/\"]').submit()" % json.dumps(query)))
            seen["results"] = page_text(browser)
            browser.load(lambda: browser.evaluate("document.querySelector('ul.results a').click()"))
            seen["account_page"] = page_text(browser)
            seen["account_url"] = browser.evaluate("location.href")
            browser.load(lambda: browser.evaluate(
                "const f=document.querySelector('form[action$=\"/postpone\"]');"
                "f.querySelector('input[name=days]').value=%s;"
                "f.querySelector('input[name=reason]').value=%s;f.submit()" % (json.dumps(days), json.dumps(reason))))
            seen["after_postpone"] = page_text(browser)
            browser.load(lambda: browser.send("Page.navigate", {"url": seen["account_url"]}))
            seen["account_again"] = page_text(browser)
            # A forged form without the CSRF token, posted from the page itself.
            browser.load(lambda: browser.evaluate(
                "const f=document.querySelector('form[action$=\"/hold\"]');"
                "f.querySelector('input[name=csrf]').remove();"
                "f.querySelector('input[name=reason]').value='forged';f.submit()"))
            seen["without_csrf"] = page_text(browser)
        except Exception as error:  # what went wrong is part of what was seen
            seen["driver_error"] = str(error)
        finally:
            browser.close()
    requests, errors = [], []
    for event in browser.log:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent":
            requests.append(params["request"]["url"])
        elif method == "Runtime.exceptionThrown":
            errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            errors.append(json.dumps(params.get("args")))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            errors.append(params["entry"].get("text", "") + " " + params["entry"].get("url", ""))
    print(json.dumps({"seen": seen, "requests": requests, "errors": errors}))


if __name__ == "__main__":
    main()
