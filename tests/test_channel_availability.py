from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestChannelAvailability(InboxCommon):

    def availability(self, conversation=None, user=None):
        conversation = (conversation or self.conversation).with_user(user or self.user_a)
        conversation.invalidate_recordset(["channel_availability"])
        return conversation.channel_availability

    def test_all_channels_ready(self):
        self.open_whatsapp_window()
        availability = self.availability()
        for channel in ("note", "sms", "whatsapp", "email"):
            self.assertTrue(availability[channel]["available"], f"{channel}: {availability[channel]['reason']}")
        self.assertEqual(availability["sms"]["sender_ids"], self.sender_sms.ids)
        self.assertEqual(availability["note"]["sender_ids"], [])
        # the composer offers files only where the channel takes them
        self.assertEqual(availability["sms"]["attachment_max_size"], 0)
        self.assertEqual(availability["whatsapp"]["attachment_max_size"], 16 << 20)

    def test_whatsapp_window_closed(self):
        reason = self.availability()["whatsapp"]["reason"]
        self.assertIn("WhatsApp window is closed", reason)
        self.open_whatsapp_window()
        self.assertTrue(self.availability()["whatsapp"]["available"])
        expiry = fields.Datetime.to_datetime(self.availability()["whatsapp"]["window_expiry"])
        self.assertGreater(expiry, fields.Datetime.now() + timedelta(hours=23))
        # the person's message was 24 hours ago (and a minute)
        inbound = self.conversation.message_ids.filtered(lambda m: m.inbox_direction == "inbound")
        inbound.date = fields.Datetime.now() - timedelta(hours=24, minutes=1)
        self.conversation.last_inbound_date = inbound.date
        self.assertFalse(self.availability()["whatsapp"]["available"])
        self.assertFalse(self.availability()["whatsapp"]["window_expiry"], "the window ended")

    def test_whatsapp_window_is_per_business_number(self):
        other_number = self._create_sender("whatsapp", "+32 470 00 00 05", sequence=1)
        self.receive(self.conversation, "whatsapp", "Hi", sender=other_number)
        conversation = self.conversation.with_user(self.user_a)
        self.assertFalse(conversation._inbox_unavailable_reason("whatsapp", other_number))
        self.assertIn("WhatsApp window is closed",
                      conversation._inbox_unavailable_reason("whatsapp", self.sender_whatsapp),
                      "the person wrote to the other number only")

    def test_no_sender_for_team(self):
        self.sender_sms.team_ids = self.team_b
        self.assertIn("No SMS sender account", self.availability()["sms"]["reason"])
        self.assertTrue(self.availability(user=self.manager)["sms"]["available"], "managers use every sender")

    def test_provider_down(self):
        for _i in range(3):
            self.provider._inbox_record_failure("HTTP 500")
        reason = self.availability()["sms"]["reason"]
        self.assertIn("is not ready", reason)
        self.assertIn("HTTP 500", reason)
        self.assertTrue(self.availability()["note"]["available"], "internal notes never depend on providers")

    def test_invalid_number_and_email(self):
        self.partner.write({"phone": "12", "email": "not an email"})
        availability = self.availability()
        self.assertIn("no valid phone number", availability["sms"]["reason"])
        self.assertIn("no valid phone number", availability["whatsapp"]["reason"])
        self.assertIn("no valid email address", availability["email"]["reason"])

    def test_opt_out(self):
        self.env["phone.blacklist"].sudo()._add([self.partner.phone_sanitized])
        self.env["mail.blacklist"].sudo()._add(self.partner.email)
        self.partner.invalidate_recordset()
        availability = self.availability()
        self.assertIn("opted out of SMS", availability["sms"]["reason"])
        self.assertIn("opted out of Email", availability["email"]["reason"])

    def test_do_not_disturb(self):
        self.partner._inbox_set_dnd("sms", True)
        availability = self.availability()
        self.assertIn("Do Not Disturb for SMS", availability["sms"]["reason"])
        self.assertTrue(availability["email"]["available"])
