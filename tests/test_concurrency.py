import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import closing
from pathlib import Path

import requests

from odoo import SUPERUSER_ID, Command, api, sql_db
from odoo.exceptions import ConcurrencyError
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import config

from ..providers import meta_whatsapp
from ..providers.sandbox import SIGNATURE_HEADER, sign
from .fake_providers import FakeProviderServer
from .test_meta_whatsapp import leadgen_payload

THREADS = 20
# Odoo started from a file, as dev/odoo.sh starts it: it can re-execute itself
LAUNCHER = Path(__file__).resolve().parents[1] / "dev" / "odoo-bin"


def free_port():
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RealCursorCase(BaseCase):
    """Tests that commit, each transaction on its own connection to the test
    database, as concurrent requests and crons have."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dbname = get_db_name()
        cls.suffix = uuid.uuid4().hex[:8]

    @classmethod
    def env_cursor(cls):
        class Context:
            def __enter__(self):
                self.cr = sql_db.db_connect(cls.dbname).cursor()
                return self.cr, api.Environment(self.cr, SUPERUSER_ID, {})

            def __exit__(self, *exc):
                self.cr.close()

        return Context()

    @staticmethod
    def all_at_once(calls):
        """Run the callables at the same moment, each in its thread; their results."""
        barrier = threading.Barrier(len(calls))
        results = [None] * len(calls)

        def run(index, call):
            barrier.wait(timeout=30)
            results[index] = call()

        threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        return results


class WorkersServerCase(RealCursorCase):
    """A real Odoo with two HTTP workers on this test database, started for
    the class: requests sent at the same moment really run at once. With
    ``cron_workers``, that many cron workers run its scheduled jobs too."""

    cron_workers = 0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.port, cls.gevent_port = free_port(), free_port()
        cls.base_url = f"http://127.0.0.1:{cls.port}"
        addons_path = config["addons_path"]
        addons_path = addons_path if isinstance(addons_path, str) else ",".join(addons_path)
        cls.server = subprocess.Popen([
            sys.executable, str(LAUNCHER), f"--addons-path={addons_path}",
            "-d", cls.dbname, f"--db-filter=^{cls.dbname}$", "--http-interface=127.0.0.1",
            f"--http-port={cls.port}", f"--gevent-port={cls.gevent_port}", "--workers=2",
            f"--max-cron-threads={cls.cron_workers}", "--log-level=warn",
        ], env=dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cls.addClassCleanup(cls._stop_server)
        if not cls.wait_until_up(cls.base_url):
            raise RuntimeError("the Odoo server with workers did not start")

    @staticmethod
    def wait_until_up(base_url, timeout=90):
        """Whether the server at ``base_url`` answers within ``timeout`` seconds."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if requests.get(f"{base_url}/web/health", timeout=2).ok:
                    return True
            except requests.RequestException:
                time.sleep(0.5)
        return False

    @classmethod
    def _stop_server(cls):
        cls.server.terminate()
        cls.server.wait(timeout=30)

    def apply_events(self, provider_id):
        """Apply the events the webhooks kept, as the event cron does, but by
        two processors at once; the events, once none is left pending."""

        def process(env):
            def run():
                env["inbox.event"]._inbox_process_due(limit=1)
                env.cr.commit()
            return run

        deadline = time.time() + 60
        with self.env_cursor() as (_cr, env):
            pending = [("provider_id", "=", provider_id), ("state", "=", "pending")]
            while env["inbox.event"].search_count(pending) and time.time() < deadline:
                # environments are made here: the test holds the registries' lock
                with self.env_cursor() as (_cr1, env1), self.env_cursor() as (_cr2, env2):
                    self.all_at_once([process(env1), process(env2)])
                env.cr.rollback()  # see what the processors committed
                time.sleep(0.1)
            return env["inbox.event"].search([("provider_id", "=", provider_id)]).read(["state", "error"])


