import json
import uuid
from contextlib import contextmanager

from odoo import Command
from odoo.tests import BaseCase, HttpCase, TransactionCase, new_test_user

from ..providers.base import WebhookRequest
from ..providers.meta_whatsapp import SIGNATURE_HEADER as META_SIGNATURE_HEADER
from ..providers.meta_whatsapp import MetaWhatsAppAdapter
from ..providers.meta_whatsapp import sign as meta_sign
from ..providers.sandbox import SandboxAdapter
from ..providers.twilio import SIGNATURE_HEADER as TWILIO_SIGNATURE_HEADER
from ..providers.twilio import compute_signature
from .fake_providers import FakeProviderServer


class InboxCommon(TransactionCase):
    """A company with a sandbox provider, one sender account per channel,
    two teams, and users of each kind."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_notrack=True))
        cls.company = cls.env.company
        cls.company.country_id = cls.env.ref("base.be")
        # the tests own their configuration, whatever the database holds
        cls.env["inbox.provider"].search([]).action_archive()
        cls.env["inbox.sender"].search([]).action_archive()
        cls.env["inbox.assignment.rule"].search([]).action_archive()
        cls.provider = cls.env["inbox.provider"].create({"name": "Test Sandbox", "provider_type": "sandbox"})
        cls.team_a = cls.env["crm.team"].create({"name": "Team A"})
        cls.team_b = cls.env["crm.team"].create({"name": "Team B"})
        cls.sender_sms = cls._create_sender("sms", "+32 470 00 00 01")
        cls.sender_whatsapp = cls._create_sender("whatsapp", "+32 470 00 00 02")
        cls.sender_email = cls._create_sender("email", "Hello@Example.COM")

        cls.user_a = new_test_user(cls.env, "inbox_user_a", groups="unified_inbox.group_inbox_user",
                                   name="Agent A", email="agent.a@example.com")
        cls.user_b = new_test_user(cls.env, "inbox_user_b", groups="unified_inbox.group_inbox_user",
                                   name="Agent B", email="agent.b@example.com")
        cls.manager = new_test_user(cls.env, "inbox_manager", groups="unified_inbox.group_inbox_manager",
                                    name="Inbox Manager", email="manager@example.com")
        cls.employee = new_test_user(cls.env, "plain_employee", groups="base.group_user", name="Employee")
        cls.admin = new_test_user(cls.env, "inbox_admin", groups="base.group_system,unified_inbox.group_inbox_manager",
                                  name="Administrator")
        cls.team_a.member_ids = [Command.link(cls.user_a.id)]
        cls.team_b.member_ids = [Command.link(cls.user_b.id)]

        cls.partner = cls.env["res.partner"].create({
            "name": "Alice Customer", "phone": "+32 470 61 72 83", "email": "alice@customer.example.com",
        })
        cls.conversation = cls.env["inbox.conversation"].create({
            "partner_id": cls.partner.id, "team_id": cls.team_a.id,
        })

    @classmethod
    def _create_sender(cls, channel, address, **values):
        return cls.env["inbox.sender"].create(dict({
            "name": f"{channel} sender", "provider_id": cls.provider.id, "channel": channel, "address": address,
        }, **values))

    def open_whatsapp_window(self, conversation=None):
        self.receive(conversation or self.conversation, "whatsapp", "Hi there")

    def receive(self, conversation, channel, body, provider_message_id=None, sender=None):
        """Make the conversation's person write to us through the sandbox webhook path."""
        sender = sender or {"sms": self.sender_sms, "whatsapp": self.sender_whatsapp,
                            "email": self.sender_email}[channel]
        partner = conversation.partner_id
        return self.post_sandbox_events([{
            "type": "message",
            "id": provider_message_id or f"IN-{uuid.uuid4().hex}",
            "channel": channel,
            "from": partner.email if channel == "email" else partner.phone,
            "to": sender.address,
            "name": partner.name,
            "body": body,
        }])

    def post_sandbox_events(self, events, provider=None):
        provider = provider or self.provider
        request = SandboxAdapter.signed_request(provider.webhook_url, provider.sudo().webhook_secret, events)
        answer = provider._inbox_handle_webhook(request)
        self.run_due_events()  # what the event cron does right after
        return answer

    def run_dispatch(self):
        return self.env["mail.message"]._inbox_dispatch()

    def drop_pending_receipts(self):
        """The sandbox's own delivery receipts, kept for the event cron, are
        dropped: the test reports another status instead."""
        self.env["inbox.event"].search([("state", "=", "pending")]).unlink()

    def run_due_events(self):
        return self.env["inbox.event"]._inbox_process_due()

    @contextmanager
    def assert_no_outgoing_mail(self):
        """Nothing leaves by email while the block runs."""
        before = self.env["mail.mail"].sudo().search([]).ids
        yield
        created = self.env["mail.mail"].sudo().search([("id", "not in", before)])
        self.assertFalse(created, f"unexpected outgoing emails: {created.mapped('subject')}")


