from odoo.tests import HttpCase, tagged

from .test_escaping import WELCOME_BODY, XSS_EMAIL, XSS_NAME


@tagged("post_install", "-at_install")
class TestUiEscaping(HttpCase):
    """A person whose name is markup (an email's display name): the Welcome
    template shows it as text in the Inbox's composer and in the one of
    their form, and so does an SMS template's text taken along to email; no
    script of it runs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        provider = cls.env["inbox.provider"].create({"name": "Escaping Sandbox"})
        Sender = cls.env["inbox.sender"]
        Sender.create({"name": "Escaping Email", "provider_id": provider.id, "channel": "email",
                       "address": "hello@example.com", "sequence": 0})
        Sender.create({"name": "Escaping SMS", "provider_id": provider.id, "channel": "sms",
                       "address": "+32 470 00 00 09", "sequence": 0})
        cls.env["inbox.template"].create({
            "name": "Escaping reminder", "channel": "sms", "body": "Hello {{ object.partner_id.name }}, see you soon."})
        # the person comes from an email, as in the report
        cls.env["mail.thread"].message_process("inbox.conversation", XSS_EMAIL)
        cls.person = cls.env["res.partner"].search([("email_normalized", "=", "x@example.org")])
        cls.person.phone = "+32 470 99 88 77"
        cls.conversation = cls.env["inbox.conversation"].search([("partner_id", "=", cls.person.id)])
        if not cls.env.ref("unified_inbox.template_email_welcome", raise_if_not_found=False):
            # the stock template is demo data
            cls.env["inbox.template"].create({
                "name": "Welcome", "channel": "email", "subject": "Welcome to Bright Smile Dental",
                "body": WELCOME_BODY})

    def test_welcome_template_in_the_inbox(self):
        self.assertEqual(self.person.name, XSS_NAME)
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_escaping_tour", login="admin")
        sent = self.conversation.message_ids.filtered(
            lambda m: m.inbox_channel == "email" and m.inbox_direction == "outbound")
        self.assertEqual(len(sent), 1)
        self.assertIn("Dear &lt;img src=x onerror=alert(1)&gt;, thank you", sent.body)
        self.assertNotIn("<img", sent.body)

    def test_welcome_template_on_the_person_form(self):
        self.start_tour(f"/odoo/res.partner/{self.person.id}", "unified_inbox_escaping_form_tour", login="admin")
