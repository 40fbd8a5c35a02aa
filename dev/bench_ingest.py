#!/usr/bin/env python3
"""Benchmark of the delivery pipeline (not a test: it measures and prints).

1. The host's limit: Odoo's cheapest route (/web/health), N requests, C at
   a time, same client and server as 2.
2. Ingestion: N signed Twilio inbound webhooks over HTTP, C at a time,
   against Odoo started with --workers 2: messages answered per second,
   p50/p95 latency, and messages applied per second (until the event cron
   has put the last one in its conversation). Then answering alone: the
   same with no cron worker (nothing applied on the same cores meanwhile),
   beside /web/health on that server.
3. Baseline: in-process message_post of a plain note, one transaction each,
   on the same database.
4. Outbound: M queued SMS dispatched by the cron workers against a fake
   Twilio on loopback: messages per second until all are sent.
5. Drain: D kept events (10 per person, people who wrote before) applied by
   1 cron worker with 1 lane per queue, then D others by 2 cron workers with
   2 lanes: events applied per second, and the ratio.
6. The peer: OCA mail_gateway with its Telegram gateway, installed into the
   same database, under the same client and workers (dev/bench_peer.py);
   our answered and applied rates to its rate.

Usage: dev/bench_ingest.py [--requests 2000] [--concurrency 8] [--outbound 500] [--drain 5000]
Runs on its own database (unified_inbox_bench), created on first use.
"""
import argparse
import importlib.util
import json
import os
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
from bench_common import (  # noqa: E402
    HERE,
    ROOT,
    ensure_database,
    free_port,
    percentile,
    shell,
    stop_process,
    use_project_python,
    wait_until_none,
)

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
from bench_peer import measure_peer, peer_addons_path, print_peer  # noqa: E402
from inbox_fakes.fake_providers import FakeProviderServer  # noqa: E402
from inbox_providers.twilio import compute_signature  # noqa: E402

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


DRAIN_LOAD_CODE = """
import os
from odoo.addons.unified_inbox.providers.base import InboundMessage
provider = env["inbox.provider"].search([("name", "=", "Bench Twilio")])
sender = provider.sender_ids[:1]
people, count, tag = int(os.environ["PEOPLE"]), int(os.environ["COUNT"]), os.environ["TAG"]
delay = int(os.environ["DELAY"])
Event = env["inbox.event"]
for start in range(0, count, 1000):
    Event._inbox_schedule(provider, [
        (delay, InboundMessage(provider_message_id=f"SMdrain{tag}{index}", channel="sms",
                               from_address=f"+3247077{index % people:04d}", to_address=sender.address,
                               body=f"Drain {index}", profile_name=f"Drain person {index % people}"))
        for index in range(start, min(start + 1000, count))], [sender] * (min(start + 1000, count) - start))
    env.cr.commit()
if not delay:
    # applied here and now, in one process (the people's first messages)
    while Event._inbox_process_due(200):
        env.cr.commit()
print(count)
"""