@tagged("post_install", "-at_install")
class TestLocks(RealCursorCase):
    """The lock that serializes finding or creating a person, their
    conversation and their opportunity, between two real transactions."""

    def test_a_transaction_that_did_not_see_the_other_commit_starts_again(self):
        key = f"test-lock:{self.suffix}"
        with self.env_cursor() as (cr_late, env_late), self.env_cursor() as (cr_first, env_first):
            cr_late.execute("SELECT 1")  # its snapshot: before the other commits
            env_first["inbox.lock"]._inbox_acquire(key)
            cr_first.commit()
            # the lock is free now, but what was done under it is not visible
            with self.assertRaises(ConcurrencyError):
                env_late["inbox.lock"]._inbox_acquire(key)
            cr_late.rollback()
            env_late["inbox.lock"]._inbox_acquire(key)  # afresh, it sees everything: it may go on
            cr_late.rollback()

    def test_a_transaction_waits_for_the_holder_then_starts_again(self):
        key = f"test-lock-wait:{self.suffix}"
        with self.env_cursor() as (cr_holder, env_holder), self.env_cursor() as (cr_waiter, env_waiter):
            env_holder["inbox.lock"]._inbox_acquire(key)
            cr_waiter.execute("SELECT 1")
            outcome = []

            def wait():
                try:
                    env_waiter["inbox.lock"]._inbox_acquire(key)
                    outcome.append("acquired")
                except ConcurrencyError:
                    outcome.append("start again")

            waiter = threading.Thread(target=wait)
            waiter.start()
            waiter.join(timeout=1)
            self.assertTrue(waiter.is_alive(), "the second transaction waits while the lock is held")
            cr_holder.commit()
            waiter.join(timeout=30)
            self.assertEqual(outcome, ["start again"])
            cr_waiter.rollback()
            # an unrelated key does not wait
            env_holder["inbox.lock"]._inbox_acquire(f"other:{self.suffix}")
            env_waiter["inbox.lock"]._inbox_acquire(key)
            cr_waiter.rollback()
            cr_holder.rollback()


