from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, HttpCase, tagged

from ..providers.base import CallRouting, WebhookError, WebhookRequest
from ..providers.twilio import TwilioAdapter
from ..providers.twilio_voice import QUERY
from .common import InboxCommon, InboxTwilioCase

URL = "https://inbox.example.com/unified_inbox/webhook/TOKEN"


def voice_request(form, **query):
    url = URL + (("?" + "&".join(f"{k}={v}" for k, v in query.items())) if query else "")
    return WebhookRequest(method="POST", url=url, headers={}, form={k: [v] for k, v in form.items()}, query=query)


def twiml(body):
    return ElementTree.fromstring(body)


@tagged("post_install", "-at_install")
class TestTwilioVoiceProtocol(BaseCase):
    def setUp(self):
        super().setUp()
        self.adapter = TwilioAdapter({"twilio_account_sid": "AC1", "twilio_auth_token": "t"}, "http://127.0.0.1:1")

    def test_a_call_arriving_rings_the_agents_in_turn_then_voicemail(self):
        request = voice_request({"CallSid": "CA1", "From": "+32470617283", "To": "+32470000013",
                                 "CallStatus": "ringing", "Direction": "inbound"})
        [event] = self.adapter.parse_webhook(request)
        self.assertEqual((event.kind, event.leg, event.status, event.call_sid), ("call", "caller", "ringing", "CA1"))
        step = self.adapter.call_step(request)
        self.assertIsNone(step.pending, "just arrived: who it rings is the Inbox's to say")
        routing = CallRouting(numbers=["+32470111111", "+32470222222"], ring_seconds=15, record=True,
                              greeting="<Say>Leave a message & goodbye</Say>")
        _status, content_type, body = self.adapter.answer_call(request, step, routing)
        self.assertEqual(content_type, "text/xml")
        dial = twiml(body).find("Dial")
        self.assertEqual(dial.get("timeout"), "15")
        self.assertEqual(dial.get("record"), "record-from-answer-dual")
        self.assertEqual(parse_qs(urlsplit(dial.get("action")).query),
                         {QUERY: ["dial"], "ring": ["+32470222222"], "rang": ["+32470111111"]})
        self.assertEqual(dial.find("Number").text, "+32470111111")
        self.assertIn(f"{QUERY}=agent", dial.find("Number").get("statusCallback"))

        # nobody answered the first: Twilio asks again (a recorded Dial's
        # action carries the recording's fields): the one left rings
        dialed = voice_request({"CallSid": "CA1", "DialCallStatus": "no-answer", "From": "+32470617283",
                                "RecordingSid": "RE9", "RecordingUrl": "http://127.0.0.1:1/r"},
                               **{QUERY: "dial", "ring": "+32470222222", "rang": "+32470111111"})
        self.assertEqual(self.adapter.parse_webhook(dialed), [])
        step = self.adapter.call_step(dialed)
        self.assertEqual(step.pending, ["+32470222222"])
        routing.numbers = step.pending
        self.assertEqual(twiml(self.adapter.answer_call(dialed, step, routing)[2]).find("Dial/Number").text,
                         "+32470222222")
        # nor the second: the voicemail, the greeting said as text, never as TwiML
        step = self.adapter.call_step(voice_request({"CallSid": "CA1", "DialCallStatus": "busy"},
                                                    **{QUERY: "dial", "ring": "", "rang": "+32470222222"}))
        self.assertEqual(step.pending, [])
        routing.numbers = step.pending
        document = twiml(self.adapter.answer_call(dialed, step, routing)[2])
        self.assertEqual(document.find("Say").text, "<Say>Leave a message & goodbye</Say>")
        self.assertIsNone(document.find("Dial"))
        record = document.find("Record")
        self.assertIn(f"{QUERY}=recording", record.get("recordingStatusCallback"))
        self.assertIn(f"{QUERY}=hangup", record.get("action"))
        with self.assertRaises(WebhookError):
            self.adapter.call_step(voice_request({"CallSid": "CA1", "DialCallStatus": "busy"},
                                                 **{QUERY: "dial", "ring": "premium-line"}))

        # answered: the call is over when the Dial ends, and who answered is known from it too
        answered = voice_request({"CallSid": "CA1", "DialCallStatus": "completed", "DialCallSid": "CA7"},
                                 **{QUERY: "dial", "ring": "", "rang": "+32470111111"})
        self.assertIsNone(self.adapter.call_step(answered))
        [event] = self.adapter.parse_webhook(answered)
        self.assertEqual((event.call_sid, event.leg, event.status, event.to_address, event.dedupe_key),
                         ("CA1", "agent", "in_progress", "+32470111111", "call:CA7:in_progress"))
        self.assertIsNotNone(twiml(self.adapter.webhook_response(answered, [event])[2]).find("Hangup"))
        # the voicemail's end carries the recording's fields: no recording callback, a hang-up
        hung = voice_request({"CallSid": "CA1", "RecordingSid": "RE1", "RecordingUrl": "http://127.0.0.1:1/r",
                              "RecordingDuration": "9"}, **{QUERY: "hangup"})
        self.assertEqual(self.adapter.parse_webhook(hung), [])
        self.assertIsNotNone(twiml(self.adapter.webhook_response(hung, [])[2]).find("Hangup"))

    def test_status_and_recording_callbacks(self):
        agent = voice_request({"CallSid": "CA2", "ParentCallSid": "CA1", "CallStatus": "in-progress",
                               "To": "+32470111111"}, **{QUERY: "agent"})
        [event] = self.adapter.parse_webhook(agent)
        self.assertEqual((event.call_sid, event.leg_sid, event.leg, event.status),
                         ("CA1", "CA2", "agent", "in_progress"))
        self.assertEqual(event.dedupe_key, "call:CA2:in_progress")
        done = voice_request({"CallSid": "CA1", "CallStatus": "completed", "CallDuration": "65",
                              "CallbackSource": "call-progress-events"}, **{QUERY: "status"})
        [event] = self.adapter.parse_webhook(done)
        self.assertEqual((event.leg, event.status, event.duration), ("caller", "completed", 65))
        recording = voice_request({"CallSid": "CA1", "RecordingSid": "RE1", "RecordingStatus": "completed",
                                   "RecordingUrl": "http://127.0.0.1:1/2010-04-01/Accounts/AC1/Recordings/RE1",
                                   "RecordingDuration": "12"}, **{QUERY: "recording"})
        [event] = self.adapter.parse_webhook(recording)
        self.assertEqual((event.kind, event.status, event.duration), ("recording", "completed", 12))
        self.assertTrue(event.ref.endswith("/Recordings/RE1.mp3"))
        for form, query in (
            ({"CallSid": "CA1", "CallStatus": "exploded"}, {QUERY: "status"}),
            ({"CallSid": "CA2", "CallStatus": "ringing"}, {QUERY: "agent"}),  # no ParentCallSid
            ({"CallSid": "CA1", "RecordingSid": "RE1", "RecordingStatus": "lost"}, {QUERY: "recording"}),
            ({"CallSid": "CA1", "CallStatus": "ringing"}, {QUERY: "teleport"}),
            ({"CallStatus": "ringing"}, {QUERY: "status"}),
            ({"CallSid": "CA1", "CallStatus": "ringing", "Direction": "outbound-api"}, {}),
        ):
            with self.subTest(form=form, query=query), self.assertRaises(WebhookError):
                self.adapter.parse_webhook(voice_request(form, **query))

    def test_the_bridge_dials_the_person_with_the_accounts_number(self):
        bridge = voice_request({"CallSid": "CA9", "CallStatus": "in-progress"},
                               **{QUERY: "bridge", "to": "+32470617283", "from": "+32470000013", "record": "1"})
        dial = twiml(self.adapter.webhook_response(bridge, [])[2]).find("Dial")
        self.assertEqual(dial.get("callerId"), "+32470000013")
        self.assertEqual(dial.find("Number").text, "+32470617283")
        self.assertIn(f"{QUERY}=callee", dial.find("Number").get("statusCallback"))
        self.assertIn(f"{QUERY}=recording", dial.get("recordingStatusCallback"))


