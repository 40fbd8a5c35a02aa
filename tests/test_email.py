import hashlib
import time
from email import message_from_string

from odoo.addons.base.tests.common import MockSmtplibCase
from odoo.tests import HttpCase, tagged

from ..providers.email import mailgun_signature
from ..providers.sandbox import SIGNATURE_HEADER, sign
from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestEmailProvider(InboxCommon, MockSmtplibCase, HttpCase):
    """Email out through Odoo's mail transport, in through Odoo's gateway."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.email_provider = cls.env["inbox.provider"].create({
            "name": "Mail", "provider_type": "email", "mailgun_signing_key": "mg-key"})
        cls.sender_email.action_archive()
        cls.mailbox = cls.env["inbox.sender"].create({
            "name": "Clinic mailbox", "provider_id": cls.email_provider.id, "channel": "email",
            "address": "clinic@example.com"})

    def send_email(self, body="<p>Your results are ready.</p>", subject="Results"):
        message = self.conversation.with_user(self.user_a).message_inbox_send("email", body, subject=subject)
        with self.mock_smtplib_connection():
            self.run_dispatch()
        return message

    def post_raw(self, mime, secret=None):
        body = mime.encode()
        secret = secret or self.email_provider.sudo().webhook_secret
        response = self.url_open(f"/unified_inbox/webhook/{self.email_provider.webhook_token}", data=body,
                                 headers={"Content-Type": "message/rfc822", SIGNATURE_HEADER: sign(secret, body)})
        self.run_due_events()  # what the event cron does right after
        return response

    def post_mailgun(self, mime, timestamp=None, key="mg-key"):
        timestamp = str(int(timestamp or time.time()))
        token = hashlib.sha256(timestamp.encode()).hexdigest()[:50]
        response = self.url_open(f"/unified_inbox/webhook/{self.email_provider.webhook_token}", data={
            "timestamp": timestamp, "token": token, "signature": mailgun_signature(key, timestamp, token),
            "recipient": "clinic@example.com", "body-mime": mime,
        })
        self.run_due_events()
        return response

    @staticmethod
    def mime(message_id, body="Thanks!", sender="Alice Customer <alice@customer.example.com>",
             subject="Re: Results", in_reply_to=None):
        headers = [f"From: {sender}", "To: clinic@example.com", f"Subject: {subject}",
                   f"Message-ID: {message_id}", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
        if in_reply_to:
            headers += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
        return "\r\n".join(headers) + "\r\n\r\n" + body + "\r\n"

    def inbound_emails(self, conversation=None):
        conversation = conversation or self.conversation
        return conversation.message_ids.filtered(
            lambda m: m.inbox_channel == "email" and m.inbox_direction == "inbound")

    def test_outbound_through_the_mail_transport(self):
        message = self.send_email()
        self.assertEqual(message.inbox_status, "sent")
        [email] = self.emails
        self.assertEqual(email["smtp_to_list"], ["alice@customer.example.com"])
        parsed = message_from_string(email["message"])
        self.assertIn("clinic@example.com", parsed["From"])
        self.assertEqual(parsed["Subject"], "Results")
        self.assertEqual(parsed["Message-Id"].strip(), message.message_id)
        self.assertTrue(parsed["Reply-To"])
        self.assertIsNone(parsed["In-Reply-To"], "the first email of the conversation answers nothing")
        self.assertIn("Your results are ready.", email["message"])
        self.assertEqual(message.inbox_provider_message_id, message.message_id)
        second = self.send_email(subject="More results")
        parsed = message_from_string(self.emails[-1]["message"])
        self.assertEqual(parsed["In-Reply-To"].strip(), message.message_id)
        self.assertNotIn(second.message_id, parsed["References"])

    def test_reply_lands_in_its_conversation(self):
        other = self.env["inbox.conversation"].create({"partner_id": self.partner.id, "state": "closed"})
        other.sudo().last_message_date = "2099-01-01 00:00:00"  # the newest, to prove threading wins
        message = self.send_email()
        reply = self.mime("<reply-1@customer.example.com>", body="Thanks, see you!", in_reply_to=message.message_id)
        self.assertEqual(self.post_raw(reply).status_code, 200)
        [received] = self.inbound_emails()
        self.assertIn("see you", received.body)
        self.assertEqual(received.author_id, self.partner)
        self.assertEqual(received.inbox_sender_id, self.mailbox)
        self.assertFalse(self.inbound_emails(other))
        self.assertTrue(self.conversation.with_user(self.user_a).is_unread)

    def test_reply_through_the_gateway(self):
        """The same reply fetched by Odoo's own incoming mail (catchall)."""
        message = self.send_email()
        self.env["mail.thread"].message_process(
            "inbox.conversation", self.mime("<reply-2@customer.example.com>", in_reply_to=message.message_id))
        self.assertEqual(len(self.inbound_emails()), 1)

    def test_new_email_from_a_stranger(self):
        for index in range(2):
            mime = self.mime(f"<new-{index}@elsewhere.example.com>", sender="Bob New <bob@elsewhere.example.com>",
                             subject="Appointment?")
            self.assertEqual(self.post_raw(mime).status_code, 200)
        bob = self.env["res.partner"].search([("email_normalized", "=", "bob@elsewhere.example.com")])
        self.assertEqual(len(bob), 1)
        self.assertEqual(bob.name, "Bob New")
        conversation = self.env["inbox.conversation"].search([("partner_id", "=", bob.id)])
        self.assertEqual(len(conversation), 1)
        self.assertEqual(len(self.inbound_emails(conversation)), 2)

    def test_duplicate_message_id_is_stored_once(self):
        mime = self.mime("<dup@customer.example.com>")
        for _i in range(3):
            self.assertEqual(self.post_raw(mime).status_code, 200)
        self.assertEqual(len(self.env["mail.message"].search([("message_id", "=", "<dup@customer.example.com>")])), 1)

    def test_mailgun(self):
        self.assertEqual(self.post_mailgun(self.mime("<mg-1@customer.example.com>")).status_code, 200)
        self.assertEqual(len(self.inbound_emails()), 1)
        stale = self.post_mailgun(self.mime("<mg-2@customer.example.com>"), timestamp=time.time() - 3600)
        self.assertEqual(stale.status_code, 403, "an old signature is a replay")
        forged = self.post_mailgun(self.mime("<mg-3@customer.example.com>"), key="guess")
        self.assertEqual(forged.status_code, 403)
        self.assertEqual(len(self.inbound_emails()), 1)
        self.assertEqual(self.email_provider.signature_failure_count, 2)

    def test_bad_input(self):
        self.assertEqual(self.post_raw(self.mime("<x@y>"), secret="forged").status_code, 403)
        self.assertEqual(self.post_raw("just some text").status_code, 400)
        no_mime = self.url_open(f"/unified_inbox/webhook/{self.email_provider.webhook_token}", data={
            "timestamp": str(int(time.time())), "token": "t",
            "signature": mailgun_signature("mg-key", str(int(time.time())), "t")})
        self.assertEqual(no_mime.status_code, 400)
        self.assertFalse(self.inbound_emails())