@tagged("post_install", "-at_install")
class TestConcurrentWebhooks(WorkersServerCase):
    """Webhooks posted all at once to a real Odoo with two HTTP workers: each
    inbound event is stored exactly once, on one person."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.env_cursor() as (cr, env):
            provider = env["inbox.provider"].create({"name": f"Concurrency {cls.suffix}"})
            env["inbox.sender"].create({
                "name": "Concurrency SMS", "provider_id": provider.id, "channel": "sms",
                "address": "+32 470 00 09 99"})
            cls.provider_id = provider.id
            cls.token, cls.secret = provider.webhook_token, provider.webhook_secret
            cr.commit()  # pylint: disable=invalid-commit
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.env_cursor() as (cr, env):
            provider = env["inbox.provider"].browse(cls.provider_id)
            messages = env["mail.message"].search([("inbox_provider_id", "=", provider.id)])
            conversations = env["inbox.conversation"].browse(set(messages.mapped("res_id")))
            partners = conversations.partner_id.filtered("inbox_identity_ids")
            conversations.unlink()
            messages.unlink()
            partners.unlink()
            provider.sender_ids.unlink()
            provider.unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def post_all(self, payloads):
        """POST the signed payloads all at the same moment; their statuses."""
        url = f"{self.base_url}/unified_inbox/webhook/{self.token}"

        def post(events):
            body = json.dumps({"events": events}).encode()
            headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, body)}
            return lambda: requests.post(url, data=body, headers=headers, timeout=60).status_code

        return self.all_at_once([post(events) for events in payloads])

    @staticmethod
    def inbound(message_id, number, body="Hi"):
        return {"type": "message", "id": message_id, "channel": "sms", "from": number,
                "to": "+32470000999", "name": "Concurrent Carla", "body": body}

    def test_twenty_copies_of_one_webhook(self):
        event = self.inbound(f"dup-{self.suffix}", "+32 470 55 00 01")
        self.assertEqual(self.post_all([[event]] * THREADS), [200] * THREADS)
        self.apply_events(self.provider_id)
        with self.env_cursor() as (_cr, env):
            kept = env["inbox.event"].search([("dedupe_key", "=", f"message:dup-{self.suffix}")])
            self.assertEqual(kept.mapped("state"), ["done"], "the webhook kept it once")
            self.assertEqual(env["mail.message"].search_count(
                [("inbox_provider_message_id", "=", f"dup-{self.suffix}")]), 1)

    def test_first_messages_of_a_stranger_make_one_person(self):
        payloads = [[self.inbound(f"first-{self.suffix}-{index}", "+32 470 55 00 02", f"message {index}")]
                    for index in range(THREADS)]
        self.assertEqual(self.post_all(payloads), [200] * THREADS)
        self.apply_events(self.provider_id)
        with self.env_cursor() as (_cr, env):
            people = env["res.partner"].search([("phone_sanitized", "=", "+32470550002")])
            self.assertEqual(len(people), 1)
            conversations = env["inbox.conversation"].search([("partner_id", "=", people.id)])
            self.assertEqual(len(conversations), 1)
            self.assertEqual(len(conversations.message_ids.filtered("inbox_provider_message_id")), THREADS)


@tagged("post_install", "-at_install")
class TestAttendRace(WorkersServerCase):
    """Two agents attend the same unassigned conversation at the same moment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.env_cursor() as (cr, env):
            team = env["crm.team"].create({"name": f"Race team {cls.suffix}"})
            users = env["res.users"].create([{
                "name": f"Racer {name}", "login": f"racer_{name}_{cls.suffix}", "password": f"racer-{cls.suffix}",
                "group_ids": [Command.link(env.ref("unified_inbox.group_inbox_user").id)],
            } for name in ("ann", "bob")])
            team.member_ids = users
            partner = env["res.partner"].create({"name": f"Raced Rita {cls.suffix}", "phone": "+32 470 55 00 03"})
            conversation = env["inbox.conversation"].create({"partner_id": partner.id, "team_id": team.id})
            cls.user_ids, cls.conversation_id = users.ids, conversation.id
            cls.logins = users.mapped("login")
            cls.ids_to_clean = (team.id, partner.id)
            cr.commit()  # pylint: disable=invalid-commit
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.env_cursor() as (cr, env):
            env["inbox.conversation"].browse(cls.conversation_id).unlink()
            users = env["res.users"].browse(cls.user_ids)
            partners = users.partner_id | env["res.partner"].browse(cls.ids_to_clean[1])
            env["crm.team"].browse(cls.ids_to_clean[0]).unlink()
            users.unlink()
            partners.unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def session(self, login):
        session = requests.Session()
        answer = session.post(f"{self.base_url}/web/session/authenticate", json={
            "jsonrpc": "2.0", "params": {"db": self.dbname, "login": login, "password": f"racer-{self.suffix}"},
        }, timeout=30).json()
        self.assertIn("result", answer, answer)
        return session

    def test_one_agent_wins_the_other_is_told_who(self):
        sessions = [self.session(login) for login in self.logins]

        def attend(session):
            return lambda: session.post(f"{self.base_url}/web/dataset/call_kw/inbox.conversation/action_assign_to_me",
                                        json={"jsonrpc": "2.0", "params": {
                                            "model": "inbox.conversation", "method": "action_assign_to_me",
                                            "args": [[self.conversation_id]], "kwargs": {}}},
                                        timeout=60).json()

        answers = self.all_at_once([attend(session) for session in sessions])
        winners = [index for index, answer in enumerate(answers) if "result" in answer]
        self.assertEqual(len(winners), 1, answers)
        loser = answers[1 - winners[0]]
        self.assertIn("already attending", loser["error"]["data"]["message"])
        self.assertIn(f"Racer {('ann', 'bob')[winners[0]]}", loser["error"]["data"]["message"])
        with self.env_cursor() as (_cr, env):
            self.assertEqual(env["inbox.conversation"].browse(self.conversation_id).user_id.id,
                             self.user_ids[winners[0]])


