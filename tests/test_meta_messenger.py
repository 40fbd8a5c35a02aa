"""Messenger and Instagram on the Meta provider: signed webhooks over HTTP,
a fake Graph server on loopback for sending, profiles and files."""
import base64
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..providers import InboundMessage, OutboundEcho, Reaction, StatusUpdate, StatusUpTo, WebhookError
from ..providers.base import SendResult
from .common import InboxMetaCase, MetaProtocolCase

PAGE_ID = "104000000000001"
IG_ID = "17841400000000001"
PSID = "2400000000000001"
IGSID = "5300000000000001"
# a 1x1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def webhook(items, object_="page", account=PAGE_ID, standby=()):
    return {"object": object_, "entry": [
        {"id": account, "time": 1700000000000, "messaging": list(items), "standby": list(standby)}]}


def message(mid="m_in1", text="Hello", sender=PSID, account=PAGE_ID, **extra):
    content = dict({"mid": mid, "text": text} if text else {"mid": mid}, **extra)
    return {"sender": {"id": sender}, "recipient": {"id": account}, "timestamp": 1700000000000, "message": content}


def echo(mid, text, recipient=PSID, account=PAGE_ID):
    return {"sender": {"id": account}, "recipient": {"id": recipient}, "timestamp": 1700000000000,
            "message": {"mid": mid, "text": text, "is_echo": True, "app_id": 1234}}


@tagged("post_install", "-at_install")
class TestMessengerProtocol(MetaProtocolCase):

    def test_page_events(self):
        events = self.parse(webhook([
            message(),
            message("m_img", "", attachments=[{"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/1"}}]),
            message("m_share", "look", attachments=[{"type": "fallback", "payload": {
                "url": "https://example.com/post", "title": "<b>A post</b>"}}]),
            message("m_quick", "Yes please", quick_reply={"payload": "YES"}),
            {"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": 1700000001000,
             "postback": {"mid": "m_pb", "title": "Book a visit", "payload": "BOOK"}},
            {"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": 1700000001000,
             "reaction": {"mid": "m_out1", "action": "react", "reaction": "love", "emoji": "❤"}},
            {"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": 1700000001000,
             "reaction": {"mid": "m_out1", "action": "unreact"}},
            echo("m_echo", "Sent from the Business Suite"),
            {"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": 1700000002000,
             "read": {"watermark": 1700000001500}},
            {"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": 1700000002000,
             "delivery": {"mids": ["m_out1", "m_out2"], "watermark": 1700000001500}},
            {"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": 1700000002000,
             "optin": {"ref": "x"}},
        ], standby=[message("m_standby", "While the bot holds the thread")]))
        self.assertEqual(events[0], InboundMessage(
            provider_message_id="m_in1", channel="messenger", from_address=PSID, to_address=PAGE_ID,
            to_external_id=PAGE_ID, body="Hello", timestamp=1700000000.0))
        self.assertEqual(events[1].media, [{"ref": "https://scontent.xx.fbcdn.net/1", "mimetype": "image/*",
                                            "filename": ""}])
        self.assertEqual(events[2].body, "look\n[fallback] <b>A post</b> https://example.com/post",
                         "what is no file is a line of text (shown as text, never markup)")
        self.assertEqual(events[3].body, "Yes please")
        self.assertEqual((events[4].provider_message_id, events[4].body), ("m_pb", "Book a visit"))
        self.assertEqual(events[5], Reaction(provider_message_id="m_out1", from_address=PSID, emoji="❤"))
        self.assertEqual(events[6].emoji, "", "unreact removes the reaction")
        self.assertEqual(events[7], OutboundEcho(
            provider_message_id="m_echo", channel="messenger", account=PAGE_ID, to_address=PSID,
            body="Sent from the Business Suite", timestamp=1700000000.0))
        self.assertEqual(events[8], StatusUpTo(channel="messenger", account=PAGE_ID, address=PSID, status="read",
                                               watermark=1700000001.5))
        self.assertEqual(events[9:11], [StatusUpdate("m_out1", "delivered"), StatusUpdate("m_out2", "delivered")])
        self.assertEqual(events[11].provider_message_id, "m_standby", "standby events are kept too")
        self.assertEqual(len(events), 12, "an opt-in is nothing to show")

    def test_instagram_events(self):
        events = self.parse(webhook([
            message("ig_1", "Hi from Instagram", sender=IGSID, account=IG_ID),
            message("ig_2", "", sender=IGSID, account=IG_ID, attachments=[
                {"type": "story_mention", "payload": {"url": "https://lookaside.fbsbx.com/story"}}]),
            {"sender": {"id": IGSID}, "recipient": {"id": IG_ID}, "timestamp": 1700000002000,
             "read": {"mid": "ig_out1"}},
            message("ig_3", "", sender=IGSID, account=IG_ID, is_deleted=True),
        ], object_="instagram", account=IG_ID))
        self.assertEqual((events[0].channel, events[0].from_address, events[0].to_external_id),
                         ("instagram", IGSID, IG_ID))
        self.assertEqual(events[1].body, "[story_mention] https://lookaside.fbsbx.com/story")
        self.assertEqual(events[2], StatusUpdate("ig_out1", "read"))
        self.assertEqual(len(events), 3, "a deleted message is not shown")

    def test_malformed(self):
        for data in (
            webhook([{"sender": {}, "recipient": {"id": PAGE_ID}, "message": {"mid": "m", "text": "x"}}]),
            webhook([message(attachments="not a list")]),
            webhook([message(mid=["m"])]),
            {"object": "page", "entry": [{"id": PAGE_ID, "messaging": {"not": "a list"}}]},
        ):
            with self.subTest(data=data), self.assertRaises(WebhookError):
                self.parse(data)

    def test_reply_window(self):
        from ..channels import get
        self.assertEqual(self.adapter.reply_window(get("messenger")), timedelta(hours=24))
        self.adapter.settings["meta_human_agent"] = True
        self.assertEqual(self.adapter.reply_window(get("instagram")), timedelta(days=7))
        self.assertEqual(self.adapter.reply_window(get("whatsapp")), timedelta(hours=24), "WhatsApp has no tag")


