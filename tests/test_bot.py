from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import InboxCommon
from .fake_chat_completions import FakeChatCompletions

SATURDAY = datetime(2026, 11, 28, 10)
MONDAY = datetime(2026, 11, 30, 10)


@tagged("post_install", "-at_install")
class TestBot(InboxCommon):
    """The company's bot, per person, against a fake chat-completions server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeChatCompletions().start()
        cls.addClassCleanup(cls.fake.stop)
        cls.snippet = cls.env["inbox.snippet"].create({
            "shortcut": "botparking", "user_id": False, "body": "Free parking behind the building."})
        cls.company.write({
            "inbox_ai_base_url": cls.fake.url, "inbox_ai_model": "bot-model", "inbox_ai_api_key": "sk-test",
            "inbox_bot_mode": "assistant", "inbox_bot_instructions": "We are Bright Smile Dental.",
            "inbox_bot_snippet_ids": [Command.set(cls.snippet.ids)],
            "resource_calendar_id": cls.env["resource.calendar"].create({
                "name": "Desk", "tz": "UTC", "company_id": cls.company.id,
                "attendance_ids": [Command.create({"name": str(day), "dayofweek": str(day), "hour_from": 8,
                                                   "hour_to": 17}) for day in range(5)],
            }).id,
        })
        cls.partner.inbox_bot = True

    def setUp(self):
        super().setUp()
        self.fake.requests.clear()
        self.fake.reply = "We open at 8:00 on Monday."

    def person_writes(self, body):
        """The person writes by SMS; the event cron applies it, then the bot's turn."""
        self.receive(self.conversation, "sms", body)
        self.run_due_events()

    def outbound(self):
        return self.conversation.message_ids.filtered(lambda m: m.inbox_direction == "outbound").sorted("id")

    def notes(self):
        return self.conversation.message_ids.filtered(lambda m: m.inbox_channel == "note")

    def test_the_bot_answers_on_the_same_channel_until_the_team_writes(self):
        self.assertTrue(self.conversation.bot_active)
        self.person_writes("Are you open tomorrow?")
        [reply] = self.outbound()
        self.assertEqual((reply.inbox_channel, reply.inbox_sender_id, reply.inbox_bot), ("sms", self.sender_sms, True))
        self.assertIn("We open at 8:00 on Monday.", reply.body)
        self.assertNotEqual(reply.author_id, self.user_a.partner_id)
        [(_path, _headers, request)] = self.fake.requests
        system = request["messages"][0]["content"]
        self.assertIn("We are Bright Smile Dental.", system)
        self.assertIn("Free parking behind the building.", system)
        self.assertIn("Are you open tomorrow?", request["messages"][1]["content"])
        cycle = self.env["inbox.report.response"].search([("conversation_id", "=", self.conversation.id)])
        self.assertFalse(cycle.responded, "a bot's reply is no response of the team")

        # somebody of the team writes: the bot stops for this person
        self.conversation.with_user(self.user_a).message_inbox_send("sms", "Hi, Agent A here.")
        self.assertFalse(self.partner.inbox_bot or self.conversation.bot_active)
        self.person_writes("Thanks!")
        self.assertEqual(len(self.outbound()), 2, "no bot reply after a human's")
        self.assertEqual(len(self.fake.requests), 1)

    def test_the_bot_never_answers_after_a_human_did(self):
        self.receive(self.conversation, "sms", "Hello?")  # the bot's turn is queued, not taken yet
        self.conversation.with_user(self.user_a).message_inbox_send("sms", "Hello, how can I help?")
        self.partner.inbox_bot = True  # turned on again meanwhile
        self.run_due_events()
        self.assertEqual(len(self.outbound()), 1)
        self.assertFalse(self.fake.requests, "the assistant is not even asked")

    def test_take_over_and_who_may(self):
        conversation = self.conversation.with_user(self.user_a)
        self.assertFalse(conversation.inbox_set_bot(False))
        self.assertFalse(self.partner.inbox_bot)
        self.assertTrue(conversation.inbox_set_bot(True))
        with self.assertRaises(AccessError):
            self.conversation.with_user(self.user_b).inbox_set_bot(False)
        self.company.inbox_bot_mode = "none"
        self.assertFalse(self.conversation.bot_active)
        with self.assertRaisesRegex(UserError, "no bot"):
            conversation.inbox_set_bot(True)

    def test_the_away_message_goes_outside_working_hours_once(self):
        self.company.write({"inbox_bot_mode": "away", "inbox_bot_away_message": "We are closed, back Monday."})
        with freeze_time(SATURDAY):
            self.person_writes("Anyone there?")
            self.person_writes("Hello??")
        [away] = self.outbound()
        self.assertIn("We are closed, back Monday.", away.body)
        self.assertTrue(away.inbox_bot)
        with freeze_time(MONDAY):
            self.person_writes("Good morning")
        self.assertEqual(len(self.outbound()), 1, "open: the team answers")
        self.assertFalse(self.fake.requests, "an away message asks no assistant")

    def test_channel_rules_and_failures_are_visible(self):
        self.env["phone.blacklist"].sudo().add(self.partner.phone)
        self.person_writes("Can I book?")
        self.assertFalse(self.outbound())
        self.assertIn("The bot could not answer", self.notes()[:1].body)
        self.assertIn("opted out", self.notes()[:1].body)

        self.env["phone.blacklist"].sudo().remove(self.partner.phone)
        self.fake.answer = (500, {"error": {"message": "overloaded"}})
        self.person_writes("Hello?")
        self.assertFalse(self.outbound())
        self.assertIn("The assistant refused the request", self.notes().sorted("id")[-1].body)
