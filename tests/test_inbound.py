from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from ..models.inbox_provider import _inbound_dates_known
from ..providers import InboundMessage
from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestInbound(InboxCommon):

    def test_inbound_lands_on_the_person(self):
        status, _ctype, _body = self.receive(self.conversation, "sms", "Can I move my appointment?")
        self.assertEqual(status, 200)
        message = self.conversation.message_ids.filtered(lambda m: m.inbox_direction == "inbound")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.partner)
        self.assertEqual(message.inbox_status, "received")
        self.assertEqual(message.inbox_channel, "sms")
        self.assertEqual(message.inbox_sender_id, self.sender_sms)
        self.assertEqual(self.conversation.last_inbound_message_id, message)
        self.assertEqual(self.conversation.last_message_preview, "Can I move my appointment?")
        self.assertTrue(self.conversation.with_user(self.user_a).is_unread)
        self.assertTrue(self.provider.last_inbound_date)

    def test_the_inbound_date_is_read_once_a_minute_once_committed(self):
        key = (self.env.cr.dbname, self.provider.id)
        self.addCleanup(_inbound_dates_known.pop, key, None)
        self.provider._inbox_record_inbound()
        recorded = self.provider.last_inbound_date
        self.assertTrue(recorded)
        # not committed (the transaction may still roll back): read again, not written again
        with self.assertQueryCount(1):
            self.provider._inbox_record_inbound()
        self.assertNotIn(key, _inbound_dates_known)
        self.env.cr.postcommit.run()  # what the webhook's commit runs
        self.assertEqual(_inbound_dates_known[key], recorded)
        with self.assertQueryCount(0):
            self.provider._inbox_record_inbound()
        # a minute later, read and written again
        with freeze_time(recorded + timedelta(seconds=61)):
            count = self.env.cr.sql_log_count
            self.provider._inbox_record_inbound()
            self.assertGreaterEqual(self.env.cr.sql_log_count - count, 2)

    def test_duplicate_delivery_is_stored_once(self):
        for _i in range(3):
            self.receive(self.conversation, "whatsapp", "Hello", provider_message_id="wamid.1")
        self.assertEqual(len(self.conversation.message_ids.filtered(lambda m: m.inbox_direction == "inbound")), 1)

    def test_unknown_sender_becomes_one_person(self):
        events = [{
            "type": "message", "id": f"new-{i}", "channel": "sms", "from": "0470 99 88 77",
            "to": self.sender_sms.address, "name": "Bob New", "body": f"message {i}",
        } for i in range(2)]
        self.post_sandbox_events(events)
        people = self.env["res.partner"].search([("phone_sanitized", "=", "+32470998877")])
        self.assertEqual(len(people), 1)
        self.assertEqual(people.name, "Bob New")
        conversation = self.env["inbox.conversation"].search([("partner_id", "=", people.id)])
        self.assertEqual(len(conversation), 1)
        self.assertEqual(len(conversation.message_ids.filtered("inbox_channel")), 2)

    def test_email_matches_existing_person(self):
        self.post_sandbox_events([{
            "type": "message", "id": "mail-1", "channel": "email", "from": "ALICE@customer.example.com",
            "to": "hello@example.com", "subject": "Question", "body": "<p>Hi</p>",
        }])
        message = self.conversation.message_ids.filtered(lambda m: m.inbox_channel == "email")
        self.assertEqual(message.subject, "Question")
        self.assertEqual(message.author_id, self.partner)

    def test_closed_conversation_is_reopened(self):
        self.conversation.action_close()
        self.receive(self.conversation, "sms", "Me again")
        self.assertEqual(self.conversation.state, "open")
        self.assertEqual(self.env["inbox.conversation"].search_count([("partner_id", "=", self.partner.id)]), 1)

    def test_the_open_conversation_first(self):
        # a person has one open conversation per company: it takes their
        # messages, before a newer closed one, even of that sender
        other = self.env["inbox.conversation"].create({"partner_id": self.partner.id, "state": "closed"})
        other.sudo().write({"last_sender_id": self.sender_whatsapp.id, "last_message_date": "2099-01-01 00:00:00"})
        self.receive(self.conversation, "whatsapp", "On WhatsApp")
        self.assertEqual(self.conversation.last_message_preview, "On WhatsApp")
        self.assertEqual(other.state, "closed")

    def test_new_conversation_takes_the_sender_team(self):
        self.sender_sms.team_ids = self.team_b
        self.post_sandbox_events([{
            "type": "message", "id": "x-1", "channel": "sms", "from": "+32 470 55 44 33",
            "to": self.sender_sms.address, "body": "Hi",
        }])
        conversation = self.env["inbox.conversation"].search([("partner_id.phone_sanitized", "=", "+32470554433")])
        self.assertEqual(conversation.team_id, self.team_b)
        self.assertEqual(conversation.partner_id.name, "+32470554433", "no profile name: the number")

    def test_unknown_recipient_is_refused_whole(self):
        count = self.env["mail.message"].search_count([])
        status, _ctype, body = self.post_sandbox_events([
            {"type": "message", "id": "a", "channel": "sms", "from": "+32470554433",
             "to": self.sender_sms.address, "body": "first"},
            {"type": "message", "id": "b", "channel": "sms", "from": "+32470554433",
             "to": "+32 470 99 99 99", "body": "to nobody"},
        ])
        self.assertEqual(status, 400)
        self.assertIn("No sms sender account", body)
        self.assertEqual(self.env["mail.message"].search_count([]), count, "nothing half-written")
        self.assertFalse(self.env["res.partner"].search([("phone_sanitized", "=", "+32470554433")]))

    def test_bad_signature(self):
        request_events = [{"type": "message", "id": "z", "channel": "sms", "from": "+32470554433",
                           "to": self.sender_sms.address, "body": "forged"}]
        from ..providers.sandbox import SandboxAdapter
        request = SandboxAdapter.signed_request(self.provider.webhook_url, "wrong secret", request_events)
        status, _ctype, _body = self.provider._inbox_handle_webhook(request)
        self.assertEqual(status, 403)
        self.assertEqual(self.provider.signature_failure_count, 1)
        self.assertEqual(self.provider.state, "degraded")
        self.assertFalse(self.env["res.partner"].search([("phone_sanitized", "=", "+32470554433")]))

    def test_simulate_wizard(self):
        wizard = self.env["inbox.simulate.inbound"].with_user(self.user_a).create({
            "conversation_id": self.conversation.id, "sender_id": self.sender_whatsapp.id, "body": "From the sandbox",
        })
        wizard.action_simulate()
        self.assertEqual(self.conversation.last_message_preview, "From the sandbox")
        self.assertTrue(self.conversation._inbox_window_open("whatsapp"))

    def test_mark_read(self):
        self.receive(self.conversation, "sms", "unread one")
        conversation = self.conversation.with_user(self.user_a)
        self.assertIn(conversation, conversation.search([("is_unread", "=", True)]))
        conversation.action_mark_read()
        conversation.invalidate_recordset(["is_unread"])
        self.assertFalse(conversation.is_unread)
        self.assertNotIn(conversation, conversation.search([("is_unread", "=", True)]))
        self.assertTrue(self.conversation.with_user(self.manager).is_unread, "read state is per user")

    def test_a_batch_reads_ahead_without_deciding(self):
        """The event queue reads the people and conversations of a batch's
        messages at once before applying them one by one: what it cannot
        read (an invalid number, an unknown channel, a payload of a former
        version) fails on its own, with its reason, and the rest of the batch
        is applied."""
        Event = self.env["inbox.event"]

        def inbound(sid, channel="sms", from_address="+32 470 61 72 83"):
            return InboundMessage(provider_message_id=sid, channel=channel, from_address=from_address,
                                  to_address=self.sender_sms.address, body=sid)

        events = Event._inbox_schedule(self.provider, [
            (0, inbound("IN-ahead-1")), (0, inbound("IN-ahead-2", from_address="not a number")),
            (0, inbound("IN-ahead-3", channel="pigeon")), (0, inbound("IN-ahead-4")),
        ], [self.sender_sms] * 4)
        outdated = Event.create({"provider_id": self.provider.id, "payload": {"kind": "message", "gone": 1}})
        with self.assertLogs("odoo.addons.unified_inbox.models.inbox_event", "ERROR") as logged:
            self.assertEqual(Event._inbox_process_due(), events | outdated)
        self.assertEqual(len(logged.output), 2, "the unknown channel and the outdated payload")
        # refused for good; kept to be tried again (by then the code may know them)
        self.assertEqual((events | outdated).mapped("state"), ["done", "failed", "pending", "done", "pending"])
        self.assertIn("not a number", events[1].error)
        self.assertIn("pigeon", events[2].error)
        self.assertIn("gone", outdated.error)
        bodies = self.conversation.message_ids.filtered(lambda m: m.inbox_direction == "inbound").mapped("body")
        self.assertEqual(sorted(bodies), ["<p>IN-ahead-1</p>", "<p>IN-ahead-4</p>"])

    def test_a_batch_of_messages_is_stored_together_as_one_by_one(self):
        """Consecutive messages of a batch are stored together, their
        messages created at once: the same people, conversations, order and
        list columns as when each is applied on its own, and a message
        delivered again is stored once."""
        Event = self.env["inbox.event"]

        def deliver(prefix):
            people = [("+32 470 61 72 83", "Alice Customer"), (f"+32 470 99 {prefix} 01", "Newcomer"),
                      ("+32 470 61 72 83", "Alice Customer"), (f"+32 470 99 {prefix} 01", "Newcomer")]
            events = Event._inbox_schedule(self.provider, [
                (0, InboundMessage(provider_message_id=f"IN-{prefix}-{index}", channel="sms", from_address=number,
                                   to_address=self.sender_sms.address, body=f"{prefix} {index}", profile_name=name))
                for index, (number, name) in enumerate(people)], [self.sender_sms] * len(people))
            # the first message delivered again, kept without its dedupe key
            again = Event.create({"provider_id": self.provider.id, "sender_id": self.sender_sms.id,
                                  "payload": dict(events[0].payload)})
            return events | again

        def outcome(prefix):
            newcomer = self.env["res.partner"].search([("phone", "=", f"+3247099{prefix}01")])
            shapes = []
            for conversation in (self.conversation, newcomer.inbox_conversation_ids):
                inbound = conversation.message_ids.filtered(
                    lambda m, prefix=prefix: m.inbox_direction == "inbound" and prefix in m.body)
                shapes.append((len(conversation), conversation.state, conversation.last_message_preview,
                               conversation.last_inbound_message_id == inbound[:1],
                               inbound.sorted("id").mapped("body")))
            return len(newcomer), shapes

        together = deliver("11")
        with self.assertNoLogs("odoo.addons.unified_inbox.models.inbox_event", "INFO"):
            Event._inbox_process_due()
        stored_together = outcome("11")
        alone = deliver("22")
        while Event._inbox_process_due(limit=1):
            pass
        self.assertEqual((together | alone).mapped("state"), ["done"] * 10)
        self.assertEqual(stored_together, (1, [
            (1, "open", "11 2", True, ["<p>11 0</p>", "<p>11 2</p>"]),
            (1, "open", "11 3", True, ["<p>11 1</p>", "<p>11 3</p>"]),
        ]))
        self.assertEqual(outcome("22"), (1, [
            (count, state, preview.replace("11", "22"), last, [body.replace("11", "22") for body in bodies])
            for count, state, preview, last, bodies in stored_together[1]]))
