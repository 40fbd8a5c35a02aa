from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

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
        self.assertEqual((note.inbox_card["kind"], note.inbox_card["res_id"]), ("consent", self.partner.id),
                         "a card, whose View opens the person")

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

    def test_opt_out_lists_say_what_odoos_flags_say(self):
        """The people read together are looked up on Odoo's lists at once,
        by the sanitized number and normalized email Odoo keeps: the same
        answer as Odoo's own flags, archived entries not counted."""
        Partner = self.env["res.partner"]
        people = Partner.create([
            {"name": "On the phone list", "phone": "+32 470 11 22 01", "email": "one@customer.example.com"},
            {"name": "On the email list", "phone": "+32 470 11 22 02", "email": "Two <TWO@customer.example.com>"},
            {"name": "On both", "phone": "+32470112203", "email": "three@customer.example.com"},
            {"name": "Taken off", "phone": "+32 470 11 22 04"},
            {"name": "On neither", "phone": "+32 470 11 22 05", "email": "five@customer.example.com"},
            {"name": "No address"},
        ])
        self.env["phone.blacklist"].sudo()._add(["+32470112201", "+32470112203", "+32470112204"])
        self.env["phone.blacklist"].sudo()._remove(["+32470112204"])
        for email in ("two@customer.example.com", "three@customer.example.com"):
            self.env["mail.blacklist"].sudo()._add(email)
        people.invalidate_recordset()
        for person in people:
            expected = {list_model for list_model, flag in (("phone.blacklist", "phone_sanitized_blacklisted"),
                                                            ("mail.blacklist", "is_blacklisted")) if person[flag]}
            self.assertEqual(set(person.inbox_opt_out_lists or ()), expected, person.name)
        self.assertEqual([person.name for person in people if person._inbox_is_opted_out("sms")],
                         ["On the phone list", "On both"])
        self.assertEqual([person.name for person in people if person._inbox_is_opted_out("email")],
                         ["On the email list", "On both"])

    def test_dnd_per_channel(self):
        self.open_whatsapp_window()
        self.consent("whatsapp", dnd=True)
        self.assertTrue(self.partner._inbox_is_dnd("whatsapp"))
        self.assertEqual(self.partner.inbox_consent_ids.mapped("channel"), ["whatsapp"], "one line, WhatsApp's")
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


@tagged("post_install", "-at_install")
class TestAssignmentRules(InboxCommon):
    """New inbound conversations go to a team's available members in turn."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_c = new_test_user(cls.env, "inbox_user_c", groups="unified_inbox.group_inbox_user", name="Agent C")
        cls.team_a.member_ids = [Command.link(cls.user_c.id), Command.link(cls.manager.id)]
        cls.rule = cls.env["inbox.assignment.rule"].create({
            "name": "SMS line to team A", "team_id": cls.team_a.id, "sender_ids": [Command.set(cls.sender_sms.ids)],
        })

    def stranger_writes(self, number, channel="sms"):
        sender = self.sender_sms if channel == "sms" else self.sender_whatsapp
        self.post_sandbox_events([{"type": "message", "id": f"IN-{number}", "channel": channel, "from": number,
                                   "to": sender.address, "body": "Hello?"}])
        return self.env["inbox.conversation"].search([("partner_id.phone_sanitized", "=", number)])

    def test_round_robin_skips_who_is_unavailable(self):
        self.manager.manual_im_status = "away"
        owners = [self.stranger_writes(f"+3247090000{index}").user_id for index in range(4)]
        self.assertEqual(owners, [self.user_a, self.user_c, self.user_a, self.user_c],
                         "the away manager gets none; the others take turns")
        conversation = self.stranger_writes("+32470900009")
        self.assertEqual(conversation.team_id, self.team_a)
        self.assertIn(conversation.user_id.partner_id, conversation.message_partner_ids, "the agent follows it")
        # the Mine tab of the agent shows them at once
        mine = self.env["inbox.conversation"].with_user(self.user_a).inbox_list(tab="mine")
        taken = self.env["inbox.conversation"].search([("user_id", "=", self.user_a.id)])
        self.assertEqual({row["id"] for row in mine["conversations"]}, set(taken.ids))

    def test_only_matching_sender_and_nobody_available(self):
        conversation = self.stranger_writes("+32470900011", channel="whatsapp")
        self.assertFalse(conversation.user_id, "the rule is for the SMS line")
        (self.user_a | self.user_c | self.manager).manual_im_status = "offline"
        self.assertFalse(self.stranger_writes("+32470900012").user_id, "nobody available: stays unassigned")

    def test_an_existing_conversation_is_not_reassigned(self):
        self.conversation.user_id = self.user_b
        self.receive(self.conversation, "sms", "Me again")
        self.assertEqual(self.conversation.user_id, self.user_b)

    def test_label_rule_routes_an_unassigned_conversation(self):
        billing = self.env["inbox.label"].create({"name": "Refunds"})
        self.env["inbox.assignment.rule"].create({
            "name": "Refunds to team B", "team_id": self.team_b.id, "label_ids": [Command.set(billing.ids)],
            "sequence": 1,
        })
        self.conversation.with_user(self.manager).label_ids = billing
        self.assertEqual(self.conversation.user_id, self.user_b)
        self.assertEqual(self.conversation.team_id, self.team_b)

    def test_agents_must_use_the_inbox(self):
        with self.assertRaisesRegex(ValidationError, "cannot use the Inbox"):
            self.rule.user_ids = self.employee


@tagged("post_install", "-at_install")
class TestQuietHours(InboxCommon):
    """Scheduled messages due in the company's quiet hours wait; replies do not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Europe/Brussels"
        cls.company.write({"inbox_quiet_hours": True, "inbox_quiet_start": 21.0, "inbox_quiet_end": 8.0})

    def test_scheduled_message_waits_for_the_morning(self):
        # 22:30 in Brussels (winter: UTC+1) is 21:30 UTC
        due = datetime(2030, 1, 15, 21, 30)
        with freeze_time(due - timedelta(hours=3)):
            message = self.conversation.with_user(self.user_a).message_inbox_send("sms", "Reminder", scheduled_date=due)
        with freeze_time(due):
            self.run_dispatch()
        self.assertEqual(message.inbox_status, "queued")
        self.assertEqual(message.inbox_next_attempt, datetime(2030, 1, 16, 7, 0), "08:00 in Brussels")
        with freeze_time(datetime(2030, 1, 16, 7, 0)):
            self.run_dispatch()
        self.assertEqual(message.inbox_status, "sent")

    def test_a_reply_by_hand_is_not_held(self):
        with freeze_time(datetime(2030, 1, 15, 21, 30)):
            message = self.conversation.with_user(self.user_a).message_inbox_send("sms", "Sure, see you tomorrow")
            self.run_dispatch()
        self.assertEqual(message.inbox_status, "sent")

    def test_window_within_a_day_and_invalid_hours(self):
        self.company.write({"inbox_quiet_start": 12.0, "inbox_quiet_end": 13.5})
        self.assertEqual(self.company._inbox_quiet_until(datetime(2030, 7, 1, 10, 15)), datetime(2030, 7, 1, 11, 30),
                         "12:15 in Brussels (summer: UTC+2) waits until 13:30")
        self.assertIsNone(self.company._inbox_quiet_until(datetime(2030, 7, 1, 12, 0)))
        with self.assertRaisesRegex(ValidationError, "Quiet hours"):
            self.company.inbox_quiet_end = 12.0


