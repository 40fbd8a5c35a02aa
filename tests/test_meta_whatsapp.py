import hashlib
import hmac
import json

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..providers import InboundMessage, Reaction, StatusUpdate, WebhookError
from ..providers.base import WebhookRequest
from ..providers.meta_whatsapp import SIGNATURE_HEADER, sign
from .common import InboxMetaCase, MetaProtocolCase

PHONE_NUMBER_ID = "106540352242922"


def payload(messages=(), statuses=(), contacts=()):
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [{
        "field": "messages",
        "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "32470000013", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": list(contacts), "messages": list(messages), "statuses": list(statuses),
        },
    }]}]}


def leadgen_payload(leadgen_id, form_id="FORM1"):
    """A Page webhook: somebody filled in a lead form."""
    return {"object": "page", "entry": [{"id": "PAGE1", "time": 1700000000, "changes": [{"field": "leadgen", "value": {
        "leadgen_id": leadgen_id, "form_id": form_id, "page_id": "PAGE1", "ad_id": "AD1",
        "created_time": 1700000000}}]}]}


def text_message(wamid="wamid.in1", body="Hello", sender="32470617283"):
    return {"from": sender, "id": wamid, "timestamp": "1700000000", "type": "text", "text": {"body": body}}


@tagged("post_install", "-at_install")
class TestMetaProtocol(MetaProtocolCase):

    def test_handshake(self):
        good = WebhookRequest("GET", "http://x", {}, query={
            "hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"})
        self.assertEqual(self.adapter.handshake(good), (200, "text/plain", "1158201444"))
        bad = WebhookRequest("GET", "http://x", {}, query={
            "hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"})
        self.assertEqual(self.adapter.handshake(bad)[0], 403)
        self.assertIsNone(self.adapter.handshake(WebhookRequest("POST", "http://x", {})))

    def test_signature(self):
        body = json.dumps(payload([text_message()])).encode()
        # HMAC-SHA256 of the raw body keyed with the app secret, hex, "sha256=" prefix
        expected = "sha256=" + hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
        self.assertEqual(sign("app-secret", body), expected)
        self.assertTrue(self.adapter.verify_webhook(
            WebhookRequest("POST", "http://x", {SIGNATURE_HEADER: sign("app-secret", body)}, body)))
        self.assertFalse(self.adapter.verify_webhook(
            WebhookRequest("POST", "http://x", {SIGNATURE_HEADER: sign("other", body)}, body)))
        reformatted = json.dumps(json.loads(body), indent=2).encode()
        self.assertFalse(self.adapter.verify_webhook(
            WebhookRequest("POST", "http://x", {SIGNATURE_HEADER: sign("app-secret", body)}, reformatted)),
            "the signature is over the raw bytes")

    def test_parse_message_types(self):
        messages = [
            text_message(),
            {"from": "32470617283", "id": "w2", "type": "image",
             "image": {"id": "100001", "mime_type": "image/jpeg", "caption": "my x-ray"}},
            {"from": "32470617283", "id": "w3", "type": "document",
             "document": {"id": "100002", "mime_type": "application/pdf", "filename": "report.pdf"}},
            {"from": "32470617283", "id": "w4", "type": "location",
             "location": {"latitude": 50.85, "longitude": 4.35, "name": "Clinic", "address": "Main St 1"}},
            {"from": "32470617283", "id": "w5", "type": "contacts", "contacts": [
                {"name": {"formatted_name": "Bob"}, "phones": [{"phone": "+32470998877"}]}]},
            {"from": "32470617283", "id": "w6", "type": "interactive",
             "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes, confirm"}}},
            {"from": "32470617283", "id": "w7", "type": "button", "button": {"payload": "P", "text": "Reschedule"}},
            {"from": "32470617283", "id": "w8", "type": "reaction",
             "reaction": {"message_id": "wamid.out", "emoji": "👍"}},
            {"from": "32470617283", "id": "w9", "type": "audio", "audio": {"id": "100003", "mime_type": "audio/ogg"}},
        ]
        events = self.parse(payload(messages, contacts=[{"profile": {"name": "Alice"}, "wa_id": "32470617283"}]))
        text, image, document, location, contact, interactive, button, reaction, audio = events
        self.assertIsInstance(text, InboundMessage)
        self.assertEqual((text.from_address, text.to_address, text.to_external_id, text.profile_name),
                         ("+32470617283", "+32470000013", PHONE_NUMBER_ID, "Alice"))
        self.assertEqual((image.body, image.media[0]["ref"]), ("my x-ray", "100001"))
        self.assertEqual(document.media[0]["filename"], "report.pdf")
        self.assertEqual(location.body, "📍 Clinic — Main St 1 (50.85, 4.35)")
        self.assertIn("Bob +32470998877", contact.body)
        self.assertEqual(interactive.body, "Yes, confirm")
        self.assertEqual(button.body, "Reschedule")
        self.assertEqual(reaction, Reaction("wamid.out", "+32470617283", "👍"))
        self.assertEqual(audio.media[0]["mimetype"], "audio/ogg")

    def test_parse_statuses(self):
        events = self.parse(payload(statuses=[
            {"id": "wamid.out", "status": "read", "timestamp": "1"},
            {"id": "wamid.out2", "status": "failed", "errors": [{"code": 131047, "title": "Re-engagement message"}]},
            {"id": "wamid.out3", "status": "deleted"},
        ]))
        self.assertEqual(events[0], StatusUpdate("wamid.out", "read"))
        self.assertEqual((events[1].status, events[1].error_code), ("failed", "131047"))
        self.assertIn("window is closed", events[1].error_reason)
        self.assertEqual(len(events), 2)

    def test_parse_template_status(self):
        [event] = self.parse({"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [{
            "field": "message_template_status_update",
            "value": {"event": "REJECTED", "message_template_id": 594425479261596,
                      "message_template_name": "spring_offer", "message_template_language": "en_US",
                      "reason": "INCORRECT_CATEGORY"}}]}]})
        self.assertEqual((event.kind, event.name, event.language, event.status, event.reason, event.external_id),
                         ("template", "spring_offer", "en_US", "rejected", "INCORRECT_CATEGORY", "594425479261596"))

    def test_parse_leadgen(self):
        [event] = self.parse(leadgen_payload(444444444, 555))
        self.assertEqual((event.kind, event.leadgen_id, event.form_id, event.created_time, event.dedupe_key),
                         ("lead", "444444444", "555", 1700000000.0, "lead:444444444"))

    def test_malformed(self):
        for data in ({}, {"entry": [{"changes": [{"field": "messages", "value": {"messages": [{"id": "x"}]}}]}]}):
            with self.subTest(data=data), self.assertRaises(WebhookError):
                self.parse(data)
        with self.assertRaises(WebhookError):
            self.adapter.parse_webhook(WebhookRequest("POST", "http://x", {}, b"not json"))