class InboxFakeProviderCase(InboxCommon, HttpCase):
    """InboxCommon with the fake Twilio and Graph servers on loopback, and
    real HTTP to our webhooks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeProviderServer().start()
        cls.addClassCleanup(cls.fake.stop)

    def setUp(self):
        super().setUp()
        self.fake.reset()


class MetaProtocolCase(BaseCase):
    """The Meta adapter alone, parsing webhook bodies."""

    def setUp(self):
        super().setUp()
        self.adapter = MetaWhatsAppAdapter({
            "meta_access_token": "t", "meta_app_secret": "app-secret", "meta_verify_token": "verify-me"})

    def parse(self, data):
        body = json.dumps(data).encode()
        return self.adapter.parse_webhook(WebhookRequest("POST", "http://x", {}, body))


class InboxMetaCase(InboxFakeProviderCase):
    """A Meta provider on the fake Graph (WhatsApp, and a Page's token for
    Messenger and Instagram), and its signed webhooks over HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.meta = cls.env["inbox.provider"].create({
            "name": "Meta", "provider_type": "meta_whatsapp", "api_base_url": cls.fake.url,
            "meta_access_token": cls.fake.meta_token, "meta_app_secret": "app-secret",
            "meta_verify_token": "verify-me", "meta_page_access_token": cls.fake.page_token,
        })

    def post(self, data, secret="app-secret", apply=True):
        body = json.dumps(data).encode()
        response = self.url_open(f"/unified_inbox/webhook/{self.meta.webhook_token}", data=body, headers={
            "Content-Type": "application/json", META_SIGNATURE_HEADER: meta_sign(secret, body)})
        if apply:
            self.run_due_events()  # what the event cron does right after
        return response


class InboxTwilioCase(InboxFakeProviderCase):
    """A Twilio provider on the fake Twilio, with an SMS and a WhatsApp
    sender account, in place of the sandbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.twilio = cls.env["inbox.provider"].create({
            "name": "Twilio", "provider_type": "twilio", "api_base_url": cls.fake.url,
            "twilio_account_sid": cls.fake.twilio_sid, "twilio_auth_token": cls.fake.twilio_token,
        })
        cls.provider.action_archive()
        cls.sender_sms.action_archive()
        cls.sender_whatsapp.action_archive()
        cls.tw_sms = cls.env["inbox.sender"].create({
            "name": "Twilio SMS", "provider_id": cls.twilio.id, "channel": "sms", "address": "+32 470 00 00 11"})
        cls.tw_whatsapp = cls.env["inbox.sender"].create({
            "name": "Twilio WA", "provider_id": cls.twilio.id, "channel": "whatsapp", "address": "+32 470 00 00 12"})

    def webhook_path(self):
        return f"/unified_inbox/webhook/{self.twilio.webhook_token}"

    def post_form(self, form, token=None, path=None):
        """POST a form to our webhook, signed as Twilio would sign it."""
        path = path or self.webhook_path()
        url = f"{self.base_url()}{path}"
        signature = compute_signature(token or self.fake.twilio_token, url,
                                      {name: [value] for name, value in form.items()})
        response = self.url_open(path, data=form, headers={TWILIO_SIGNATURE_HEADER: signature})
        self.run_due_events()  # what the event cron does right after
        return response

    def inbound_form(self, sid="SMin1", body="Hello", sender="+32470617283", to="+32470000011", **extra):
        return dict({"MessageSid": sid, "AccountSid": self.fake.twilio_sid, "From": sender, "To": to,
                     "Body": body, "NumMedia": "0", "SmsStatus": "received"}, **extra)

    def send(self, channel="sms", body="Hello from Odoo"):
        return self.conversation.with_user(self.user_a).message_inbox_send(channel, body)
