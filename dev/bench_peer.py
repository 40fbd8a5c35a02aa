#!/usr/bin/env python3
"""Peer benchmark (issue 18): dev/bench_ingest.py's ingestion, against OCA
``mail_gateway`` 19.0 with its Telegram gateway (not a test: it measures and
prints).

The peer processes each webhook inside the request: it builds a
telegram.Bot (python-telegram-bot, two HTTP clients) to parse the update,
looks up its chat's ``discuss.channel`` and its author's ``mail.guest``
(created on a chat's first update) and posts the message, all before the
answer; a text message makes no call to Telegram. So its answered rate is
its applied rate, as long as every update makes a message; a message that
was not created counts as not applied.

1. The peer (odoo-addon-mail_gateway and odoo-addon-mail_gateway_telegram, at
   pinned versions) is installed on demand with ``pip --no-deps --target``
   into the project's cache, never as a dependency of the addon; the Python
   libraries their wheels require go into the project's virtualenv, once.
2. ``mail_gateway_telegram`` is installed into its own database (which has
   unified_inbox too), with the peer on the addons path (EXTRA_ADDONS_PATH of
   dev/odoo.sh), and a Telegram gateway is configured there: a webhook key,
   a webhook secret, and the state its "Integrate webhook" button sets, written
   directly (the button calls Telegram's setWebhook).
3. Odoo runs on that database as bench_ingest runs it (--workers 2,
   --max-cron-threads 2), with every proxy variable pointing at a closed
   loopback port: whatever the peer sends to Telegram fails at once, on the
   machine.
4. After 200 updates of warm-up (one per chat: their channels and guests are
   created then), N Telegram text-message updates from 200 chats are posted
   with bench_ingest's client (its ``hammer``), C at a time, each with
   Telegram's secret-token header: requests answered per second, p50/p95
   latency, answers 200, and messages applied per second (messages the
   gateway posted for these updates, counted in the database, over the time
   from the first request to the last answer).
5. What the proxy variables cost the peer: the time to build a
   telegram.Bot with them and without them (its HTTP clients make one more
   TLS context for each proxy they find).

Usage: dev/bench_peer.py [--requests 2000] [--concurrency 8] [--db unified_inbox_bench_peer]
From another benchmark: ``measure_peer(db, hammer, requests, concurrency)``.
"""
import argparse
import importlib.metadata
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import HERE, ensure_database, free_port, percentile, shell, stop_process, use_project_python

if __name__ == "__main__":
    use_project_python(__file__)

import psycopg2

PEER_WHEELS = ["odoo-addon-mail_gateway==19.0.1.1.0", "odoo-addon-mail_gateway_telegram==19.0.1.0.0.3"]
CACHE = Path(os.environ.get("UNIFIED_INBOX_CACHE")
             or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "unified_inbox")
# every proxy variable at a closed loopback port, but our own loopback calls direct
CLOSED_PORT = "http://127.0.0.1:9"
NO_NETWORK = {
    "HTTP_PROXY": CLOSED_PORT, "HTTPS_PROXY": CLOSED_PORT, "http_proxy": CLOSED_PORT, "https_proxy": CLOSED_PORT,
    "ALL_PROXY": CLOSED_PORT, "all_proxy": CLOSED_PORT, "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost"}
GATEWAY = {"name": "Bench Telegram", "webhook_key": "bench-telegram", "webhook_secret": "bench-telegram-secret",
           "token": "123456:bench-telegram-bot"}
CHATS = 200
WARM_UP = 200

# what the peer does for each update before anything else, in a given environment
BOT_CODE = """
import sys
import time
import telegram
telegram.Bot(sys.argv[1])
started = time.perf_counter()
for _i in range(20):
    telegram.Bot(sys.argv[1])
print((time.perf_counter() - started) / 20)
"""

SETUP_CODE = """
import json, os
values = json.loads(os.environ["GATEWAY"])
Gateway = env["mail.gateway"]
gateway = Gateway.search([("name", "=", values["name"])]) or Gateway.create(dict(values, gateway_type="telegram"))
# what its "Integrate webhook" button leaves, without the button's call to Telegram's setWebhook
gateway.write(dict(values, integrated_webhook_state="integrated"))
env.cr.commit()
print(gateway.id)
"""