@tagged("post_install", "-at_install")
class TestMetaProvider(InboxMetaCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sender_whatsapp.action_archive()
        cls.wa = cls.env["inbox.sender"].create({
            "name": "Meta WA", "provider_id": cls.meta.id, "channel": "whatsapp", "address": "+32 470 00 00 13",
            "external_id": PHONE_NUMBER_ID,
        })

    def send(self, body="Hello on WhatsApp", **kwargs):
        return self.conversation.with_user(self.user_a).message_inbox_send("whatsapp", body, **kwargs)

    def test_handshake_over_http(self):
        path = f"/unified_inbox/webhook/{self.meta.webhook_token}"
        response = self.url_open(f"{path}?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=42")
        self.assertEqual((response.status_code, response.text), (200, "42"))
        response = self.url_open(f"{path}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=42")
        self.assertEqual(response.status_code, 403)

    def test_inbound_opens_the_window_and_send(self):
        self.assertEqual(self.post(payload([text_message()])).status_code, 200)
        self.assertTrue(self.conversation._inbox_window_open("whatsapp"))
        message = self.send()
        self.run_dispatch()
        [request] = self.fake.sent("/v21.0")
        self.assertEqual(request["path"], f"/v21.0/{PHONE_NUMBER_ID}/messages")
        self.assertEqual(request["json"]["to"], "32470617283")
        self.assertEqual(request["json"]["text"]["body"], "Hello on WhatsApp")
        self.assertEqual(message.inbox_status, "sent")
        self.assertTrue(message.inbox_provider_message_id.startswith("wamid."))
        # read without delivered, then a late delivered
        for status in ("read", "delivered"):
            self.post(payload(statuses=[{"id": message.inbox_provider_message_id, "status": status}]))
        message.invalidate_recordset()
        self.assertEqual(message.inbox_status, "read")

    def test_window_closed_refused_before_sending(self):
        with self.assertRaisesRegex(UserError, "WhatsApp window is closed"):
            self.send()
        self.assertFalse(self.fake.sent())

    def test_window_closed_only_an_approved_template_goes(self):
        Template = self.env["inbox.template"]
        plain = Template.create({"name": "Plain", "channel": "whatsapp", "body": "Hi {{ object.partner_id.name }}"})
        with self.assertRaisesRegex(UserError, "WhatsApp window is closed"):
            self.send("", template_id=plain.id)
        approved = Template.create({
            "name": "Reminder", "channel": "whatsapp", "body": "Hello, your appointment is tomorrow.",
            "whatsapp_template_name": "appointment_reminder", "whatsapp_language": "en_US",
            "whatsapp_variables": "{{ object.partner_id.name }}\n{{ object.company_id.name }}",
        })
        message = self.send("", template_id=approved.id)
        self.run_dispatch()
        [request] = self.fake.sent("/v21.0")
        self.assertEqual(request["json"]["type"], "template")
        self.assertEqual(request["json"]["template"], {
            "name": "appointment_reminder", "language": {"code": "en_US"},
            "components": [{"type": "body", "parameters": [
                {"type": "text", "text": "Alice Customer"}, {"type": "text", "text": self.env.company.name}]}],
        })
        self.assertEqual(message.inbox_status, "sent")
        self.assertIn("your appointment is tomorrow", message.body)
        self.assertFalse(self.conversation._inbox_window_open("whatsapp"), "a template does not open the window")

    def test_131047_maps_to_the_window_reason(self):
        self.post(payload([text_message()]))
        self.fake.answer_next(400, {"error": {"message": "Re-engagement message", "type": "OAuthException",
                                              "code": 131047, "error_data": {"details": "more than 24 hours"}}})
        message = self.send()
        self.run_dispatch()
        self.assertEqual(message.inbox_status, "failed")
        self.assertIn("WhatsApp window is closed", message.inbox_error)
        self.assertEqual(self.meta.state, "ready")

    def test_rate_limit_is_retried(self):
        self.post(payload([text_message()]))
        self.fake.answer_next(400, {"error": {"message": "Rate limit hit", "code": 130429}})
        message = self.send()
        now = fields.Datetime.now()
        with freeze_time(now):
            self.run_dispatch()
        self.assertEqual((message.inbox_status, message.inbox_error_code), ("queued", "130429"))
        with freeze_time(message.inbox_next_attempt):
            self.run_dispatch()
        self.assertEqual(message.inbox_status, "sent")

    def test_an_answer_that_is_not_json_is_not_resent_blindly(self):
        # a 200 that is no answer of Meta's: the request may have been
        # carried out. Meta cannot be asked which messages it sent, so a
        # person decides, with Retry
        self.post(payload([text_message()]))
        self.fake.answer_next(200, b"<html>Bad gateway page</html>")
        message = self.send()
        now = fields.Datetime.now()
        with freeze_time(now):
            self.run_dispatch()
        self.assertEqual((message.inbox_status, message.inbox_error_code), ("queued", "not-json"))
        with freeze_time(message.inbox_next_attempt):
            self.env["mail.message"]._cron_inbox_dispatch()
        self.assertEqual(message.inbox_status, "unknown")
        self.assertEqual(len(self.fake.sent(f"/v21.0/{PHONE_NUMBER_ID}/messages")), 1, "not sent again")
        message.with_user(self.user_a).action_inbox_retry()
        self.run_dispatch()
        self.assertEqual(message.inbox_status, "sent")

    def test_bad_signature(self):
        self.assertEqual(self.post(payload([text_message()]), secret="forged").status_code, 403)
        self.assertFalse(self.env["mail.message"].search([("inbox_provider_message_id", "=", "wamid.in1")]))

    def test_reaction_on_our_message(self):
        self.post(payload([text_message()]))
        message = self.send().sudo()
        self.run_dispatch()
        reaction = {"from": "32470617283", "id": "wamid.r1", "type": "reaction",
                    "reaction": {"message_id": message.inbox_provider_message_id, "emoji": "❤️"}}
        self.post(payload([reaction]))
        self.assertEqual(message.reaction_ids.content, "❤️")
        self.assertEqual(message.reaction_ids.partner_id, self.partner)
        removal = dict(reaction, id="wamid.r2", reaction={"message_id": message.inbox_provider_message_id})
        self.post(payload([removal]))
        message.invalidate_recordset()
        self.assertFalse(message.reaction_ids)

    def test_inbound_media(self):
        self.fake.add_file("/media-download/100001", b"%PDF-1.4 fake", "application/pdf")
        document = {"from": "32470617283", "id": "wamid.doc", "type": "document",
                    "document": {"id": "100001", "mime_type": "application/pdf", "filename": "report.pdf"}}
        self.post(payload([document]))
        self.run_due_events()
        message = self.env["mail.message"].search([("inbox_provider_message_id", "=", "wamid.doc")])
        self.assertEqual(message.attachment_ids.name, "report.pdf")
        self.assertEqual(message.attachment_ids.raw, b"%PDF-1.4 fake")

    def test_health(self):
        self.assertEqual(self.meta.action_test_connection()["params"]["type"], "success")
        self.meta.meta_access_token = "expired"
        action = self.meta.action_test_connection()
        self.assertIn("access token", action["params"]["message"])

    def test_sync_templates_with_their_review_status(self):
        def template(name, status, body, language="en_US", category="UTILITY"):
            return {"id": f"id-{name}", "name": name, "language": language, "status": status, "category": category,
                    "components": [{"type": "HEADER", "format": "TEXT", "text": "Bright Smile"},
                                   {"type": "BODY", "text": body}]}

        self.fake.templates += [
            template("appointment_reminder", "APPROVED", "Hello {{1}}, see you on {{2}}."),
            template("spring_offer", "PENDING", "Spring offer!", category="MARKETING"),
            template("old_promo", "REJECTED", "Buy now"),
        ]
        Template = self.env["inbox.template"]
        stale = Template.create({"name": "Gone", "channel": "whatsapp", "body": "x", "whatsapp_template_name": "gone",
                                 "whatsapp_language": "en_US", "whatsapp_status": "approved"})
        stale.sudo().whatsapp_provider_id = self.meta
        with self.assertRaisesRegex(UserError, "Business Account ID"):
            self.meta.action_sync_templates()
        self.meta.meta_waba_id = "WABA1"
        self.meta.action_sync_templates()
        requests = [r for r in self.fake.requests if r["path"] == "/v21.0/WABA1/message_templates"]
        self.assertEqual(len(requests), 2, "two pages, the second by its cursor")
        synced = Template.search([("whatsapp_provider_id", "=", self.meta.id)])
        self.assertEqual({t.whatsapp_template_name: t.whatsapp_status for t in synced}, {
            "appointment_reminder": "approved", "spring_offer": "pending", "old_promo": "rejected",
            "gone": "disabled"})
        reminder = synced.filtered(lambda t: t.whatsapp_template_name == "appointment_reminder")
        self.assertEqual((reminder.body, reminder.whatsapp_category, reminder.channel),
                         ("Hello {{1}}, see you on {{2}}.", "UTILITY", "whatsapp"))
        # only an approved one goes, the window closed or not
        offer = synced.filtered(lambda t: t.whatsapp_template_name == "spring_offer")
        with self.assertRaisesRegex(UserError, "review status is Pending"):
            self.send("", template_id=offer.id)
        # its variables, mapped to the conversation's fields, fill the text
        reminder.whatsapp_variables = "{{ object.partner_id.name }}\n{{ object.company_id.name }}"
        self.conversation.partner_id.name = "Alice {{ 7 * 7 }}"
        message = self.send("", template_id=reminder.id)
        self.assertIn(f"Hello Alice {{{{ 7 * 7 }}}}, see you on {self.env.company.name}.", message.body,
                      "the values are shown, never rendered as a template")
        self.run_dispatch()
        [request] = self.fake.sent("/v21.0")
        self.assertEqual(request["json"]["template"]["components"][0]["parameters"][0]["text"], "Alice {{ 7 * 7 }}")
        # syncing again changes nothing of the mapping
        self.meta.action_sync_templates()
        self.assertIn("object.company_id.name", reminder.whatsapp_variables)

    def test_template_status_webhook(self):
        template = self.env["inbox.template"].create({
            "name": "Reminder", "channel": "whatsapp", "body": "Hi {{1}}", "whatsapp_template_name": "reminder",
            "whatsapp_language": "en_US", "whatsapp_status": "approved"})
        template.sudo().whatsapp_provider_id = self.meta
        update = {"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [{
            "field": "message_template_status_update",
            "value": {"event": "PAUSED", "message_template_id": 77, "message_template_name": "reminder",
                      "message_template_language": "en_US", "reason": "Low quality"}}]}]}
        self.assertEqual(self.post(update).status_code, 200)
        self.assertEqual((template.whatsapp_status, template.whatsapp_status_reason), ("paused", "Low quality"))
        with self.assertRaisesRegex(UserError, "review status is Paused"):
            self.send("", template_id=template.id)
        # a status of a template we do not have creates nothing
        update["entry"][0]["changes"][0]["value"]["message_template_name"] = "unknown"
        self.assertEqual(self.post(update).status_code, 200)
        self.assertFalse(self.env["inbox.template"].search([("whatsapp_template_name", "=", "unknown")]))
        self.assertEqual(self.post(update, secret="forged").status_code, 403)

    def test_template_with_a_missing_value_is_refused(self):
        template = self.env["inbox.template"].create({
            "name": "Follow-up", "channel": "whatsapp", "body": "Hi {{1}}, about {{2}}",
            "whatsapp_template_name": "follow_up", "whatsapp_language": "en_US",
            "whatsapp_variables": "{{ object.partner_id.name }}\n{{ object.lead_id.name or '' }}"})
        with self.assertRaisesRegex(UserError, r"no value for \{\{2\}\}"):
            self.send("", template_id=template.id)
        template.whatsapp_variables = "{{ object.partner_id.name }}"
        with self.assertRaisesRegex(UserError, "has 2 variables"):
            self.send("", template_id=template.id)
        self.assertFalse(self.conversation.message_ids.filtered("inbox_channel"), "nothing half-written")

    def test_window_state_for_the_composer(self):
        availability = self.conversation.with_user(self.user_a).channel_availability["whatsapp"]
        self.assertFalse(availability["available"])
        self.assertTrue(availability["templates_only"], "closed window: an approved template may go")
        self.conversation.partner_id._inbox_set_dnd("whatsapp", True)
        self.conversation.invalidate_recordset(["channel_availability"])
        availability = self.conversation.with_user(self.user_a).channel_availability["whatsapp"]
        self.assertFalse(availability["templates_only"], "do-not-disturb: not even a template")

    def lead_answers(self, leadgen_id, phone="+32 470 55 12 34", email="nina@example.com", campaign="Spring whitening"):
        self.fake.leads[leadgen_id] = {
            "id": leadgen_id, "created_time": "2026-11-22T08:00:00+0000", "form_id": "FORM1", "platform": "ig",
            "ad_name": "Smile ad", "campaign_name": campaign,
            "field_data": [{"name": "full_name", "values": ["Nina Newcomer"]},
                           {"name": "phone_number", "values": [phone]}, {"name": "email", "values": [email]}]}

    def test_lead_ad_makes_one_person_one_opportunity_a_card_and_a_follow_up(self):
        self.env["inbox.assignment.rule"].create({"name": "Leads", "team_id": self.team_a.id,
                                                  "user_ids": [(6, 0, self.user_a.ids)]})
        self.lead_answers("LG1")
        self.assertEqual(self.post(leadgen_payload("LG1"), apply=False).status_code, 200)
        self.assertFalse(self.env["crm.lead"].search([("inbox_leadgen_id", "=", "LG1")]),
                         "the webhook answers at once; the answers are fetched afterwards")
        self.run_due_events()
        lead = self.env["crm.lead"].search([("inbox_leadgen_id", "=", "LG1")])
        person = lead.partner_id
        self.assertEqual((person.name, person.phone_sanitized, person.email),
                         ("Nina Newcomer", "+32470551234", "nina@example.com"))
        self.assertEqual((lead.type, lead.name, lead.source_id.name, lead.medium_id.name, lead.campaign_id.name),
                         ("opportunity", "Spring whitening", "Instagram", "Lead Ads", "Spring whitening"))
        self.assertIn("full_name: Nina Newcomer", lead.description)
        conversation = self.env["inbox.conversation"].search([("partner_id", "=", person.id)])
        self.assertEqual((conversation.lead_id, conversation.user_id, lead.user_id),
                         (lead, self.user_a, self.user_a))
        self.assertTrue(conversation.message_ids.filtered(
            lambda m: m.inbox_card and m.inbox_card["res_id"] == lead.id), "a card in the conversation")
        self.assertEqual(lead.activity_ids.user_id, self.user_a, "a follow-up for the salesperson")
        # Meta delivers at least once: the same answer again does nothing
        self.post(leadgen_payload("LG1"))
        self.run_due_events()
        self.assertEqual(self.env["crm.lead"].search_count([("partner_id", "=", person.id)]), 1)

    def test_lead_ad_of_a_known_person_and_the_same_form_again(self):
        self.lead_answers("LG2", phone="0470 61 72 83", email="other@example.com")
        self.post(leadgen_payload("LG2"))
        self.lead_answers("LG3", phone="+32470617283", email="alice@customer.example.com", campaign="Later campaign")
        self.post(leadgen_payload("LG3"))
        self.run_due_events()
        leads = self.env["crm.lead"].search([("partner_id", "=", self.partner.id)])
        self.assertEqual(len(leads), 1, "one opportunity per person and form")
        self.assertIn("filled in the form again", leads.message_ids[0].body)
        self.assertEqual(self.env["res.partner"].search_count([("phone_sanitized", "=", "+32470617283")]), 1,
                         "a known person gets no second profile")
        self.assertEqual(self.env["inbox.conversation"].search([("partner_id", "=", self.partner.id)]),
                         self.conversation)

    @mute_logger("odoo.addons.unified_inbox.models.inbox_event")
    def test_lead_ad_refusals(self):
        self.assertEqual(self.post(leadgen_payload("LG4"), secret="forged").status_code, 403)
        self.lead_answers("LG5", phone="12", email="not an email")
        self.post(leadgen_payload("LG5"))
        event = self.env["inbox.event"].search([("dedupe_key", "=", "lead:LG5")])
        self.assertEqual(event.state, "failed", "kept with the reason, not tried again in vain")
        self.assertIn("without a valid phone number or email", event.error)
        # the cause fixed (here: at Meta), an administrator retries it
        self.lead_answers("LG5", phone="+32 470 55 12 99", email="")
        event.action_retry()
        self.run_due_events()
        self.assertEqual((event.state, event.error), ("done", False))
        self.assertTrue(self.env["crm.lead"].search([("inbox_leadgen_id", "=", "LG5")]))
        # Graph down: retried later, nothing half-written
        self.fake.answer_next(503, {"error": {"message": "down", "code": 2}})
        self.post(leadgen_payload("LG6"))
        event = self.env["inbox.event"].search([("dedupe_key", "=", "lead:LG6")])
        self.assertEqual((event.state, event.attempts), ("pending", 1), "tried again later")
        self.assertFalse(self.env["crm.lead"].search([("inbox_leadgen_id", "=", "LG6")]))
