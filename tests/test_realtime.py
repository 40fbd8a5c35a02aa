import base64
import json

from odoo import Command
from odoo.tests import new_test_user, tagged

from ..providers import InboundMessage
from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestRealtime(InboxCommon):
    """Changes are pushed on the bus to who may read them, and nobody else."""

    def setUp(self):
        super().setUp()
        self.env.cr.precommit.run()
        self.bus_start = self.env["bus.bus"].sudo().search([], order="id desc", limit=1).id

    def pushed(self, message):
        """{partner: [payload of message]} pushed since the test started."""
        self.env.cr.precommit.run()  # bus rows are written at pre-commit
        pushed = {}
        for notif in self.env["bus.bus"].sudo().search([("id", ">", self.bus_start)]):
            content = json.loads(notif.message)
            if content["type"] != "mail.record/insert":
                continue
            for values in content["payload"].get("mail.message", []):
                if values["id"] == message.id:
                    _db, model, record_id = json.loads(notif.channel)[:3]
                    self.assertEqual(model, "res.partner")
                    pushed.setdefault(self.env["res.partner"].browse(record_id), []).append(values)
        return pushed

    def readers(self):
        managers = self.env.ref("unified_inbox.group_inbox_manager").all_user_ids.filtered(
            lambda user: user.active and self.company in user.company_ids)
        self.assertIn(self.manager, managers)
        return (self.user_a | managers).partner_id

    def test_inbound_message_reaches_its_readers_only(self):
        self.receive(self.conversation, "sms", "Are you open today?")
        message = self.conversation.message_ids.filtered(lambda m: m.inbox_direction == "inbound")
        pushed = self.pushed(message)
        self.assertEqual(set(pushed), set(self.readers()))
        self.assertNotIn(self.user_b.partner_id, pushed, "user B is not in the conversation's team")
        self.assertNotIn(self.employee.partner_id, pushed, "no Inbox access")

    def test_status_changes_are_pushed(self):
        message = self.conversation.with_user(self.user_a).message_inbox_send("sms", "Hello")
        self.run_dispatch()
        statuses = [values.get("inbox_status") for values in self.pushed(message)[self.user_a.partner_id]]
        self.assertEqual(statuses, ["queued", "sent"])
        self.drop_pending_receipts()  # the carrier reports a failure instead
        self.post_sandbox_events([{"type": "status", "id": message.inbox_provider_message_id, "status": "failed",
                                   "error": "Carrier rejected"}])
        last = self.pushed(message)[self.manager.partner_id][-1]
        self.assertEqual((last["inbox_status"], last["inbox_error"]), ("failed", "Carrier rejected"))

    def test_assignee_of_another_team_is_told(self):
        self.conversation.user_id = self.user_b
        self.receive(self.conversation, "sms", "Hi")
        message = self.conversation.message_ids.filtered(lambda m: m.inbox_direction == "inbound")
        self.assertIn(self.user_b.partner_id, self.pushed(message))

    def test_a_change_of_assignee_or_status_is_pushed(self):
        """Another agent assigns the conversation, then closes it: the
        readers get the line of history and the conversation as it is now,
        the new assignee included."""
        # as in the Inbox: tracked (InboxCommon turns the tracking off)
        conversation = self.conversation.with_user(self.manager).with_context(tracking_disable=False,
                                                                               mail_notrack=False)
        conversation.write({"user_id": self.user_b.id})
        self.env.cr.precommit.run()  # the tracking writes its line at pre-commit
        line = self.conversation.message_ids.filtered("tracking_value_ids")[:1]
        pushed = self.pushed(line)
        self.assertEqual(set(pushed), set(self.readers() | self.user_b.partner_id))
        self.assertNotIn(self.employee.partner_id, pushed)
        self.assertEqual(self.pushed_conversation(self.user_b.partner_id)["user"]["id"], self.user_b.id)
        conversation.action_close()
        self.env.cr.precommit.run()
        self.assertEqual(self.pushed_conversation(self.user_a.partner_id)["state"], "closed")

    def pushed_conversation(self, partner):
        """The last data of the conversation pushed to ``partner``."""
        self.env.cr.precommit.run()
        last = None
        for notif in self.env["bus.bus"].sudo().search([("id", ">", self.bus_start)], order="id"):
            content = json.loads(notif.message)
            if content["type"] == "mail.record/insert" and json.loads(notif.channel)[2] == partner.id:
                for values in content["payload"].get("inbox.conversation", []):
                    if values["id"] == self.conversation.id:
                        last = values
        return last

    def gone_for(self):
        """The partners told that the conversation is no longer theirs."""
        self.env.cr.precommit.run()
        told = self.env["res.partner"]
        for notif in self.env["bus.bus"].sudo().search([("id", ">", self.bus_start)]):
            content = json.loads(notif.message)
            if content["type"] == "unified_inbox/conversation_gone" and \
                    content["payload"] == {"id": self.conversation.id}:
                told |= self.env["res.partner"].browse(json.loads(notif.channel)[2])
        return told

    def test_who_can_no_longer_read_it_is_told(self):
        """Moved from team A to team B: Agent A's Inbox drops it; Agent B and
        the managers, who still read it, are not told it is gone."""
        self.conversation.with_user(self.manager).team_id = self.team_b
        self.assertEqual(self.gone_for(), self.user_a.partner_id)
        self.assertNotIn(self.user_a, self.conversation._inbox_readers())
        # assigned to Agent A again: nobody loses it
        self.bus_start = self.env["bus.bus"].sudo().search([], order="id desc", limit=1).id
        self.conversation.with_user(self.manager).user_id = self.user_a
        self.assertFalse(self.gone_for())

    def notifications(self, partner):
        """The payloads of the records pushed to ``partner`` since the test started, one per notification."""
        self.env.cr.precommit.run()
        payloads = []
        for notif in self.env["bus.bus"].sudo().search([("id", ">", self.bus_start)], order="id"):
            content = json.loads(notif.message)
            if content["type"] == "mail.record/insert" and json.loads(notif.channel)[2] == partner.id:
                payloads.append(content["payload"])
        return payloads

    def test_a_batch_of_events_is_one_push_per_reader(self):
        """The event queue applies a batch of messages of several people in
        one transaction: each reader gets one notification with every message
        and conversation of theirs, whatever the number of events; an event
        that fails in the middle of the batch pushes nothing and the batch
        goes on gathering after it."""
        bob = self.env["res.partner"].create({"name": "Bob Customer", "phone": "+32 470 55 66 77"})
        bobs = self.env["inbox.conversation"].create({"partner_id": bob.id, "team_id": self.team_b.id})
        self.env.cr.precommit.run()
        self.bus_start = self.env["bus.bus"].sudo().search([], order="id desc", limit=1).id

        def inbound(index, partner, to="+32470000001"):
            return InboundMessage(provider_message_id=f"IN-batch-{index}", channel="sms", from_address=partner.phone,
                                  to_address=to, body=f"Message {index}", profile_name=partner.name)

        Event = self.env["inbox.event"]
        events = Event._inbox_schedule(self.provider, [
            (0, inbound(1, self.partner)), (0, inbound(2, bob)),
            # to a number that is none of our accounts: refused when applied
            (0, inbound(3, bob, to="+32470999999")),
            (0, inbound(4, self.partner)), (0, inbound(5, bob)),
        ], [self.sender_sms, self.sender_sms, self.env["inbox.sender"], self.sender_sms, self.sender_sms])
        self.assertEqual(Event._inbox_process_due(), events)
        self.assertEqual(events.mapped("state"), ["done", "done", "failed", "done", "done"])
        Message = self.env["mail.message"]
        alices = Message.search([("inbox_provider_message_id", "in", ["IN-batch-1", "IN-batch-4"])])
        bobs_messages = Message.search([("inbox_provider_message_id", "in", ["IN-batch-2", "IN-batch-5"])])
        self.assertEqual(len(alices | bobs_messages), 4)

        def pushed(partner):
            notifications = self.notifications(partner)
            self.assertEqual(len(notifications), 1, f"one notification for {partner.name}")
            payload = notifications[0]
            conversations = {values["id"]: values for values in payload["inbox.conversation"]}
            return {values["id"] for values in payload["mail.message"]}, conversations

        messages, conversations = pushed(self.manager.partner_id)
        self.assertEqual(messages, set((alices | bobs_messages).ids))
        self.assertEqual(set(conversations), {self.conversation.id, bobs.id})
        # the person wrote: the header and the channels go along (a reply window may open)
        self.assertIn("channel_availability", conversations[bobs.id])
        messages, conversations = pushed(self.user_a.partner_id)
        self.assertEqual((messages, set(conversations)), (set(alices.ids), {self.conversation.id}))
        messages, conversations = pushed(self.user_b.partner_id)
        self.assertEqual((messages, set(conversations)), (set(bobs_messages.ids), {bobs.id}))
        self.assertFalse(self.notifications(self.employee.partner_id))

    def test_each_reader_gets_what_is_theirs(self):
        """What readers get alike is read once for them all, and each still
        gets what is theirs: the channels of the sender accounts they may
        use, and the author of a message what only its author may do with
        its attachments."""
        self.sender_whatsapp.team_ids = self.team_b
        user_c = new_test_user(self.env, "inbox_user_c", groups="unified_inbox.group_inbox_user", name="Agent C")
        self.team_a.member_ids = [Command.link(user_c.id)]
        self.receive(self.conversation, "whatsapp", "Hi there")
        inbound = self.conversation.message_ids.filtered(lambda m: m.inbox_direction == "inbound")

        def last(partner):
            payload = self.notifications(partner)[-1]
            return payload, {values["id"]: values for values in payload["inbox.conversation"]}[self.conversation.id]
        manager, manager_conversation = last(self.manager.partner_id)
        agent_a, agent_a_conversation = last(self.user_a.partner_id)
        agent_c, agent_c_conversation = last(user_c.partner_id)
        self.assertEqual(manager["mail.message"], agent_a["mail.message"])
        self.assertEqual(agent_a["mail.message"], agent_c["mail.message"])
        self.assertEqual([values["id"] for values in agent_a["mail.message"]], inbound.ids)
        self.assertEqual(manager_conversation["channel_availability"]["whatsapp"]["sender_ids"],
                         self.sender_whatsapp.ids, "a manager may use every account")
        for conversation in (agent_a_conversation, agent_c_conversation):
            self.assertEqual(conversation["channel_availability"]["whatsapp"]["sender_ids"], [],
                             "the WhatsApp account is Team B's")
            self.assertEqual(conversation["channel_availability"]["sms"]["sender_ids"], self.sender_sms.ids)

        attachment = self.env["ir.attachment"].with_user(self.user_a).create({
            "name": "invoice.pdf", "datas": base64.b64encode(b"%PDF-1.4 invoice"),
            "res_model": "mail.compose.message", "res_id": 0,
        })
        self.conversation.with_user(self.user_a).message_inbox_send(
            "email", "", subject="Invoice", attachment_ids=attachment.ids)
        tokens = {}
        for partner in (self.user_a | user_c | self.manager).partner_id:
            [pushed] = [values for values in self.notifications(partner)[-1]["ir.attachment"]
                        if values["id"] == attachment.id]
            tokens[partner] = pushed.get("ownership_token")
        self.assertTrue(tokens[self.user_a.partner_id], "its author may remove it")
        self.assertEqual([tokens[user_c.partner_id], tokens[self.manager.partner_id]], [None, None])

        # a note that mentions the manager awaits the manager's action, nobody else's (posted within a
        # batch of work, whose push goes when the batch ends: after mail notified the manager)
        self.manager.notification_type = "inbox"
        with self.env["inbox.conversation"]._inbox_push_batch():
            note = self.conversation.with_user(self.user_a).message_post(
                body="Can you call her back?", message_type="comment", subtype_xmlid="mail.mt_note",
                partner_ids=self.manager.partner_id.ids)
        needaction = {}
        for partner in (self.user_a | user_c | self.manager).partner_id:
            [pushed] = [values for values in self.notifications(partner)[-1]["mail.message"]
                        if values["id"] == note.id]
            needaction[partner] = pushed["needaction"]
        self.assertEqual(needaction, {self.manager.partner_id: True, self.user_a.partner_id: False,
                                      user_c.partner_id: False})
