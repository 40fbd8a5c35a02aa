from odoo import api, fields, models

from .. import channels


class InboxConsent(models.Model):
    """What a person agreed to per channel, beyond the opt-out lists Odoo
    keeps (``phone.blacklist``, ``mail.blacklist``, see the channel
    registry's ``opt_out_list``): do-not-disturb, and the opt-out of a
    channel that has no such list. One row per person and channel, only
    where something is set."""

    _name = "inbox.consent"
    _description = "Inbox Consent per Channel"
    _order = "partner_id, channel"
    _rec_name = "channel"

    partner_id = fields.Many2one("res.partner", string="Person", required=True, index=True, ondelete="cascade")
    channel = fields.Selection(channels.selection(internal=False), required=True)
    dnd = fields.Boolean(
        "Do Not Disturb", help="Nobody writes to the person on this channel from the Inbox until it is off; "
                               "the person may still write.")
    opted_out = fields.Boolean(
        help="For a channel without an opt-out list of Odoo's: the person asked not to be written to on it.")

    _partner_channel_unique = models.Constraint(
        "UNIQUE(partner_id, channel)", "A person has one consent line per channel.")

    @api.model
    def _inbox_set(self, partner, channel, **values):
        """Write ``values`` (dnd, opted_out) on the consent line of
        ``partner`` for ``channel``, made if it is missing."""
        line = self.search([("partner_id", "=", partner.id), ("channel", "=", channel)], limit=1)
        if line:
            line.write(values)
        else:
            self.create({"partner_id": partner.id, "channel": channel, **values})
