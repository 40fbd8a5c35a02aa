from datetime import timedelta

from odoo import api, fields, models

from .. import channels

# Minimum interval between two writes of when an identity was last seen, so
# that a burst of messages from one person does not write its row each time.
SEEN_TOUCH_INTERVAL = timedelta(minutes=1)


class InboxIdentity(models.Model):
    """An address a person is reached at, of one kind (see ``channels/``): a
    phone number, an email address, or an id one provider gave them (a
    Messenger PSID, a web chat visitor). An identity belongs to one person:
    the Inbox finds the person behind every inbound message by it, whatever
    the channel.

    For phone numbers and email addresses, the person's own fields
    (``phone_sanitized``, ``email_normalized``) stay the source: a row is
    kept for an address the Inbox has used, and dropped when the person's
    field is changed from it (see ``res.partner.write``). A person may hold
    more rows than fields: the identities of a person merged into them."""

    _name = "inbox.identity"
    _description = "Inbox Identity"
    _order = "last_seen desc nulls last, id"
    _rec_name = "address"

    partner_id = fields.Many2one("res.partner", string="Person", required=True, index=True, ondelete="cascade")
    kind = fields.Selection(list(channels.IDENTITY_KINDS.items()), required=True)
    address = fields.Char(required=True, help="Normalized: E.164 for a number, lower case for an email address.")
    provider_id = fields.Many2one(
        "inbox.provider", ondelete="cascade", help="The provider that gave the id, for an id it alone knows.")
    channel = fields.Selection(
        channels.selection(internal=False),
        help="The channel an id a provider gave belongs to (a Messenger id is no Instagram id).")
    verified = fields.Boolean(help="The person wrote from this address.")
    last_seen = fields.Datetime(help="When the person last wrote from this address.")

    _identity_unique = models.UniqueIndex(
        "(kind, address, COALESCE(provider_id, 0))", "This address already belongs to another person.")
    _scoped_has_provider = models.Constraint(
        "CHECK((kind = 'scoped') = (provider_id IS NOT NULL))",
        "An id given by a provider names its provider; a number or an email address does not.")

    @api.model
    def _inbox_lookup(self, kind, address, provider=None):
        """The row of this identity, whoever it belongs to, or an empty one."""
        domain = [("kind", "=", kind), ("address", "=", address)]
        domain.append(("provider_id", "=", provider.id if kind == channels.SCOPED else False))
        return self.sudo().search(domain, limit=1)

    def _inbox_holder(self):
        """The person this row names, unless they are archived (someone
        else may take the identity over)."""
        return self.partner_id.filtered("active")

    @api.model
    def _inbox_record(self, row, partner, kind, address, provider=None, seen=False, channel=None):
        """Keep that ``partner`` holds this identity (``row``: its row, if any;
        ``channel``: the one an id of the ``SCOPED`` kind was given on) and,
        with ``seen``, that they just wrote from it."""
        now = fields.Datetime.now()
        values = {"verified": True, "last_seen": now} if seen else {}
        if not row:
            scoped = kind == channels.SCOPED
            self.sudo().create({
                "partner_id": partner.id, "kind": kind, "address": address,
                "provider_id": provider.id if scoped else False, "channel": scoped and channel, **values})
            return
        if row.partner_id != partner:
            # the person who held it is archived: the identity is this one's now
            values.update(partner_id=partner.id, verified=seen)
        elif seen and row.verified and row.last_seen and row.last_seen > now - SEEN_TOUCH_INTERVAL:
            values = {}
        if values:
            row.sudo().write(values)
