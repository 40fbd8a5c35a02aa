import hashlib
import json
from urllib.parse import urlencode

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import BaseCase, tagged

from ..providers import ProviderError, StatusUpdate, WebhookError
from ..providers.base import WebhookRequest
from ..providers.twilio import SIGNATURE_HEADER, TwilioAdapter, compute_signature
from .common import InboxTwilioCase

DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {"CallSid": ["CA1234567890ABCDE"], "Caller": ["+12349013030"], "Digits": ["1234"],
              "From": ["+12349013030"], "To": ["+18005551212"]}


@tagged("post_install", "-at_install")
class TestTwilioProtocol(BaseCase):
    """The Twilio protocol, without a database."""

    def setUp(self):
        super().setUp()
        self.adapter = TwilioAdapter({"twilio_account_sid": "AC_test", "twilio_auth_token": "12345"})

    def request(self, url=DOC_URL, form=None, signature=None, body=b"", token="12345"):
        form = DOC_PARAMS if form is None else form
        if signature is None:
            signature = compute_signature(token, url, form)
        return WebhookRequest("POST", url, {SIGNATURE_HEADER: signature}, body=body, form=form)

    def test_documented_vectors(self):
        # the example of Twilio's "Webhooks security" page and SDK tests
        self.assertEqual(compute_signature("12345", DOC_URL, DOC_PARAMS), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        body = b'{"property": "value", "boolean": true}'
        body_hash = hashlib.sha256(body).hexdigest()
        self.assertEqual(body_hash, "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620")
        json_url = f"{DOC_URL}&bodySHA256={body_hash}"
        self.assertEqual(compute_signature("12345", json_url), "a9nBmqA0ju/hNViExpshrM61xv4=")
        self.assertTrue(self.adapter.verify_webhook(WebhookRequest(
            "POST", json_url, {SIGNATURE_HEADER: "a9nBmqA0ju/hNViExpshrM61xv4="}, body=body)))
        self.assertFalse(self.adapter.verify_webhook(WebhookRequest(
            "POST", json_url, {SIGNATURE_HEADER: "a9nBmqA0ju/hNViExpshrM61xv4="}, body=body + b" ")),
            "a body that does not match its hash")

    def test_form_signature(self):
        self.assertTrue(self.adapter.verify_webhook(self.request(signature="0/KCTR6DLpKmkAf8muzZqo1nDgQ=")))
        self.assertFalse(self.adapter.verify_webhook(self.request(token="wrong")))
        self.assertFalse(self.adapter.verify_webhook(self.request(signature="")))
        tampered = dict(DOC_PARAMS, Digits=["9999"])
        self.assertFalse(self.adapter.verify_webhook(
            self.request(form=tampered, signature=compute_signature("12345", DOC_URL, DOC_PARAMS))))

    def test_signature_with_or_without_default_port(self):
        signed_with_port = compute_signature("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", DOC_PARAMS)
        self.assertTrue(self.adapter.verify_webhook(self.request(signature=signed_with_port)))
        signed_without = compute_signature("12345", DOC_URL, DOC_PARAMS)
        self.assertTrue(self.adapter.verify_webhook(
            self.request(url="https://mycompany.com:443/myapp.php?foo=1&bar=2", signature=signed_without)))

    def test_unknown_and_repeated_parameters_are_signed_too(self):
        form = dict(DOC_PARAMS, NewParameterTwilioAddsOneDay=["x"], MediaUrl=["b", "a"])
        self.assertTrue(self.adapter.verify_webhook(self.request(form=form)))

    def test_parse_inbound_with_media(self):
        form = {"MessageSid": ["SM1"], "AccountSid": ["AC_test"], "From": ["+32470617283"], "To": ["+32470000011"],
                "Body": ["Here is the photo"], "NumMedia": ["2"],
                "MediaUrl0": ["https://api.twilio.com/m0"], "MediaContentType0": ["image/jpeg"],
                "MediaUrl1": ["https://api.twilio.com/m1"], "MediaContentType1": ["application/pdf"],
                "SmsStatus": ["received"]}
        [message] = self.adapter.parse_webhook(self.request(form=form))
        self.assertEqual((message.kind, message.channel, message.from_address), ("message", "sms", "+32470617283"))
        self.assertEqual([m["mimetype"] for m in message.media], ["image/jpeg", "application/pdf"])
        self.assertFalse(message.keyword)

    def test_parse_whatsapp_and_keywords(self):
        base = {"MessageSid": ["SM2"], "From": ["+32470617283"], "To": ["+32470000011"]}
        for body, keyword in (("STOP", "stop"), (" unsubscribe ", "stop"), ("Start", "start"),
                              ("stop sending me stuff", ""), ("HELP", "")):
            [message] = self.adapter.parse_webhook(self.request(form=dict(base, Body=[body])))
            self.assertEqual(message.keyword, keyword, body)
        form = {"MessageSid": ["SM3"], "From": ["whatsapp:+32470617283"], "To": ["whatsapp:+32470000012"],
                "Body": ["STOP"], "ProfileName": ["Alice"]}
        [message] = self.adapter.parse_webhook(self.request(form=form))
        self.assertEqual((message.channel, message.to_address, message.profile_name),
                         ("whatsapp", "+32470000012", "Alice"))
        self.assertFalse(message.keyword, "opt-out keywords are an SMS rule")

    def test_parse_status_callbacks(self):
        cases = [("queued", "sent"), ("sent", "sent"), ("delivered", "delivered"), ("read", "read"),
                 ("undelivered", "failed"), ("failed", "failed")]
        for twilio_status, status in cases:
            form = {"MessageSid": ["SM9"], "MessageStatus": [twilio_status], "ExtraField": ["ignored"]}
            [event] = self.adapter.parse_webhook(self.request(form=form))
            self.assertEqual(event, StatusUpdate("SM9", status), twilio_status)
        form = {"MessageSid": ["SM9"], "MessageStatus": ["undelivered"], "ErrorCode": ["30003"]}
        [event] = self.adapter.parse_webhook(self.request(form=form))
        self.assertEqual(event.error_code, "30003")
        self.assertIn("unreachable", event.error_reason)

    def test_malformed(self):
        for form in ({}, {"MessageSid": ["SM1"]}, {"MessageSid": ["SM1"], "MessageStatus": ["exploded"]},
                     {"MessageSid": ["SM1"], "From": ["+1"], "To": ["+2"], "NumMedia": ["many"]},
                     {"MessageSid": ["SM1"], "AccountSid": ["AC_other"], "From": ["+1"], "To": ["+2"]}):
            with self.subTest(form=form), self.assertRaises(WebhookError):
                self.adapter.parse_webhook(self.request(form=form))

    def test_error_codes(self):
        for code in ("21211", "21408", "21610", "21614", "30003", "30004", "30005", "30006", "30007", "30008",
                     "63016"):
            error = self.adapter.error_from_code(code)
            self.assertTrue(error.recipient_error, code)
            self.assertFalse(error.retryable, code)
            self.assertNotIn("Twilio error", error.reason, f"{code} has its own reason")
        self.assertTrue(self.adapter.error_from_code("20429").retryable)
        self.assertFalse(self.adapter.error_from_code("20003").recipient_error, "bad credentials: the provider")

    def test_media_only_from_twilio(self):
        with self.assertRaisesRegex(ProviderError, "outside Twilio"):
            self.adapter.download_media("http://169.254.169.254/latest/meta-data")


@tagged("post_install", "-at_install")
class TestTwilioProvider(InboxTwilioCase):
    """The Twilio provider end to end, against a fake Twilio on loopback."""

    # outbound ---------------------------------------------------------

    def test_send_sms(self):
        message = self.send()
        self.run_dispatch()
        [request] = self.fake.sent("/2010-04-01")
        self.assertEqual(request["form"]["To"], ["+32470617283"])
        self.assertEqual(request["form"]["From"], ["+32470000011"])
        self.assertEqual(request["form"]["Body"], ["Hello from Odoo"])
        self.assertEqual(request["form"]["StatusCallback"], [self.twilio.webhook_url])
        self.assertEqual(message.inbox_status, "sent")
        self.assertTrue(message.inbox_provider_message_id.startswith("SM"))

    def test_send_whatsapp_prefix(self):
        self.post_form(self.inbound_form(sid="SMwa", sender="whatsapp:+32470617283", to="whatsapp:+32470000012"))
        self.send("whatsapp")
        self.run_dispatch()
        [request] = self.fake.sent("/2010-04-01")
        self.assertEqual(request["form"]["To"], ["whatsapp:+32470617283"])
        self.assertEqual(request["form"]["From"], ["whatsapp:+32470000012"])

    def test_whatsapp_approved_template_by_content_sid(self):
        template = self.env["inbox.template"].create({
            "name": "Reminder", "channel": "whatsapp", "body": "Your appointment is tomorrow.",
            "whatsapp_template_name": "HXb5b62575e6e4ff6129ad7c8efe1f983e",
            "whatsapp_variables": "{{ object.partner_id.name }}",
        })
        self.conversation.with_user(self.user_a).message_inbox_send("whatsapp", "", template_id=template.id)
        self.run_dispatch()
        [request] = self.fake.sent("/2010-04-01")
        self.assertEqual(request["form"]["ContentSid"], ["HXb5b62575e6e4ff6129ad7c8efe1f983e"])
        self.assertEqual(json.loads(request["form"]["ContentVariables"][0]), {"1": "Alice Customer"})
        self.assertNotIn("Body", request["form"])

    def test_recipient_error_fails_the_message_not_the_provider(self):
        self.fake.answer_next(400, {"code": 21211, "message": "The 'To' number is not a valid phone number.",
                                    "status": 400})
        message = self.send()
        self.run_dispatch()
        self.assertEqual(message.inbox_status, "failed")
        self.assertEqual(message.inbox_error_code, "21211")
        self.assertIn("not a valid phone number", message.inbox_error)
        self.assertEqual(self.twilio.state, "ready")

    def test_outage_retries_then_fails_visibly(self):
        self.fake.answer_next(503, {"message": "Service unavailable"}, times=2)
        self.fake.answer_next(429, {"code": 20429, "message": "Too Many Requests"}, times=10)
        message = self.send()
        now = fields.Datetime.now()
        for _attempt in range(5):
            with freeze_time(now):
                self.run_dispatch()
            now = message.inbox_next_attempt
        self.assertEqual(len(self.fake.sent("/2010-04-01")), 5)
        self.assertEqual(message.inbox_status, "failed")
        self.assertEqual(self.twilio.state, "down")
        self.assertIn("Too Many Requests", self.twilio.last_error)

    def test_timeout_is_retried(self):
        # Odoo's test harness raises request timeouts to 10 s: answer later than that
        self.fake.answer_next(201, {"sid": "SMlate", "status": "queued"}, delay=TwilioAdapter.timeout + 0.5)
        message = self.send()
        self.run_dispatch()
        self.assertEqual(message.inbox_status, "queued")
        self.assertEqual(message.inbox_error_code, "timeout")
        self.assertEqual(message.inbox_attempts, 1)

    def test_health(self):
        action = self.twilio.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.twilio.twilio_auth_token = "wrong"
        action = self.twilio.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("credentials", action["params"]["message"])
        self.assertEqual(self.twilio.state, "degraded")
        self.twilio.twilio_account_sid = False
        self.assertEqual(self.twilio.state, "not_configured")
        self.assertIn("Account SID", self.twilio.state_reason)

    # webhooks ---------------------------------------------------------

    def test_inbound_webhook(self):
        response = self.post_form(self.inbound_form(body="Is the clinic open on Saturday?"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("<Response>", response.text)
        message = self.conversation.message_ids.filtered(lambda m: m.inbox_direction == "inbound")
        self.assertEqual(message.inbox_sender_id, self.tw_sms)
        self.assertIn("open on Saturday", message.body)

    def test_duplicates_store_once(self):
        for _i in range(20):
            self.assertEqual(self.post_form(self.inbound_form(sid="SMdup")).status_code, 200)
        self.assertEqual(len(self.env["mail.message"].search([("inbox_provider_message_id", "=", "SMdup")])), 1)

    def test_bad_signature(self):
        response = self.post_form(self.inbound_form(), token="not-the-token")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.env["mail.message"].search([("inbox_provider_message_id", "=", "SMin1")]))
        self.assertEqual(self.twilio.signature_failure_count, 1)
        response = self.url_open(self.webhook_path(), data=self.inbound_form())
        self.assertEqual(response.status_code, 403)

    def test_a_changed_configuration_holds_at_once(self):
        """Each process keeps a provider's configuration and its accounts
        between webhooks; a change of them holds from the next webhook on."""
        def messages(sid):
            return self.env["mail.message"].search([("inbox_provider_message_id", "=", sid)])

        self.assertEqual(self.post_form(self.inbound_form(sid="SMconf1")).status_code, 200)
        self.twilio.twilio_auth_token = "rotated-token"
        self.assertEqual(self.post_form(self.inbound_form(sid="SMconf2")).status_code, 403, "signed with the old token")
        self.assertEqual(self.post_form(self.inbound_form(sid="SMconf3"), token="rotated-token").status_code, 200)
        self.tw_sms.action_archive()
        self.assertEqual(self.post_form(self.inbound_form(sid="SMconf4"), token="rotated-token").status_code, 400,
                         "to an archived account")
        self.env["inbox.sender"].create({
            "name": "New SMS", "provider_id": self.twilio.id, "channel": "sms", "address": "+32 470 00 00 13"})
        response = self.post_form(self.inbound_form(sid="SMconf5", to="+32470000013"), token="rotated-token")
        self.assertEqual(response.status_code, 200, "to an account created since")
        self.assertEqual([bool(messages(f"SMconf{index}")) for index in range(1, 6)], [True, False, True, False, True])
        old_path = self.webhook_path()
        self.twilio.action_archive()
        self.assertEqual(self.post_form(self.inbound_form(sid="SMconf6"), token="rotated-token",
                                        path=old_path).status_code, 404)

    def test_malformed_is_400(self):
        response = self.post_form({"Hello": "world"})
        self.assertEqual(response.status_code, 400)

    def test_delivered_before_sent(self):
        message = self.send()
        self.run_dispatch()
        sid = message.inbox_provider_message_id
        for status in ("delivered", "sent", "queued"):
            self.assertEqual(self.post_form({"MessageSid": sid, "MessageStatus": status}).status_code, 200)
        message.invalidate_recordset()
        self.assertEqual(message.inbox_status, "delivered")

    def test_undelivered_callback_keeps_the_reason(self):
        message = self.send()
        self.run_dispatch()
        self.post_form({"MessageSid": message.inbox_provider_message_id, "MessageStatus": "undelivered",
                        "ErrorCode": "30005"})
        message.invalidate_recordset()
        self.assertEqual(message.inbox_status, "failed")
        self.assertIn("no longer in service", message.inbox_error)

    def test_stop_blocks_the_next_sms(self):
        self.post_form(self.inbound_form(sid="SMstop", body="STOP"))
        self.assertTrue(self.env["mail.message"].search([("inbox_provider_message_id", "=", "SMstop")]),
                        "the STOP message itself is kept")
        self.partner.invalidate_recordset()
        self.assertTrue(self.partner.phone_sanitized_blacklisted)
        with self.assertRaisesRegex(UserError, "opted out of SMS"):
            self.send()
        self.post_form(self.inbound_form(sid="SMstart", body="START"))
        self.partner.invalidate_recordset()
        self.assertFalse(self.partner.phone_sanitized_blacklisted)
        self.assertTrue(self.send())

    def test_inbound_media(self):
        image_url = self.fake.add_file(f"/2010-04-01/Accounts/{self.fake.twilio_sid}/Messages/SMm/Media/ME1",
                                       b"\xff\xd8\xff fake jpeg", "image/jpeg")
        exe_url = self.fake.add_file(f"/2010-04-01/Accounts/{self.fake.twilio_sid}/Messages/SMm/Media/ME2",
                                     b"MZ", "application/x-msdownload")
        form = self.inbound_form(sid="SMm", body="", NumMedia="2", MediaUrl0=image_url, MediaContentType0="image/jpeg",
                                 MediaUrl1=exe_url, MediaContentType1="application/x-msdownload")
        self.assertEqual(self.post_form(form).status_code, 200)
        message = self.env["mail.message"].search([("inbox_provider_message_id", "=", "SMm")])
        self.assertFalse(message.attachment_ids, "files are fetched after the webhook answered")
        self.run_due_events()
        self.assertEqual(message.attachment_ids.mapped("mimetype"), ["image/jpeg"])
        self.assertEqual(message.attachment_ids.raw, b"\xff\xd8\xff fake jpeg")
        self.assertIn("not accepted", message.body)

    def test_json_body_signature_over_http(self):
        body = json.dumps({"MessageSid": "SMjson"}).encode()
        path = f"{self.webhook_path()}?{urlencode({'bodySHA256': hashlib.sha256(body).hexdigest()})}"
        signature = compute_signature(self.fake.twilio_token, f"{self.base_url()}{path}")
        response = self.url_open(path, data=body, headers={
            SIGNATURE_HEADER: signature, "Content-Type": "application/json"})
        self.assertEqual(response.status_code, 400, "signature accepted, then refused: not a messaging webhook")
        response = self.url_open(path, data=body + b" ", headers={
            SIGNATURE_HEADER: signature, "Content-Type": "application/json"})
        self.assertEqual(response.status_code, 403)
