from lxml import html
from markupsafe import escape

from odoo.tests import tagged

from .common import InboxCommon

XSS_NAME = "<img src=x onerror=alert(1)>"
# an email whose display name is that markup, as a mail client encodes it
XSS_EMAIL = "\r\n".join([
    "From: =?utf-8?q?=3Cimg_src=3Dx_onerror=3Dalert(1)=3E?= <x@example.org>",
    "To: hello@example.com",
    "Subject: Hello",
    "Message-ID: <xss-1@example.org>",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Hi!",
    "",
])
# the body of the stock "Welcome" template (demo/inbox_demo.xml)
WELCOME_BODY = ("Dear {{ object.partner_id.name }}, thank you for choosing us. "
                "Reply to this email with any question.")


@tagged("post_install", "-at_install")
class TestTemplateEscaping(InboxCommon):
    """What a customer controls (their name, an email's display name) is
    shown by a template as text: escaped in the composer's rich text, never
    markup, never rendered as a template itself."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Template = cls.env["inbox.template"]
        cls.welcome = Template.create({
            "name": "Welcome (test)", "channel": "email", "subject": "Welcome {{ object.partner_id.name }}",
            "body": WELCOME_BODY})
        cls.sms = Template.create({
            "name": "Reminder (test)", "channel": "sms",
            "body": "Hello {{ object.partner_id.name }},\nsee you {{ object.company_id.name }}."})
        # an expression beyond a field path: rendered by safe_eval, not the regex path
        cls.evaluated = Template.create({
            "name": "Evaluated (test)", "channel": "email",
            "body": "Dear {{ object.partner_id.name or 'customer' }}."})

    def render(self, template, conversation=None):
        conversation = conversation or self.conversation
        return conversation.with_user(self.user_a).inbox_render_template(template.id)

    def assertText(self, body_html, text):
        """``body_html`` shows exactly ``text``, with no element but the
        paragraphs and line breaks of plain text."""
        fragment = html.fragment_fromstring(body_html, create_parent="div")
        self.assertEqual({element.tag for element in fragment.iter()} - {"div", "p", "br"}, set(),
                         f"no markup of the values in {body_html!r}")
        self.assertEqual(fragment.text_content(), text.replace("\n", ""))

    def test_markup_in_a_name_is_text(self):
        self.partner.name = XSS_NAME
        rendered = self.render(self.welcome)
        expected = WELCOME_BODY.replace("{{ object.partner_id.name }}", XSS_NAME)
        self.assertEqual(rendered["body"], expected, "the plain text is the text, as written")
        self.assertEqual(rendered["subject"], f"Welcome {XSS_NAME}")
        self.assertNotIn("<img", rendered["body_html"])
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", rendered["body_html"])
        self.assertText(rendered["body_html"], expected)
        for template in (self.sms, self.evaluated):
            rendered = self.render(template)
            self.assertIn(XSS_NAME, rendered["body"])
            self.assertNotIn("<img", rendered["body_html"])
            self.assertText(rendered["body_html"], rendered["body"])

    def test_the_stock_welcome_template(self):
        welcome = self.env.ref("unified_inbox.template_email_welcome", raise_if_not_found=False) or self.welcome
        self.partner.name = XSS_NAME
        rendered = self.render(welcome)
        self.assertIn(f"Dear {XSS_NAME},", rendered["body"])
        self.assertNotIn("<img", rendered["body_html"])
        self.assertText(rendered["body_html"], rendered["body"])

    def test_a_name_from_an_email_display_name(self):
        self.env["mail.thread"].message_process("inbox.conversation", XSS_EMAIL)
        person = self.env["res.partner"].search([("email_normalized", "=", "x@example.org")])
        self.assertEqual(person.name, XSS_NAME, "stored as the text it is")
        conversation = self.env["inbox.conversation"].search([("partner_id", "=", person.id)])
        conversation.team_id = self.team_a
        rendered = self.render(self.welcome, conversation)
        self.assertNotIn("<img", rendered["body_html"])
        self.assertText(rendered["body_html"], rendered["body"])

    def test_a_name_is_never_rendered_as_a_template(self):
        company = self.company.name
        for name in ("{{ 7*7 }}", "${7*7}", "{{ object.company_id.name }}", '<t t-out="7*7"/>', "#{7*7}"):
            with self.subTest(name=name):
                self.partner.name = name
                for template, expected in (
                    (self.welcome, WELCOME_BODY.replace("{{ object.partner_id.name }}", name)),
                    (self.sms, f"Hello {name},\nsee you {company}."),
                    (self.evaluated, f"Dear {name}."),
                ):
                    rendered = self.render(template)
                    self.assertEqual(rendered["body"], expected, "shown as written, not evaluated")
                    self.assertNotIn("<t", rendered["body_html"])
                    self.assertText(rendered["body_html"], expected)

    def test_markup_in_a_template_is_text(self):
        """A template's body is plain text: a tag written in it is shown, not
        applied (the rich text is the text escaped)."""
        template = self.env["inbox.template"].create({
            "name": "Tagged", "channel": "email", "body": "<b>Hello</b> {{ object.partner_id.name }}"})
        rendered = self.render(template)
        self.assertEqual(rendered["body"], "<b>Hello</b> Alice Customer")
        self.assertEqual(rendered["body_html"], "<p>&lt;b&gt;Hello&lt;/b&gt; Alice Customer</p>")

    def test_line_breaks_are_kept(self):
        rendered = self.render(self.sms)
        self.assertEqual(rendered["body"], f"Hello Alice Customer,\nsee you {self.company.name}.")
        self.assertEqual(rendered["body_html"], f"<p>Hello Alice Customer,<br>see you {escape(self.company.name)}.</p>")

    def test_a_template_sent_without_editing_stores_text(self):
        # the template sent as it is (no body from the composer), by the API
        # and by the "New Message" wizard: the stored email shows the name
        self.partner.name = XSS_NAME
        for template in (self.welcome, self.evaluated):
            message = self.conversation.with_user(self.user_a).message_inbox_send(
                "email", "", subject="Hello", template_id=template.id)
            self.assertNotIn("<img", message.body)
            self.assertIn("&lt;img src=x onerror=alert(1)&gt;", message.body)

    def test_the_new_message_wizard_sends_its_text_as_text(self):
        wizard = self.env["inbox.compose"].with_user(self.user_a).create({
            "conversation_id": self.conversation.id, "channel": "email", "subject": "Hello",
            "body": f"Dear {XSS_NAME}"})
        wizard.action_send()
        message = self.conversation.message_ids.filtered(lambda m: m.inbox_channel == "email")[:1]
        self.assertNotIn("<img", message.body)
        self.assertIn("Dear &lt;img src=x onerror=alert(1)&gt;", message.body)
