from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import InboxCommon


@tagged("post_install", "-at_install")
class TestActivityCards(InboxCommon):
    """What happens to a person's opportunities and appointments shows as
    cards in their conversation, as the rules say; never sent to them."""

    def cards(self):
        return self.conversation.message_ids.filtered("inbox_card").sorted("id")

    def lead(self, **values):
        return self.env["crm.lead"].create(dict({
            "name": "Whitening", "type": "opportunity", "partner_id": self.partner.id}, **values))

    def test_opportunity_created_changed_won_lost_deleted(self):
        with self.assert_no_outgoing_mail():
            lead = self.lead()
            [created] = self.cards()
            self.assertEqual(created.inbox_card, {
                "kind": "opportunity", "event": "create", "model": "crm.lead", "res_id": lead.id,
                "title": "Opportunity created: Whitening"})
            self.assertFalse(created.inbox_channel, "a card travels on no channel")
            self.assertEqual(created.subtype_id, self.env.ref("mail.mt_note"), "for the team only")
            self.assertFalse(created.notified_partner_ids)

            stages = self.env["crm.stage"].search([], order="sequence")
            lead.stage_id = stages.filtered(lambda stage: not stage.is_won)[-1]
            self.assertIn(f"Stage {stages.filtered(lambda s: not s.is_won)[0].name}", self.cards()[-1].body)
            lead.action_set_won()
            self.assertEqual(self.cards()[-1].inbox_card["title"], "Opportunity won: Whitening")

            other = self.lead(name="Implants")
            other.action_set_lost()
            self.assertIn("Opportunity lost: Implants", self.cards()[-1].inbox_card["title"])
            other.action_unarchive()
            self.assertEqual(self.cards()[-1].inbox_card["title"], "Opportunity restored: Implants")

            other.unlink()
            deleted = self.cards()[-1]
            self.assertEqual((deleted.inbox_card["event"], deleted.inbox_card["res_id"]), ("unlink", False),
                             "the card of a deleted record has nothing to open")
            self.assertIn("deleted: Implants", deleted.inbox_card["title"])

    def test_appointment_created_rescheduled_canceled(self):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        event = self.env["calendar.event"].create({
            "name": "Check-up", "start": start, "stop": start + timedelta(hours=1),
            "partner_ids": [(4, self.partner.id)]})
        self.assertEqual(self.cards()[-1].inbox_card["kind"], "appointment")
        self.assertEqual(self.cards()[-1].inbox_card["title"], "Appointment created: Check-up")
        event.write({"start": start + timedelta(days=1), "stop": start + timedelta(days=1, hours=1)})
        self.assertIn("→", self.cards()[-1].inbox_card["title"], "rescheduled: from the old time to the new")
        event.unlink()
        self.assertEqual(self.cards()[-1].inbox_card["event"], "unlink")
        self.assertEqual(len(self.cards()), 3)

    def test_appointment_accepted_or_declined(self):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        event = self.env["calendar.event"].create({
            "name": "Check-up", "start": start, "stop": start + timedelta(hours=1),
            "partner_ids": [(4, self.partner.id)]})
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == self.partner)
        attendee.do_accept()
        card = self.cards()[-1].inbox_card
        self.assertEqual((card["title"], card["model"], card["res_id"]),
                         ("Alice Customer accepted Check-up", "calendar.event", event.id), "View opens the appointment")
        attendee.do_decline()
        self.assertEqual(self.cards()[-1].inbox_card["title"], "Alice Customer declined Check-up")

    def test_appointment_panel_confirm_and_cancel(self):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=3)
        colleague = self.user_a.partner_id
        event = self.env["calendar.event"].create({
            "name": "Cleaning", "start": start, "stop": start + timedelta(hours=1),
            "partner_ids": [(4, self.partner.id), (4, colleague.id)]})
        event.action_inbox_confirm()
        answers = {attendee.partner_id: attendee.state for attendee in event.attendee_ids}
        self.assertEqual(answers[self.partner], "accepted", "the person confirmed")
        self.assertEqual(answers[colleague], "needsAction", "a colleague answers for themselves")
        self.assertEqual(self.cards()[-1].inbox_card["title"], "Alice Customer accepted Cleaning")
        self.assertEqual(event.action_inbox_cancel(), {"type": "ir.actions.act_window_close"})
        self.assertFalse(event.exists())
        self.assertEqual((self.cards()[-1].inbox_card["event"], self.cards()[-1].inbox_card["res_id"]),
                         ("unlink", False))

    def test_confirm_by_staff_says_who_confirmed(self):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=3)
        event = self.env["calendar.event"].create({
            "name": "Cleaning", "start": start, "stop": start + timedelta(hours=1),
            "partner_ids": [(4, self.partner.id)]})
        event.with_user(self.user_a).action_inbox_confirm()
        self.assertEqual(self.cards()[-1].inbox_card["title"], "Cleaning confirmed for Alice Customer by Agent A",
                         "not 'Alice Customer accepted': she did not, a colleague did for her")
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == self.partner)
        attendee.with_user(self.user_a).do_decline()
        self.assertEqual(self.cards()[-1].inbox_card["title"], "Cleaning declined for Alice Customer by Agent A")
        # her own answer (the invitation link runs as the public user)
        attendee.with_user(self.env.ref("base.public_user")).sudo().do_accept()
        self.assertEqual(self.cards()[-1].inbox_card["title"], "Alice Customer accepted Cleaning")

    def test_rescheduled_times_are_data_for_each_readers_time_zone(self):
        self.user_a.tz = "Europe/Brussels"
        start = datetime(2031, 3, 4, 15, 0)  # UTC: 16:00 in Brussels, 10:00 in New York
        event = self.env["calendar.event"].create({
            "name": "Check-up", "start": start, "stop": start + timedelta(hours=1),
            "partner_ids": [(4, self.partner.id)]})
        event.with_user(self.user_a).write({
            "start": start + timedelta(days=1, hours=2), "stop": start + timedelta(days=1, hours=3)})
        card = self.cards()[-1].inbox_card
        self.assertEqual(card["title_parts"], [
            "Appointment Check-up: Start ", {"datetime": "2031-03-04 15:00:00"}, " → ",
            {"datetime": "2031-03-05 17:00:00"}], "the times as data (UTC), for each reader's client to format")
        self.assertNotIn("16:00", card["title"], "never in the time zone of the one who moved it")
        self.assertIn("3:00:00 PM UTC", card["title"], "the stored text says its time zone")
        self.assertIn("5:00:00 PM UTC", self.cards()[-1].body)
        # a custom text with {old} and {new} gets the same data
        self.env.ref("unified_inbox.card_rule_event_rescheduled").card_title = "{record} moved to {new}"
        event.write({"start": start, "stop": start + timedelta(hours=1)})
        self.assertEqual(self.cards()[-1].inbox_card["title_parts"],
                         ["Check-up moved to ", {"datetime": "2031-03-04 15:00:00"}])

    def test_card_view_of_a_deleted_record(self):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        event = self.env["calendar.event"].create({
            "name": "Check-up", "start": start, "stop": start + timedelta(hours=1),
            "partner_ids": [(4, self.partner.id)]})
        created = self.cards()[-1]
        self.assertTrue(created.with_user(self.user_a).inbox_card_exists())
        event.unlink()
        self.assertFalse(created.with_user(self.user_a).inbox_card_exists(),
                         "View says the appointment no longer exists, instead of an error")
        lead = self.lead()
        lead.action_set_lost()
        self.assertTrue(self.cards()[-1].with_user(self.user_a).inbox_card_exists(), "a lost (archived) one opens")
        with self.assertRaises(AccessError):
            created.with_user(self.user_b).inbox_card_exists()

    def test_a_rule_needs_a_model_that_can_have_cards(self):
        with self.assertRaisesRegex(ValidationError, "cannot have cards"), self.env.cr.savepoint():
            self.env["inbox.card.rule"].create({
                "name": "Countries", "model_id": self.env.ref("base.model_res_country").id, "event": "create",
                "partner_field": "partner_id"})

    def test_rules_of_an_app_not_installed_wait_for_it(self):
        if "account.move" in self.env:
            self.skipTest("Invoicing is installed: TestInvoiceCards covers its rules")
        rules = self.env.ref("unified_inbox.card_rule_invoice_sent") | self.env.ref(
            "unified_inbox.card_rule_invoice_payment")
        self.assertEqual(rules.mapped("installed"), [False, False])
        self.assertEqual(rules.mapped("model_name"), ["account.move", "account.move"])
        self.assertFalse(rules.model_id)
        self.assertEqual(rules.mapped("field_name"), ["is_move_sent", "payment_state"])

    def test_card_text_and_computed_fields(self):
        Rule = self.env["inbox.card.rule"]
        for text in ("New {lead}", "{record:>999999999}", "{record.__class__}"):
            with self.assertRaisesRegex(ValidationError, r"only use \{record\}"), self.env.cr.savepoint():
                Rule.create({"name": "Bad", "model_id": self.env.ref("crm.model_crm_lead").id, "event": "create",
                             "card_title": text})
        with self.assertRaisesRegex(ValidationError, "not a valid domain"), self.env.cr.savepoint():
            Rule.create({"name": "Bad filter", "model_id": self.env.ref("crm.model_crm_lead").id,
                         "event": "create", "filter_domain": "[('no_such_field', '=', 1)]"})
        with self.assertRaisesRegex(ValidationError, "computed: its changes make cards only if the field is tracked"), \
                self.env.cr.savepoint():
            Rule.create({"name": "Email", "model_id": self.env.ref("crm.model_crm_lead").id, "event": "write",
                         "field_id": self.env.ref("crm.field_crm_lead__email_normalized").id})
        Rule.create({"name": "Priority", "model_id": self.env.ref("crm.model_crm_lead").id, "event": "write",
                     "field_id": self.env.ref("crm.field_crm_lead__priority").id,
                     "card_title": "{record} is now {new} (was {old})",
                     "filter_domain": "[('priority', '!=', '1')]"})
        lead = self.lead()
        lead.priority = "2"
        self.assertEqual(self.cards()[-1].inbox_card["title"], "Whitening is now High (was Low)")
        lead.priority = "1"
        self.assertIn("High (was Low)", self.cards()[-1].inbox_card["title"], "filtered out: no card")

    def test_rule_switched_off_and_a_rule_for_another_field(self):
        self.env.ref("unified_inbox.card_rule_lead_created").active = False
        lead = self.lead()
        self.assertFalse(self.cards(), "the rule is off")
        # a card for any field of any model with a chatter, by a rule
        self.env["inbox.card.rule"].create({
            "name": "Expected revenue", "model_id": self.env.ref("crm.model_crm_lead").id, "event": "write",
            "field_id": self.env.ref("crm.field_crm_lead__expected_revenue").id, "kind": "opportunity"})
        lead.expected_revenue = 1200
        self.assertIn("Expected Revenue", self.cards()[-1].inbox_card["title"])
        self.assertIn("1,200", self.cards()[-1].inbox_card["title"])

    def test_nobody_without_a_conversation_and_a_card_per_person(self):
        stranger = self.env["res.partner"].create({"name": "No Conversation"})
        self.env["crm.lead"].create({"name": "Cold", "type": "opportunity", "partner_id": stranger.id})
        self.assertFalse(self.env["mail.message"].search([("inbox_card", "!=", False), ("body", "ilike", "Cold")]))
        self.assertFalse(self.env["inbox.conversation"].search([("partner_id", "=", stranger.id)]),
                         "a card creates no conversation")

    def test_readers_see_the_card_others_do_not(self):
        self.lead()
        card = self.cards()[-1]
        self.assertTrue(card.with_user(self.user_a).has_access("read"), "the team of the conversation")
        messages = self.env["mail.message"].with_user(self.user_b).search([("id", "=", card.id)])
        self.assertFalse(messages, "another team does not see it")

    def test_no_rule_or_no_conversation_costs_no_query(self):
        """Every model with a chatter asks for its rules on each change: one
        without rule, or any while the Inbox has no conversation, asks the
        database nothing."""
        Rule = self.env["inbox.card.rule"]
        Rule._inbox_rules("res.partner", "write")  # the caches, once
        Rule._inbox_rules("crm.lead", "create")
        with self.assertQueryCount(0):
            self.assertFalse(Rule._inbox_rules("res.partner", "write", {"name"}))
            self.assertFalse(self.env["res.partner"]._inbox_card_rules("unlink"))
            self.assertTrue(Rule._inbox_rules("crm.lead", "create"))
        # a rule for a model that had none counts at once
        Rule.create({"name": "Contact renamed", "model_id": self.env.ref("base.model_res_partner").id,
                     "event": "write", "field_id": self.env.ref("base.field_res_partner__name").id,
                     "partner_field": "commercial_partner_id"})
        self.assertTrue(Rule._inbox_rules("res.partner", "write", {"name"}))

        # no conversation at all (a database where the Inbox is not used yet)
        self.env["inbox.conversation"].search([]).unlink()
        self.env.registry.clear_cache()
        Rule._inbox_rules("crm.lead", "create")
        with self.assertQueryCount(0):
            self.assertFalse(Rule._inbox_rules("crm.lead", "create"))
        # the first conversation: the cards have somewhere to go again
        conversation = self.env["inbox.conversation"].create({"partner_id": self.partner.id, "team_id": self.team_a.id})
        self.lead()
        self.assertEqual(conversation.message_ids.filtered("inbox_card").inbox_card["event"], "create")


