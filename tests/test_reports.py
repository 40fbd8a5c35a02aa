from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import InboxCommon

# Friday 27 November 2026
FRIDAY = datetime(2026, 11, 27)


def at(day, hour, minute=0):
    """A time of FRIDAY + ``day`` days (UTC)."""
    return FRIDAY + timedelta(days=day, hours=hour, minutes=minute)


@tagged("post_install", "-at_install")
class TestReports(InboxCommon):
    """The definitions the README gives, on a company working 8:00-17:00 UTC,
    Monday to Friday."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.resource_calendar_id = cls.env["resource.calendar"].create({
            "name": "Front desk", "tz": "UTC", "company_id": cls.company.id,
            "attendance_ids": [Command.create({"name": str(day), "dayofweek": str(day), "hour_from": 8,
                                               "hour_to": 17}) for day in range(5)],
        })

    def person(self, name, phone):
        partner = self.env["res.partner"].create({"name": name, "phone": phone})
        return self.env["inbox.conversation"].create({"partner_id": partner.id, "team_id": self.team_a.id})

    def write_at(self, when, conversation, body, channel="sms"):
        with freeze_time(when):
            return self.receive(conversation, channel, body)

    def answer_at(self, when, conversation, body, channel="sms", user=None):
        with freeze_time(when):
            return conversation.with_user(user or self.user_a).message_inbox_send(channel, body)

    def cycles(self, conversation):
        return self.env["inbox.report.response"].search([("conversation_id", "=", conversation.id)], order="start")

    def test_first_and_next_responses_in_calendar_and_working_hours(self):
        with freeze_time(at(0, 15)):
            conversation = self.person("Rita Report", "+32 470 10 20 30")
        self.write_at(at(0, 16), conversation, "Can I come Saturday?")
        self.answer_at(at(3, 9), conversation, "We are closed on Saturdays.")
        first = self.cycles(conversation)
        self.assertEqual((first.first, first.user_id, first.channel), (True, self.user_a, "sms"))
        self.assertEqual(first.response_hours, 65, "Friday 16:00 to Monday 9:00")
        self.assertEqual(first.response_business_hours, 2, "Friday 16-17, Monday 8-9")

        self.write_at(at(3, 10), conversation, "Monday then?")
        self.answer_at(at(3, 10, 15), conversation, "Check the calendar", channel="note")
        self.write_at(at(3, 10, 20), conversation, "Hello?")
        self.answer_at(at(3, 10, 30), conversation, "Monday 14:00 works.")
        cycles = self.cycles(conversation)
        self.assertEqual(len(cycles), 2, "a second message while one waits starts no cycle")
        self.assertFalse(cycles[1].first)
        self.assertAlmostEqual(cycles[1].response_hours, 0.5, msg="an internal note answers nobody")

    def test_a_reopened_conversation_starts_a_new_first_response(self):
        with freeze_time(at(3, 8)):
            conversation = self.person("Otto Reopen", "+32 470 10 20 31")
        self.write_at(at(3, 9), conversation, "Is my crown ready?")
        self.answer_at(at(3, 9, 10), conversation, "Yes, come by.")
        with freeze_time(at(3, 10)):
            conversation.action_close()
        # a week later the person writes again: the conversation reopens
        self.write_at(at(10, 9), conversation, "It hurts a bit.")
        self.answer_at(at(10, 9, 30), conversation, "Come today at 11.")
        periods = self.env["inbox.report.period"].search([("conversation_id", "=", conversation.id)], order="opened")
        self.assertEqual(len(periods), 2)
        self.assertEqual((periods[0].resolution_hours, periods[0].reopened), (2, False))
        self.assertTrue(periods[1].reopened and not periods[1].closed)
        firsts = self.cycles(conversation).filtered("first")
        self.assertEqual(len(firsts), 2)
        self.assertEqual(firsts.mapped("response_hours"), [10 / 60, 0.5], "measured from what reopened it")

    def test_bots_automated_messages_and_outbound_only_never_count(self):
        outbound_only = self.person("Una Outbound", "+32 470 10 20 32")
        self.answer_at(at(3, 9), outbound_only, "Your invoice is ready.")
        self.assertFalse(self.cycles(outbound_only), "nobody reached out: no response time")

        conversation = self.person("Walt Waiting", "+32 470 10 20 33")
        self.write_at(at(3, 9), conversation, "Anyone?")
        with freeze_time(at(3, 9, 5)):
            # the system writes (a missed call's text-back, a bot): no answer
            conversation.sudo().message_inbox_send("sms", "Thanks, we will get back to you.")
        scheduled = at(3, 12)
        with freeze_time(at(3, 9, 6)):
            conversation.with_user(self.user_a).message_inbox_send("sms", "Later", scheduled_date=scheduled)
        [cycle] = self.cycles(conversation)
        self.assertFalse(cycle.responded)
        self.answer_at(at(3, 9, 30), conversation, "Here I am.")
        self.assertEqual((cycle.response_hours, cycle.user_id), (0.5, self.user_a))

    def test_messages_in_and_out_by_channel_and_agent(self):
        conversation = self.person("Mia Messages", "+32 470 10 20 34")
        self.write_at(at(3, 9), conversation, "Hi")
        self.answer_at(at(3, 9, 1), conversation, "Hello")
        self.answer_at(at(3, 9, 2), conversation, "Note to self", channel="note")
        counts = self.env["inbox.report.message"]._read_group(
            [("conversation_id", "=", conversation.id)], ["channel", "direction", "user_id"], ["__count"])
        self.assertEqual(sorted(counts, key=str), sorted([
            ("sms", "inbound", self.env["res.users"], 1), ("sms", "outbound", self.user_a, 1)], key=str))

    def test_the_summary_and_the_reports_are_for_managers(self):
        conversation = self.person("Sam Summary", "+32 470 10 20 35")
        self.receive(conversation, "sms", "Hi")
        conversation.with_user(self.user_a).message_inbox_send("sms", "Hello")
        self.assertFalse(self.env["inbox.conversation"].with_user(self.user_a).inbox_report_summary())
        summary = self.env["inbox.conversation"].with_user(self.manager).inbox_report_summary()
        self.assertGreaterEqual(min(summary["inbound"], summary["outbound"]), 1)
        self.assertIsNotNone(summary["first_response_hours"])
        for model in ("inbox.report.response", "inbox.report.period", "inbox.report.message"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.user_a).search([])

    def test_the_history_makes_the_same_cycles(self):
        with freeze_time(at(3, 8)):
            conversation = self.person("Hugo History", "+32 470 10 20 36")
        self.write_at(at(3, 9), conversation, "One")
        self.answer_at(at(3, 9, 20), conversation, "Two")
        self.write_at(at(3, 10), conversation, "Three")
        before = [(c.first, c.start, c.responded, c.response_hours) for c in self.cycles(conversation)]
        conversation._inbox_report_rebuild()
        after = [(c.first, c.start, c.responded, c.response_hours) for c in self.cycles(conversation)]
        self.assertEqual(after, before)

    def test_a_batch_of_messages_makes_the_cycles_one_by_one_would(self):
        """The event queue applies a batch's messages together, with their
        open periods and cycles read ahead for all: what it makes is what
        one message at a time makes (one waiting cycle per person, a new one
        after an answer, a new period for a conversation the batch reopens,
        both for a person it finds first)."""
        with freeze_time(at(3, 8)):
            waiting = self.person("Wanda Waiting", "+32 470 10 30 01")
            answered = self.person("Arno Answered", "+32 470 10 30 02")
            closed = self.person("Clara Closed", "+32 470 10 30 03")
        for conversation in waiting | answered | closed:
            self.write_at(at(3, 9), conversation, "Hello?")
        for conversation in answered | closed:
            self.answer_at(at(3, 9, 10), conversation, "Hello!")
        with freeze_time(at(3, 9, 20)):
            closed.action_close()

        def event(phone, name, body):
            return {"type": "message", "id": f"IN-{phone}-{body}", "channel": "sms", "from": phone,
                    "to": self.sender_sms.address, "name": name, "body": body}
        batch = [event(conversation.partner_id.phone, conversation.partner_id.name, body)
                 for conversation, body in ((waiting, "Still there?"), (answered, "One more thing"),
                                            (closed, "It hurts again"), (waiting, "Hello??"),
                                            (closed, "Any time today?"), (answered, "And another"))]
        batch.append(event("+32 470 10 30 04", "Nina New", "First time here"))
        with freeze_time(at(3, 10)), self.assertNoLogs("odoo.addons.unified_inbox.models.inbox_event", "INFO"):
            self.post_sandbox_events(batch)  # applied together: nothing applied one by one
        new = self.env["inbox.conversation"].search([("partner_id.name", "=", "Nina New")])

        def cycles(conversation):
            return [(cycle.first, cycle.start, bool(cycle.responded)) for cycle in self.cycles(conversation)]
        self.assertEqual(cycles(waiting), [(True, at(3, 9), False)], "it waits already: no new cycle")
        self.assertEqual(cycles(answered), [(True, at(3, 9), True), (False, at(3, 10), False)])
        self.assertEqual(cycles(closed), [(True, at(3, 9), True), (True, at(3, 10), False)],
                         "reopened: a new first response, one for both messages")
        self.assertEqual(cycles(new), [(True, at(3, 10), False)])
        periods = self.env["inbox.report.period"].search([("conversation_id", "=", closed.id)], order="opened")
        self.assertEqual([(period.reopened, bool(period.closed)) for period in periods], [(False, True), (True, False)])
        cycle = self.cycles(closed)[-1]
        self.assertEqual(cycle.period_id, periods[-1])
        # the agent answers in the same transaction: the batch's next message finds it answered
        self.answer_at(at(3, 10, 5), closed, "Come at 11.")
        self.write_at(at(3, 10, 30), closed, "Thanks!")
        self.assertEqual(cycles(closed)[1:], [(True, at(3, 10), True), (False, at(3, 10, 30), False)])
