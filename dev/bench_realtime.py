#!/usr/bin/env python3
"""Real-time benchmark of GitHub issue 18 (not a test: it measures and prints).

What: the time from an inbound webhook to its message visible in an Inbox
open in another browser, with the apply queue busy; the target is a p95
under 1 s.

How:
- Odoo runs with --workers=2 --max-cron-threads=2 on its own database. The
  webhooks go to the HTTP port (the prefork workers); they keep the message
  as an event and wake the cron workers, which apply it and push it on the
  bus. In prefork mode only the gevent process serves /websocket (a prefork
  worker answers "Couldn't bind the websocket"), and Odoo's bus opens its
  websocket on the page's own origin: the browsers open Odoo on the gevent
  port, as a reverse proxy routing /websocket there would have them do.
- One headless Chromium, two browser contexts, two agents (the admin, and an
  Inbox manager), each logged in with the Inbox open and its bus worker's
  websocket connected; the first agent has the probe person's conversation
  open (its thread), the second the list. Nothing in the pages polls: a
  change reaches them as a push on the websocket (upon which the list may
  read itself again).
- Background threads post signed Twilio webhooks from 200 other people,
  --concurrency at a time (8; 0: none, the queue idle), as fast as Odoo
  answers or --rate a second at most, for the whole measurement: the apply
  queue is busy. Its backlog (pending events) when the first and the last
  probe were posted says whether it kept up: as fast as 8 clients go, the
  webhooks outrun the cron workers on a small machine and the backlog, which
  is applied in order, grows.
- Meanwhile, N probes, one every 0.5 to 1 s: a signed webhook from the probe
  person (who has a conversation already) with a unique text. The wall-clock
  time just before its POST is the start; a MutationObserver in each page
  records Date.now() when an element holding that text is added (or its text
  changes to it). Each probe gives one latency per browser context; one not
  seen within 10 s counts as 10 s, and as missed. A list row shows its
  conversation's last message only: a missed probe whose later one was seen
  is counted as superseded too (the row went past it).

Usage: dev/bench_realtime.py [--db unified_inbox_bench_rt] [--probes 30] [--concurrency 8] [--rate N]
                             [--chrome PATH]
Chromium: --chrome, else $CHROME (dev/setup.sh --with-browser), else chromium on the PATH.
Runs on its own database, created on first use. From another script: measure_realtime(...) -> dict.
"""
import argparse
import functools
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import ExitStack, closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import (
    HERE,
    ensure_database,
    free_port,
    percentile,
    shell,
    stop_process,
    use_project_python,
    wait_until_none,
)

use_project_python(__file__)

import psycopg2  # noqa: E402
import requests  # noqa: E402
from bench_ingest import SETUP_CODE, FakeProviderServer, compute_signature  # noqa: E402
from screenshot import Page  # noqa: E402

DEFAULT_DB = "unified_inbox_bench_rt"
AGENTS = (("admin", "admin"), ("rt_agent", "rt-agent-password"))
LOAD_PEOPLE = 200
PROBE_PHONE = "+32 470 99 00 01"
TIMEOUT = 10.0  # seconds: a probe not seen by then is missed
PENDING_EVENTS = "SELECT count(*) FROM inbox_event WHERE state = 'pending'"

AGENTS_CODE = """
import json, os, time
from odoo import Command
from odoo.addons.unified_inbox.providers import InboundMessage
env.ref("base.user_admin").write({"password": os.environ["ADMIN_PASSWORD"]})
Users = env["res.users"].with_context(no_reset_password=True)
login = os.environ["AGENT_LOGIN"]
agent = Users.search([("login", "=", login)]) or Users.create({
    "name": "Realtime Agent", "login": login,
    "group_ids": [Command.link(env.ref("unified_inbox.group_inbox_manager").id)]})
agent.password = os.environ["AGENT_PASSWORD"]
provider = env["inbox.provider"].search([("name", "=", "Bench Twilio")])
sender = provider.sender_ids[:1]
# the probe person and their conversation, as a first message makes them
message = env["inbox.conversation"]._inbox_receive(provider, InboundMessage(
    provider_message_id=f"SMprobe{time.time_ns()}", channel="sms", from_address=os.environ["PROBE_PHONE"],
    to_address=sender.address, body="Hello, this is the probe", profile_name="Realtime probe"), sender)
env.cr.commit()
print(json.dumps({"conversation": message.res_id}))
"""

