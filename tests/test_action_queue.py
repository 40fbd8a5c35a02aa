"""The Actions queue: the user's due calls and messages, done one after the
other in the person's conversation."""
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestActionQueue(InboxCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.call = cls.env.ref("mail.mail_activity_data_call")
        cls.message = cls.env.ref("unified_inbox.mail_activity_type_message")
        cls.todo = cls.env.ref("mail.mail_activity_data_todo")
        cls.today = fields.Date.today()
        cls.newcomer = cls.env["res.partner"].create({"name": "Nina Newcomer", "phone": "+32 470 11 22 33"})
        cls.lead = cls.env["crm.lead"].create({"name": "Whitening", "partner_id": cls.newcomer.id,
                                               "type": "opportunity"})
        cls.lonely_lead = cls.env["crm.lead"].create({"name": "Nobody's", "type": "opportunity"})

    def schedule(self, record, activity_type, days, user=None, **values):
        return record.activity_schedule(
            activity_type_id=activity_type.id, date_deadline=self.today + timedelta(days=days),
            user_id=(user or self.user_a).id, **values)

    def queue(self):
        return self.env["inbox.conversation"].with_user(self.user_a).inbox_action_queue()

    def test_my_due_calls_and_messages_oldest_first(self):
        overdue_call = self.schedule(self.partner, self.call, -2, summary="Call back about the form")
        message = self.schedule(self.lead, self.message, 0, note="<p>Send the <b>price</b> list</p>")
        on_conversation = self.schedule(self.conversation, self.call, -1)
        self.schedule(self.partner, self.call, 1)  # not due yet
        self.schedule(self.partner, self.todo, -1)  # neither a call nor a message
        self.schedule(self.partner, self.call, -1, user=self.user_b)  # somebody else's
        self.schedule(self.lonely_lead, self.call, -1)  # nobody to call
        queue = self.queue()
        self.assertEqual([action["id"] for action in queue], [overdue_call.id, on_conversation.id, message.id])
        first, _second, last = queue
        self.assertEqual((first["kind"], first["summary"], first["overdue"]),
                         ("call", "Call back about the form", True))
        self.assertEqual(first["partner"], {"id": self.partner.id, "name": "Alice Customer",
                                            "phone": self.partner.phone})
        self.assertEqual((last["kind"], last["note"], last["overdue"]), ("message", "Send the *price* list", False))
        self.assertEqual((last["record"]["model"], last["partner"]["id"]), ("crm.lead", self.newcomer.id))
        self.assertEqual(self.env["inbox.conversation"].with_user(self.user_a).inbox_action_count(), 3)

    def test_an_action_is_done_in_the_persons_conversation(self):
        on_alice = self.schedule(self.partner, self.call, 0)
        on_nina = self.schedule(self.lead, self.message, 0)
        Conversation = self.env["inbox.conversation"].with_user(self.user_a)
        self.assertEqual(Conversation.inbox_action_open(on_alice.id), self.conversation.id)
        started = Conversation.browse(Conversation.inbox_action_open(on_nina.id))
        self.assertEqual((started.partner_id, started.user_id), (self.newcomer, self.user_a),
                         "a person without a conversation gets one, the user's")
        Conversation.inbox_action_done(on_alice.id, feedback="Booked for Friday")
        self.assertFalse(on_alice.exists().filtered("active"), "done: Odoo keeps it archived, or drops it")
        self.assertIn("Booked for Friday", self.partner.message_ids[0].body)
        self.assertEqual([action["id"] for action in self.queue()], [on_nina.id])

    def test_only_ones_own_actions(self):
        theirs = self.schedule(self.partner, self.call, 0, user=self.user_b)
        Conversation = self.env["inbox.conversation"].with_user(self.user_a)
        for method in (Conversation.inbox_action_open, Conversation.inbox_action_done):
            with self.subTest(method=method.__name__), self.assertRaisesRegex(UserError, "not in your queue"):
                method(theirs.id)
        self.assertTrue(theirs.exists())

    def test_an_automation_rule_fills_the_queue(self):
        proposition = self.env["crm.stage"].create({"name": "Proposal sent"})
        rule = self.env["base.automation"].create({
            "name": "Call when a proposal is sent", "model_id": self.env.ref("crm.model_crm_lead").id,
            "trigger": "on_stage_set", "trg_field_ref": proposition.id,
        })
        self.env["ir.actions.server"].create({
            "name": "Schedule a call", "model_id": self.env.ref("crm.model_crm_lead").id,
            "usage": "base_automation", "base_automation_id": rule.id, "state": "next_activity",
            "activity_type_id": self.call.id, "activity_summary": "Call about the proposal",
            "activity_user_type": "generic", "activity_user_field_name": "user_id",
            "activity_date_deadline_range": 0,
        })
        self.lead.user_id = self.user_a
        # the call is due today where its agent is: the rule dates it there
        # (else, late in the day, the day after the agent's today)
        self.lead.with_context(tz=self.user_a.tz or "UTC").stage_id = proposition
        [action] = self.queue()
        self.assertEqual((action["summary"], action["kind"], action["partner"]["id"]),
                         ("Call about the proposal", "call", self.newcomer.id))