def peer_addons_path():
    """The folder holding the peer's addons, installed on first use; its
    Python libraries in the project's virtualenv."""
    name = "-".join(wheel.replace("odoo-addon-", "").replace("==", "-") for wheel in PEER_WHEELS)
    target = CACHE / f"peer-{name}"
    if not (target / ".complete").exists():
        print(f"installing {' and '.join(PEER_WHEELS)} into {target} (first run only)", flush=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE) as staging:
            # the wheels require Odoo itself: no dependency of theirs is installed with them
            subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                            f"{staging}/peer", *PEER_WHEELS], check=True)
            shutil.rmtree(target, ignore_errors=True)
            Path(staging, "peer").rename(target)
        (target / ".complete").touch()
    install_peer_libraries(target)
    return str(target / "odoo" / "addons")


def install_peer_libraries(target):
    """pip-install into the virtualenv what the peer's wheels require besides
    Odoo and its addons, as their metadata writes it (Requires-Dist), when
    missing: a requirement with a version specifier goes to pip, which leaves
    it alone if the installed version satisfies it."""
    wanted = []
    for distribution in importlib.metadata.distributions(path=[str(target)]):
        for requirement in distribution.requires or []:
            name = re.match(r"[A-Za-z0-9._-]+", requirement).group()
            if "extra ==" in requirement or name == "odoo" or name.startswith("odoo-addon"):
                continue
            try:
                installed = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                installed = None
            if installed is None or requirement.strip() != name:
                wanted.append(requirement)
    if wanted:
        print(f"pip install {' '.join(wanted)} (into the virtualenv, when missing)", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *wanted], check=True)


def ensure_peer_database(db):
    """ensure_database(db) with the peer on the addons path: once installed in
    ``db``, the addon's update needs it there."""
    previous = os.environ.get("EXTRA_ADDONS_PATH")
    os.environ["EXTRA_ADDONS_PATH"] = peer_addons_path()
    try:
        ensure_database(db)
    finally:
        if previous is None:
            del os.environ["EXTRA_ADDONS_PATH"]
        else:
            os.environ["EXTRA_ADDONS_PATH"] = previous


def peer_installed(db):
    with closing(psycopg2.connect(dbname=db)) as cnx, cnx.cursor() as cursor:
        cursor.execute("SELECT state FROM ir_module_module WHERE name = 'mail_gateway_telegram'")
        row = cursor.fetchone()
    return bool(row) and row[0] == "installed"


def start_peer_odoo(db, port, addons, log):
    """Odoo on ``db`` with the peer, no network beyond loopback, once it answers."""
    server = subprocess.Popen(
        [str(HERE / "odoo.sh"), "-d", db, f"--db-filter=^{db}$", "--http-interface=127.0.0.1", f"--http-port={port}",
         "--workers=2", "--max-cron-threads=2", "--log-level=warn", "--limit-time-real=900",
         "--limit-time-cpu=900"], stdout=subprocess.DEVNULL, stderr=log,
        env=dict(os.environ, EXTRA_ADDONS_PATH=addons, **NO_NETWORK))
    for _i in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    stop_process(server)
    raise RuntimeError(f"Odoo did not start on {db}")


def telegram_poster(url, tag, first_update):
    """``request(session, index)`` for hammer: a Telegram text-message update
    from chat ``index`` modulo 200, with the webhook's secret token."""
    def post(session, index):
        chat = 910_000_000 + index % CHATS
        person = {"id": chat, "is_bot": False, "first_name": f"Peer person {index % CHATS}"}
        update = {"update_id": first_update + index, "message": {
            "message_id": first_update + index, "from": person,
            "chat": {"id": chat, "type": "private", "first_name": person["first_name"]},
            "date": int(time.time()), "text": f"Peer {tag} {index}"}}
        return session.post(url, data=json.dumps(update), timeout=60, headers={
            "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": GATEWAY["webhook_secret"]})
    return post


def count_messages(db, gateway_id, tag):
    """Messages the gateway posted in its channels for the updates of ``tag``."""
    with closing(psycopg2.connect(dbname=db)) as cnx, cnx.cursor() as cursor:
        cursor.execute("""
            SELECT count(*) FROM mail_message message
              JOIN discuss_channel channel ON message.model = 'discuss.channel' AND message.res_id = channel.id
             WHERE channel.gateway_id = %s AND message.body LIKE %s
        """, [gateway_id, f"%Peer {tag} %"])
        return cursor.fetchone()[0]


def log_errors(log_path):
    """The server log's errors and warnings: all of them, and those naming
    the closed proxy port (a call out of Odoo, stopped on the machine)."""
    lines = [line for line in log_path.read_text().splitlines() if " ERROR " in line or " WARNING " in line]
    return len(lines), sum("127.0.0.1:9" in line or "proxy" in line.lower() for line in lines)


