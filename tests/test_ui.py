from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestUi(HttpCase):

    def test_send_from_the_inbox(self):
        partner = self.env["res.partner"].create({"name": "Tour Customer", "phone": "+32 470 11 22 33"})
        provider = self.env["inbox.provider"].create({"name": "Tour Sandbox"})
        sender = self.env["inbox.sender"].create({
            "name": "Tour SMS", "provider_id": provider.id, "channel": "sms", "address": "+32 470 00 00 07",
            "sequence": 0,
        })
        conversation = self.env["inbox.conversation"].create({"partner_id": partner.id})
        self.start_tour("/odoo", "unified_inbox_send_tour", login="admin")
        sms = conversation.message_ids.filtered(lambda m: m.inbox_channel == "sms")
        outbound = sms.filtered(lambda m: m.inbox_direction == "outbound")
        self.assertEqual(len(outbound), 1)
        self.assertIn("Hello from the tour", outbound.body)
        self.assertEqual(outbound.inbox_sender_id, sender)
        self.assertEqual(outbound.author_id, self.env.ref("base.user_admin").partner_id)
        inbound = sms - outbound
        self.assertIn("Thanks, see you soon!", inbound.body)
        self.assertEqual(inbound.author_id, partner)
