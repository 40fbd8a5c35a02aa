from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..models.mail_message import MAX_SEND_ATTEMPTS
from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestDeliveryPipeline(InboxCommon):
    """Queue, send, receipts: every message reaches a visible state."""

    def send(self, body="Hello", channel="sms"):
        return self.conversation.with_user(self.user_a).message_inbox_send(channel, body)

    def test_sandbox_round_trip(self):
        message = self.send()
        self.assertEqual(self.run_dispatch(), message.sudo())
        self.assertEqual(message.inbox_status, "sent")
        self.assertTrue(message.inbox_provider_message_id.startswith("SB"))
        self.assertEqual(self.provider.consecutive_failures, 0)
        self.assertTrue(self.provider.last_success_date)
        self.assertEqual(message.inbox_status, "sent", "the receipt comes in a transaction of its own")
        events = self.run_due_events()
        self.assertEqual(len(events), 1)
        self.assertEqual(events.state, "done")
        self.assertEqual(message.inbox_status, "delivered")

    def test_status_only_moves_forward(self):
        message = self.send()
        self.run_dispatch()
        pmid = message.inbox_provider_message_id

        def report(status, **extra):
            self.post_sandbox_events([dict({"type": "status", "id": pmid, "status": status}, **extra)])
            message.invalidate_recordset()
            return message.inbox_status

        self.assertEqual(report("read"), "read", "read may come without delivered")
        self.assertEqual(report("delivered"), "read")
        self.assertEqual(report("sent"), "read")
        self.assertEqual(report("failed", error="late"), "read", "a late failure does not undo a delivery")
        self.assertFalse(message.inbox_error)

    def test_delivered_before_sent(self):
        message = self.send()
        self.run_dispatch()
        message.sudo().inbox_status = "queued"  # as if the send answer were still on its way
        self.post_sandbox_events([{"type": "status", "id": message.inbox_provider_message_id, "status": "delivered"}])
        self.assertEqual(message.inbox_status, "delivered")
        message._inbox_set_status("sent")
        self.assertEqual(message.inbox_status, "delivered")

    def test_failure_report_keeps_reason(self):
        message = self.send()
        self.run_dispatch()
        self.drop_pending_receipts()  # the carrier reports a failure instead
        self.post_sandbox_events([{
            "type": "status", "id": message.inbox_provider_message_id, "status": "failed", "error": "Carrier said no",
        }])
        self.assertEqual(message.inbox_status, "failed")
        self.assertEqual(message.inbox_error, "Carrier said no")

    def test_permanent_provider_error_fails_visibly(self):
        message = self.send("Please [fail]")
        self.run_dispatch()
        self.assertEqual(message.inbox_status, "failed")
        self.assertIn("unreachable", message.inbox_error)
        self.assertEqual(message.inbox_error_code, "sandbox-fail")
        self.assertEqual(self.provider.state, "ready", "a refused recipient says nothing of the provider")

    def test_outage_retries_with_backoff_then_fails(self):
        message = self.send("Hello [busy]")
        now = fields.Datetime.now()
        delays = []
        for attempt in range(1, MAX_SEND_ATTEMPTS + 1):
            with freeze_time(now):
                self.assertEqual(self.run_dispatch(), message.sudo(), f"attempt {attempt} is due")
            self.assertEqual(message.inbox_attempts, attempt)
            if attempt < MAX_SEND_ATTEMPTS:
                self.assertEqual(message.inbox_status, "queued")
                self.assertIn("retrying", message.inbox_error)
                delays.append((message.inbox_next_attempt - now).total_seconds())
                with freeze_time(now):
                    self.assertFalse(self.run_dispatch(), "not before the backoff delay")
                now = message.inbox_next_attempt
        self.assertEqual(message.inbox_status, "failed")
        self.assertNotIn("retrying", message.inbox_error)
        self.assertEqual(delays, sorted(delays))
        self.assertEqual(delays[1], 2 * delays[0], "exponential backoff")
        self.assertEqual(self.provider.state, "down")

    def test_cancel_queued(self):
        message = self.send()
        message.with_user(self.user_a).action_inbox_cancel()
        self.assertEqual(message.inbox_status, "canceled")
        self.assertFalse(self.run_dispatch())
        with self.assertRaisesRegex(UserError, "Only a queued message"):
            message.with_user(self.user_a).action_inbox_cancel()

    def test_retry_failed(self):
        message = self.send("Please [fail]")
        self.run_dispatch()
        with self.assertRaisesRegex(UserError, "Only a failed message"):
            self.send().with_user(self.user_a).action_inbox_retry()
        message.sudo().body = "<p>Fixed</p>"
        message.with_user(self.user_a).action_inbox_retry()
        self.assertEqual(message.inbox_status, "queued")
        self.assertFalse(message.inbox_error)
        self.run_dispatch()
        self.assertEqual(message.inbox_status, "sent")

    def test_retry_checks_the_channel_again(self):
        message = self.send("Please [fail]")
        self.run_dispatch()
        self.partner._inbox_set_dnd("sms", True)
        with self.assertRaisesRegex(UserError, "Do Not Disturb"):
            message.with_user(self.user_a).action_inbox_retry()
        self.assertEqual(message.inbox_status, "failed")

    def test_cancel_needs_access_to_the_conversation(self):
        message = self.send()
        with self.assertRaises(AccessError):
            message.with_user(self.user_b).action_inbox_cancel()
        self.assertEqual(message.inbox_status, "queued")

    def test_scheduled_message_blocked_by_a_later_opt_out(self):
        due = fields.Datetime.now() + timedelta(hours=2)
        message = self.conversation.with_user(self.user_a).message_inbox_send("sms", "Reminder", scheduled_date=due)
        self.env["phone.blacklist"].sudo()._add([self.partner.phone_sanitized])
        self.partner.invalidate_recordset()
        with freeze_time(due):
            self.assertEqual(self.run_dispatch(), message.sudo())
        self.assertEqual(message.inbox_status, "failed", "blocked visibly, never dropped")
        self.assertIn("opted out", message.inbox_error)
        self.assertFalse(message.inbox_provider_message_id, "never handed to the provider")

    def test_queued_free_text_fails_once_the_whatsapp_window_closed(self):
        self.open_whatsapp_window()
        due = fields.Datetime.now() + timedelta(hours=25)
        message = self.conversation.with_user(self.user_a).message_inbox_send(
            "whatsapp", "See you next week", scheduled_date=due)
        with freeze_time(due):
            self.run_dispatch()
        self.assertEqual(message.inbox_status, "failed")
        self.assertIn("WhatsApp window is closed", message.inbox_error)

    def test_approved_template_goes_out_of_the_window_and_can_be_resent(self):
        template = self.env["inbox.template"].create({
            "name": "Reminder", "channel": "whatsapp", "body": "Your appointment is tomorrow.",
            "whatsapp_template_name": "appointment_reminder",
        })
        message = self.conversation.with_user(self.user_a).message_inbox_send("whatsapp", "", template_id=template.id)
        self.run_dispatch()
        self.assertEqual(message.inbox_status, "sent")
        message.sudo()._inbox_set_status("failed", inbox_error="Carrier said no")
        message.with_user(self.user_a).action_inbox_retry()
        self.assertEqual(message.inbox_status, "queued", "the window does not hold back an approved template")

    def test_degraded_provider_still_sends(self):
        # anyone can post an unsigned request to the webhook URL: that must
        # not stop the outbox
        self.provider._inbox_record_signature_failure()
        self.assertEqual(self.provider.state, "degraded")
        self.assertTrue(self.conversation.with_user(self.user_a).channel_availability["sms"]["available"])
        message = self.send()
        self.run_dispatch()
        self.assertEqual(message.inbox_status, "sent")
