import json

from odoo.addons.mail.tools.discuss import Store
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.mail_message import INBOX_STORE_FIELDS
from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestInboxStore(InboxCommon):
    """A push carries what it announces: the new message whole, and its
    conversation's list row, header and channels as each reader sees them,
    so that the web client's list and open thread follow without asking the
    server again. Only the conversation's readers get it."""

    def setUp(self):
        super().setUp()
        self.env.cr.precommit.run()
        self.bus_start = self.env["bus.bus"].sudo().search([], order="id desc", limit=1).id

    def payloads(self):
        """{partner: [payload of mail.record/insert]} pushed since the test started."""
        self.env.cr.precommit.run()  # bus rows are written at pre-commit
        payloads = {}
        for notif in self.env["bus.bus"].sudo().search([("id", ">", self.bus_start)]):
            content = json.loads(notif.message)
            if content["type"] == "mail.record/insert":
                _db, model, record_id = json.loads(notif.channel)[:3]
                self.assertEqual(model, "res.partner")
                payloads.setdefault(self.env["res.partner"].browse(record_id), []).append(content["payload"])
        return payloads

    def test_inbound_message_carries_its_conversation(self):
        self.open_whatsapp_window()
        message = self.conversation.message_ids.filtered(lambda m: m.inbox_direction == "inbound")
        payloads = self.payloads()
        self.assertNotIn(self.user_b.partner_id, payloads, "user B is not in the conversation's team")
        self.assertNotIn(self.employee.partner_id, payloads, "no Inbox access")
        payload = payloads[self.user_a.partner_id][-1]
        [pushed] = [values for values in payload["mail.message"] if values["id"] == message.id]
        self.assertIn("Hi there", pushed["body"][1], "the message whole: its thread shows it as it comes")
        self.assertEqual(pushed["thread"], {"id": self.conversation.id, "model": "inbox.conversation"})
        self.assertEqual((pushed["inbox_channel"], pushed["inbox_direction"]), ("whatsapp", "inbound"))
        [conversation] = payload["inbox.conversation"]
        self.assertEqual(conversation["id"], self.conversation.id)
        self.assertEqual(conversation["last_message_preview"], "Hi there")
        self.assertEqual(conversation["last_message_channel"], "whatsapp")
        self.assertTrue(conversation["is_unread"])
        self.assertEqual(conversation["partner"]["name"], self.partner.name)
        whatsapp = conversation["channel_availability"]["whatsapp"]
        self.assertTrue(whatsapp["available"], "the window just opened: the header and composer follow")
        self.assertTrue(whatsapp["window_expiry"])
        # the same data as the list and the open conversation read
        self.assertEqual(conversation, self.conversation.with_user(self.user_a).inbox_list_row())

    def test_each_reader_gets_their_own_read_state(self):
        self.receive(self.conversation, "sms", "Are you open today?")
        # user A answers: they have read the conversation, the manager has not
        self.conversation.with_user(self.user_a).message_inbox_send("sms", "Yes, until six")
        payloads = self.payloads()
        mine = payloads[self.user_a.partner_id][-1]["inbox.conversation"][0]
        managers = payloads[self.manager.partner_id][-1]["inbox.conversation"][0]
        self.assertEqual((mine["last_message_preview"], managers["last_message_preview"]),
                         ("Yes, until six", "Yes, until six"))
        self.assertFalse(mine["is_unread"])
        self.assertTrue(managers["is_unread"])

    def test_a_status_change_carries_the_status_and_the_row(self):
        message = self.conversation.with_user(self.user_a).message_inbox_send("sms", "Hello")
        # sent in an earlier transaction: only its news goes now
        self.env.cr.execute("UPDATE mail_message SET create_date = create_date - interval '1 minute' WHERE id = %s",
                            [message.id])
        message.invalidate_recordset(["create_date"])
        self.bus_start = self.env["bus.bus"].sudo().search([], order="id desc", limit=1).id
        self.run_dispatch()
        payload = self.payloads()[self.user_a.partner_id][-1]
        [pushed] = payload["mail.message"]
        self.assertEqual(pushed, {"id": message.id, "inbox_channel": "sms", "inbox_direction": "outbound",
                                  "inbox_status": "sent", "inbox_error": False})
        [conversation] = payload["inbox.conversation"]
        self.assertEqual(conversation["last_message_preview"], "Hello")
        self.assertNotIn("channel_availability", conversation, "a status changes no channel")

    def test_open_data_is_the_store_record(self):
        data = self.conversation.with_user(self.user_a).inbox_list_row()
        row = self.conversation.with_user(self.user_a)._inbox_list_row()
        self.assertEqual({key: data[key] for key in row if key != "last_message_date"},
                         {key: value for key, value in row.items() if key != "last_message_date"})
        self.assertEqual(data["state"], "open")
        self.assertEqual(set(data["channel_availability"]),
                         {"whatsapp", "sms", "call", "email", "livechat", "messenger", "instagram", "note"})

    def test_opening_is_one_call_that_reads_the_conversation(self):
        self.receive(self.conversation, "sms", "Are you open today?")
        conversation = self.conversation.with_user(self.user_a)
        self.assertTrue(conversation.is_unread)
        opened = conversation.inbox_open(mark_read=True)
        self.assertFalse(opened["conversation"]["is_unread"], "read as it opens")
        conversation.invalidate_recordset(["is_unread"])
        self.assertFalse(conversation.is_unread)
        self.assertEqual(opened["conversation"], conversation.inbox_list_row(), "the record the list and pushes hold")
        self.assertNotIn("details", opened, "the person panel is asked for beside it, where it shows")
        # read by user A only; without mark_read it stays unread
        manager = self.conversation.with_user(self.manager)
        self.assertTrue(manager.inbox_open()["conversation"]["is_unread"])
        manager.invalidate_recordset(["is_unread"])
        self.assertTrue(manager.is_unread)
        # user B is not in the conversation's team: nothing opened, nothing marked
        with self.assertRaises(AccessError):
            self.conversation.with_user(self.user_b).inbox_open(mark_read=True)
        self.assertFalse(self.env["inbox.read.state"].search([("user_id", "=", self.user_b.id)]))

    def test_opening_brings_the_latest_messages_with_it(self):
        """The thread shows with the conversation: its latest messages come
        in the same answer, newest first, as the thread's own fetch gives
        them; a customer's markup in them stays text."""
        for body in ("First question", "Second question", "<script>alert(1)</script> Third question"):
            self.receive(self.conversation, "sms", body)
        conversation = self.conversation.with_user(self.user_a)
        thread = self.env["mail.message"].search(
            [("model", "=", "inbox.conversation"), ("res_id", "=", conversation.id),
             ("message_type", "!=", "user_notification")], order="id desc")
        opened = conversation.inbox_open(mark_read=True, messages=2)
        self.assertEqual(opened["messages"]["ids"], thread[:2].ids, "the two newest, newest first")
        bodies = {message["id"]: str(message["body"]) for message in opened["messages"]["data"]["mail.message"]}
        self.assertEqual(set(bodies), set(thread[:2].ids))
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; Third question", bodies[thread[0].id])
        self.assertIn("Second question", bodies[thread[1].id])
        self.assertEqual(opened["conversation"], conversation.inbox_list_row())
        # asked without messages, none are read
        self.assertNotIn("messages", conversation.inbox_open())

    def test_only_inbox_messages_carry_inbox_fields(self):
        """The messages of other chatters go to the web client as Odoo sends
        them; the Inbox's carry its fields, for the same queries."""
        sent = self.conversation.with_user(self.user_a).message_inbox_send("sms", "Hello")
        other = self.partner.message_post(body="About the contact", message_type="comment",
                                          subtype_xmlid="mail.mt_note")
        (sent | other).invalidate_recordset()
        data = {values["id"]: values for values in Store().add(sent | other).get_result()["mail.message"]}
        self.assertEqual((data[sent.id]["inbox_channel"], data[sent.id]["inbox_direction"]), ("sms", "outbound"))
        self.assertLessEqual(set(INBOX_STORE_FIELDS), set(data[sent.id]))
        self.assertFalse(set(INBOX_STORE_FIELDS) & set(data[other.id]))