@tagged("post_install", "-at_install")
class TestConcurrentLeadAds(WorkersServerCase):
    """Lead forms of one person posted at once, applied by two processors at
    once: one person, one conversation, one opportunity."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeProviderServer().start()
        cls.addClassCleanup(cls.fake.stop)
        cls.lead_prefix = str(int(cls.suffix, 16))  # lead ids are numbers, as Meta's
        with cls.env_cursor() as (cr, env):
            provider = env["inbox.provider"].create({
                "name": f"Lead Ads {cls.suffix}", "provider_type": "meta_whatsapp", "api_base_url": cls.fake.url,
                "meta_access_token": cls.fake.meta_token, "meta_app_secret": "app-secret",
                "meta_verify_token": "verify-me"})
            cls.provider_id, cls.token = provider.id, provider.webhook_token
            cr.commit()  # pylint: disable=invalid-commit
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.env_cursor() as (cr, env):
            leads = env["crm.lead"].with_context(active_test=False).search(
                [("inbox_leadgen_id", "=like", f"{cls.lead_prefix}%")])
            people = leads.partner_id
            env["inbox.conversation"].search([("partner_id", "in", people.ids)]).unlink()
            leads.unlink()
            people.unlink()
            env["inbox.event"].search([("provider_id", "=", cls.provider_id)]).unlink()
            env["inbox.provider"].browse(cls.provider_id).unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def answers(self, leadgen_id, email):
        self.fake.leads[leadgen_id] = {
            "id": leadgen_id, "created_time": "2026-11-22T08:00:00+0000", "form_id": "FORM1", "platform": "fb",
            "campaign_name": "Winter", "field_data": [
                {"name": "full_name", "values": ["Lena Twice"]},
                {"name": "phone_number", "values": ["+32 470 55 00 04"]}, {"name": "email", "values": [email]}]}

    def test_two_forms_of_one_person_at_once(self):
        first, second = f"{self.lead_prefix}1", f"{self.lead_prefix}2"
        self.answers(first, "lena@example.com")
        self.answers(second, "lena.twice@example.com")
        url = f"{self.base_url}/unified_inbox/webhook/{self.token}"

        def post(leadgen_id):
            body = json.dumps(leadgen_payload(leadgen_id)).encode()
            headers = {"Content-Type": "application/json",
                       meta_whatsapp.SIGNATURE_HEADER: meta_whatsapp.sign("app-secret", body)}
            return lambda: requests.post(url, data=body, headers=headers, timeout=60).status_code

        # Meta delivers at least once: the first form twice, the second once
        self.assertEqual(self.all_at_once([post(first), post(first), post(second)]), [200] * 3)
        events = self.apply_events(self.provider_id)
        self.assertEqual([event["state"] for event in events], ["done"] * 2, "a delivery again is kept once")
        with self.env_cursor() as (_cr, env):
            people = env["res.partner"].search([("phone_sanitized", "=", "+32470550004")])
            self.assertEqual(len(people), 1, "one person")
            leads = env["crm.lead"].search([("partner_id", "=", people.id)])
            self.assertEqual(len(leads), 1, "one opportunity for the person and the form")
            self.assertIn(leads.inbox_leadgen_id, (first, second))
            self.assertIn("filled in the form again", leads.message_ids[0].body)
            self.assertEqual(env["inbox.conversation"].search_count([("partner_id", "=", people.id)]), 1)


@tagged("post_install", "-at_install")
class TestServerProcesses(WorkersServerCase):
    """Odoo as dev/odoo.sh starts it (from a launcher file, with workers) has
    its websocket process, and comes back after a reload."""

    def test_websocket_process_answers(self):
        self.assertTrue(self.wait_until_up(f"http://127.0.0.1:{self.gevent_port}", timeout=30),
                        "the websocket (gevent) process is up")

    def test_reload_brings_the_same_server_back(self):
        self.server.send_signal(signal.SIGHUP)  # what Odoo does itself past a time limit
        time.sleep(1)
        self.assertIsNone(self.server.poll(), "the server re-executes itself in the same process")
        self.assertTrue(self.wait_until_up(self.base_url, timeout=60), "it answers again")
        self.assertIsNone(self.server.poll())
