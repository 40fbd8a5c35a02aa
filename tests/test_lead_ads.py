from odoo.tests import tagged

from .common import InboxMetaCase
from .test_meta_whatsapp import leadgen_payload

XSS = "<img src=x onerror=alert(1)>"


@tagged("post_install", "-at_install")
class TestLeadAdsAnswers(InboxMetaCase):
    """Lead forms that ask for an email and no number, and answers that
    carry markup: a lead all the same, and the answers shown as text."""

    def post_lead(self, leadgen_id):
        response = self.post(leadgen_payload(leadgen_id))
        self.assertEqual(response.status_code, 200)
        event = self.env["inbox.event"].search([("dedupe_key", "=", f"lead:{leadgen_id}")])
        self.assertEqual((event.state, event.error), ("done", False))
        return self.env["crm.lead"].search([("inbox_leadgen_id", "=", leadgen_id)])

    def answers(self, leadgen_id, **fields):
        self.fake.leads[leadgen_id] = {
            "id": leadgen_id, "created_time": "2026-11-22T08:00:00+0000", "form_id": "FORM1", "platform": "fb",
            "campaign_name": "Newsletter",
            "field_data": [{"name": name, "values": [value]} for name, value in fields.items()]}

    def assertCard(self, conversation, lead):
        self.assertEqual(conversation.lead_id, lead)
        self.assertTrue(conversation.message_ids.filtered(
            lambda m: m.inbox_card and m.inbox_card["res_id"] == lead.id), "a card in the conversation")

    def test_email_and_no_phone_makes_a_person_and_a_lead(self):
        self.answers("LGE1", full_name="Erin Emailonly", email="Erin@Example.com")
        lead = self.post_lead("LGE1")
        person = lead.partner_id
        self.assertEqual((person.name, person.email_normalized, person.phone), ("Erin Emailonly", "erin@example.com",
                                                                               False))
        self.assertEqual((lead.type, lead.name, lead.source_id.name), ("opportunity", "Newsletter", "Facebook"))
        conversation = self.env["inbox.conversation"].search([("partner_id", "=", person.id)])
        self.assertCard(conversation, lead)

    def test_empty_phone_answer_and_a_known_email(self):
        self.answers("LGE2", full_name="Alice", phone_number="  ", email="alice@customer.example.com")
        lead = self.post_lead("LGE2")
        self.assertEqual(lead.partner_id, self.partner, "found by her email")
        self.assertCard(self.conversation, lead)
        same_email = [("email_normalized", "=", "alice@customer.example.com")]
        self.assertEqual(self.env["res.partner"].search_count(same_email), 1, "no second profile")

    def test_answers_are_text(self):
        self.answers("LGX1", full_name=XSS, email="xss@example.com", what_for=f"{XSS} {{{{ 7*7 }}}}")
        lead = self.post_lead("LGX1")
        self.assertEqual(lead.partner_id.name, XSS, "the name, as typed")
        self.assertNotIn("<img", lead.description)
        self.assertIn("full_name: &lt;img src=x onerror=alert(1)&gt;<br>", lead.description)
        self.assertIn("what_for: &lt;img src=x onerror=alert(1)&gt; {{ 7*7 }}", lead.description)
        # the same form again: the new answers in a note, as text
        self.answers("LGX2", full_name=XSS, email="xss@example.com", what_for="<b>again</b>")
        self.assertEqual(self.post_lead("LGX2"), self.env["crm.lead"], "no second opportunity")
        note = lead.message_ids.filtered(lambda m: "filled in the form again" in m.body)
        self.assertNotIn("<b>", note.body)
        self.assertIn("what_for: &lt;b&gt;again&lt;/b&gt;", note.body)
        self.assertIn("<br>", note.body, "one answer a line")