class MetaMessagingCase(InboxMetaCase):
    """The Meta provider carrying a Page and an Instagram account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Sender = cls.env["inbox.sender"]
        cls.page = Sender.create({"name": "Bright Smile Page", "provider_id": cls.meta.id, "channel": "messenger",
                                  "address": "Bright Smile", "external_id": PAGE_ID})
        cls.instagram = Sender.create({"name": "@brightsmile", "provider_id": cls.meta.id, "channel": "instagram",
                                       "address": "brightsmile", "external_id": IG_ID})

    def person(self, address=PSID):
        return self.env["res.partner"]._inbox_find("scoped", address, self.meta)

    def conversation_of(self, partner):
        return self.env["inbox.conversation"].search([("partner_id", "=", partner.id)])

    def messages(self, partner):
        return self.env["mail.message"].search([
            ("model", "=", "inbox.conversation"), ("res_id", "in", self.conversation_of(partner).ids),
            ("inbox_channel", "!=", False)], order="id")


@tagged("post_install", "-at_install")
class TestMessengerInbound(MetaMessagingCase):

    def test_a_person_by_their_page_scoped_id_named_once_by_graph(self):
        picture = self.fake.add_file("/pictures/ada.png", PNG, "image/png")
        self.fake.profiles[PSID] = {"first_name": "Ada", "last_name": "Lovelace", "profile_pic": picture, "id": PSID}
        self.assertEqual(self.post(webhook([message()])).status_code, 200)
        self.run_due_events()  # the profile, fetched after the message
        partner = self.person()
        self.assertEqual(partner.name, "Ada Lovelace")
        self.assertTrue(partner.image_1920)
        [row] = partner.inbox_identity_ids
        self.assertEqual((row.kind, row.address, row.provider_id, row.channel),
                         ("scoped", PSID, self.meta, "messenger"))
        [inbound] = self.messages(partner)
        self.assertEqual((inbound.inbox_channel, inbound.inbox_direction, inbound.inbox_sender_id),
                         ("messenger", "inbound", self.page))
        # the same delivery again, and a second message: one person, one conversation, one profile request
        self.post(webhook([message()]))
        self.post(webhook([message("m_in2", "Are you open on Saturday?")]))
        self.run_due_events()
        self.assertEqual(len(self.messages(partner)), 2)
        self.assertEqual(len(self.conversation_of(partner)), 1)
        profile_requests = [r for r in self.fake.requests if r["path"] == f"/v21.0/{PSID}"]
        self.assertEqual(len(profile_requests), 1, "the profile is fetched once")
        self.assertEqual(profile_requests[0]["query"]["fields"], ["first_name,last_name,profile_pic"])
        self.assertEqual(profile_requests[0]["headers"]["Authorization"], f"Bearer {self.fake.page_token}")

    def test_a_profile_graph_refuses_leaves_a_readable_name(self):
        self.post(webhook([message("ig_1", "Hi", sender=IGSID, account=IG_ID)], object_="instagram", account=IG_ID))
        self.run_due_events()
        partner = self.person(IGSID)
        self.assertEqual(partner.name, "Instagram user 000001")
        self.assertEqual(self.messages(partner).inbox_channel, "instagram")

    def test_a_named_person_is_not_renamed(self):
        self.fake.profiles[PSID] = {"first_name": "Graph", "last_name": "Name"}
        self.post(webhook([message()]))
        partner = self.person()
        partner.name = "Ada (renamed by an agent)"
        self.run_due_events()
        self.assertEqual(partner.name, "Ada (renamed by an agent)")

    def test_signature_and_handshake(self):
        self.assertEqual(self.post(webhook([message()]), secret="forged").status_code, 403)
        self.assertFalse(self.person())
        path = f"/unified_inbox/webhook/{self.meta.webhook_token}"
        response = self.url_open(f"{path}?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=7")
        self.assertEqual((response.status_code, response.text), (200, "7"))
        self.assertEqual(self.post({"object": "page", "entry": "no list"}).status_code, 400)

    def test_a_message_to_a_page_that_is_no_account_here_is_refused(self):
        response = self.post(webhook([message(account="999")], account="999"))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.person())

    def test_files_are_fetched_from_meta_only(self):
        url = self.fake.add_file("/attachments/tooth.png", PNG, "image/png")
        self.post(webhook([message("m_img", "", attachments=[
            {"type": "image", "payload": {"url": url}},
            {"type": "file", "payload": {"url": "https://files.example.com/invoice.pdf"}},
        ])]))
        self.run_due_events()
        [inbound] = self.messages(self.person())
        self.assertEqual(inbound.attachment_ids.raw, PNG)
        self.assertEqual(inbound.attachment_ids.mimetype, "image/png")
        self.assertIn("not a Meta address", inbound.body)
        self.assertFalse([r for r in self.fake.requests if "invoice" in r["path"]])


@tagged("post_install", "-at_install")
class TestMessengerOutbound(MetaMessagingCase):

    def setUp(self):
        super().setUp()
        self.post(webhook([message()]))
        self.partner_psid = self.person()
        self.thread = self.conversation_of(self.partner_psid)

    def send(self, body="We are open on Saturday", channel="messenger"):
        return self.thread.with_user(self.manager).message_inbox_send(channel, body)

    def test_send_inside_the_window(self):
        sent = self.send()
        self.run_dispatch()
        [request] = self.fake.sent("/v21.0/me/messages")
        self.assertEqual(request["json"], {"recipient": {"id": PSID}, "messaging_type": "RESPONSE",
                                           "message": {"text": "We are open on Saturday"}})
        self.assertEqual(request["headers"]["Authorization"], f"Bearer {self.fake.page_token}")
        self.assertEqual(sent.inbox_status, "sent")
        self.assertTrue(sent.inbox_provider_message_id.startswith("m_"))

    def test_after_24_hours_only_with_human_agent_for_7_days(self):
        later = fields.Datetime.now() + timedelta(hours=30)
        with freeze_time(later):
            self.thread.invalidate_recordset()
            availability = self.thread.with_user(self.manager).channel_availability["messenger"]
            self.assertFalse(availability["available"])
            self.assertIn("Nothing can be sent until they write again", availability["reason"])
            self.assertFalse(availability["templates_only"])
            with self.assertRaisesRegex(UserError, "window is closed"):
                self.send()
            self.meta.meta_human_agent = True
            self.thread.invalidate_recordset()
            self.assertTrue(self.thread.with_user(self.manager).channel_availability["messenger"]["available"])
            sent = self.send()
            self.run_dispatch()
        [request] = self.fake.sent("/v21.0/me/messages")
        self.assertEqual((request["json"]["messaging_type"], request["json"]["tag"]), ("MESSAGE_TAG", "HUMAN_AGENT"))
        self.assertEqual(sent.inbox_status, "sent")
        with freeze_time(fields.Datetime.now() + timedelta(days=8)), self.assertRaisesRegex(UserError, "168 hours"):
            self.send()

    def test_meta_errors(self):
        cases = [
            ({"message": "(#551) This person isn't available right now.", "code": 551}, "failed",
             "not available on Messenger", "ready"),
            ({"message": "(#10) outside of allowed window", "code": 10, "error_subcode": 2018278}, "failed",
             "Messenger window is closed", "ready"),
            ({"message": "(#613) Calls to this api have exceeded the rate limit.", "code": 613}, "queued",
             False, "degraded"),
            ({"message": "(#200) Requires pages_messaging permission", "code": 200}, "failed",
             "lacks the permission", "degraded"),
            ({"message": "Error validating access token: Session has expired", "code": 190, "type": "OAuthException"},
             "failed", "Reconnect the Page", "down"),
        ]
        for error, status, reason, provider_state in cases:
            with self.subTest(code=error["code"]):
                self.meta.consecutive_failures = 0
                self.fake.answer_next(400, {"error": error})
                sent = self.send()
                self.run_dispatch()
                self.assertEqual(sent.inbox_status, status)
                if reason:
                    self.assertIn(reason, sent.inbox_error)
                self.meta.invalidate_recordset()
                self.assertEqual(self.meta.state, provider_state)
        self.assertIn("Reconnect the Page", self.meta.state_reason)

    def test_instagram_is_sent_with_the_page_token_too(self):
        self.post(webhook([message("ig_1", "Hi", sender=IGSID, account=IG_ID)], object_="instagram", account=IG_ID))
        thread = self.conversation_of(self.person(IGSID))
        sent = thread.with_user(self.manager).message_inbox_send("instagram", "Thanks for the story!")
        self.run_dispatch()
        [request] = self.fake.sent("/v21.0/me/messages")
        self.assertEqual(request["json"]["recipient"], {"id": IGSID})
        self.assertEqual(sent.inbox_status, "sent")

    def test_reads_deliveries_and_reactions(self):
        first, second = self.send("One"), self.send("Two")
        self.run_dispatch()
        mids = [first.inbox_provider_message_id, second.inbox_provider_message_id]
        receipt = {"sender": {"id": PSID}, "recipient": {"id": PAGE_ID}, "timestamp": 1700000002000}
        self.post(webhook([dict(receipt, delivery={"mids": mids[:1]})]))
        self.assertEqual((first.inbox_status, second.inbox_status), ("delivered", "sent"))
        # a watermark before the messages changes nothing, one after reads both
        self.post(webhook([dict(receipt, read={"watermark": 1000})]))
        self.assertEqual(second.inbox_status, "sent")
        watermark = int((fields.Datetime.now() + timedelta(seconds=5)).timestamp() * 1000)
        self.post(webhook([dict(receipt, read={"watermark": watermark})]))
        self.assertEqual((first.inbox_status, second.inbox_status), ("read", "read"))
        self.post(webhook([dict(receipt, delivery={"watermark": watermark})]))
        self.assertEqual(first.inbox_status, "read", "never backward")
        self.post(webhook([dict(receipt, reaction={"mid": mids[0], "action": "react", "emoji": "👍"})]))
        self.assertEqual(first.sudo().reaction_ids.content, "👍")
        self.assertEqual(first.sudo().reaction_ids.partner_id, self.partner_psid)

    def test_echo_of_our_own_message_is_never_a_second_copy(self):
        sent = self.send()
        self.run_dispatch()
        self.post(webhook([echo(sent.inbox_provider_message_id, "We are open on Saturday")]))
        self.assertEqual(self.messages(self.partner_psid).mapped("inbox_direction"), ["inbound", "outbound"])

    def test_echo_that_overtakes_the_send_waits_for_its_id(self):
        sent = self.send()
        # the dispatcher handed it to Meta (marked, committed) and has no answer yet
        sent.sudo().write({"inbox_send_started": fields.Datetime.now()})
        self.post(webhook([echo("m_early", "We are open on Saturday")]))
        waiting = self.env["inbox.event"].search([("waiting_for", "=", "m_early")])
        self.assertEqual(waiting.state, "pending")
        self.assertEqual(len(self.messages(self.partner_psid)), 2, "no copy while the send is in flight")
        sent.sudo()._inbox_apply_outcome(SendResult("m_early"))
        self.meta._inbox_after_call(SendResult("m_early"))  # wakes what waits for its id
        self.run_due_events()
        self.assertEqual(waiting.state, "done")
        self.assertEqual(self.messages(self.partner_psid).mapped("inbox_provider_message_id"), ["m_in1", "m_early"])

    def test_a_page_answer_written_in_another_tool_is_kept_once_as_outbound(self):
        self.post(webhook([echo("m_suite", "Answered from the Business Suite")]))
        self.post(webhook([echo("m_suite", "Answered from the Business Suite")]))
        messages = self.messages(self.partner_psid)
        self.assertEqual(messages.mapped("inbox_direction"), ["inbound", "outbound"])
        self.assertEqual((messages[1].inbox_status, messages[1].inbox_sender_id), ("sent", self.page))
        self.assertIn("Business Suite", messages[1].body)
