import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import closing

import requests

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import config

from ..providers.sandbox import SIGNATURE_HEADER, sign

THREADS = 20


def free_port():
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@tagged("post_install", "-at_install")
class TestConcurrentWebhooks(BaseCase):
    """Webhooks posted all at once to a real Odoo with two HTTP workers: each
    inbound event is stored exactly once, on one person."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dbname = get_db_name()
        cls.suffix = uuid.uuid4().hex[:8]
        with cls.env_cursor() as (cr, env):
            provider = env["inbox.provider"].create({"name": f"Concurrency {cls.suffix}"})
            env["inbox.sender"].create({
                "name": "Concurrency SMS", "provider_id": provider.id, "channel": "sms",
                "address": "+32 470 00 09 99"})
            cls.provider_id = provider.id
            cls.token, cls.secret = provider.webhook_token, provider.webhook_secret
            cr.commit()
        cls.addClassCleanup(cls._cleanup)
        cls.port = free_port()
        addons_path = config["addons_path"]
        addons_path = addons_path if isinstance(addons_path, str) else ",".join(addons_path)
        cls.server = subprocess.Popen([
            sys.executable, "-m", "odoo", f"--addons-path={addons_path}",
            "-d", cls.dbname, f"--db-filter=^{cls.dbname}$", "--http-interface=127.0.0.1",
            f"--http-port={cls.port}", "--workers=2", "--max-cron-threads=0", "--log-level=warn",
        ], env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cls.addClassCleanup(cls._stop_server)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{cls.port}/web/health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            raise RuntimeError("the Odoo server with workers did not start")

    @classmethod
    def _stop_server(cls):
        cls.server.terminate()
        cls.server.wait(timeout=30)

    @classmethod
    def env_cursor(cls):
        class Context:
            def __enter__(self):
                self.cr = sql_db.db_connect(cls.dbname).cursor()
                return self.cr, api.Environment(self.cr, SUPERUSER_ID, {})

            def __exit__(self, *exc):
                self.cr.close()

        return Context()

    @classmethod
    def _cleanup(cls):
        with cls.env_cursor() as (cr, env):
            provider = env["inbox.provider"].browse(cls.provider_id)
            messages = env["mail.message"].search([("inbox_provider_id", "=", provider.id)])
            conversations = env["inbox.conversation"].browse(set(messages.mapped("res_id")))
            partners = conversations.partner_id.filtered("inbox_identity")
            conversations.unlink()
            messages.unlink()
            partners.unlink()
            provider.sender_ids.unlink()
            provider.unlink()
            cr.commit()

    def post_all(self, payloads):
        """POST the signed payloads all at the same moment; their statuses."""
        barrier = threading.Barrier(len(payloads))
        statuses = []
        url = f"http://127.0.0.1:{self.port}/unified_inbox/webhook/{self.token}"

        def post(events):
            body = json.dumps({"events": events}).encode()
            headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, body)}
            barrier.wait(timeout=30)
            statuses.append(requests.post(url, data=body, headers=headers, timeout=60).status_code)

        threads = [threading.Thread(target=post, args=(events,)) for events in payloads]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        return statuses

    @staticmethod
    def inbound(message_id, number, body="Hi"):
        return {"type": "message", "id": message_id, "channel": "sms", "from": number,
                "to": "+32470000999", "name": "Concurrent Carla", "body": body}

    def test_twenty_copies_of_one_webhook(self):
        event = self.inbound(f"dup-{self.suffix}", "+32 470 55 00 01")
        self.assertEqual(self.post_all([[event]] * THREADS), [200] * THREADS)
        with self.env_cursor() as (_cr, env):
            self.assertEqual(env["mail.message"].search_count(
                [("inbox_provider_message_id", "=", f"dup-{self.suffix}")]), 1)

    def test_first_messages_of_a_stranger_make_one_person(self):
        payloads = [[self.inbound(f"first-{self.suffix}-{index}", "+32 470 55 00 02", f"message {index}")]
                    for index in range(THREADS)]
        self.assertEqual(self.post_all(payloads), [200] * THREADS)
        with self.env_cursor() as (_cr, env):
            people = env["res.partner"].search([("phone_sanitized", "=", "+32470550002")])
            self.assertEqual(len(people), 1)
            conversations = env["inbox.conversation"].search([("partner_id", "=", people.id)])
            self.assertEqual(len(conversations), 1)
            self.assertEqual(len(conversations.message_ids.filtered("inbox_provider_message_id")), THREADS)
