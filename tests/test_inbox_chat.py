from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestInboxChat(InboxCommon):
    """The conversation reads like a chat: its list preview, its labels."""

    def test_preview_is_plain_text(self):
        self.conversation.message_inbox_send("note", "<p>Call <b>her</b> back <i>today</i></p>")
        self.assertEqual(self.conversation.last_message_preview, "Call her back today", "no *bold* or /italic/")

    def test_preview_is_the_last_message_sent_or_received(self):
        self.receive(self.conversation, "sms", "Is the clinic open?")
        later = fields.Datetime.now() + timedelta(days=2)
        scheduled = self.conversation.message_inbox_send("sms", "See you on Monday", scheduled_date=later)
        self.assertEqual(self.conversation.last_message_preview, "Is the clinic open?",
                         "a message scheduled for later is not the last one yet")
        queued = self.conversation.message_inbox_send("sms", "Yes, until six")
        self.assertEqual(self.conversation.last_message_preview, "Yes, until six")
        queued.action_inbox_cancel()
        self.assertEqual(self.conversation.last_message_preview, "Is the clinic open?",
                         "a canceled message was never sent")
        self.assertEqual(self.conversation.last_message_direction, "inbound")
        # once the scheduled message has gone, it is the last one
        scheduled._inbox_set_status("sent")
        self.assertEqual(self.conversation.last_message_preview, "See you on Monday")
        # the demo's import path agrees
        self.conversation._inbox_sync_from_messages()
        self.assertEqual(self.conversation.last_message_preview, "See you on Monday")

    def test_set_and_remove_a_label(self):
        vip, billing = self.env["inbox.label"].create([{"name": "Chat VIP", "color": 3}, {"name": "Chat Billing"}])
        Conversation = self.env["inbox.conversation"].with_user(self.user_a)
        conversation = Conversation.browse(self.conversation.id)
        labels = conversation.inbox_set_label(vip.id)
        self.assertEqual(labels, [{"id": vip.id, "name": "Chat VIP", "color": 3}])
        conversation.inbox_set_label(billing.id)
        self.assertEqual(self.conversation.label_ids, vip | billing)
        labels = conversation.inbox_set_label(vip.id, active=False)
        self.assertEqual([label["id"] for label in labels], [billing.id])
        self.assertEqual(self.conversation.label_ids, billing)
        # somebody who may not read the conversation may not label it
        with self.assertRaises(AccessError):
            Conversation.with_user(self.user_b).browse(self.conversation.id).inbox_set_label(vip.id)
        with self.assertRaises(AccessError):
            Conversation.with_user(self.employee).browse(self.conversation.id).inbox_set_label(vip.id)
        self.assertEqual(self.conversation.label_ids, billing)


@tagged("post_install", "-at_install")
class TestInboxDemo(InboxCommon):

    def test_demo_has_an_approved_whatsapp_template(self):
        if not self.env.ref("unified_inbox.sender_whatsapp", raise_if_not_found=False):
            self.skipTest("demo data not installed")
        template = self.env.ref("unified_inbox.template_whatsapp_follow_up", raise_if_not_found=False)
        self.assertTrue(template, "the closed WhatsApp window is no dead end in the demo")
        self.assertEqual((template.channel, template.whatsapp_status), ("whatsapp", "approved"))
        self.assertTrue(template.whatsapp_template_name)
        self.assertEqual(template._inbox_whatsapp_parameters(self.conversation), ["Alice Customer"])
