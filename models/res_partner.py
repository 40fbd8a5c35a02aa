from psycopg2 import IntegrityError

from odoo import _, api, fields, models
from odoo.exceptions import ConcurrencyError


class ResPartner(models.Model):
    _inherit = "res.partner"

    inbox_conversation_ids = fields.One2many("inbox.conversation", "partner_id", string="Conversations")
    inbox_conversation_count = fields.Integer("Conversation Count", compute="_compute_inbox_conversation_count")
    inbox_dnd_email = fields.Boolean("Do Not Disturb: Email", tracking=True)
    inbox_dnd_sms = fields.Boolean("Do Not Disturb: SMS", tracking=True)
    inbox_dnd_whatsapp = fields.Boolean("Do Not Disturb: WhatsApp", tracking=True)
    # Set on the people the Inbox creates from an unknown sender: the unique
    # index makes two concurrent first messages create one person, not two.
    inbox_identity = fields.Char(copy=False, readonly=True)

    _inbox_identity_unique = models.UniqueIndex("(inbox_identity) WHERE inbox_identity IS NOT NULL")
    # the Inbox's search by email (any part) and by number (normalized)
    _inbox_email_trigram_index = models.Index(
        lambda registry: registry.has_trigram and "USING gin (email_normalized gin_trgm_ops)")
    _inbox_phone_sanitized_index = models.Index("(phone_sanitized) WHERE phone_sanitized IS NOT NULL")

    def _compute_inbox_conversation_count(self):
        counts = dict(self.env["inbox.conversation"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
        for partner in self:
            partner.inbox_conversation_count = counts.get(partner, 0)

    def _inbox_is_opted_out(self, channel):
        self.ensure_one()
        if channel == "email":
            return self.is_blacklisted
        if channel in ("sms", "whatsapp"):
            return self.phone_sanitized_blacklisted
        return False

    def _inbox_is_dnd(self, channel):
        self.ensure_one()
        return bool(self[f"inbox_dnd_{channel}"]) if channel != "note" else False

    @api.model
    def _inbox_find(self, channel, address):
        """The person with this normalized address (E.164 number or email)."""
        if channel == "email":
            domain = [("email_normalized", "=", address)]
        else:
            domain = [("phone_sanitized", "=", address)]
        return self.search(domain, order="id", limit=1)

    @api.model
    def _inbox_find_or_create(self, channel, address, name, company):
        """The person behind ``address``, created once if nobody has it."""
        identity = f"{'email' if channel == 'email' else 'phone'}:{address}"
        self.env["inbox.lock"]._inbox_acquire(identity)
        partner = self._inbox_find(channel, address)
        if partner:
            return partner
        values = {
            "name": name or address,
            "inbox_identity": identity,
            "company_id": False,
        }
        values["email" if channel == "email" else "phone"] = address
        try:
            with self.env.cr.savepoint():
                return self.create(values)
        except IntegrityError as error:
            if "inbox_identity" in str(error):
                raise ConcurrencyError(_("Another request created %s at the same time.", address)) from error
            raise

    @api.model
    def _inbox_from_lead_answers(self, answers, company):
        """The person who filled in a lead form: found by their number, then
        their email, else created once."""
        Sender = self.env["inbox.sender"]
        phone = (answers.get("phone_number") or "").strip()
        email = (answers.get("email") or "").strip()
        # a form may ask for only one of them: an empty answer is no number
        # (formatting "" would need a record to read a number from)
        number = phone and Sender._inbox_normalize_address("sms", phone, raise_exception=False)
        email = email and Sender._inbox_normalize_address("email", email, raise_exception=False)
        if not (number or email):
            raise ValueError("A lead form answer without a valid phone number or email.")
        name = answers.get("full_name") or " ".join(
            filter(None, [answers.get("first_name"), answers.get("last_name")]))
        partner = (number and self._inbox_find("sms", number)) or (email and self._inbox_find("email", email))
        if not partner:
            partner = self._inbox_find_or_create("sms" if number else "email", number or email, name, company)
        if number and email and not partner.email:
            partner.email = email
        return partner

    def _inbox_apply_keyword(self, keyword, number):
        """STOP-like keywords put the number on Odoo's phone blacklist (the
        provider blocks it anyway), START-like ones take it off."""
        Blacklist = self.env["phone.blacklist"].sudo()
        if keyword == "stop":
            Blacklist._add([number], message=_("Opted out by replying STOP."))
        elif keyword == "start":
            Blacklist._remove([number], message=_("Opted in again by replying START."))
        self.invalidate_recordset(["phone_sanitized_blacklisted"])

    def inbox_feed_conversation(self, create=False):
        """The conversation the person's form shows: their latest one (in
        the current company); with ``create``, a new one when they have
        none. Returns its id or False."""
        self.ensure_one()
        return self.env["inbox.conversation"]._inbox_feed(self, create=create)

    def action_view_inbox_conversations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("unified_inbox.inbox_conversation_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
