import uuid
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestScopedChannels(InboxCommon):
    """Messenger and Instagram are two more entries of the channel registry:
    their people are known by the id the provider gave them, found by it,
    answered on it, under the channel's own window; nothing else branches on
    them (here through the sandbox, which carries every channel)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sender_messenger = cls._create_sender("messenger", "PAGE-100")
        cls.sender_instagram = cls._create_sender("instagram", "IG-200")

    def write_in(self, channel, psid, body="Hi from Meta", name="Emma Wilson"):
        sender = {"messenger": self.sender_messenger, "instagram": self.sender_instagram}[channel]
        self.post_sandbox_events([{"type": "message", "id": f"IN-{uuid.uuid4().hex}", "channel": channel,
                                   "from": psid, "to": sender.address, "name": name, "body": body}])
        return self.env["inbox.identity"].search([("address", "=", psid)]).partner_id

    def test_a_person_known_by_the_id_the_provider_gave(self):
        emma = self.write_in("messenger", "PSID-1")
        self.assertEqual(emma.name, "Emma Wilson")
        self.assertFalse(emma.phone or emma.email)
        self.assertRecordValues(emma.inbox_identity_ids, [{
            "kind": "scoped", "address": "PSID-1", "channel": "messenger", "provider_id": self.provider.id,
            "verified": True}])
        conversation = emma.inbox_conversation_ids
        self.assertEqual(conversation.message_ids.inbox_channel, "messenger")
        # the same id again: the same person and conversation
        self.assertEqual(self.write_in("messenger", "PSID-1", "Still me"), emma)
        self.assertEqual(emma.inbox_conversation_ids, conversation)
        self.assertEqual(len(conversation.message_ids), 2)

        availability = conversation.channel_availability
        self.assertTrue(availability["messenger"]["available"] and availability["messenger"]["reachable"])
        self.assertFalse(availability["instagram"]["reachable"], "no Instagram id: Instagram is not offered")
        self.assertFalse(availability["sms"]["available"])

        message = conversation.message_inbox_send("messenger", "Hi Emma, how can we help?")
        self.assertEqual((message.inbox_address, message.inbox_sender_id), ("PSID-1", self.sender_messenger))
        self.run_dispatch()
        self.assertEqual(message.inbox_status, "sent")

    def test_the_same_human_on_instagram_is_never_guessed(self):
        emma = self.write_in("messenger", "PSID-1")
        other = self.write_in("instagram", "IGSID-9", name="Emma Wilson")
        self.assertNotEqual(other, emma, "same name, another id: an agent decides (Same person)")
        self.env["inbox.merge.person"].with_user(self.manager).create(
            {"partner_id": emma.id, "duplicate_id": other.id}).action_merge()
        conversation = emma.inbox_conversation_ids
        self.assertEqual(set(conversation.message_ids.mapped("inbox_channel")) - {False}, {"messenger", "instagram"})
        self.assertTrue(conversation.channel_availability["instagram"]["reachable"])
        conversation.message_inbox_send("instagram", "Hello on Instagram")
        self.assertEqual(conversation.message_ids[0].inbox_address, "IGSID-9")

    def test_nothing_goes_outside_the_window(self):
        emma = self.write_in("messenger", "PSID-1")
        conversation = emma.inbox_conversation_ids
        past = fields.Datetime.now() - timedelta(hours=25)
        conversation.message_ids.write({"date": past})
        conversation.last_inbound_date = past
        conversation.invalidate_recordset(["channel_availability"])
        messenger = conversation.channel_availability["messenger"]
        self.assertFalse(messenger["available"] or messenger["templates_only"], "no templates on Messenger")
        self.assertIn("Nothing can be sent until they write again", messenger["reason"])
        with self.assertRaisesRegex(UserError, "window is closed"):
            conversation.message_inbox_send("messenger", "Are you there?")
        # the person writes again: the window opens
        self.write_in("messenger", "PSID-1", "Back!")
        conversation.invalidate_recordset(["channel_availability"])
        self.assertTrue(conversation.channel_availability["messenger"]["available"])

    def test_the_sandbox_simulates_them(self):
        emma = self.write_in("instagram", "IGSID-3")
        conversation = emma.inbox_conversation_ids
        self.env["inbox.simulate.inbound"].inbox_simulate(conversation.id, "A simulated DM",
                                                          sender_id=self.sender_instagram.id)
        self.run_due_events()
        self.assertIn("A simulated DM", conversation.message_ids[0].body)
        self.assertEqual(conversation.message_ids[0].inbox_channel, "instagram")
        # a person without a Messenger id cannot be made to write there
        with self.assertRaisesRegex(UserError, "has no address for Messenger"):
            self.env["inbox.simulate.inbound"].inbox_simulate(conversation.id, "Hi",
                                                              sender_id=self.sender_messenger.id)
