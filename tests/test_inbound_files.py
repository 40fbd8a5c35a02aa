from odoo.tests import tagged

from .common import InboxTwilioCase

SVG_WITH_SCRIPT = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
                   b'<script>alert(document.cookie)</script></svg>')


@tagged("post_install", "-at_install")
class TestInboundFiles(InboxTwilioCase):
    """A file a customer sends is what its bytes are, whatever it claims,
    and never served as active content."""

    def receive_files(self, *files):
        form = self.inbound_form(sid="SMfiles", body="", NumMedia=str(len(files)))
        for index, (content, claimed_type) in enumerate(files):
            form[f"MediaUrl{index}"] = self.fake.add_file(
                f"/2010-04-01/Accounts/{self.fake.twilio_sid}/Messages/SMfiles/Media/ME{index}", content, claimed_type)
            form[f"MediaContentType{index}"] = claimed_type
        self.assertEqual(self.post_form(form).status_code, 200)
        self.run_due_events()
        return self.env["mail.message"].search([("inbox_provider_message_id", "=", "SMfiles")])

    def test_active_content_is_kept_as_text(self):
        message = self.receive_files((SVG_WITH_SCRIPT, "image/png"))
        self.assertEqual(message.attachment_ids.mimetype, "text/plain", "an SVG with script is no image of ours")
        self.assertEqual(message.attachment_ids.raw, SVG_WITH_SCRIPT)
        response = self.url_open(f"/web/content/{message.attachment_ids.id}?access_token="
                                 f"{message.attachment_ids.generate_access_token()[0]}")
        self.assertTrue(response.headers["Content-Type"].startswith("text/plain"))

    def test_claimed_type_is_not_trusted(self):
        page = b"<html><body><script>alert(1)</script></body></html>"
        message = self.receive_files((page, "application/pdf"), (b"%PDF-1.4 a real one", "application/pdf"))
        html, pdf = message.attachment_ids.sorted("id")
        self.assertEqual(html.name, "application.pdf", "named as it came")
        self.assertEqual(html.mimetype, "text/plain", "a web page said to be a PDF is kept as text")
        self.assertEqual(pdf.mimetype, "application/pdf")