@tagged("post_install", "-at_install")
class TestScheduledMessages(InboxCommon):
    """A scheduled message can be seen, changed and canceled until it goes."""

    def schedule(self, channel="sms", body="See you Monday", **kwargs):
        due = fields.Datetime.now() + timedelta(days=2)
        return self.conversation.with_user(self.user_a).message_inbox_send(channel, body, scheduled_date=due, **kwargs)

    def test_change_the_time_and_the_text(self):
        message = self.schedule()
        later = fields.Datetime.now().replace(microsecond=0) + timedelta(days=3)
        message.with_user(self.user_a).action_inbox_reschedule(later, body="See you Tuesday")
        self.assertEqual((message.inbox_scheduled_date, message.inbox_next_attempt), (later, later))
        self.assertIn("See you Tuesday", message.body)
        self.assertEqual(message.inbox_status, "queued")
        with freeze_time(later - timedelta(hours=1)):
            self.assertFalse(self.run_dispatch(), "not before its new time")
        with freeze_time(later):
            self.run_dispatch()
        self.assertEqual(message.inbox_status, "sent")

    def test_refusals(self):
        message = self.schedule()
        tomorrow = fields.Datetime.now() + timedelta(days=1)
        with self.assertRaisesRegex(UserError, "in the past"):
            message.with_user(self.user_a).action_inbox_reschedule(fields.Datetime.now() - timedelta(hours=1))
        with self.assertRaisesRegex(UserError, "Write a message"):
            message.with_user(self.user_a).action_inbox_reschedule(tomorrow, body="  ")
        with self.assertRaisesRegex(UserError, "limited to 1600"):
            message.with_user(self.user_a).action_inbox_reschedule(tomorrow, body="x" * 1601)
        with self.assertRaises(AccessError):
            message.with_user(self.user_b).action_inbox_reschedule(tomorrow)
        self.assertIn("See you Monday", message.body, "nothing changed")
        email = self.schedule("email", "<p>Dear Alice</p>", subject="Results")
        with self.assertRaisesRegex(UserError, "Only the text of a scheduled plain-text message"):
            email.with_user(self.user_a).action_inbox_reschedule(tomorrow, body="Other text")
        email.with_user(self.user_a).action_inbox_reschedule(tomorrow, body="Dear Alice")
        self.assertEqual(email.inbox_scheduled_date, tomorrow.replace(microsecond=0), "the same text: only the time")
        now = self.conversation.with_user(self.user_a).message_inbox_send("sms", "Right away")
        with self.assertRaisesRegex(UserError, "Only a scheduled message"):
            now.with_user(self.user_a).action_inbox_reschedule(tomorrow)
        message.with_user(self.user_a).action_inbox_cancel()
        with self.assertRaisesRegex(UserError, "Only a queued message"):
            message.with_user(self.user_a).action_inbox_reschedule(tomorrow)