@tagged("post_install", "-at_install")
class TestCalls(InboxTwilioCase):
    """Calls through the fake Twilio, signed webhooks over real HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tw_call = cls.env["inbox.sender"].create({
            "name": "Twilio Voice", "provider_id": cls.twilio.id, "channel": "call", "address": "+32 470 00 00 11",
            "team_ids": [Command.link(cls.team_a.id)], "call_greeting": "Please leave a message.",
        })
        cls.user_a.phone = "+32 470 99 99 01"
        cls.team_a.member_ids = [Command.link(cls.user_a.id), Command.link(cls.manager.id)]
        cls.manager.phone = "+32 470 99 99 02"
        cls.template = cls.env["inbox.template"].create({
            "name": "Missed", "channel": "sms", "body": "Sorry we missed your call, {{ object.partner_id.name }}."})

    def call_form(self, sid="CA100", **extra):
        return dict({"CallSid": sid, "AccountSid": self.fake.twilio_sid, "From": "+32470617283",
                     "To": "+32470000011", "CallStatus": "ringing", "Direction": "inbound"}, **extra)

    def voice_path(self, kind, **params):
        query = "&".join(f"{name}={value}" for name, value in {QUERY: kind, **params}.items())
        return f"{self.webhook_path()}?{query}"

    def entry(self, sid="CA100"):
        return self.env["mail.message"]._inbox_find(self.twilio, sid)

    def status(self, kind, sid, status, **extra):
        form = {"CallSid": sid, "AccountSid": self.fake.twilio_sid, "CallStatus": status, **extra}
        response = self.post_form(form, path=self.voice_path(kind))
        self.assertEqual(response.status_code, 200, response.text)
        return response

    def test_an_incoming_call_rings_the_team_then_its_entry_follows_the_callbacks(self):
        response = self.post_form(self.call_form())
        self.assertEqual(response.status_code, 200, response.text)
        numbers = [number.text for number in twiml(response.content).iter("Number")]
        self.assertEqual(numbers, ["+32470999901"], "the first available agent of the account's team, by phone")
        entry = self.entry()
        self.assertEqual((entry.inbox_channel, entry.inbox_direction, entry.inbox_call_status),
                         ("call", "inbound", "ringing"))
        self.assertEqual(entry.res_id, self.conversation.id, "the caller's conversation: one person")
        self.assertFalse(self.conversation.with_user(self.user_a).is_unread, "ringing is not missed (yet)")

        # the first agent did not answer: Twilio asks the Dial's action, the next rings
        action = urlsplit(twiml(response.content).find("Dial").get("action"))
        response = self.post_form({"CallSid": "CA100", "AccountSid": self.fake.twilio_sid, "From": "+32470617283",
                                   "To": "+32470000011", "DialCallStatus": "no-answer"},
                                  path=f"{action.path}?{action.query}")
        self.assertEqual([n.text for n in twiml(response.content).iter("Number")], ["+32470999902"])

        # the manager answers; the callbacks come twice, and out of order
        self.status("status", "CA100", "completed", CallDuration="75", CallbackSource="call-progress-events")
        self.assertEqual(entry.inbox_call_status, "no_answer", "ended with no answer known: missed, for now")
        for _repeat in range(2):
            self.status("agent", "CA101", "in-progress", ParentCallSid="CA100", To="+32470999902")
        self.assertEqual((entry.inbox_call_status, entry.inbox_call_user_id, entry.inbox_call_duration),
                         ("completed", self.manager, 75))
        self.assertIn("Incoming call, 1 min 15 s", entry.body)
        self.status("status", "CA100", "ringing", CallbackSource="call-progress-events")
        self.assertEqual(entry.inbox_call_status, "completed", "never backward")
        self.assertEqual(self.env["inbox.event"].search_count([("dedupe_key", "=", "call:CA101:in_progress")]), 1)

        # a second call of the same person: the same conversation
        self.post_form(self.call_form(sid="CA200"))
        self.assertEqual(self.entry("CA200").res_id, self.conversation.id)

    def test_an_answer_known_from_the_dial_alone_is_no_missed_call(self):
        self.tw_call.call_text_back_template_id = self.template
        response = self.post_form(self.call_form())
        action = urlsplit(twiml(response.content).find("Dial").get("action"))
        # the agent's own callback is lost; the Dial's end says they answered
        self.post_form({"CallSid": "CA100", "AccountSid": self.fake.twilio_sid, "DialCallStatus": "completed",
                        "DialCallSid": "CA101", "DialCallDuration": "40"}, path=f"{action.path}?{action.query}")
        self.status("status", "CA100", "completed", CallDuration="45", CallbackSource="call-progress-events")
        entry = self.entry()
        self.assertEqual((entry.inbox_call_status, entry.inbox_call_user_id), ("completed", self.user_a))
        self.assertFalse(self.conversation.message_ids.filtered(lambda m: m.inbox_channel == "sms"), "no text-back")

    def test_a_withheld_number_is_a_person_of_its_own(self):
        response = self.post_form(self.call_form(From="Anonymous"))
        self.assertEqual(response.status_code, 200)
        self.status("status", "CA100", "completed", CallDuration="5", CallbackSource="call-progress-events")
        entry = self.entry()
        self.assertEqual(entry.inbox_call_status, "no_answer")
        conversation = self.env["inbox.conversation"].browse(entry.res_id)
        self.assertEqual(conversation.partner_id.name, "Unknown caller")
        self.assertNotEqual(conversation, self.conversation)

    def test_a_leg_heard_of_first_waits_for_the_call(self):
        self.status("agent", "CA301", "in-progress", ParentCallSid="CA300", To="+32470999901")
        waiting = self.env["inbox.event"].search([("dedupe_key", "=", "call:CA301:in_progress")])
        self.assertEqual((waiting.state, waiting.waiting_for), ("pending", "CA300"))
        self.post_form(self.call_form(sid="CA300"))
        self.run_due_events()
        self.assertEqual(waiting.state, "done")
        self.assertEqual((self.entry("CA300").inbox_call_status, self.entry("CA300").inbox_call_user_id),
                         ("in_progress", self.user_a))

    def test_a_missed_call_is_unread_and_texted_back_once(self):
        self.tw_call.call_text_back_template_id = self.template
        self.post_form(self.call_form())
        for _repeat in range(2):
            self.status("status", "CA100", "no-answer", CallbackSource="call-progress-events")
        entry = self.entry()
        self.assertEqual(entry.inbox_call_status, "no_answer")
        self.assertIn("Missed call", entry.body)
        self.assertTrue(self.conversation.with_user(self.user_a).is_unread)
        texts = self.conversation.message_ids.filtered(lambda m: m.inbox_channel == "sms")
        self.assertEqual(len(texts), 1)
        self.assertEqual((texts.inbox_sender_id, texts.inbox_status), (self.tw_sms, "queued"))
        self.run_dispatch()
        [sent] = self.fake.sent("/2010-04-01")
        self.assertEqual(sent["form"]["Body"], ["Sorry we missed your call, Alice Customer."])
        self.assertEqual(sent["form"]["From"], ["+32470000011"])

    def test_no_text_back_to_who_opted_out(self):
        self.tw_call.call_text_back_template_id = self.template
        self.env["phone.blacklist"].sudo().add("+32470617283")
        self.post_form(self.call_form())
        self.status("status", "CA100", "completed", CallDuration="9", CallbackSource="call-progress-events")
        self.assertFalse(self.conversation.message_ids.filtered(lambda m: m.inbox_channel == "sms"))
        self.assertIn("opted out", self.entry().inbox_error)

    def test_recordings_are_fetched_from_twilio_only(self):
        self.post_form(self.call_form())
        recording_url = f"{self.fake.url}/2010-04-01/Accounts/{self.fake.twilio_sid}/Recordings/RE1"
        self.status("recording", "CA100", "completed", RecordingSid="RE1", RecordingStatus="completed",
                    RecordingUrl=recording_url, RecordingDuration="8")
        entry = self.entry()
        self.assertEqual(entry.inbox_call_recording, "completed")
        self.assertEqual(entry.attachment_ids.mimetype, "audio/mpeg")
        fetched = [r for r in self.fake.requests if r["path"].endswith("/Recordings/RE1.mp3")]
        self.assertEqual(len(fetched), 1)
        self.assertTrue(fetched[0]["headers"]["Authorization"].startswith("Basic "))
        self.assertEqual(entry._inbox_call_values()["recording_id"], entry.attachment_ids.id)

        self.post_form(self.call_form(sid="CA200"))
        self.status("recording", "CA200", "absent", RecordingSid="RE2", RecordingStatus="absent")
        self.assertEqual(self.entry("CA200").inbox_call_recording, "absent")
        self.post_form(self.call_form(sid="CA300"))
        self.status("recording", "CA300", "completed", RecordingSid="RE3", RecordingStatus="completed",
                    RecordingUrl="http://127.0.0.2:9/evil")
        self.assertEqual(self.entry("CA300").inbox_call_recording, "failed")
        self.assertFalse(self.entry("CA300").attachment_ids)

    def test_bad_signature_and_unknown_number(self):
        response = self.post_form(self.call_form(), token="wrong")
        self.assertEqual(response.status_code, 403)
        response = self.post_form(self.call_form(To="+32470000099"))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.env["inbox.event"].search([("dedupe_key", "like", "call:CA100%")]))
        self.assertFalse(self.entry())

    def test_click_to_call_rings_the_agent_then_bridges_to_the_person(self):
        entry_id = self.conversation.with_user(self.user_a).action_inbox_call()
        entry = self.env["mail.message"].browse(entry_id)
        self.assertEqual((entry.inbox_channel, entry.inbox_call_status, entry.inbox_status),
                         ("call", "queued", "queued"))
        self.run_dispatch()
        [placed] = self.fake.sent("/2010-04-01")
        self.assertTrue(placed["path"].endswith("/Calls.json"))
        form = {name: values[0] for name, values in placed["form"].items()}
        self.assertEqual((form["To"], form["From"]), ("+32470999901", "+32470000011"))
        bridge = urlsplit(form["Url"])
        self.assertEqual(parse_qs(bridge.query)["to"], ["+32470617283"])
        self.assertEqual(entry.inbox_provider_message_id, self.fake.calls[0]["sid"])

        # Twilio fetches the bridge once the agent answers: the person is dialed
        sid = entry.inbox_provider_message_id
        response = self.post_form({"CallSid": sid, "AccountSid": self.fake.twilio_sid, "CallStatus": "in-progress"},
                                  path=f"{bridge.path}?{bridge.query}")
        dial = twiml(response.content).find("Dial")
        self.assertEqual((dial.get("callerId"), dial.find("Number").text), ("+32470000011", "+32470617283"))
        self.status("placer", sid, "in-progress")
        self.status("callee", "CA900", "in-progress", ParentCallSid=sid)
        self.assertEqual(entry.inbox_call_status, "in_progress")
        self.status("callee", "CA900", "completed", ParentCallSid=sid, CallDuration="33")
        self.status("placer", sid, "completed", CallDuration="40")
        self.assertEqual((entry.inbox_call_status, entry.inbox_call_duration, entry.inbox_call_user_id),
                         ("completed", 33, self.user_a))

    def test_a_call_whose_answer_was_lost_is_looked_up_never_placed_again(self):
        entry = self.env["mail.message"].browse(self.conversation.with_user(self.user_a).action_inbox_call())
        # a worker handed it to Twilio and died before it recorded the answer
        self.fake.calls.append({"sid": "CAlost", "status": "queued", "to": "+32470999901", "from": "+32470000011",
                                "direction": "outbound-api",
                                "date_created": format_datetime(datetime.now(UTC), usegmt=True)})
        now = fields.Datetime.now()
        entry.write({"inbox_send_started": now - timedelta(minutes=3), "inbox_attempts": 1,
                     "inbox_next_attempt": now - timedelta(minutes=1)})
        self.env["mail.message"]._inbox_resolve_in_flight()
        self.assertEqual((entry.inbox_provider_message_id, entry.inbox_status), ("CAlost", "sent"))
        self.assertFalse(self.fake.sent("/2010-04-01"), "never placed twice")
        self.assertTrue([r for r in self.fake.requests if r["path"].endswith("/Calls.json") and r["method"] == "GET"])

    def test_the_agents_phone_hanging_up_first_then_the_persons_leg(self):
        entry = self.env["mail.message"].browse(self.conversation.with_user(self.user_a).action_inbox_call())
        self.run_dispatch()
        sid = entry.inbox_provider_message_id
        self.status("placer", sid, "completed", CallDuration="3")
        self.assertEqual(entry.inbox_call_status, "canceled", "no word of the person's leg: not calling forever")
        self.status("callee", "CA901", "completed", ParentCallSid=sid, CallDuration="2")
        self.assertEqual((entry.inbox_call_status, entry.inbox_call_duration), ("completed", 2))

    def test_one_call_at_a_time_and_no_call_forged_through_message_post(self):
        conversation = self.conversation.with_user(self.user_a)
        conversation.action_inbox_call()
        with self.assertRaisesRegex(UserError, "calling Alice Customer already"):
            conversation.action_inbox_call()
        with self.assertRaises(ValueError):
            conversation.message_post(body="Ring", inbox_channel="call", inbox_direction="outbound",
                                      inbox_status="queued", inbox_sender_id=self.tw_call.id,
                                      inbox_provider_id=self.twilio.id, inbox_address="+32470617283",
                                      inbox_call_user_id=self.manager.id)
        self.assertEqual(len(self.conversation.message_ids.filtered(lambda m: m.inbox_channel == "call")), 1)

    def test_the_agents_phone_not_answering_says_so(self):
        entry = self.env["mail.message"].browse(self.conversation.with_user(self.user_a).action_inbox_call())
        self.run_dispatch()
        self.status("placer", entry.inbox_provider_message_id, "no-answer")
        self.assertEqual(entry.inbox_call_status, "no_answer")
        self.assertIn("Your phone did not answer", entry.inbox_error)

    def test_click_to_call_refused_with_a_reason(self):
        conversation = self.conversation.with_user(self.user_a)
        self.user_a.phone = False
        with self.assertRaisesRegex(UserError, "your own phone number"):
            conversation.action_inbox_call()
        self.user_a.phone = "+32 470 99 99 01"
        self.env["inbox.consent"]._inbox_set(self.partner, "call", opted_out=True)
        with self.assertRaisesRegex(UserError, "opted out of Call"):
            conversation.action_inbox_call()
        self.env["inbox.consent"]._inbox_set(self.partner, "call", opted_out=False, dnd=True)
        with self.assertRaisesRegex(UserError, "Do Not Disturb for Call"):
            conversation.action_inbox_call()
        self.env["inbox.consent"]._inbox_set(self.partner, "call", dnd=False)
        self.partner.phone = False
        with self.assertRaisesRegex(UserError, "no valid phone number"):
            conversation.action_inbox_call()
        with self.assertRaisesRegex(UserError, "placed with the Call button"):
            conversation.message_inbox_send("call", "Hello")
        self.assertFalse(self.conversation.message_ids.filtered(lambda m: m.inbox_channel == "call"))
        self.assertFalse(self.fake.sent("/2010-04-01"))

    def test_nobody_calls_from_an_account_or_on_a_conversation_not_theirs(self):
        self.user_b.phone = "+32 470 99 99 03"
        bob = self.env["inbox.conversation"].create({
            "partner_id": self.env["res.partner"].create({"name": "Bob", "phone": "+32 470 12 12 12"}).id,
            "team_id": self.team_b.id,
        })
        # Team B may not use Team A's number
        with self.assertRaisesRegex(UserError, "No Call sender account is available to you"):
            bob.with_user(self.user_b).action_inbox_call()
        # nor call on a conversation it may not read
        with self.assertRaises(AccessError):
            self.conversation.with_user(self.user_b).action_inbox_call()
        self.assertFalse(self.fake.sent("/2010-04-01"))


@tagged("post_install", "-at_install")
class TestSandboxCalls(InboxCommon):
    """The sandbox's calls: a demo without any outside account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sender_call = cls._create_sender("call", "+32 470 00 00 01", call_recording=True)
        cls.user_a.phone = "+32 470 99 99 01"
        cls.team_a.member_ids = [Command.link(cls.user_a.id)]

    def simulate(self, answered):
        Simulate = self.env["inbox.simulate.inbound"].with_user(self.user_a)
        Simulate.inbox_simulate(self.conversation.id, "", sender_id=self.sender_call.id, answered=answered)
        self.run_due_events()
        return self.conversation.message_ids.filtered(lambda m: m.inbox_channel == "call")[:1]

    def test_a_missed_call_with_its_voicemail(self):
        entry = self.simulate(answered=False)
        self.assertEqual((entry.inbox_call_status, entry.inbox_call_recording), ("no_answer", "completed"))
        self.assertEqual(entry.attachment_ids.mimetype, "audio/wav")
        self.assertTrue(self.conversation.with_user(self.user_a).is_unread)

    def test_an_answered_call_and_a_call_from_the_inbox(self):
        entry = self.simulate(answered=True)
        self.assertEqual((entry.inbox_call_status, entry.inbox_call_user_id), ("completed", self.user_a))
        placed = self.env["mail.message"].browse(self.conversation.with_user(self.user_a).action_inbox_call())
        self.run_dispatch()
        self.run_due_events()
        self.assertEqual((placed.inbox_call_status, placed.inbox_call_duration, placed.inbox_call_recording),
                         ("completed", 42, "completed"))


@tagged("post_install", "-at_install")
class TestCallTour(HttpCase):
    def test_a_call_in_the_thread_with_its_player_and_the_call_button(self):
        provider = self.env["inbox.provider"].create({"name": "Tour Sandbox"})
        sender = self.env["inbox.sender"].create({
            "name": "Tour Phone", "provider_id": provider.id, "channel": "call", "address": "+32 470 00 00 08",
            "call_recording": True, "sequence": 0})
        self.env.ref("base.user_admin").phone = "+32 470 99 99 09"
        cleo = self.env["res.partner"].create({"name": "Cleo Caller", "phone": "+32 470 77 66 55"})
        conversation = self.env["inbox.conversation"].create({"partner_id": cleo.id})
        self.env["inbox.simulate.inbound"].inbox_simulate(conversation.id, "", sender_id=sender.id, answered=False)
        self.env["inbox.event"]._inbox_process_due()
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_call_tour", login="admin")
        calls = conversation.message_ids.filtered(lambda m: m.inbox_channel == "call")
        self.assertEqual(sorted(calls.mapped("inbox_direction")), ["inbound", "outbound"])
