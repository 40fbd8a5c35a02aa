import base64
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestSend(InboxCommon):
    """message_inbox_send: the one API every composer uses."""

    def send(self, channel, body="Hello", user=None, conversation=None, **kwargs):
        conversation = (conversation or self.conversation).with_user(user or self.user_a)
        return conversation.message_inbox_send(channel, body, **kwargs)

    def test_sms_is_queued_on_its_channel(self):
        with self.assert_no_outgoing_mail():
            message = self.send("sms", "See you at 10:00")
        self.assertEqual(message.inbox_channel, "sms")
        self.assertEqual(message.inbox_direction, "outbound")
        self.assertEqual(message.inbox_status, "queued")
        self.assertEqual(message.inbox_sender_id, self.sender_sms)
        self.assertEqual(message.inbox_address, "+32470617283")
        self.assertEqual(message.author_id, self.user_a.partner_id)
        self.assertFalse(message.notification_ids, "an SMS notifies nobody by email")
        self.assertEqual(self.conversation.last_message_preview, "See you at 10:00")
        self.assertEqual(self.conversation.last_message_channel, "sms")
        self.assertEqual(self.conversation.display_status, "outbound_only")

    def test_note_never_reaches_the_customer(self):
        self.conversation.message_subscribe(partner_ids=self.partner.ids)
        with self.assert_no_outgoing_mail():
            message = self.send("note", "Customer seems upset, call back")
        self.assertEqual(message.inbox_channel, "note")
        self.assertTrue(message.subtype_id.internal)
        self.assertFalse(message.inbox_status)
        self.assertNotIn(self.partner, message.notification_ids.res_partner_id)
        self.assertFalse(self.env["mail.message"]._inbox_claim_next(), "nothing queued for a provider")

    def test_follower_customer_gets_no_email_for_sms_or_whatsapp(self):
        self.open_whatsapp_window()
        self.conversation.message_subscribe(partner_ids=self.partner.ids)
        with self.assert_no_outgoing_mail():
            self.send("sms")
            self.send("whatsapp")
            self.run_dispatch()

    def test_email_needs_subject(self):
        with self.assertRaisesRegex(UserError, "subject"):
            self.send("email", "<p>Hello</p>")
        message = self.send("email", "<p>Hello <b>Alice</b></p>", subject="Your visit")
        self.assertEqual(message.inbox_address, "alice@customer.example.com")
        self.assertIn("<b>Alice</b>", message.body)

    def test_refusals(self):
        cases = [
            ("fax", "Hello", {}, "Unknown channel"),
            ("sms", "   ", {}, "Write a message"),
            ("sms", "x" * 1601, {}, "limited to 1600"),
            ("whatsapp", "Hello", {}, "WhatsApp window is closed"),
            ("sms", "Hello", {"sender_id": self.sender_email.id}, "not a SMS account"),
            ("sms", "Hello", {"scheduled_date": fields.Datetime.now() - timedelta(days=1)}, "in the past"),
        ]
        for channel, body, kwargs, error in cases:
            with self.subTest(channel=channel, error=error), self.assertRaisesRegex(UserError, error):
                self.send(channel, body, **kwargs)
        self.assertFalse(self.conversation.message_ids.filtered("inbox_channel"), "nothing half-written")

    def test_refused_sender_of_another_team(self):
        other = self._create_sender("sms", "+32 470 00 00 09", team_ids=self.team_b.ids)
        with self.assertRaisesRegex(UserError, "cannot send from this sender"):
            self.send("sms", sender_id=other.id)
        self.assertEqual(self.send("sms", user=self.manager, sender_id=other.id).inbox_sender_id, other)

    def test_refused_when_provider_down(self):
        for _i in range(3):
            self.provider._inbox_record_failure("HTTP 500")
        with self.assertRaisesRegex(UserError, "not ready"):
            self.send("sms")
        self.assertTrue(self.send("note"), "notes still work")

    def test_refused_when_opted_out_or_dnd(self):
        self.env["phone.blacklist"].sudo()._add([self.partner.phone_sanitized])
        self.partner.invalidate_recordset()
        with self.assertRaisesRegex(UserError, "opted out"):
            self.send("sms")
        self.partner._inbox_set_dnd("email", True)
        with self.assertRaisesRegex(UserError, "Do Not Disturb"):
            self.send("email", subject="Hi")

    def test_attachments(self):
        def attachment(name, size=10):
            return self.env["ir.attachment"].with_user(self.user_a).create({
                "name": name, "datas": base64.b64encode(b"x" * size),
                "res_model": "mail.compose.message", "res_id": 0,
            })
        with self.assertRaisesRegex(UserError, "cannot carry attachments"):
            self.send("sms", attachment_ids=attachment("a.pdf").ids)
        with self.assertRaisesRegex(UserError, "cannot be sent"):
            self.send("email", subject="Hi", attachment_ids=attachment("virus.exe").ids)
        message = self.send("email", "", subject="Invoice", attachment_ids=attachment("invoice.pdf").ids)
        self.assertEqual(message.attachment_ids.name, "invoice.pdf")
        self.assertEqual(message.attachment_ids.res_model, "inbox.conversation")

    def test_template(self):
        template = self.env["inbox.template"].create({
            "name": "Welcome", "channel": "email", "subject": "Welcome {{ object.partner_id.name }}",
            "body": "Dear {{ object.partner_id.name }}, welcome.",
        })
        message = self.send("email", "", template_id=template.id)
        self.assertEqual(message.subject, "Welcome Alice Customer")
        self.assertIn("Dear Alice Customer, welcome.", message.body)
        with self.assertRaisesRegex(UserError, "not a SMS template"):
            self.send("sms", "", template_id=template.id)

    def test_access_required(self):
        with self.assertRaises(AccessError):
            self.send("note", user=self.user_b)
        with self.assertRaises(AccessError):
            self.send("note", user=self.employee)

    def test_scheduled_message_waits(self):
        message = self.send("sms", scheduled_date=fields.Datetime.now() + timedelta(hours=2))
        self.assertEqual(message.inbox_status, "queued")
        self.assertFalse(self.run_dispatch(), "not due yet")
        self.assertEqual(message.inbox_status, "queued")

    def test_render_template_for_the_composer(self):
        template = self.env["inbox.template"].create({
            "name": "Reminder", "channel": "sms", "body": "Hello {{ object.partner_id.name }}, see you soon."})
        rendered = self.conversation.with_user(self.user_a).inbox_render_template(template.id)
        self.assertEqual(rendered, {"subject": "", "body": "Hello Alice Customer, see you soon.",
                                    "body_html": "<p>Hello Alice Customer, see you soon.</p>"})
        with self.assertRaises(AccessError):
            self.conversation.with_user(self.user_b).inbox_render_template(template.id)