def bot_seconds(proxy):
    """Seconds to build a telegram.Bot, as the peer does for each update, with
    the server's proxy variables or with none."""
    env = {name: value for name, value in os.environ.items() if name.upper() not in {key.upper() for key in NO_NETWORK}}
    if proxy:
        env.update(NO_NETWORK)
    return float(subprocess.run([sys.executable, "-c", BOT_CODE, GATEWAY["token"]], env=env, capture_output=True,
                                text=True, check=True).stdout)


def measure_peer(db, hammer, requests, concurrency):
    """Install the peer into ``db`` (a database with unified_inbox, see
    ensure_peer_database), configure its Telegram gateway, and post
    ``requests`` updates with ``hammer`` (bench_ingest's), ``concurrency`` at a
    time, to Odoo on ``db`` with --workers 2. Return the figures: answered
    and applied per second, p50/p95 latency in seconds, answers 200, messages
    applied, the server log's errors (and those at the closed proxy port),
    and what building the peer's telegram.Bot costs with and without the
    proxy variables."""
    addons = peer_addons_path()
    if not peer_installed(db):
        print(f"installing mail_gateway_telegram into {db} (first run only)", flush=True)
        subprocess.run([str(HERE / "odoo.sh"), "-d", db, "-i", "mail_gateway_telegram", "--stop-after-init",
                        "--log-level=warn"], env=dict(os.environ, EXTRA_ADDONS_PATH=addons), check=True)
    gateway_id = int(shell(db, SETUP_CODE, GATEWAY=json.dumps(GATEWAY), EXTRA_ADDONS_PATH=addons))
    port = free_port()
    url = f"http://127.0.0.1:{port}/gateway/telegram/{GATEWAY['webhook_key']}/update"
    tag = str(time.time_ns())
    log_path = CACHE / f"bench_peer-{db}.log"
    with log_path.open("w") as log:
        server = start_peer_odoo(db, port, addons, log)
        try:
            # warm-up: the workers load their registry, each chat's channel and guest are created
            hammer(WARM_UP, concurrency, telegram_poster(url, f"w{tag}", 0))
            rate, latencies, statuses = hammer(requests, concurrency, telegram_poster(url, f"r{tag}", WARM_UP))
        finally:
            stop_process(server)
    applied = count_messages(db, gateway_id, f"r{tag}")
    errors, errors_at_closed_port = log_errors(log_path)
    return {"requests": requests, "concurrency": concurrency, "answered_rate": rate,
            "p50": statistics.median(latencies), "p95": percentile(latencies, 0.95),
            "answered_200": statuses.count(200), "warm_up_applied": count_messages(db, gateway_id, f"w{tag}"),
            # processed inside the request: from the first request to the last answer (hammer's time)
            "applied": applied, "applied_rate": applied * rate / requests, "log": str(log_path),
            "log_errors": errors, "log_errors_at_closed_port": errors_at_closed_port,
            "bot_seconds_with_proxy": bot_seconds(proxy=True), "bot_seconds_without_proxy": bot_seconds(proxy=False)}


def print_peer(figures):
    print(f"peer, OCA mail_gateway 19.0 (Telegram), {figures['requests']} text-message updates from {CHATS} chats, "
          f"{figures['concurrency']} at a time, --workers 2:")
    print(f"  answered: {figures['answered_rate']:.1f} updates/s, p50 {figures['p50'] * 1000:.0f} ms, "
          f"p95 {figures['p95'] * 1000:.0f} ms, {figures['answered_200']}/{figures['requests']} answered 200")
    print(f"  applied (posted inside the request), first request to last answer: {figures['applied_rate']:.1f} "
          f"messages/s ({figures['applied']}/{figures['requests']} messages; warm-up {figures['warm_up_applied']}/"
          f"{WARM_UP})")
    print(f"  server log: {figures['log_errors']} errors or warnings, {figures['log_errors_at_closed_port']} of "
          f"them at the closed proxy port ({figures['log']})")
    print(f"  a telegram.Bot, built for each update: {figures['bot_seconds_with_proxy'] * 1000:.0f} ms with the "
          f"proxy variables of this run, {figures['bot_seconds_without_proxy'] * 1000:.0f} ms without")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--db", default="unified_inbox_bench_peer")
    args = parser.parse_args()
    # imported here, not at the top: bench_ingest may import this module
    from bench_ingest import hammer
    ensure_peer_database(args.db)
    print_peer(measure_peer(args.db, hammer, args.requests, args.concurrency))


if __name__ == "__main__":
    main()