@tagged("post_install", "-at_install", "inbox_account")
class TestInvoiceCards(InboxCommon):
    """With Invoicing installed after the Inbox (dev/run_tests.py installs it
    in a second step), the rules that waited for it make cards: an invoice
    sent, a payment received (a computed field, seen by the tracking)."""

    def setUp(self):
        super().setUp()
        # the payment status is seen by the tracking, which the other tests switch off
        self.env = self.env(context=dict(self.env.context, tracking_disable=False, mail_notrack=False))

    def commit_tracking(self):
        """What the commit does first: the tracking of changed fields."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def test_invoice_sent_and_paid(self):
        rules = self.env.ref("unified_inbox.card_rule_invoice_sent") | self.env.ref(
            "unified_inbox.card_rule_invoice_payment")
        self.assertEqual(rules.mapped("installed"), [True, True])
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.partner.id,
            "invoice_line_ids": [(0, 0, {"name": "Whitening", "quantity": 1, "price_unit": 250})]})
        invoice.action_post()
        self.commit_tracking()  # the invoice is paid later, in another transaction
        cards = self.conversation.message_ids.filtered("inbox_card")
        self.assertFalse(cards, "posting an invoice is not a rule")

        invoice.is_move_sent = True  # what sending it does (account.move.send)
        [sent] = self.conversation.message_ids.filtered("inbox_card")
        self.assertEqual(sent.inbox_card, {"kind": "invoice", "event": "write", "model": "account.move",
                                           "res_id": invoice.id, "title": f"Invoice {invoice.name} sent"})
        self.assertFalse(sent.inbox_channel, "never sent to the customer")

        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({})._create_payments()
        self.assertIn(invoice.payment_state, ("in_payment", "paid"))
        self.commit_tracking()
        paid = self.conversation.message_ids.filtered("inbox_card").sorted("id")[-1]
        self.assertIn(paid.inbox_card["title"], (f"Payment of {invoice.name}: In Payment",
                                                 f"Payment of {invoice.name}: Paid"))

        payment_cards = self.conversation.message_ids.filtered(
            lambda m: m.inbox_card and m.inbox_card["title"].startswith("Payment of"))
        self.assertEqual(len(payment_cards), 1, "one card for one change, not one by write and one by tracking")

        # a vendor bill is not a customer's invoice
        bill = self.env["account.move"].create({
            "move_type": "in_invoice", "partner_id": self.partner.id, "invoice_date": invoice.invoice_date,
            "invoice_line_ids": [(0, 0, {"name": "Supplies", "quantity": 1, "price_unit": 40})]})
        bill.action_post()
        bill.is_move_sent = True
        self.commit_tracking()
        self.assertEqual(len(self.conversation.message_ids.filtered("inbox_card")), 2)

        rules.active = False
        other = invoice.copy()
        other.action_post()
        other.is_move_sent = True
        self.commit_tracking()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=other.ids).create({})._create_payments()
        self.commit_tracking()
        self.assertEqual(len(self.conversation.message_ids.filtered("inbox_card")), 2, "switched off")
