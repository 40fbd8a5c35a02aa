from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestAttend(InboxCommon):
    """Attend: take an unassigned conversation (the race of two agents at
    once is in test_concurrency)."""

    def test_attend_an_unassigned_conversation(self):
        self.conversation.with_user(self.user_a).action_assign_to_me()
        self.assertEqual(self.conversation.user_id, self.user_a)
        self.assertIn(self.user_a.partner_id, self.conversation.message_partner_ids)
        # attending one's own conversation again changes nothing
        self.conversation.with_user(self.user_a).action_assign_to_me()
        self.assertEqual(self.conversation.user_id, self.user_a)

    def test_attend_a_conversation_somebody_attends(self):
        self.conversation.user_id = self.manager
        with self.assertRaisesRegex(UserError, "Inbox Manager is already attending the conversation with Alice"):
            self.conversation.with_user(self.user_a).action_assign_to_me()
        self.assertEqual(self.conversation.user_id, self.manager)
        # taking it over stays possible on purpose, through Assign
        self.conversation.with_user(self.user_a).inbox_assign(self.user_a.id)
        self.assertEqual(self.conversation.user_id, self.user_a)

    def test_attend_needs_access(self):
        with self.assertRaises(AccessError):
            self.conversation.with_user(self.user_b).action_assign_to_me()
        self.assertFalse(self.conversation.user_id)


@tagged("post_install", "-at_install")
class TestConsent(InboxCommon):
    """Opt-out, opt-in and do-not-disturb per channel from the person panel,
    in step with Odoo's blacklists and STOP/START replies."""

    def consent(self, channel, user=None, **values):
        return self.conversation.with_user(user or self.user_a).inbox_set_consent(channel, **values)

    def availability(self, channel):
        self.conversation.invalidate_recordset(["channel_availability"])
        return self.conversation.with_user(self.user_a).channel_availability[channel]

    def test_opt_out_and_in_of_sms_is_the_phone_blacklist(self):
        self.consent("sms", opted_out=True)
        self.assertTrue(self.env["phone.blacklist"].sudo().search_count(
            [("number", "=", self.partner.phone_sanitized), ("active", "=", True)]))
        self.assertIn("opted out", self.availability("sms")["reason"])
        self.assertIn("opted out", self.availability("whatsapp")["reason"], "one number, one opt-out")
        with self.assertRaisesRegex(UserError, "opted out"):
            self.conversation.with_user(self.user_a).message_inbox_send("sms", "Promo")
        note = self.conversation.message_ids[0]
        self.assertIn("opted out of SMS", note.body)
        self.assertIn(self.user_a.name, note.body)
        self.assertFalse(note.inbox_channel, "a record for the team, never sent")

        self.consent("sms", opted_out=False)
        self.assertTrue(self.availability("sms")["available"])
        self.assertIn("opted in to SMS", self.conversation.message_ids[0].body)

    def test_inbound_start_undoes_a_panel_opt_out(self):
        self.consent("sms", opted_out=True)
        self.receive(self.conversation, "sms", "START")
        self.assertTrue(self.availability("sms")["available"])

    def test_opt_out_of_email_is_the_email_blacklist(self):
        self.consent("email", opted_out=True)
        self.assertTrue(self.env["mail.blacklist"].sudo().search_count(
            [("email", "=", "alice@customer.example.com")]))
        self.assertIn("opted out of Email", self.availability("email")["reason"])
        self.assertTrue(self.availability("sms")["available"], "email only")

    def test_dnd_per_channel(self):
        self.open_whatsapp_window()
        self.consent("whatsapp", dnd=True)
        self.assertTrue(self.partner.inbox_dnd_whatsapp)
        self.assertIn("Do Not Disturb", self.availability("whatsapp")["reason"])
        self.assertTrue(self.availability("sms")["available"])
        self.assertIn("Do Not Disturb on for WhatsApp", self.conversation.message_ids[0].body)
        # inbound still arrives
        self.receive(self.conversation, "whatsapp", "Are you there?")
        self.assertIn("Are you there?", self.conversation.message_ids[0].body)
        self.consent("whatsapp", dnd=False)
        self.assertTrue(self.availability("whatsapp")["available"])

    def test_nothing_changed_writes_nothing(self):
        before = self.conversation.message_ids
        self.consent("sms", opted_out=False, dnd=False)
        self.assertEqual(self.conversation.message_ids, before)

    def test_refusals(self):
        with self.assertRaisesRegex(UserError, "Unknown channel"):
            self.consent("fax", opted_out=True)
        with self.assertRaises(AccessError):
            self.consent("sms", user=self.user_b, opted_out=True)
        self.assertFalse(self.partner.phone_sanitized_blacklisted)
        self.partner.phone = False
        with self.assertRaisesRegex(UserError, "no address for SMS"):
            self.consent("sms", opted_out=True)


@tagged("post_install", "-at_install")
class TestSnippets(InboxCommon):
    """Snippets: personal, for a team, or for everyone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["inbox.snippet"].search([]).action_archive()
        Snippet = cls.env["inbox.snippet"].with_user(cls.manager)
        cls.everyone = Snippet.create({"shortcut": "/Hours ", "body": "We are open 9 to 5."})
        cls.team_a_only = Snippet.create({"shortcut": "pricing", "body": "Our prices...", "team_id": cls.team_a.id})

    def visible(self, user):
        return set(self.env["inbox.snippet"].with_user(user).search([]).mapped("shortcut"))

    def test_shortcut_is_normalized_and_checked(self):
        self.assertEqual(self.everyone.shortcut, "hours")
        self.assertEqual(self.everyone.scope, "everyone")
        with self.assertRaisesRegex(ValidationError, "typed after a slash"):
            self.env["inbox.snippet"].create({"shortcut": "two words", "body": "x"})

    def test_who_sees_what(self):
        personal = self.env["inbox.snippet"].with_user(self.user_a).create({"shortcut": "mine", "body": "Cheers, A"})
        self.assertEqual(personal.user_id, self.user_a, "an agent's snippet is theirs")
        self.assertEqual(personal.scope, "personal")
        self.assertEqual(self.visible(self.user_a), {"hours", "pricing", "mine"})
        self.assertEqual(self.visible(self.user_b), {"hours"}, "not another team's, not another's own")
        self.assertEqual(self.visible(self.manager), {"hours", "pricing", "mine"})

    def test_agents_write_only_their_own(self):
        personal = self.env["inbox.snippet"].with_user(self.user_a).create({"shortcut": "mine", "body": "Cheers"})
        personal.with_user(self.user_a).body = "Cheers, Agent A"
        with self.assertRaises(AccessError):
            self.everyone.with_user(self.user_a).body = "Closed today"
        with self.assertRaises(AccessError):
            self.env["inbox.snippet"].with_user(self.user_a).create(
                {"shortcut": "shared", "body": "x", "user_id": False})
        with self.assertRaises(AccessError):
            personal.with_user(self.user_b).unlink()
        self.assertEqual(self.everyone.body, "We are open 9 to 5.")
