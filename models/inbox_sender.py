import re
from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize

from .. import channels

# Providers give numbers in E.164 already: no need to parse those again.
E164 = re.compile(r"\+[1-9]\d{6,14}")


class InboxSender(models.Model):
    """A sender account: a number or an address on a provider, for one
    channel, usable by some teams."""

    _name = "inbox.sender"
    _description = "Inbox Sender Account"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    provider_id = fields.Many2one("inbox.provider", required=True, index=True, ondelete="restrict", check_company=True)
    company_id = fields.Many2one(related="provider_id.company_id", store=True, index=True, precompute=True)
    channel = fields.Selection(channels.selection(internal=False), required=True)
    address = fields.Char(
        required=True, help="Phone number (any format, stored as E.164) or email address.")
    external_id = fields.Char(
        "Provider ID", help="The provider's own id of this account: the WhatsApp phone number ID for Meta, "
                            "a Messaging Service SID (MG…) for Twilio if you send through one.")
    mail_server_id = fields.Many2one(
        "ir.mail_server", string="Outgoing Mail Server",
        help="Email accounts: the server to send through; empty: Odoo's default.")
    team_ids = fields.Many2many(
        "crm.team", string="Teams", check_company=True,
        help="Teams whose members may send from this account. Empty: every Inbox user.")
    call_recording = fields.Boolean(
        "Record Calls", help="Calls answered on this number are recorded and kept on their entry. In many "
                             "countries the law requires that callers are told first: say it in your greeting.")
    call_greeting = fields.Char(
        "Voicemail Greeting", translate=True, default="Nobody can take your call right now. Please leave a message "
                                                      "after the tone.",
        help="Said to a caller nobody answered, before the voicemail's beep.")
    call_ring_seconds = fields.Integer(
        "Ring Each Agent For", default=20, help="Seconds an agent's phone rings before the next agent's, then the "
                                                "voicemail.")
    call_text_back_template_id = fields.Many2one(
        "inbox.template", "Missed Call Text-Back", domain="[('channel', '=', 'sms')]",
        help="Sent by SMS after a missed call, from the SMS account of the same provider with this number (else the "
             "conversation's SMS account), under every SMS rule: opt-out, Do Not Disturb, quiet hours.")
    state = fields.Selection(related="provider_id.state", string="Readiness")
    state_reason = fields.Char(related="provider_id.state_reason")

    _address_unique = models.Constraint(
        "UNIQUE(provider_id, channel, address)",
        "This provider already has a sender account with this address for this channel.")

    @api.model
    def _inbox_for_inbound(self, provider, event):
        """``(sender account, normalized sender address)`` of an inbound
        message of ``provider``; ValueError if it cannot be one of ours."""
        if not event.provider_message_id:
            raise ValueError("An inbound message needs the provider's message id.")
        sender = self._inbox_account(provider, event.channel, event.to_external_id, event.to_address)
        return sender, self._inbox_inbound_address(event)

    @api.model
    def _inbox_account(self, provider, channel, external_id, address):
        """The active sender account of ``provider`` on ``channel`` with the
        provider's id ``external_id`` or the ``address``; ValueError if none."""
        sender = self.browse(self._inbox_account_id(provider.id, channel, external_id or None, address or None))
        if not sender:
            raise ValueError(f"No {channel} sender account {external_id or address} on this provider.")
        return sender

    @api.model
    @tools.ormcache("provider_id", "channel", "external_id", "address")
    def _inbox_account_id(self, provider_id, channel, external_id, address):
        """The id of :meth:`_inbox_account`'s sender account, or None: every
        inbound webhook needs it, so each process keeps it until a sender
        account changes (see write)."""
        Sender = self.sudo()
        sender = Sender.browse()
        if external_id:
            sender = Sender.search([
                ("provider_id", "=", provider_id), ("channel", "=", channel), ("external_id", "=", external_id),
            ], limit=1)
        if not sender:
            address = self._inbox_normalize_address(channel, address, raise_exception=False)
            sender = Sender.search([
                ("provider_id", "=", provider_id), ("channel", "=", channel), ("address", "=", address),
            ], limit=1)
        return sender.id or None

    @api.model
    def _inbox_inbound_address(self, event):
        """The normalized address an inbound message came from; ValueError
        if it is none."""
        from_address = self._inbox_normalize_address(event.channel, event.from_address, raise_exception=False)
        if not from_address:
            raise ValueError(f"Invalid sender address {event.from_address}.")
        return from_address

    @api.model
    def _inbox_normalize_address(self, channel, address, raise_exception=True):
        """The address on ``channel`` as the Inbox keeps it (see
        :meth:`_inbox_normalize`); False if invalid."""
        return self._inbox_normalize(channels.get(channel).identity, address, raise_exception)

    @api.model
    def _inbox_normalize(self, identity, address, raise_exception=True):
        """An address of the ``identity`` kind as the Inbox keeps it: E.164
        for a phone number, lowercase for an email address, as given for an
        id scoped to a provider; False if invalid."""
        address = (address or "").strip()
        if not address:
            if raise_exception:
                raise ValidationError(self.env._("An address is needed."))
            return False
        if identity == channels.EMAIL:
            normalized = email_normalize(address)
            if not normalized and raise_exception:
                raise ValidationError(self.env._("%s is not a valid email address.", address))
            return normalized
        if identity != channels.PHONE:
            return address
        if address.lower().startswith("whatsapp:"):
            address = address[len("whatsapp:"):]
        if E164.fullmatch(address):
            return address
        try:
            return self.env["res.partner"]._phone_format(number=address, raise_exception=True)
        except UserError as error:
            if raise_exception:
                raise ValidationError(error.args[0]) from error
            return False

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("address") and vals.get("channel"):
                vals["address"] = self._inbox_normalize_address(vals["channel"], vals["address"])
        self.env.registry.clear_cache()  # see _inbox_account_id
        return super().create(vals_list)

    def write(self, vals):
        if vals.keys() & {"active", "provider_id", "channel", "external_id", "address"}:
            self.env.registry.clear_cache()  # see _inbox_account_id
        if "address" in vals or "channel" in vals:
            for sender in self:
                channel = vals.get("channel", sender.channel)
                address = vals.get("address", sender.address)
                super(InboxSender, sender).write(
                    dict(vals, address=self._inbox_normalize_address(channel, address)))
            return True
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()  # see _inbox_account_id
        return super().unlink()

    @api.constrains("channel", "provider_id")
    def _check_channel(self):
        for sender in self:
            carried = sender.provider_id._inbox_adapter().channels
            if sender.channel not in carried:
                raise ValidationError(self.env._(
                    "%(provider)s cannot carry %(channel)s messages.",
                    provider=sender.provider_id.name,
                    channel=channels.get(sender.channel).label))

    def _inbox_usable_by(self, user):
        """The senders of self that ``user`` may send from (the system, as
        for a missed call's text-back: any)."""
        if user._is_superuser() or user.has_group("unified_inbox.group_inbox_manager"):
            return self
        teams = user.crm_team_ids
        return self.filtered(lambda sender: not sender.team_ids or sender.team_ids & teams)

    @api.model
    def _inbox_get_usable(self, channel, company, user=None):
        """Active senders of ``channel`` in ``company`` usable by ``user``,
        best first."""
        return self._inbox_usable_by_channel(company, user)[channel, company]

    @api.model
    def _inbox_usable_by_channel(self, companies, user=None):
        """The active senders of every channel in ``companies`` usable by
        ``user``, best first, by (channel, company): one search for all."""
        return self.sudo().search([("company_id", "in", companies.ids)])._inbox_usable_by(
            user or self.env.user)._inbox_by_channel()

    def _inbox_by_channel(self):
        """These sender accounts by (channel, company), in their order."""
        grouped = defaultdict(self.sudo().browse)
        for sender in self:
            grouped[sender.channel, sender.company_id] |= sender
        return grouped
