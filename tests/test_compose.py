from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestCompose(InboxCommon):
    """New conversation: to a person found or created, never twice."""

    def compose(self, **values):
        values = dict({"channel": "sms", "body": "Hello"}, **values)
        return self.env["inbox.compose"].with_user(self.user_a).create(values)

    def test_new_number_creates_one_person_and_conversation(self):
        self.compose(new_address="0470 55 66 77").action_send()
        person = self.env["res.partner"].search([("phone_sanitized", "=", "+32470556677")])
        self.assertEqual(len(person), 1)
        conversation = self.env["inbox.conversation"].search([("partner_id", "=", person.id)])
        self.assertEqual(conversation.last_message_preview, "Hello")
        self.assertEqual((conversation.user_id, conversation.team_id), (self.user_a, self.team_a),
                         "started by the agent: theirs, in their team")
        self.compose(new_address="+32 470 55 66 77", body="Again").action_send()
        self.assertEqual(self.env["res.partner"].search_count([("phone_sanitized", "=", "+32470556677")]), 1)
        self.assertEqual(self.env["inbox.conversation"].search_count([("partner_id", "=", person.id)]), 1)

    def test_existing_person_by_number_or_email(self):
        self.compose(new_address="+32470617283").action_send()
        self.compose(new_address="ALICE@customer.example.com", channel="email", subject="Hi").action_send()
        self.assertEqual(
            self.env["res.partner"].search_count([("email_normalized", "=", "alice@customer.example.com")]), 1)
        self.assertEqual(len(self.conversation.message_ids.filtered(lambda m: m.inbox_direction == "outbound")), 2)

    def test_nothing_is_created_when_the_message_is_refused(self):
        with self.assertRaisesRegex(UserError, "WhatsApp window is closed"):
            self.compose(new_address="0470 55 66 88", channel="whatsapp").action_send()
        self.assertFalse(self.env["res.partner"].search([("phone_sanitized", "=", "+32470556688")]))
        with self.assertRaisesRegex(UserError, "neither a valid phone number nor a valid email"):
            self.compose(new_address="12").action_send()

    def test_channel_default_sender_and_reason(self):
        form = Form(self.env["inbox.compose"].with_user(self.user_a).with_context(
            default_conversation_id=self.conversation.id))
        form.channel = "sms"
        self.assertEqual(form.sender_id, self.sender_sms)
        form.channel = "whatsapp"
        self.assertEqual(form.sender_id, self.sender_whatsapp)
        self.assertIn("WhatsApp window is closed", form.availability_reason)

    def test_whatsapp_to_someone_new_offers_approved_templates_only(self):
        Template = self.env["inbox.template"]
        approved = Template.create({
            "name": "Follow-up", "channel": "whatsapp", "body": "Hello {{1}}, how are you?",
            "whatsapp_template_name": "follow_up", "whatsapp_language": "en", "whatsapp_status": "approved",
            "whatsapp_variables": "{{ object.partner_id.name }}"})
        free_text = Template.create({"name": "Free text", "channel": "whatsapp", "body": "See you"})
        form = Form(self.env["inbox.compose"].with_user(self.user_a))
        form.new_address = "0470 55 66 99"
        form.channel = "whatsapp"
        self.assertTrue(form.templates_only, "a person new to the Inbox never wrote: the window is closed")
        self.assertIn("WhatsApp window is closed", form.availability_reason)
        self.assertEqual(form._get_modifier("body", "readonly"), True, "no free text to type and have refused")
        self.assertEqual(form._get_modifier("template_id", "required"), True)
        offered = Template.browse(form.allowed_template_ids.ids)
        self.assertIn(approved, offered)
        self.assertNotIn(free_text, offered, "only an approved template is offered")
        self.assertTrue(all(offered.mapped("whatsapp_template_name")))
        form.template_id = approved
        self.assertFalse(form.availability_reason)
        self.assertIn("how are you", form.body)
        form.save().action_send()
        person = self.env["res.partner"].search([("phone_sanitized", "=", "+32470556699")])
        message = self.env["inbox.conversation"].search([("partner_id", "=", person.id)]).message_ids.filtered(
            lambda m: m.inbox_channel == "whatsapp")
        self.assertEqual(message.inbox_template["name"], "follow_up")
        # an SMS to the same person is free text again; a WhatsApp to
        # somebody whose window is open is too, with every template
        form = Form(self.env["inbox.compose"].with_user(self.user_a))
        form.partner_id = self.partner
        form.channel = "sms"
        self.assertFalse(form.templates_only)
        self.open_whatsapp_window()
        form.channel = "whatsapp"
        self.assertFalse(form.templates_only)
        self.assertLessEqual(approved | free_text, Template.browse(form.allowed_template_ids.ids))
        self.assertEqual(form._get_modifier("body", "readonly"), False)
