"""Every outbound message reaches its provider once, and every delivery
receipt reaches its message: the send's outcome is recorded apart from
everything else, what may have been sent is looked up, never sent blindly,
and a receipt that overtakes the send's answer waits for it."""
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.inbox_event import MAX_WAIT_ATTEMPTS
from ..models.mail_message import IN_FLIGHT_TIMEOUT, LOOKUP_DELAY
from ..providers import SendResult
from ..providers.twilio import TwilioAdapter
from .common import InboxCommon, InboxTwilioCase


@tagged("post_install", "-at_install")
class TestSendOutcome(InboxTwilioCase):
    """What becomes of a message whose outcome was not recorded."""

    def send(self, body="Hello from Odoo"):
        return self.conversation.with_user(self.user_a).message_inbox_send("sms", body).sudo()

    def hand_over(self, message):
        """A worker claims the message and marks it as being sent, then dies
        before the outcome is recorded: ``(adapter, payload)`` of the call."""
        self.assertEqual(self.env["mail.message"]._inbox_claim_next(), message)
        call = message._inbox_prepare_send()
        self.assertTrue(message.inbox_send_started)
        return call

    def test_a_message_being_sent_is_not_taken_again(self):
        message = self.send()
        self.hand_over(message)
        self.assertFalse(self.env["mail.message"]._inbox_claim_next(), "no second worker takes it")
        with freeze_time(fields.Datetime.now() + IN_FLIGHT_TIMEOUT - timedelta(seconds=1)):
            self.assertFalse(self.run_dispatch(), "not sent again while its worker may still record it")
        with self.assertRaisesRegex(UserError, "being sent right now"):
            message.with_user(self.user_a).action_inbox_cancel()
        self.assertFalse(self.fake.sent("/2010-04-01"))

    def test_sent_but_not_recorded_is_found_at_the_provider(self):
        message = self.send()
        adapter, payload = self.hand_over(message)
        taken = adapter.send(payload)  # Twilio took it; the worker died before recording it
        with freeze_time(fields.Datetime.now() + IN_FLIGHT_TIMEOUT):
            self.env["mail.message"]._cron_inbox_dispatch()
        self.assertEqual(message.inbox_status, "sent")
        self.assertEqual(message.inbox_provider_message_id, taken.provider_message_id)
        self.assertFalse(message.inbox_send_started)
        self.assertEqual(len(self.fake.sent("/2010-04-01")), 1, "sent once, never again")

    def test_never_received_is_sent_again(self):
        message = self.send()
        self.hand_over(message)  # the worker died before its request left
        with freeze_time(fields.Datetime.now() + IN_FLIGHT_TIMEOUT):
            self.env["mail.message"]._cron_inbox_dispatch()
            self.assertEqual(message.inbox_status, "queued")
            self.assertIn("never received", message.inbox_error)
        with freeze_time(message.inbox_next_attempt):
            self.run_dispatch()
        self.assertEqual(message.inbox_status, "sent")
        self.assertEqual(len(self.fake.sent("/2010-04-01")), 1)
        self.assertEqual(message.inbox_attempts, 2)

    def test_answer_lost_after_the_request_left_is_looked_up_not_resent(self):
        # Odoo's test harness raises request timeouts to 10 s: answer later than that
        self.fake.send_latency = TwilioAdapter.timeout + 0.5
        message = self.send()
        self.run_dispatch()
        self.assertEqual(message.inbox_status, "queued", "Twilio may have taken it: not failed, not resent")
        self.assertTrue(message.inbox_send_started)
        self.assertEqual(message.inbox_error_code, "timeout")
        self.fake.send_latency = 0
        with freeze_time(fields.Datetime.now() + LOOKUP_DELAY):
            self.run_dispatch()
            self.env["mail.message"]._cron_inbox_dispatch()
        [taken] = self.fake.messages
        self.assertEqual(message.inbox_status, "sent")
        self.assertEqual(message.inbox_provider_message_id, taken["sid"])
        self.assertEqual(len(self.fake.sent("/2010-04-01")), 1, "one request reached Twilio")

    def test_receipt_of_a_send_not_recorded_yet_waits_for_it(self):
        self.drop_pending_receipts()
        message = self.send()
        self.hand_over(message)
        # Twilio's callback overtakes the answer to the send
        self.post_form({"MessageSid": "SMovertaken", "MessageStatus": "delivered"})
        event = self.env["inbox.event"].search([("waiting_for", "=", "SMovertaken")])
        self.assertEqual(event.state, "pending", "kept, waiting for the message")
        self.assertIn("SMovertaken", event.error)
        # the send's answer is recorded: the receipt is due at once
        result = SendResult(provider_message_id="SMovertaken", status="sent")
        message._inbox_record_outcome(result)
        message.inbox_provider_id._inbox_after_call(result)
        self.assertLessEqual(event.process_after, fields.Datetime.now())
        self.run_due_events()
        self.assertEqual(event.state, "done")
        self.assertEqual(message.inbox_status, "delivered")


@tagged("post_install", "-at_install")
class TestOutcomeUnknown(InboxCommon):
    """A provider that cannot be asked what became of a message: a person
    decides."""

    def test_email_with_no_outcome_waits_for_a_person(self):
        email_provider = self.env["inbox.provider"].create({"name": "Mail", "provider_type": "email"})
        self.sender_email.provider_id = email_provider
        message = self.conversation.with_user(self.user_a).message_inbox_send(
            "email", "<p>Hello</p>", subject="Hello").sudo()
        self.assertEqual(self.env["mail.message"]._inbox_claim_next(), message)
        message._inbox_prepare_send()  # handed to the mail server, then the worker died
        with freeze_time(fields.Datetime.now() + IN_FLIGHT_TIMEOUT):
            self.env["mail.message"]._cron_inbox_dispatch()
        self.assertEqual(message.inbox_status, "unknown")
        self.assertIn("may have reached the person", message.inbox_error)
        self.assertFalse(message.inbox_send_started)
        message.with_user(self.user_a).action_inbox_retry()
        self.assertEqual(message.inbox_status, "queued", "a person chose to send it again")


@tagged("post_install", "-at_install")
class TestUnmatchedReceipts(InboxCommon):
    """A receipt for a message nobody records stays visible."""

    def test_unmatched_receipt_is_kept_as_failed_with_its_reason(self):
        self.drop_pending_receipts()
        self.post_sandbox_events([{"type": "status", "id": "SB-never-sent", "status": "delivered"}])
        event = self.env["inbox.event"].search([("waiting_for", "=", "SB-never-sent")])
        self.assertEqual((event.state, event.attempts), ("pending", 1))
        delays = []
        for _attempt in range(MAX_WAIT_ATTEMPTS - 1):
            before = event.process_after
            with freeze_time(event.process_after):
                self.run_due_events()
            delays.append((event.process_after - before).total_seconds())
        self.assertEqual(event.state, "failed")
        self.assertIn("SB-never-sent", event.error)
        self.assertEqual(delays[:3], [4, 8, 16], "tried again soon at first")
        self.assertLessEqual(max(delays), 60)
