from urllib.parse import parse_qs, urlsplit

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from .common import InboxCommon
from .test_ui import InboxTourCase


@tagged("post_install", "-at_install")
class TestPaymentLinksWithoutInvoicing(InboxCommon):
    """Without Invoicing nor Sales nothing offers a payment link."""

    def test_no_links_without_the_apps(self):
        if "payment.link.wizard" in self.env:
            self.skipTest("an app that makes payment links is installed")
        conversation = self.conversation.with_user(self.user_a)
        self.assertFalse(conversation._inbox_payment_links_available())
        self.assertEqual(conversation.inbox_payment_documents(), [])
        self.assertEqual(conversation.inbox_details()["payments"], [])
        with self.assertRaisesRegex(UserError, "Payment links need Invoicing or Sales"):
            conversation.inbox_payment_link("account.move", 1)


@tagged("post_install", "-at_install", "inbox_account")
class TestPaymentLinks(InboxCommon, HttpCase):
    """With Invoicing (account_payment), the demo payment provider and
    Sales installed after the Inbox (dev/run_tests.py installs them in a
    second step): the person's open invoices and quotations, their links
    made by Odoo's payment link wizard, and a payment on such a link."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_a.group_ids = [Command.link(cls.env.ref("account.group_account_invoice").id)]
        cls.invoice = cls.make_invoice(cls.partner, 250)

    @staticmethod
    def make_invoice(partner, amount, post=True):
        invoice = partner.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": partner.id,
            "invoice_line_ids": [Command.create({"name": "Whitening", "quantity": 1, "price_unit": amount})]})
        if post:
            invoice.action_post()
        return invoice

    def setUp(self):
        super().setUp()
        # the payment status is seen by the tracking, which the other tests switch off
        self.env = self.env(context=dict(self.env.context, tracking_disable=False, mail_notrack=False))

    def test_open_documents_of_the_person(self):
        company = self.env["res.partner"].create({"name": "Alice's Practice", "is_company": True})
        self.partner.parent_id = company
        of_the_company = self.make_invoice(company, 40)
        self.make_invoice(self.partner, 90, post=False)  # a draft: nothing to pay yet
        self.make_invoice(self.env["res.partner"].create({"name": "Somebody Else"}), 70)
        paid = self.make_invoice(self.partner, 30)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=paid.ids).create({})._create_payments()

        documents = self.conversation.with_user(self.user_a).inbox_payment_documents()
        invoices = [document for document in documents if document["model"] == "account.move"]
        self.assertEqual([document["id"] for document in invoices], [of_the_company.id, self.invoice.id],
                         "the person's open invoices and their company's, newest first")
        self.assertEqual(invoices[1]["name"], self.invoice.name)
        self.assertEqual(invoices[1]["kind"], "Invoice")
        self.assertIn("250.00", invoices[1]["amount"])
        self.assertEqual(self.conversation.with_user(self.user_a).inbox_details()["payments"], documents)

    def test_link_of_an_invoice_is_paid_and_makes_the_card(self):
        conversation = self.conversation.with_user(self.user_a)
        text = conversation.inbox_payment_link("account.move", self.invoice.id)
        self.assertTrue(text.startswith(f"Invoice {self.invoice.name}, "), text)
        self.assertIn("250.00", text)
        link = urlsplit(text.split(": ", 1)[1])
        self.assertEqual(link.path, f"/my/invoices/{self.invoice.id}")
        self.assertEqual(link.fragment, "portal_pay")
        query = {key: values[0] for key, values in parse_qs(link.query).items()}
        self.assertEqual(float(query["amount"]), 250)

        # the person opens it, without an account, and pays with the demo provider
        page = self.url_open(f"{link.path}?{link.query}")
        self.assertEqual(page.status_code, 200)
        self.assertEqual(urlsplit(page.url).path, link.path, "not sent back to /my: the link's token holds")
        self.assertIn(self.invoice.name, page.text)
        provider = self.env.ref("payment.payment_provider_demo")
        processing = self.make_jsonrpc_request(f"/invoice/transaction/{self.invoice.id}", {
            "access_token": query["access_token"], "provider_id": provider.id,
            "payment_method_id": self.env.ref("payment_demo.payment_method_demo").id, "token_id": None,
            "amount": query["amount"], "flow": "direct", "tokenization_requested": False,
            "landing_route": link.path, "is_validation": False,
        })
        self.make_jsonrpc_request("/payment/demo/simulate_payment", {
            "reference": processing["reference"], "payment_details": "4242", "simulated_state": "done"})
        transaction = self.env["payment.transaction"].search([("reference", "=", processing["reference"])])
        self.assertEqual(transaction.state, "done")
        transaction._post_process()  # what the payment status page or the cron does next
        self.assertIn(self.invoice.payment_state, ("in_payment", "paid"))
        self.env.flush_all()
        self.env.cr.precommit.run()  # the tracking, as the commit does
        [card] = self.conversation.message_ids.filtered(
            lambda message: message.inbox_card and message.inbox_card["title"].startswith("Payment of"))
        self.assertEqual(card.inbox_card["res_id"], self.invoice.id)
        self.assertFalse(self.conversation.with_user(self.user_a).inbox_payment_documents(), "nothing left to pay")

    def test_refusals(self):
        conversation = self.conversation.with_user(self.user_a)
        other = self.make_invoice(self.env["res.partner"].create({"name": "Somebody Else"}), 70)
        with self.assertRaisesRegex(UserError, "not an open document of Alice Customer"):
            conversation.inbox_payment_link("account.move", other.id)
        with self.assertRaisesRegex(UserError, "not an open document of Alice Customer"):
            conversation.inbox_payment_link("account.move", f"{self.invoice.id} OR 1=1")
        with self.assertRaisesRegex(UserError, "Payment links need"):
            conversation.inbox_payment_link("res.partner", self.partner.id)
        # online payment switched off in Invoicing's settings: the wizard's own reason
        self.env["ir.config_parameter"].set_param("account_payment.enable_portal_payment", "False")
        with self.assertRaisesRegex(UserError, "Online payment option is not enabled"):
            conversation.inbox_payment_link("account.move", self.invoice.id)
        self.env["ir.config_parameter"].set_param("account_payment.enable_portal_payment", "True")
        # an agent without the right to invoice sees nothing to pay and makes no link
        self.assertFalse(self.conversation.with_user(self.user_b)._inbox_payment_links_available())
        self.team_a.member_ids = [Command.link(self.user_b.id)]
        self.assertEqual(self.conversation.with_user(self.user_b).inbox_payment_documents(), [])
        with self.assertRaisesRegex(UserError, "Payment links need"):
            self.conversation.with_user(self.user_b).inbox_payment_link("account.move", self.invoice.id)
        # nor does somebody of another team, who may not read the conversation, with the right to invoice
        self.team_a.member_ids = [Command.unlink(self.user_b.id)]
        self.user_b.group_ids = [Command.link(self.env.ref("account.group_account_invoice").id)]
        with self.assertRaises(AccessError):
            self.conversation.with_user(self.user_b).inbox_payment_link("account.move", self.invoice.id)

    def test_quotation_link(self):
        if "sale.order" not in self.env:
            self.skipTest("Sales is not installed")
        self.user_a.group_ids = [Command.link(self.env.ref("sales_team.group_sale_salesman").id)]
        product = self.env["product.product"].create({"name": "Cleaning", "list_price": 80})
        quotation = self.env["sale.order"].create({
            "partner_id": self.partner.id, "user_id": self.user_a.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2})]})
        conversation = self.conversation.with_user(self.user_a)
        [document] = [item for item in conversation.inbox_payment_documents() if item["model"] == "sale.order"]
        self.assertEqual((document["id"], document["kind"]), (quotation.id, "Quotation"))
        text = conversation.inbox_payment_link("sale.order", quotation.id)
        self.assertTrue(text.startswith(f"Quotation {quotation.name}, "), text)
        self.assertIn(f"/my/orders/{quotation.id}", text)


@tagged("post_install", "-at_install", "inbox_account")
class TestPaymentLinkTour(InboxTourCase):
    """The hint on typed payment instructions, and a payment link from the
    person panel sent by SMS."""

    def test_payment_link_from_the_person_panel(self):
        invoice = TestPaymentLinks.make_invoice(self.wanda, 120)
        self.start_tour("/odoo/action-unified_inbox.inbox", "unified_inbox_payment_tour", login="admin")
        sent = self.conversation_wanda.message_ids.filtered(lambda m: "Here is your invoice" in (m.body or ""))
        self.assertEqual(sent.inbox_channel, "sms")
        self.assertIn(f"/my/invoices/{invoice.id}?", sent.body)
