from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestAccess(InboxCommon):
    """Who may do what, through the ORM as each user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Conversation = cls.env["inbox.conversation"]
        cls.other_company = cls.env["res.company"].create({"name": "Other Company"})
        cls.conv_team_a = cls.conversation
        # one open conversation per person and company: the person's others here are closed ones
        cls.conv_team_b = Conversation.create({"partner_id": cls.partner.id, "team_id": cls.team_b.id,
                                               "state": "closed"})
        cls.conv_assigned_a = Conversation.create({
            "partner_id": cls.partner.id, "team_id": cls.team_b.id, "user_id": cls.user_a.id, "state": "closed"})
        cls.conv_no_team = Conversation.create({"partner_id": cls.partner.id, "state": "closed"})
        cls.conv_other_company = Conversation.create({
            "partner_id": cls.partner.id, "company_id": cls.other_company.id})
        cls.manager.write({"company_ids": [Command.link(cls.other_company.id)]})
        cls.conv_team_a.message_inbox_send("note", "note on A")
        cls.conv_team_b.message_inbox_send("note", "note on B")

    def visible(self, user, companies=None):
        Conversation = self.env["inbox.conversation"].with_user(user)
        if companies:
            Conversation = Conversation.with_context(allowed_company_ids=companies.ids)
        return Conversation.search([("partner_id", "=", self.partner.id)])

    def test_read_matrix(self):
        all_here = self.conv_team_a | self.conv_team_b | self.conv_assigned_a | self.conv_no_team
        expected = {
            self.user_a: self.conv_team_a | self.conv_assigned_a,  # their team's, and assigned to them
            self.user_b: self.conv_team_b | self.conv_assigned_a,  # both are in team B
            self.manager: all_here,
            self.admin: all_here,
        }
        for user, conversations in expected.items():
            with self.subTest(user=user.login):
                self.assertEqual(self.visible(user, self.company), conversations)
        self.assertEqual(self.visible(self.manager, self.company | self.other_company),
                         all_here | self.conv_other_company, "managers see every company they work in")
        self.assertEqual(self.visible(self.user_a), self.conv_team_a | self.conv_assigned_a)

    def test_employee_without_inbox_group(self):
        with self.assertRaises(AccessError):
            self.visible(self.employee)
        with self.assertRaises(AccessError):
            self.env["inbox.provider"].with_user(self.employee).search([])

    def test_write_and_post(self):
        self.conv_team_a.with_user(self.user_a).action_assign_to_me()
        self.assertEqual(self.conv_team_a.user_id, self.user_a)
        with self.assertRaises(AccessError):
            self.conv_team_b.with_user(self.user_a).action_close()
        with self.assertRaises(AccessError):
            self.conv_team_b.with_user(self.user_a).message_post(body="sneaky")
        with self.assertRaises(AccessError):
            self.conv_team_a.with_user(self.user_a).unlink()
        self.conv_no_team.with_user(self.manager).unlink()

    def test_messages_and_attachments_follow_the_conversation(self):
        Message = self.env["mail.message"].with_user(self.user_a)
        bodies = Message.search([("model", "=", "inbox.conversation"), ("inbox_channel", "=", "note")]).mapped("body")
        self.assertTrue(any("note on A" in body for body in bodies))
        self.assertFalse(any("note on B" in body for body in bodies))
        note_b = self.conv_team_b.message_ids.filtered(lambda m: m.inbox_channel == "note")
        with self.assertRaises(AccessError):
            note_b.with_user(self.user_a).read(["body"])
        attachment = self.env["ir.attachment"].create({
            "name": "secret.txt", "raw": b"secret", "res_model": "inbox.conversation", "res_id": self.conv_team_b.id,
        })
        with self.assertRaises(AccessError):
            attachment.with_user(self.user_a).read(["raw"])
        attachment.with_user(self.user_b).read(["raw"])

    def test_configuration(self):
        for user in (self.user_a, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.provider.with_user(user).write({"name": "renamed"})
        self.provider.with_user(self.admin).write({"name": "renamed"})
        with self.assertRaises(AccessError):
            self.sender_sms.with_user(self.user_a).write({"name": "renamed"})
        self.sender_sms.with_user(self.manager).write({"name": "renamed"})
        with self.assertRaises(AccessError):
            self.env["inbox.label"].with_user(self.user_a).create({"name": "Urgent"})
        self.env["inbox.label"].with_user(self.manager).create({"name": "Urgent"})

    def test_provider_actions_for_administrators_only(self):
        portal = new_test_user(self.env, "inbox_portal", groups="base.group_portal", name="Portal Paula")
        self.provider.consecutive_failures = 3
        self.assertEqual(self.provider.state, "down")
        actions = ("action_reset_health", "action_test_connection", "action_sync_templates")
        for user in (portal, self.employee, self.user_a, self.manager):
            for action in actions:
                with self.subTest(user=user.login, action=action), self.assertRaises(AccessError):
                    getattr(self.provider.with_user(user), action)()
        self.assertEqual(self.provider.state, "down", "nobody but an administrator reset it")
        self.provider.with_user(self.admin).action_reset_health()
        self.assertEqual(self.provider.state, "ready")
        self.assertEqual(self.provider.with_user(self.admin).action_test_connection()["params"]["type"], "success")

    def test_other_company_provider_invisible(self):
        provider = self.env["inbox.provider"].create({"name": "Other", "company_id": self.other_company.id})
        self.assertNotIn(provider, self.env["inbox.provider"].with_user(self.user_a).search([]))

    def test_read_state_is_private(self):
        self.conv_team_a.with_user(self.user_a).action_mark_read(self.conv_team_a.message_ids[:1])
        self.assertFalse(self.env["inbox.read.state"].with_user(self.manager).search([]))
