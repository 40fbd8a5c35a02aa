#!/usr/bin/env python3
"""Benchmark of the delivery pipeline (not a test: it measures and prints).

1. Ingestion: N signed Twilio inbound webhooks over HTTP, C at a time,
   against Odoo started with --workers 2: messages answered per second,
   p50/p95 latency, and messages applied per second (until the event cron
   has put the last one in its conversation).
2. Baseline: in-process message_post of a plain note, one transaction each,
   on the same database.
3. Outbound: M queued SMS dispatched by the cron workers against a fake
   Twilio on loopback: messages per second until all are sent.

Usage: dev/bench_ingest.py [--requests 2000] [--concurrency 8] [--outbound 500]
Runs on its own database (unified_inbox_bench), created on first use.
"""
import argparse
import importlib.util
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import types
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode

DB = os.environ.get("BENCH_DB", "unified_inbox_bench")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import HERE, ROOT, ensure_database, percentile, shell, use_project_python  # noqa: E402

use_project_python(__file__)
# the fake provider server of the tests, without the tests package (it imports Odoo)
sys.modules["inbox_fakes"] = types.ModuleType("inbox_fakes")
sys.modules["inbox_fakes"].__path__ = [str(ROOT / "tests")]
# the provider protocols are plain Python: load them without Odoo
_spec = importlib.util.spec_from_file_location(
    "inbox_providers", ROOT / "providers" / "__init__.py", submodule_search_locations=[str(ROOT / "providers")])
sys.modules["inbox_providers"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sys.modules["inbox_providers"])

import psycopg2  # noqa: E402
import requests  # noqa: E402
from inbox_fakes.fake_providers import FakeProviderServer  # noqa: E402
from inbox_providers.twilio import compute_signature  # noqa: E402


def free_port():
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SETUP_CODE = """
import json, os
Provider = env["inbox.provider"]
provider = Provider.search([("name", "=", "Bench Twilio")]) or Provider.create({
    "name": "Bench Twilio", "provider_type": "twilio"})
provider.write({"api_base_url": os.environ["FAKE_URL"], "twilio_account_sid": "AC_test",
                "twilio_auth_token": "twilio-token", "consecutive_failures": 0})
sender = provider.sender_ids or env["inbox.sender"].create({
    "name": "Bench SMS", "provider_id": provider.id, "channel": "sms", "address": "+32 470 00 07 77"})
env.cr.commit()
print(json.dumps({"token": provider.webhook_token, "sender": sender.address}))
"""

BASELINE_CODE = """
import os
import time
import types
partner = env["res.partner"].create({"name": "Baseline", "phone": "+32 470 44 00 00"})
conversation = env["inbox.conversation"].create({"partner_id": partner.id})
env.cr.commit()
count = int(os.environ["COUNT"])
start = time.perf_counter()
for index in range(count):
    conversation.message_post(body=f"note {index}", message_type="comment", subtype_xmlid="mail.mt_note")
    env.cr.commit()
print(count / (time.perf_counter() - start))
"""

OUTBOUND_CODE = """
import os
partners = env["res.partner"].search([("name", "=like", "Bench person %")], limit=100)
conversations = env["inbox.conversation"].search([("partner_id", "in", partners.ids)])
count = int(os.environ["COUNT"])
for index in range(count):
    conversations[index % len(conversations)].message_inbox_send("sms", f"Outbound {index}")
env.cr.commit()
print(len(conversations))
"""


def ingest(url, token, sender, total, concurrency):
    latencies, statuses, lock = [], [], threading.Lock()
    counter = iter(range(total))
    path = f"/unified_inbox/webhook/{token}"

    def worker():
        session = requests.Session()
        for index in counter:
            form = {"MessageSid": f"SMbench{time.time_ns()}{index}", "AccountSid": "AC_test",
                    "From": f"+3247066{index % 200:04d}", "To": sender, "Body": f"Bench message {index}",
                    "NumMedia": "0", "SmsStatus": "received", "ProfileName": f"Bench person {index % 200}"}
            signature = compute_signature("twilio-token", url + path, {k: [v] for k, v in form.items()})
            started = time.perf_counter()
            response = session.post(url + path, data=urlencode(form), timeout=60, headers={
                "X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses.append(response.status_code)

    threads = [threading.Thread(target=worker) for _i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.perf_counter() - started
    return total / duration, latencies, statuses


def wait_until_none(count_query, timeout=600):
    """Poll the bench database until ``count_query`` counts nothing."""
    started = time.perf_counter()
    with closing(psycopg2.connect(dbname=DB)) as cnx:
        cnx.autocommit = True
        cursor = cnx.cursor()
        while True:
            cursor.execute(count_query)
            if not cursor.fetchone()[0]:
                return
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"still not done after {timeout} s: {count_query}")
            time.sleep(0.1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--outbound", type=int, default=500)
    parser.add_argument("--baseline", type=int, default=500)
    args = parser.parse_args()

    ensure_database(DB)
    fake = FakeProviderServer().start()
    info = json.loads(shell(DB, SETUP_CODE, FAKE_URL=fake.url))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(HERE / "odoo.sh"), "-d", DB, f"--db-filter=^{DB}$", "--http-interface=127.0.0.1",
         f"--http-port={port}", "--workers=2", "--max-cron-threads=2", "--log-level=warn",
         "--limit-time-real=600"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _i in range(120):
            try:
                if requests.get(f"{url}/web/health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        pending_events = "SELECT count(*) FROM inbox_event WHERE state = 'pending'"
        # warm-up: the workers load their registry, people are created once
        ingest(url, info["token"], info["sender"], 200, args.concurrency)
        wait_until_none(pending_events)
        started = time.perf_counter()
        rate, latencies, statuses = ingest(url, info["token"], info["sender"], args.requests, args.concurrency)
        # the webhooks kept the messages and triggered the event cron: until it applied them all
        wait_until_none(pending_events)
        applied_rate = args.requests / (time.perf_counter() - started)
        with closing(psycopg2.connect(dbname=DB)) as cnx, cnx.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM inbox_event WHERE state = 'failed'")
            failed_events = cursor.fetchone()[0]
        baseline = float(shell(DB, BASELINE_CODE, COUNT=str(args.baseline)))

        fake.reset()
        conversations = shell(DB, OUTBOUND_CODE, COUNT=str(args.outbound))
        started = time.perf_counter()
        # the send API triggered the cron: until the queue is empty
        wait_until_none("SELECT count(*) FROM mail_message WHERE inbox_status = 'queued'")
        outbound_rate = args.outbound / (time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(timeout=60)
        fake.stop()

    ok = statuses.count(200)
    print()
    print(f"ingestion, {args.requests} signed Twilio webhooks, {args.concurrency} at a time, --workers 2:")
    print(f"  answered and kept: {rate:.0f} messages/s, p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, {ok}/{len(statuses)} answered 200")
    print(f"  applied (in their conversations, pushed to the Inbox), first request to last applied: "
          f"{applied_rate:.0f} messages/s ({failed_events} events failed)")
    print(f"baseline, in-process message_post of a note (one transaction each): {baseline:.0f} messages/s")
    print(f"  answered / baseline: {rate / baseline:.2f}; applied / baseline: {applied_rate / baseline:.2f}")
    print(f"outbound, {args.outbound} SMS over {conversations} conversations to a fake Twilio, 2 cron workers: "
          f"{outbound_rate:.0f} messages/s ({len(fake.sent('/2010-04-01'))} requests received)")


if __name__ == "__main__":
    main()