# the Inbox is shown, with its rows, and the bus worker's websocket is up
INBOX_STATE = """({
    page: location.pathname, rows: document.querySelectorAll('.o_inbox_row').length,
    visibility: document.visibilityState,
    bus: window.odoo?.__WOWL_DEBUG__?.root.env.services.bus_service.workerState,
})"""
INBOX_READY = f"""(({{page, rows, visibility, bus}}) =>
    page.startsWith('/odoo/') && rows > 0 && visibility === 'visible' && bus === 'CONNECTED')({INBOX_STATE})"""

# window.__rtSeen: {probe text: Date.now() when the page's DOM first held it}
OBSERVER = """(() => {
    const pattern = new RegExp(%s, "g");
    const seen = (window.__rtSeen = {});
    const scan = (text, now) => {
        for (const token of (text || "").match(pattern) || []) {
            if (!(token in seen)) {
                seen[token] = now;
            }
        }
    };
    new MutationObserver((records) => {
        const now = Date.now();
        for (const record of records) {
            if (record.type === "characterData") {
                scan(record.target.data, now);
            } else {
                record.addedNodes.forEach((node) => scan(node.textContent, now));
            }
        }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
})()"""


class Webhooks:
    """Signed Twilio inbound SMS webhooks to Odoo's HTTP port."""

    def __init__(self, url, token, sender):
        self.url = f"{url}/unified_inbox/webhook/{token}"
        self.sender = sender

    def post(self, session, phone, name, body):
        form = {"MessageSid": f"SMrt{time.time_ns()}{random.randrange(10**6)}", "AccountSid": "AC_test",
                "From": phone, "To": self.sender, "Body": body, "NumMedia": "0", "SmsStatus": "received",
                "ProfileName": name}
        signature = compute_signature("twilio-token", self.url, {key: [value] for key, value in form.items()})
        return session.post(self.url, data=form, headers={"X-Twilio-Signature": signature}, timeout=60).status_code


class BackgroundLoad:
    """Webhooks from LOAD_PEOPLE other people, ``concurrency`` at a time
    (``rate``: at most that many a second in all), from start() to stop();
    ``answered`` counts those answered 200."""

    def __init__(self, webhooks, concurrency, rate=None):
        self.webhooks = webhooks
        self.rate = rate
        self.counter = itertools.count()
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.answered = self.failed = 0
        self.threads = [threading.Thread(target=self.run, daemon=True) for _i in range(concurrency)]
        self.started = None

    def run(self):
        session = requests.Session()
        while not self.stopping.is_set():
            index = next(self.counter)
            if self.rate and self.stopping.wait(max(0, self.started + index / self.rate - time.monotonic())):
                return
            person = index % LOAD_PEOPLE
            try:
                ok = self.webhooks.post(session, f"+32 470 88 {person:04d}", f"Load person {person}",
                                        f"Load message {time.time_ns()}") == 200
            except requests.RequestException:
                ok = False
            with self.lock:
                self.answered += ok
                self.failed += not ok

    def start(self):
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()
        return self

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join()