STEPS_CODE = """
import json, os, time
from odoo.addons.unified_inbox.providers import WebhookRequest
from odoo.addons.unified_inbox.providers.twilio import compute_signature
from odoo.addons.unified_inbox.tools import cron_wakeup
ODOO_WAKEUP = "(for comparison, not counted: Odoo's own wake-up, ir.cron._notifydb)"
provider = env["inbox.provider"].search([("name", "=", "Bench Twilio")])
token, url, to = provider.webhook_token, provider.webhook_url, provider.sender_ids[:1].address
Provider, Sender, Event = env["inbox.provider"].sudo(), env["inbox.sender"].sudo(), env["inbox.event"]
count = int(os.environ["COUNT"])
steps = {}
def step(name, started):
    now = time.perf_counter()
    steps[name] = steps.get(name, 0) + now - started
    return now
for index in range(count):
    form = {"MessageSid": f"SMsteps{time.time_ns()}", "AccountSid": "AC_test", "From": f"+3247055{index % 200:04d}",
            "To": to, "Body": f"Step {index}", "NumMedia": "0", "SmsStatus": "received"}
    form = {key: [value] for key, value in form.items()}
    request = WebhookRequest("POST", url, {"X-Twilio-Signature": compute_signature("twilio-token", url, form)},
                             b"", form, {})
    env.invalidate_all()  # as a new request: nothing cached but the registry's caches
    started = time.perf_counter()
    found = Provider._inbox_from_token(token)
    started = step("the provider, by its webhook token", started)
    adapter = found._inbox_adapter()
    started = step("its adapter (settings, secrets)", started)
    assert adapter.verify_webhook(request)
    started = step("the signature", started)
    events = adapter.parse_webhook(request)
    started = step("parsing", started)
    senders = [Sender._inbox_for_inbound(found, event)[0] for event in events]
    started = step("the sender account", started)
    Event._inbox_schedule(found, [(0, event) for event in events], senders)
    started = step("keeping the event, the lanes' triggers", started)
    env.cr.postcommit.clear()  # the cron wake-up, timed on its own
    env.cr.commit()
    started = step("commit", started)
    cron_wakeup.notify(env.cr.dbname)
    started = step("waking the cron workers (NOTIFY on the postgres database, kept connection)", started)
    env["ir.cron"]._notifydb()
    step(ODOO_WAKEUP, started)
# not for the crons of the next measures: they are done
env.cr.execute("UPDATE inbox_event SET state = 'done' WHERE dedupe_key LIKE 'message:SMsteps%%'")
env.cr.commit()
print(json.dumps({name: seconds * 1000 / count for name, seconds in steps.items()}))
"""

LANES_CODE = """
import os
env["ir.config_parameter"].set_param("unified_inbox.queue_lanes", os.environ["LANES"])
env["inbox.queue.mixin"]._queue_sync_all_lanes()
env.cr.commit()
print(len(env["inbox.event"]._queue_cron_ids()))
"""


def hammer(total, concurrency, request):
    """Call ``request(session, index)`` ``total`` times, ``concurrency`` at a
    time; return the rate per second, the latencies and the status codes."""
    latencies, statuses, lock = [], [], threading.Lock()
    counter = iter(range(total))

    def worker():
        session = requests.Session()
        for index in counter:
            started = time.perf_counter()
            response = request(session, index)
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


