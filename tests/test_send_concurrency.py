import logging
import threading
import time
import uuid
from collections import Counter

import requests

from odoo.tests import tagged

from ..providers.twilio import SIGNATURE_HEADER, compute_signature
from .fake_providers import FakeProviderServer
from .test_concurrency import WorkersServerCase

_logger = logging.getLogger(__name__)

BATCH = 50
# what a Twilio call takes here: the batch lasts long enough for webhooks
# to hit the provider while it goes out
SEND_LATENCY = 0.2
FLOOD_THREADS = 3
FLOOD_MAX_REQUESTS = 300  # per thread: the flood stops by itself


@tagged("post_install", "-at_install")
class TestBatchUnderWebhooks(WorkersServerCase):
    """A batch of SMS sent by the cron of a real Odoo (2 HTTP workers, 2
    cron workers) to a fake Twilio that takes its time, which posts each
    status callback before it answers the send, while signed inbound
    messages and a flood of unsigned requests hit the same provider's
    webhook: every message reaches Twilio exactly once, and every receipt
    reaches its message."""

    cron_workers = 2

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeProviderServer(twilio_sid=f"AC{cls.suffix}").start()
        cls.addClassCleanup(cls.fake.stop)
        with cls.env_cursor() as (cr, env):
            provider = env["inbox.provider"].create({
                "name": f"Batch Twilio {cls.suffix}", "provider_type": "twilio", "api_base_url": cls.fake.url,
                "twilio_account_sid": cls.fake.twilio_sid, "twilio_auth_token": cls.fake.twilio_token})
            sender = env["inbox.sender"].create({
                "name": "Batch SMS", "provider_id": provider.id, "channel": "sms", "address": "+32 470 00 08 88"})
            partner = env["res.partner"].create({"name": f"Batch Bea {cls.suffix}", "phone": "+32 470 55 08 01"})
            conversation = env["inbox.conversation"].create({"partner_id": partner.id})
            cls.provider_id, cls.sender_id, cls.conversation_id = provider.id, sender.id, conversation.id
            cls.webhook_url = f"{cls.base_url}/unified_inbox/webhook/{provider.webhook_token}"
            cr.commit()  # pylint: disable=invalid-commit
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.env_cursor() as (cr, env):
            provider = env["inbox.provider"].browse(cls.provider_id)
            messages = env["mail.message"].search([("inbox_provider_id", "=", provider.id)])
            conversations = env["inbox.conversation"].browse({*messages.mapped("res_id"), cls.conversation_id})
            partners = conversations.partner_id
            env["inbox.event"].search([("provider_id", "=", provider.id)]).unlink()
            conversations.unlink()
            messages.unlink()
            partners.unlink()
            provider.sender_ids.unlink()
            provider.unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def post_inbound(self, index):
        form = {"MessageSid": f"SMin{self.suffix}{index}", "AccountSid": self.fake.twilio_sid,
                "From": f"+3247055090{index}", "To": "+32470000888", "Body": f"Hello {index}", "NumMedia": "0",
                "SmsStatus": "received"}
        signature = compute_signature(self.fake.twilio_token, self.webhook_url, {k: [v] for k, v in form.items()})
        return requests.post(self.webhook_url, data=form, headers={SIGNATURE_HEADER: signature}, timeout=60)

    def flood(self, answers, stop):
        """Unsigned POSTs (no credentials needed) until ``stop`` is set."""
        for _index in range(FLOOD_MAX_REQUESTS):
            if stop.is_set():
                return
            form = {"MessageSid": f"SMforged{uuid.uuid4().hex}", "From": "+1555", "To": "+32470000888"}
            answers.append(requests.post(self.webhook_url, data=form, timeout=60).status_code)

    def test_batch_reaches_twilio_once_and_every_receipt_lands(self):
        self.fake.send_latency = SEND_LATENCY
        self.fake.callback_url = self.webhook_url
        with self.env_cursor() as (cr, env):
            conversation = env["inbox.conversation"].browse(self.conversation_id)
            message_ids = [conversation.message_inbox_send("sms", f"Batch message {index}", sender_id=self.sender_id).id
                           for index in range(BATCH)]
            cr.commit()  # the cron workers are woken: the batch goes out now; pylint: disable=invalid-commit
        started = time.time()
        stop, flood_answers = threading.Event(), []
        flooders = [threading.Thread(target=self.flood, args=(flood_answers, stop)) for _i in range(FLOOD_THREADS)]
        for thread in flooders:
            thread.start()
        inbound_answers = []
        for index in range(5):
            time.sleep(SEND_LATENCY * BATCH / 6)
            inbound_answers.append(self.post_inbound(index).status_code)

        deadline, all_sent = time.time() + 180, None
        with self.env_cursor() as (cr, env):
            while time.time() < deadline:
                statuses = Counter(env["mail.message"].browse(message_ids).mapped("inbox_status"))
                if not statuses["queued"] and not all_sent:
                    all_sent = time.time() - started
                if statuses["delivered"] == BATCH:
                    break
                time.sleep(0.5)
                cr.rollback()  # see what the workers committed
                env.invalidate_all()
            stop.set()
            for thread in flooders:
                thread.join(timeout=60)
            elapsed = time.time() - started
            posts = Counter(tuple(request["form"]["Body"]) for request in self.fake.sent("/2010-04-01"))
            twice = sum(1 for count in posts.values() if count > 1)
            _logger.info(
                "batch of %s: %s requests to Twilio (%s messages sent more than once), statuses %s, %s receipts "
                "posted, %s unsigned requests answered %s; all sent after %s s, all delivered after %.1f s", BATCH,
                sum(posts.values()), twice, dict(statuses), len(self.fake.callback_answers), len(flood_answers),
                dict(Counter(flood_answers)), all_sent and round(all_sent, 1), elapsed)
            self.assertEqual(len(posts), BATCH)
            self.assertEqual(twice, 0, "no message reached Twilio twice")
            self.assertEqual(inbound_answers, [200] * 5)
            self.assertTrue(flood_answers, "the flood ran during the batch")
            self.assertEqual(set(flood_answers), {403}, "an unsigned request is refused, never a 500")
            self.assertEqual(set(self.fake.callback_answers), {200})
            self.assertEqual(statuses, Counter(delivered=BATCH), "every receipt reached its message")
            events = env["inbox.event"].search([("provider_id", "=", self.provider_id)])
            self.assertEqual(set(events.mapped("state")), {"done"})
            people = env["res.partner"].search([("phone_sanitized", "like", "+3247055090%")])
            self.assertEqual(len(people), 5, "each inbound message kept once, on its person")