def wait_for_url(url, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


def start_odoo(stack, db, log):
    """Odoo in prefork mode, stopped when ``stack`` closes, once both its
    HTTP and its gevent port answer; returns both base URLs."""
    port, gevent_port = free_port(), free_port()
    server = subprocess.Popen(
        [str(HERE / "odoo.sh"), "-d", db, f"--db-filter=^{db}$", "--http-interface=127.0.0.1",
         f"--http-port={port}", f"--gevent-port={gevent_port}", "--workers=2", "--max-cron-threads=2",
         "--log-level=warn", "--limit-time-real=900", "--limit-time-cpu=900"],
        stdout=log, stderr=subprocess.STDOUT)
    stack.callback(stop_process, server)
    url, gevent_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{gevent_port}"
    for base in (url, gevent_url):
        wait_for_url(f"{base}/web/health")
    return url, gevent_url


def start_chromium(stack, chrome, profile):
    """Headless Chromium, stopped when ``stack`` closes; returns its
    DevTools port and a CDP connection to the browser itself."""
    port = free_port()
    proc = subprocess.Popen([
        chrome, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
        "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--no-pings",
        # two pages shown at once: neither may be throttled as if in the background
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows",
        # loopback is never proxied: anything else goes to a closed port, never out
        "--proxy-server=http://127.0.0.1:9",
        f"--user-data-dir={profile}", f"--remote-debugging-port={port}", "about:blank",
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stack.callback(stop_process, proc)
    for _i in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=2) as answer:
                return port, Page(json.load(answer)["webSocketDebuggerUrl"])
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("Chromium did not start")


def wait_until(page, expression, timeout=120, state="document.location.href"):
    """Until ``expression`` is true in ``page``, between two documents
    included; on timeout, the error says what ``state`` evaluates to."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.evaluate(expression):
                return
        except RuntimeError:  # the page is between two documents
            pass
        time.sleep(0.2)
    raise TimeoutError(f"not true after {timeout} s: {expression} (the page: {page.evaluate(state)})")


def open_inbox(browser, devtools_port, base, login, password):
    """A page in a browser context of its own, ``login`` logged in, its Inbox loaded."""
    context = browser.call("Target.createBrowserContext")["browserContextId"]
    target = browser.call("Target.createTarget", url="about:blank", browserContextId=context)["targetId"]
    page = Page(f"ws://127.0.0.1:{devtools_port}/devtools/page/{target}")
    page.call("Emulation.setDeviceMetricsOverride", width=1440, height=900, deviceScaleFactor=1, mobile=False)
    page.call("Page.navigate", url=f"{base}/web/login")
    wait_until(page, "!!document.querySelector('form.oe_login_form input[name=password]')")
    page.evaluate(f"""
        document.querySelector('input[name=login]').value = {json.dumps(login)};
        document.querySelector('input[name=password]').value = {json.dumps(password)};
        document.querySelector('form.oe_login_form').submit();""")
    wait_until(page, "location.pathname !== '/web/login' && document.readyState === 'complete'")
    page.call("Page.navigate", url=f"{base}/odoo/inbox")
    wait_until(page, INBOX_READY, state=INBOX_STATE)
    return page


def seen_in(page):
    seen = page.evaluate("window.__rtSeen")
    if seen is None:
        raise RuntimeError("an Inbox page was reloaded during the measurement")
    return seen


def stats(latencies):
    return {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95), "max": max(latencies)}


def measure_realtime(db=DEFAULT_DB, probes=30, concurrency=8, rate=None, chrome=None):
    """Run the measurement described at the top; return its figures
    (latencies in ms)."""
    chrome = chrome or os.environ.get("CHROME") or shutil.which("chromium") or shutil.which("google-chrome")
    if not chrome:
        raise RuntimeError("no Chromium: run dev/setup.sh --with-browser, or give its path")
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")  # requests and websocket-client: loopback only
    ensure_database(db)
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        fake = FakeProviderServer().start()
        stack.callback(fake.stop)
        info = json.loads(shell(db, SETUP_CODE, FAKE_URL=fake.url))
        (_admin, admin_password), (agent, agent_password) = AGENTS
        conversation = json.loads(shell(db, AGENTS_CODE, ADMIN_PASSWORD=admin_password, AGENT_LOGIN=agent,
                                        AGENT_PASSWORD=agent_password, PROBE_PHONE=PROBE_PHONE))["conversation"]
        log = stack.enter_context((tmp / "odoo.log").open("w"))
        try:
            url, gevent_url = start_odoo(stack, db, log)
            devtools_port, browser = start_chromium(stack, chrome, tmp / "chromium")
            return measure(db, Webhooks(url, info["token"], info["sender"]), conversation, probes, concurrency, rate,
                           functools.partial(open_inbox, browser, devtools_port, gevent_url))
        except Exception:
            print(f"Odoo's log ends with:\n{(tmp / 'odoo.log').read_text()[-3000:]}", file=sys.stderr)
            raise


def measure(db, webhooks, conversation, probes, concurrency, rate, open_page):
    """The measurement itself, Odoo and Chromium running: ``open_page(login,
    password)`` gives a page of that agent's Inbox."""
    session = requests.Session()
    # warm-up: the workers load their registry, the people of the load are
    # created, the probe's conversation is the newest (on the first page)
    warm = BackgroundLoad(webhooks, max(concurrency, 1)).start()
    try:
        while warm.answered + warm.failed < LOAD_PEOPLE:
            time.sleep(0.1)
    finally:
        warm.stop()
    print("warming up: until the apply queue is empty (what an earlier run left included)", flush=True)
    wait_until_none(db, PENDING_EVENTS, timeout=1800)
    # then the probe writes: applied after the load's people, and a second later (dates are
    # kept to the second), its conversation is the newest
    time.sleep(1.1)
    if warm.failed or webhooks.post(session, PROBE_PHONE, "Realtime probe", "Warming up") != 200:
        raise RuntimeError("Odoo refused webhooks of the warm-up")
    wait_until_none(db, PENDING_EVENTS)
    pages = {login: open_page(login, password) for login, password in AGENTS}
    first = pages[AGENTS[0][0]]
    first.act(f'.o_inbox_row[data-id="{conversation}"]')
    wait_until(first, "!!document.querySelector('.o-mail-Message')")
    tag = f"rt{time.time_ns() % 10**9:x}n"
    for page in pages.values():
        page.evaluate(OBSERVER % json.dumps(tag + r"\d+"))

    load = BackgroundLoad(webhooks, concurrency, rate).start()
    sent, pending, statuses = {}, [], []
    try:
        time.sleep(3)  # the queue fills up
        with closing(psycopg2.connect(dbname=db)) as cnx:
            cnx.autocommit = True
            cursor = cnx.cursor()
            for index in range(probes):
                token = f"{tag}{index}"
                sent[token] = time.time() * 1000
                statuses.append(webhooks.post(session, PROBE_PHONE, "Realtime probe", f"Probe {token}"))
                cursor.execute(PENDING_EVENTS)
                pending.append(cursor.fetchone()[0])
                time.sleep(random.uniform(0.5, 1.0))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and not all(set(sent) <= set(seen_in(page)) for page in pages.values()):
            time.sleep(0.2)
        seen = {login: seen_in(page) for login, page in pages.items()}
        bus_up = all(page.evaluate(INBOX_READY) for page in pages.values())
    finally:
        load.stop()
    contexts, tokens = {}, list(sent)
    for login, times in seen.items():
        latencies = [min(times[token] - start, TIMEOUT * 1000) if token in times else TIMEOUT * 1000
                     for token, start in sent.items()]
        contexts[login] = dict(
            stats(latencies), missed=latencies.count(TIMEOUT * 1000), latencies=latencies,
            shows="the probe's thread" if pages[login] is first else "the list",
            # never shown, a later probe was: a list row shows its conversation's last message only
            superseded=sum(token not in times and any(later in times for later in tokens[index + 1:])
                           for index, token in enumerate(tokens)))
    everything = [latency for context in contexts.values() for latency in context["latencies"]]
    overall = dict(stats(everything), **{key: sum(context[key] for context in contexts.values())
                                         for key in ("missed", "superseded")})
    return {
        "probes": probes,
        "concurrency": concurrency,
        "rate": rate,
        "probes_answered_200": statuses.count(200),
        "background_webhooks": load.answered,
        "background_failed": load.failed,
        # the apply queue's backlog when the first and the last probe were posted
        "pending_events": (pending[0], pending[-1]),
        "contexts": contexts,
        "overall": overall,
        "bus_connected_at_end": bus_up,
        "p95_under_1s": overall["p95"] < 1000,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--probes", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=8, help="background webhooks at a time")
    parser.add_argument("--rate", type=float, help="at most this many background webhooks a second (default: no cap)")
    parser.add_argument("--chrome")
    args = parser.parse_args()
    result = measure_realtime(args.db, args.probes, args.concurrency, args.rate, args.chrome)
    print()
    cap = f" (at most {result['rate']:g} a second)" if result["rate"] else ""
    print(f"{result['probes']} probes ({result['probes_answered_200']} answered 200), "
          f"{result['background_webhooks']} background webhooks posted during the run "
          f"({result['background_failed']} failed), {result['concurrency']} at a time"
          f"{cap}; "
          f"events pending in the apply queue: {result['pending_events'][0]} at the first probe, "
          f"{result['pending_events'][1]} at the last")
    print("webhook to the message in the DOM of an open Inbox (pushed over the websocket):")
    for name, figures in [*result["contexts"].items(), ("overall", result["overall"])]:
        shows = f" ({figures['shows']})" if "shows" in figures else ""
        print(f"  {name}{shows}: p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, "
              f"max {figures['max']:.0f} ms, {figures['missed']} missed (not seen within {TIMEOUT:.0f} s; "
              f"{figures['superseded']} of them never shown, a later probe's text was)")
    print(f"p95 < 1000 ms: {'yes' if result['p95_under_1s'] else 'NO'}"
          f"{'' if result['bus_connected_at_end'] else ' (a bus websocket was down at the end)'}")


if __name__ == "__main__":
    main()
