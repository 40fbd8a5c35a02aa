"""Payment links: what the person still has to pay (open invoices, quotations
and sales orders, where Invoicing or Sales is installed) and the link Odoo's
own payment link wizard makes for it, to put in a message. Links keep the
payment tracked and reconciled; no instructions typed by hand."""
import re
from urllib.parse import urlsplit, urlunsplit

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import formatLang

# what a person may still have to pay: per model (of an app that may not be
# installed), the field of the person and the documents still open
PAYABLE_DOCUMENTS = {
    "account.move": ("commercial_partner_id", [
        ("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("payment_state", "in", ("not_paid", "partial")),
    ]),
    "sale.order": ("partner_id", [("state", "in", ("draft", "sent", "sale"))]),
}
# per model, the newest documents offered
PAYABLE_LIMIT = 10


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    @api.model
    def _inbox_payment_links_available(self):
        """Whether the user can make payment links: the wizard is installed
        (with Invoicing or Sales) and theirs to use."""
        Wizard = self.env.get("payment.link.wizard")
        return Wizard is not None and Wizard.has_access("create") and any(self._inbox_payable_models())

    @api.model
    def _inbox_payable_models(self):
        """The models of PAYABLE_DOCUMENTS that are installed, make payment
        links and that the user may read."""
        return [model for model in PAYABLE_DOCUMENTS
                if model in self.env and hasattr(self.env[model], "_get_default_payment_link_values")
                and self.env[model].has_access("read")]

    def _inbox_payable(self, model, res_ids=None):
        """The person's open documents of ``model`` that the user may read,
        newest first."""
        partner_field, domain = PAYABLE_DOCUMENTS[model]
        domain = [(partner_field, "child_of", self.partner_id.commercial_partner_id.id), *domain]
        if res_ids is not None:
            domain.append(("id", "in", res_ids))
        return self.env[model].search(domain, order="id desc", limit=PAYABLE_LIMIT)

    @api.model
    def _inbox_payable_kind(self, document):
        """What the document is, as its app says it ("Invoice", "Quotation")."""
        return document.type_name if "type_name" in document else document._description

    def inbox_payment_documents(self):
        """What the person still has to pay, for the composer and the person
        panel: ``[{model, id, name, kind, amount}]``, newest first; the
        amount is what is left to pay, as shown."""
        self.ensure_one()
        self.check_access("read")
        return self._inbox_payment_documents()

    def _inbox_payment_documents(self):
        if not self._inbox_payment_links_available():
            return []
        documents = []
        for model in self._inbox_payable_models():
            for document in self._inbox_payable(model):
                values = document._get_default_payment_link_values()
                if values.get("amount_max", 0) <= 0:
                    continue
                documents.append({
                    "model": model, "id": document.id, "name": document.display_name,
                    "kind": self._inbox_payable_kind(document),
                    "amount": formatLang(self.env, values["amount_max"],
                                         currency_obj=self.env["res.currency"].browse(values["currency_id"])),
                })
        return documents

    def inbox_payment_link(self, model, res_id):
        """The text that puts the payment link of one of the person's open
        documents in a message: "Invoice INV/…, 120.00 €: https://…". The
        link is made by Odoo's payment link wizard, with the user's rights;
        a UserError says why there is none."""
        self.ensure_one()
        self.check_access("read")
        if not self._inbox_payment_links_available() or model not in self._inbox_payable_models():
            raise UserError(self.env._("Payment links need Invoicing or Sales, and the right to use them."))
        document = self._inbox_payable(model, [res_id]) if type(res_id) is int else None
        if not document:
            raise UserError(self.env._("This is not an open document of %s.", self.partner_id.display_name))
        wizard = self.env["payment.link.wizard"].with_context(active_model=model, active_id=document.id).create({})
        if wizard.warning_message:
            raise UserError(wizard.warning_message)
        amount = formatLang(self.env, wizard.amount, currency_obj=wizard.currency_id)
        # the invoice's link has its path after a doubled slash: one is enough for the person
        link = urlsplit(wizard.link)
        link = urlunsplit(link._replace(path=re.sub("/{2,}", "/", link.path)))
        return self.env._("%(kind)s %(name)s, %(amount)s: %(link)s", kind=self._inbox_payable_kind(document),
                          name=document.display_name, amount=amount, link=link)