def ingest(url, token, sender, total, concurrency):
    path = f"/unified_inbox/webhook/{token}"
    # signed before the clock starts, as a provider signs on its own machines:
    # the load generator shares the server's cores, and its work is not ours
    prepared, batch = [], time.time_ns()
    for index in range(total):
        form = {"MessageSid": f"SMbench{batch}{index}", "AccountSid": "AC_test",
                "From": f"+3247066{index % 200:04d}", "To": sender, "Body": f"Bench message {index}",
                "NumMedia": "0", "SmsStatus": "received", "ProfileName": f"Bench person {index % 200}"}
        signature = compute_signature("twilio-token", url + path, {k: [v] for k, v in form.items()})
        prepared.append((urlencode(form), {
            "X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}))

    def post(session, index):
        body, headers = prepared[index]
        return session.post(url + path, data=body, timeout=60, headers=headers)

    return hammer(total, concurrency, post)


def health(url, total, concurrency):
    return hammer(total, concurrency, lambda session, _index: session.get(f"{url}/web/health", timeout=60))


def start_odoo(port, workers, cron_workers):
    """Odoo on the bench database, once it answers."""
    server = subprocess.Popen(
        [str(HERE / "odoo.sh"), "-d", DB, f"--db-filter=^{DB}$", "--http-interface=127.0.0.1",
         f"--http-port={port}", f"--workers={workers}", f"--max-cron-threads={cron_workers}", "--log-level=warn",
         "--limit-time-real=900", "--limit-time-cpu=900"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _i in range(240):
        try:
            if requests.get(f"http://127.0.0.1:{port}/web/health", timeout=2).ok:
                return server
        except requests.RequestException:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("Odoo did not start")


def drain(count, people, cron_workers, tag):
    """Apply ``count`` kept events with ``cron_workers`` cron workers and as
    many lanes per queue; return events applied per second."""
    lanes = int(shell(DB, LANES_CODE, LANES=str(cron_workers)))
    shell(DB, DRAIN_LOAD_CODE, PEOPLE=str(people), COUNT=str(count), TAG=tag, DELAY="86400")
    server = start_odoo(free_port(), 1, cron_workers)
    try:
        with closing(psycopg2.connect(dbname=DB)) as cnx, cnx.cursor() as cursor:
            # all due at once, every lane of the event queue triggered, the cron workers woken
            cursor.execute("UPDATE inbox_event SET process_after = now() AT TIME ZONE 'UTC' WHERE state = 'pending'")
            cursor.execute("""
                INSERT INTO ir_cron_trigger (cron_id, call_at)
                     SELECT id, now() AT TIME ZONE 'UTC' FROM ir_cron
                      WHERE active AND (id = %(cron)s OR inbox_lane_of = %(cron)s)
            """, {"cron": cron_id(cursor, "ir_cron_inbox_events")})
            cnx.commit()
        started = time.perf_counter()
        # a cron worker listens a moment after Odoo answers HTTP, and one that
        # missed the wake-up sleeps a minute: woken again until the queue is empty
        with closing(psycopg2.connect(dbname="postgres")) as cnx:
            cnx.autocommit = True
            wait_until_none(DB, "SELECT count(*) FROM inbox_event WHERE state = 'pending'", timeout=1800,
                            between=lambda: cnx.cursor().execute("SELECT pg_notify('cron_trigger', %s)", [DB]))
        rate = count / (time.perf_counter() - started)
    finally:
        stop_process(server)
    if lanes != cron_workers:
        raise RuntimeError(f"{lanes} lanes instead of {cron_workers}")
    return rate


def cron_id(cursor, name):
    cursor.execute("SELECT res_id FROM ir_model_data WHERE module = 'unified_inbox' AND name = %s", [name])
    return cursor.fetchone()[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--outbound", type=int, default=500)
    parser.add_argument("--baseline", type=int, default=500)
    parser.add_argument("--drain", type=int, default=5000)
    args = parser.parse_args()

    # the peer is installed in the bench database: every Odoo started on it needs its addons
    os.environ["EXTRA_ADDONS_PATH"] = peer_addons_path()
    ensure_database(DB)
    results = measure_pipeline(args)
    results["steps"] = json.loads(shell(DB, STEPS_CODE, COUNT="300"))
    results["people"], results["drain_1"], results["drain_2"] = measure_drain(args.drain)
    results["peer"] = measure_peer(DB, hammer, args.requests, args.concurrency)
    report(args, results)


def measure_pipeline(args):
    """The host's limit, ingestion, the baseline and outbound, on one Odoo
    with 2 HTTP and 2 cron workers."""
    fake = FakeProviderServer().start()
    info = json.loads(shell(DB, SETUP_CODE, FAKE_URL=fake.url))
    shell(DB, LANES_CODE, LANES="2")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_odoo(port, 2, 2)
    results = {}
    try:
        pending_events = "SELECT count(*) FROM inbox_event WHERE state = 'pending'"
        # warm-up: the workers load their registry, people are created once
        ingest(url, info["token"], info["sender"], 200, args.concurrency)
        wait_until_none(DB, pending_events)
        results["health"], results["health_latencies"], _statuses = health(url, args.requests, args.concurrency)
        started = time.perf_counter()
        results["rate"], results["latencies"], results["statuses"] = ingest(
            url, info["token"], info["sender"], args.requests, args.concurrency)
        # the webhooks kept the messages and triggered the event cron: until it applied them all
        wait_until_none(DB, pending_events)
        results["applied"] = args.requests / (time.perf_counter() - started)
        with closing(psycopg2.connect(dbname=DB)) as cnx, cnx.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM inbox_event WHERE state = 'failed'")
            results["failed_events"] = cursor.fetchone()[0]
        results["baseline"] = float(shell(DB, BASELINE_CODE, COUNT=str(args.baseline)))

        fake.reset()
        results["conversations"] = shell(DB, OUTBOUND_CODE, COUNT=str(args.outbound))
        started = time.perf_counter()
        # the send API triggered the cron: until the queue is empty
        wait_until_none(DB, "SELECT count(*) FROM mail_message WHERE inbox_status = 'queued'")
        results["outbound"] = args.outbound / (time.perf_counter() - started)
        results["outbound_requests"] = len(fake.sent("/2010-04-01"))
    finally:
        stop_process(server)
        fake.stop()
    results["alone_health"], results["alone_rate"] = measure_answering_alone(args, info)
    return results


def measure_answering_alone(args, info):
    """Answering alone: the same client against a server with the same 2
    HTTP workers and no cron worker, so that nothing is applied meanwhile on
    the same cores; /web/health again on that server. The events it kept
    are dropped after (the drain that follows counts the queue)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_odoo(port, 2, 0)
    try:
        ingest(url, info["token"], info["sender"], 200, args.concurrency)
        health_rate, _latencies, _statuses = health(url, args.requests, args.concurrency)
        rate, _latencies, statuses = ingest(url, info["token"], info["sender"], args.requests, args.concurrency)
    finally:
        stop_process(server)
    with closing(psycopg2.connect(dbname=DB)) as cnx, cnx.cursor() as cursor:
        cursor.execute("DELETE FROM inbox_event WHERE state = 'pending'")
        cnx.commit()
    if statuses.count(200) != len(statuses):
        raise RuntimeError(f"{len(statuses) - statuses.count(200)} webhooks not answered 200 with no cron worker")
    return health_rate, rate


def report(args, r):
    rate, applied, baseline, peer = r["rate"], r["applied"], r["baseline"], r["peer"]
    print()
    print(f"host limit, {args.requests} GET /web/health, {args.concurrency} at a time, --workers 2: "
          f"{r['health']:.0f} requests/s, p95 {percentile(r['health_latencies'], 0.95) * 1000:.0f} ms")
    print(f"ingestion, {args.requests} signed Twilio webhooks, {args.concurrency} at a time, --workers 2:")
    print(f"  answered and kept: {rate:.0f} messages/s, p50 {statistics.median(r['latencies']) * 1000:.0f} ms, "
          f"p95 {percentile(r['latencies'], 0.95) * 1000:.0f} ms, "
          f"{r['statuses'].count(200)}/{len(r['statuses'])} answered 200")
    print(f"  applied (in their conversations, pushed to the Inbox), first request to last applied: "
          f"{applied:.0f} messages/s ({r['failed_events']} events failed)")
    print(f"baseline, in-process message_post of a note (one transaction each): {baseline:.0f} messages/s")
    print(f"  answered / baseline: {rate / baseline:.2f}; applied / baseline: {applied / baseline:.2f}")
    print(f"  answered / host limit: {rate / r['health']:.2f}")
    print(f"  answering alone (the same 2 HTTP workers, no cron worker: nothing applied meanwhile): "
          f"/web/health {r['alone_health']:.0f} requests/s, answered {r['alone_rate']:.0f} messages/s; "
          f"ratio {r['alone_rate'] / r['alone_health']:.2f}")
    counted = {name: milliseconds for name, milliseconds in r["steps"].items() if not name.startswith("(")}
    print(f"  in-process cost of a webhook by step (mean of 300, ms): {sum(counted.values()):.1f} in all")
    for name, milliseconds in r["steps"].items():
        print(f"    {name}: {milliseconds:.2f}")
    print(f"outbound, {args.outbound} SMS over {r['conversations']} conversations to a fake Twilio, 2 cron workers: "
          f"{r['outbound']:.0f} messages/s ({r['outbound_requests']} requests received)")
    print(f"drain, {args.drain} kept events of {r['people']} people: 1 cron worker, 1 lane: {r['drain_1']:.0f} "
          f"events/s; 2 cron workers, 2 lanes: {r['drain_2']:.0f} events/s; ratio {r['drain_2'] / r['drain_1']:.2f}")
    print_peer(peer)
    print(f"  answered / peer: {rate / peer['answered_rate']:.1f}; "
          f"applied / peer: {applied / peer['applied_rate']:.1f}")


def measure_drain(count):
    """The drain of ``count`` events by 1, then 2 cron workers: people who
    wrote before (their first message applied in one process), 10 messages
    each. Returns the number of people and both rates."""
    people = max(count // 10, 1)
    shell(DB, DRAIN_LOAD_CODE, PEOPLE=str(people), COUNT=str(people), TAG=f"warm{time.time_ns()}", DELAY="0")
    drain_1 = drain(count, people, 1, f"one{time.time_ns()}")
    drain_2 = drain(count, people, 2, f"two{time.time_ns()}")
    shell(DB, LANES_CODE, LANES="2")
    return people, drain_1, drain_2


if __name__ == "__main__":
    main()
