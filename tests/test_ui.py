import base64
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .fake_chat_completions import FakeChatCompletions


class InboxTourCase(HttpCase):
    """Two open conversations on a sandbox SMS number: Wanda's, with one
    queued and one failed message, and Zed's, labelled VIP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        provider = cls.env["inbox.provider"].create({"name": "Tour Sandbox"})
        cls.sender = cls.env["inbox.sender"].create({
            "name": "Tour SMS", "provider_id": provider.id, "channel": "sms", "address": "+32 470 00 00 07",
            "sequence": 0,
        })
        Partner, Conversation = cls.env["res.partner"], cls.env["inbox.conversation"]
        cls.wanda = Partner.create({"name": "Wanda Workflow", "phone": "+32 470 55 66 77"})
        cls.zed = Partner.create({"name": "Zed Other", "phone": "+32 470 88 99 00"})
        cls.conversation_wanda = Conversation.create({"partner_id": cls.wanda.id})
        cls.conversation_zed = Conversation.create({
            "partner_id": cls.zed.id,
            "label_ids": [(0, 0, {"name": "Tour VIP"})],
        })
        cls.queued = cls.conversation_wanda.message_inbox_send("sms", "Queued reminder")
        cls.failed = cls.conversation_wanda.message_inbox_send("sms", "Lost reminder")
        cls.failed._inbox_set_status("failed", inbox_error="Unreachable destination handset.")
        cls.conversation_zed.message_inbox_send("note", "Zed called about parking")

    def _long_conversation(self):
        """Sam's conversation: more history than a screen holds, the newest
        at the end, and a file the team sent."""
        sam = self.env["res.partner"].create({"name": "Sam Scroll", "phone": "+32 470 44 55 66"})
        conversation = self.env["inbox.conversation"].create({"partner_id": sam.id})
        for number in range(1, 31):
            conversation.message_inbox_send("note", f"History message {number}")
        attachment = self.env["ir.attachment"].create({
            "name": "xray.pdf", "datas": base64.b64encode(b"%PDF-1.4 tour"), "mimetype": "application/pdf",
            "res_model": "inbox.conversation", "res_id": conversation.id,
        })
        conversation.message_inbox_send("note", "Here is the X-ray", attachment_ids=attachment.ids)
        conversation.message_inbox_send("note", "Newest message of the history")
        return conversation

    def _assert_scroll_tour(self, conversation):
        received = conversation.message_ids.filtered(lambda m: m.inbox_direction == "inbound")
        self.assertIn("Are you still there?", received.body)
        note = conversation.message_ids.filtered(lambda m: "Sent from the bottom" in (m.body or ""))
        self.assertEqual(note.inbox_channel, "note")


class ScrollTours:
    """A thread, in the Inbox and on the person's form, opens at its newest
    message, at every width. (Odoo 19 runs only the test methods a class
    defines itself: each class below calls these.)"""

    def _thread_opens_at_its_newest_message(self):
        conversation = self._long_conversation()
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_thread_scroll_tour", login="admin")
        self._assert_scroll_tour(conversation)

    def _feed_opens_at_its_newest_message(self):
        conversation = self._long_conversation()
        self.start_tour(f"/odoo/res.partner/{conversation.partner_id.id}", "unified_inbox_feed_scroll_tour",
                        login="admin")
        self.assertTrue(conversation.message_ids.filtered(lambda m: "Sent from the form" in (m.body or "")))


class StartTours:
    """A conversation started from the Inbox (its search, its New button)
    goes on in the Inbox, on the new thread, at every width. (Odoo 19 runs
    only the test methods a class defines itself: each class below calls
    this.)"""

    def _start_a_conversation_and_stay_in_the_inbox(self):
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_start_tour", login="admin")
        for number, text in (("+14155550123", "Hello from the searched number"),
                             ("+14155550124", "Hello from the New button")):
            conversation = self.env["inbox.conversation"].search([("partner_id.phone_sanitized", "=", number)])
            self.assertEqual(len(conversation), 1)
            sms = conversation.message_ids.filtered(lambda m: m.inbox_channel == "sms")
            self.assertIn(text, sms.body)


@tagged("post_install", "-at_install")
class TestUi(StartTours, ScrollTours, InboxTourCase):

    def test_thread_opens_at_its_newest_message(self):
        self._thread_opens_at_its_newest_message()

    def test_feed_opens_at_its_newest_message(self):
        self._feed_opens_at_its_newest_message()

    def test_a_new_conversation_goes_on_in_the_inbox(self):
        self._start_a_conversation_and_stay_in_the_inbox()

    def test_a_new_whatsapp_conversation_offers_approved_templates_only(self):
        provider = self.sender.provider_id
        self.env["inbox.sender"].create({
            "name": "Tour WhatsApp", "provider_id": provider.id, "channel": "whatsapp", "address": "+32 470 00 00 08"})
        Template = self.env["inbox.template"]
        Template.create({
            "name": "Tour follow-up", "channel": "whatsapp", "body": "Hello {{1}}, how are you since your visit?",
            "whatsapp_template_name": "follow_up", "whatsapp_language": "en", "whatsapp_status": "approved",
            "whatsapp_variables": "{{ object.partner_id.name }}"})
        Template.create({"name": "Tour free text", "channel": "whatsapp", "body": "See you soon"})
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_start_whatsapp_tour", login="admin")
        conversation = self.env["inbox.conversation"].search([("partner_id.phone_sanitized", "=", "+14155550125")])
        message = conversation.message_ids.filtered(lambda m: m.inbox_channel == "whatsapp")
        self.assertEqual(message.inbox_template["name"], "follow_up")

    def test_thread_reads_like_a_chat(self):
        billing = self.env["inbox.label"].create({"name": "Tour Billing"})
        admin = self.env.ref("base.user_admin")
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_chat_tour", login="admin")
        self.assertEqual(self.conversation_zed.label_ids, billing, "one label taken off, one put on")
        self.assertEqual(self.conversation_zed.user_id, admin)
        self.assertEqual(self.conversation_zed.state, "closed")
        inbound = self.conversation_wanda.message_ids.filtered(lambda m: m.inbox_direction == "inbound")
        self.assertIn("Is anybody reading?", inbound.body)
        self.assertFalse(self.conversation_wanda.with_user(admin).is_unread, "read as it arrived")
        lead = self.conversation_zed.lead_id
        self.assertEqual(lead.partner_id, self.zed)

    def test_send_from_the_inbox(self):
        partner = self.env["res.partner"].create({"name": "Tour Customer", "phone": "+32 470 11 22 33"})
        conversation = self.env["inbox.conversation"].create({"partner_id": partner.id})
        self.start_tour("/odoo", "unified_inbox_send_tour", login="admin")
        sms = conversation.message_ids.filtered(lambda m: m.inbox_channel == "sms")
        outbound = sms.filtered(lambda m: m.inbox_direction == "outbound")
        self.assertEqual(len(outbound), 1)
        self.assertIn("Hello from the tour", outbound.body)
        self.assertEqual(outbound.inbox_sender_id, self.sender)
        self.assertEqual(outbound.author_id, self.env.ref("base.user_admin").partner_id)
        inbound = sms - outbound
        self.assertIn("Thanks, see you soon!", inbound.body)
        self.assertEqual(inbound.author_id, partner)

    def test_compose_on_every_channel_with_snippet_template_and_schedule(self):
        Sender = self.env["inbox.sender"]
        provider = self.sender.provider_id
        whatsapp = Sender.create({"name": "Tour WhatsApp", "provider_id": provider.id, "channel": "whatsapp",
                                  "address": "+32 470 00 00 08"})
        Sender.create({"name": "Tour Email", "provider_id": provider.id, "channel": "email",
                       "address": "desk@tour.example.com"})
        self.env["inbox.snippet"].create({"shortcut": "tourhours", "body": "We are open 9 to 5."})
        self.env["inbox.template"].create({
            "name": "Tour check-up", "channel": "sms",
            "body": "{{ object.partner_id.name }}, time for your check-up."})
        emma = self.env["res.partner"].create({
            "name": "Emma Everychannel", "phone": "+32 470 12 12 12", "email": "emma@everychannel.example.com"})
        conversation = self.env["inbox.conversation"].create({"partner_id": emma.id})
        self.env["inbox.simulate.inbound"].inbox_simulate(
            conversation.id, "Hi, are you open on Saturday?", sender_id=whatsapp.id)

        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_compose_tour", login="admin")
        sent = {message.inbox_channel: message for message in conversation.message_ids
                if message.inbox_direction != "inbound" and message.inbox_channel}
        self.assertEqual(set(sent), {"whatsapp", "email", "note", "sms"})
        self.assertIn("Hello! We are open 9 to 5.", sent["whatsapp"].body)
        self.assertEqual(sent["email"].subject, "Your X-rays")
        self.assertEqual(sent["note"].subtype_id, self.env.ref("mail.mt_note"), "a note, for the team only")
        self.assertIn("Emma, your check-up is due: call us.", sent["sms"].body, "changed before it went")
        self.assertEqual(sent["sms"].inbox_status, "canceled")
        self.assertEqual(sent["sms"].inbox_scheduled_date.date().isoformat(), "2030-01-16")

    def test_approved_template_in_a_closed_whatsapp_window(self):
        self.env["inbox.sender"].create({
            "name": "Tour WhatsApp", "provider_id": self.sender.provider_id.id, "channel": "whatsapp",
            "address": "+32 470 00 00 08"})
        self.env["inbox.template"].create({
            "name": "Tour follow-up", "channel": "whatsapp", "body": "Hello {{1}}, how are you since your visit?",
            "whatsapp_template_name": "follow_up", "whatsapp_language": "en", "whatsapp_status": "approved",
            "whatsapp_variables": "{{ object.partner_id.name }}"})
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_template_tour", login="admin")
        message = self.conversation_wanda.message_ids.filtered(lambda m: m.inbox_channel == "whatsapp")
        self.assertEqual(message.inbox_sender_id.channel, "whatsapp")
        self.assertEqual(message.inbox_template, {"name": "follow_up", "language": "en",
                                                  "parameters": ["Wanda Workflow"]})
        self.assertFalse(self.conversation_wanda._inbox_window_open("whatsapp"), "a template does not open it")

    def test_book_an_appointment_from_the_inbox(self):
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_book_tour", login="admin")
        event = self.env["calendar.event"].search([("name", "=", "Check-up visit")])
        self.assertIn(self.wanda, event.partner_ids)
        created, accepted = self.conversation_wanda.message_ids.filtered("inbox_card").sorted("id")
        self.assertEqual((created.inbox_card["event"], created.inbox_card["res_id"]), ("create", event.id))
        self.assertEqual(accepted.inbox_card["title"], "Check-up visit confirmed for Wanda Workflow by Mitchell Admin",
                         "staff confirmed for her: the card says who did")
        self.assertEqual(event.attendee_ids.filtered(lambda a: a.partner_id == self.wanda).state, "accepted")

    def test_confirm_and_cancel_an_appointment_from_its_card(self):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        event = self.env["calendar.event"].create({
            "name": "Whitening consult", "start": start, "stop": start + timedelta(hours=1),
            "partner_ids": [(4, self.wanda.id)]})
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_appointment_tour", login="admin")
        self.assertFalse(event.exists())
        cards = self.conversation_wanda.message_ids.filtered("inbox_card").sorted("id")
        titles = [card.inbox_card["title"] for card in cards]
        self.assertEqual(titles[1], "Whitening consult confirmed for Wanda Workflow by Mitchell Admin")

    def test_conversation_on_the_person_form(self):
        self.start_tour(f"/odoo/res.partner/{self.wanda.id}", "unified_inbox_form_feed_tour", login="admin")
        note = self.conversation_wanda.message_ids.filtered(lambda m: m.inbox_channel == "note")
        self.assertIn("Asked about parking", note.body)

    def test_merge_two_people_from_the_inbox(self):
        self.env["inbox.identity"].create({"partner_id": self.zed.id, "kind": "phone", "address": "+32470889900"})
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_merge_tour", login="admin")
        self.assertFalse(self.zed.exists() or self.conversation_zed.exists())
        self.assertEqual(self.wanda.inbox_identity_ids.mapped("address"), ["+32470889900"])
        bodies = self.conversation_wanda.message_ids.mapped("body")
        self.assertTrue(any("Zed called about parking" in body for body in bodies), "Zed's note moved")
        self.assertEqual(self.conversation_wanda.label_ids.mapped("name"), ["Tour VIP"])

    def test_the_actions_queue(self):
        admin = self.env.ref("base.user_admin")
        self.env["mail.activity"].search([("user_id", "=", admin.id)]).unlink()
        today = fields.Date.today()
        walter = self.env["res.partner"].create({"name": "Walter Queue", "phone": "+32 470 12 12 12"})
        walter.activity_schedule("mail.mail_activity_data_call", today - timedelta(days=3),
                                 summary="Call Walter back", user_id=admin.id)
        mia = self.env["res.partner"].create({"name": "Mia Queue", "phone": "+32 470 34 34 34"})
        lead = self.env["crm.lead"].create({"name": "Mia's whitening", "partner_id": mia.id, "type": "opportunity"})
        lead.activity_schedule("unified_inbox.mail_activity_type_message", today - timedelta(days=1),
                               summary="Send the price list", note="Whitening is $390 for both arches.",
                               user_id=admin.id)
        self.conversation_wanda.activity_schedule("mail.mail_activity_data_call", today,
                                                  summary="Ask about the visit", user_id=admin.id)
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_actions_tour", login="admin")
        self.assertEqual(self.env["mail.activity"].search([("user_id", "=", admin.id)]).summary,
                         "Send the price list", "the skipped one is still to do")

    def test_a_colour_theme_kept_in_this_browser(self):
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_theme_tour", login="admin")

    def test_suggested_reply_in_the_composer(self):
        fake = FakeChatCompletions().start()
        self.addCleanup(fake.stop)
        fake.answer = (401, {"error": {"message": "Incorrect API key provided."}})
        fake.reply = "Happy to help! <b>Saturday</b> at 11:00?"  # text, shown as typed: never markup
        self.env.company.write({"inbox_ai_base_url": fake.url, "inbox_ai_model": "tour-model",
                                "inbox_ai_api_key": "sk-test"})
        messages = self.conversation_wanda.message_ids
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_suggest_tour", login="admin")
        self.assertEqual(len(fake.requests), 2)
        self.assertEqual(self.conversation_wanda.message_ids, messages, "nothing was sent")

    def test_filter_cancel_retry_assign_close_reopen(self):
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_workflow_tour", login="admin")
        self.assertEqual(self.queued.inbox_status, "canceled")
        self.assertEqual(self.failed.inbox_status, "queued")
        self.assertFalse(self.failed.inbox_error)
        self.assertEqual(self.conversation_wanda.user_id, self.env.ref("base.user_admin"))
        self.assertEqual(self.conversation_wanda.state, "open")
        self.assertFalse(self.conversation_zed.user_id)


@tagged("post_install", "-at_install")
class TestUiMobile(StartTours, ScrollTours, InboxTourCase):
    browser_size = "390x844"
    touch_enabled = True

    def test_thread_opens_at_its_newest_message(self):
        self._thread_opens_at_its_newest_message()

    def test_feed_opens_at_its_newest_message(self):
        self._feed_opens_at_its_newest_message()

    def test_a_new_conversation_goes_on_in_the_inbox(self):
        self._start_a_conversation_and_stay_in_the_inbox()

    def test_mobile_layout(self):
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_mobile_tour", login="admin")
        note = self.conversation_wanda.message_ids.filtered(lambda m: m.inbox_channel == "note")
        self.assertIn("Called her back from my phone", note.body)
        self.assertEqual(note.author_id, self.env.ref("base.user_admin").partner_id)
