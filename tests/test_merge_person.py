import uuid

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import InboxCommon

OTHER_NUMBER = "+32470990010"


@tagged("post_install", "-at_install")
class TestMergePerson(InboxCommon):
    """The same human wrote from two identities: an Inbox manager makes them
    one person with one conversation, after a preview, and nothing is lost."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"]

    def setUp(self):
        super().setUp()
        self.receive(self.conversation, "sms", "Alice on her phone")
        self.post_sandbox_events([{
            "type": "message", "id": f"IN-{uuid.uuid4().hex}", "channel": "whatsapp", "from": OTHER_NUMBER,
            "to": self.sender_whatsapp.address, "name": "Ally", "body": "Ally on her other phone"}])
        self.other = self.Partner.search([("phone_sanitized", "=", OTHER_NUMBER)])
        self.other_conversation = self.other.inbox_conversation_ids
        self.env["inbox.identity"].create({"partner_id": self.other.id, "kind": "scoped", "address": "IGSID-7",
                                           "provider_id": self.provider.id, "verified": True})
        self.other._inbox_set_dnd("whatsapp", True)
        self.lead = self.env["crm.lead"].create({"name": "Ally's order", "partner_id": self.other.id,
                                                 "type": "opportunity"})
        self.other_conversation.lead_id = self.lead

    def messages(self, conversation):
        return self.env["mail.message"].search(
            [("model", "=", "inbox.conversation"), ("res_id", "=", conversation.id)], order="id")

    def wizard(self, user=None):
        Wizard = self.env["inbox.merge.person"].with_user(user or self.manager)
        return Wizard.create({"partner_id": self.partner.id, "duplicate_id": self.other.id})

    def test_preview_says_what_moves(self):
        wizard = self.wizard()
        self.assertRecordValues(wizard, [{"conversation_count": 1, "lead_count": 1,
                                          "message_count": len(self.messages(self.other_conversation))}])
        self.assertEqual(sorted(wizard.identity_ids.mapped("address")), ["+32470990010", "IGSID-7"])
        self.assertEqual(wizard.preview.splitlines(), [
            "Ally becomes Alice Customer:",
            f"• {wizard.message_count} messages join Alice Customer's conversation, in the order they came;",
            "• 2 identities and 1 opportunity follow;",
            "• for each channel, the stricter consent of the two holds;",
            "• the contact Ally is then deleted.",
        ])

    def test_one_person_one_conversation_nothing_lost(self):
        before = (self.messages(self.conversation) | self.messages(self.other_conversation)).ids
        self.wizard().action_merge()

        self.assertFalse(self.other.exists())
        self.assertFalse(self.other_conversation.exists())
        merged = self.messages(self.conversation)
        self.assertEqual(merged.ids[:-1], sorted(before), "both histories, in the order they came")
        self.assertIn("Ally was merged into Alice Customer by Inbox Manager", merged[-1].body)
        self.assertEqual(self.partner.inbox_conversation_ids, self.conversation)
        self.assertEqual(self.conversation.channels, "sms whatsapp")
        self.assertEqual(sorted(self.partner.inbox_identity_ids.mapped("address")),
                         ["+32470617283", "+32470990010", "IGSID-7"])
        self.assertTrue(self.partner._inbox_is_dnd("whatsapp"), "the stricter consent holds")
        self.assertEqual(self.lead.partner_id, self.partner)
        # the person panel shows what they wrote from beyond their own number and email
        identities = self.conversation.with_user(self.user_a).inbox_details()["identities"]
        self.assertEqual(sorted((row["address"], row["provider"]) for row in identities),
                         [("+32470990010", ""), ("IGSID-7", "Test Sandbox")])
        self.assertEqual(self.conversation.lead_id, self.lead)
        # the other number and the Instagram id find Alice from now on
        self.post_sandbox_events([{
            "type": "message", "id": f"IN-{uuid.uuid4().hex}", "channel": "sms", "from": OTHER_NUMBER,
            "to": self.sender_sms.address, "name": "Ally", "body": "Me again"}])
        self.assertEqual(self.messages(self.conversation)[-1].body, "<p>Me again</p>")
        self.assertEqual(self.Partner._inbox_find("scoped", "IGSID-7", self.provider), self.partner)
        self.assertEqual(self.Partner.search_count([("phone_sanitized", "=", OTHER_NUMBER)]), 0)

    def test_only_a_manager_merges(self):
        with self.assertRaises(AccessError):
            self.wizard(self.user_a)
        self.assertTrue(self.other.exists())

    def test_no_merge_moves_what_the_manager_cannot_see(self):
        elsewhere = self.env["res.company"].create({"name": "Other Clinic"})
        hidden = self.env["inbox.conversation"].sudo().create({"partner_id": self.other.id, "company_id": elsewhere.id})
        with self.assertRaisesRegex(UserError, "Ally also has conversations in Other Clinic, which you cannot see"):
            self.wizard().action_merge()
        self.assertTrue(self.other.exists() and hidden.exists() and self.other_conversation.exists())

    def test_a_refused_merge_leaves_everything_as_it_was(self):
        self.other.parent_id = self.partner  # Odoo merges no contact with its parent
        before = self.messages(self.conversation).ids, self.messages(self.other_conversation).ids
        with self.assertRaisesRegex(UserError, "parent"):
            self.wizard().action_merge()
        self.assertTrue(self.other.exists() and self.other_conversation.exists())
        self.assertEqual((self.messages(self.conversation).ids, self.messages(self.other_conversation).ids), before)
        self.assertTrue(self.other._inbox_is_dnd("whatsapp"))
        self.assertFalse(self.partner._inbox_is_dnd("whatsapp"))
