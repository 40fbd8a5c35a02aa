"""The conversation's channels: which ones the current user may write to the person on now, from which sender
accounts, and why not."""
from odoo import _, api, fields, models

from .inbox_conversation import INBOX_CHANNELS, WHATSAPP_WINDOW

# attachment limits per channel, in bytes (0: the channel takes no files)
ATTACHMENT_MAX_SIZE = {"note": 25 << 20, "email": 25 << 20, "whatsapp": 16 << 20, "sms": 0}


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"

    @api.depends("partner_id", "state", "company_id", "whatsapp_window_expiry", "last_sender_id")
    @api.depends_context("uid")
    def _compute_channel_availability(self):
        for conversation in self:
            availability = {}
            for channel, _label in INBOX_CHANNELS:
                senders = conversation._inbox_usable_senders(channel)
                reason = conversation._inbox_unavailable_reason(channel, senders[:1])
                availability[channel] = {
                    "available": not reason,
                    "reason": reason or "",
                    # WhatsApp's window is closed, nothing else: an approved template may go
                    "templates_only": bool(reason) and channel == "whatsapp" and not (
                        conversation._inbox_unavailable_reason(channel, senders[:1], approved_template=True)),
                    "sender_ids": senders.ids,
                    "attachment_max_size": ATTACHMENT_MAX_SIZE[channel],
                }
            conversation.channel_availability = availability

    def _inbox_usable_senders(self, channel):
        """The sender accounts of ``channel`` the current user may use here,
        best first: the number or address the conversation last used (the
        person answers there, and WhatsApp's window is per number), then by
        sequence."""
        self.ensure_one()
        if channel == "note":
            return self.env["inbox.sender"]
        senders = self.env["inbox.sender"]._inbox_get_usable(channel, self.company_id)
        last = self.last_sender_id & senders
        return last | (senders - last) if last else senders

    def _inbox_recipient_address(self, channel):
        """The person's address on ``channel`` (E.164 or email), or False."""
        self.ensure_one()
        partner = self.partner_id
        if channel == "email":
            return partner.email_normalized
        if channel in ("sms", "whatsapp"):
            return partner.phone_sanitized
        return False

    def _inbox_unavailable_reason(self, channel, sender, approved_template=False):
        """Why ``channel`` cannot be used to write to this person now through
        ``sender`` (a sentence for the user), or False when it can. A
        degraded provider still sends: only one that is not configured or
        down refuses (a stray unsigned webhook must not stop the outbox)."""
        self.ensure_one()
        if channel == "note":
            return False
        label = dict(INBOX_CHANNELS)[channel]
        if not sender:
            return _("No %s sender account is available to you.", label)
        if sender.channel != channel:
            return _("%(sender)s is not a %(channel)s account.", sender=sender.name, channel=label)
        if sender.state in ("not_configured", "down"):
            return _("%(provider)s is not ready: %(reason)s",
                     provider=sender.provider_id.name,
                     reason=sender.state_reason or dict(sender.provider_id._fields["state"].selection)[sender.state])
        return self._inbox_recipient_reason(channel, sender, approved_template)

    def _inbox_recipient_reason(self, channel, sender, approved_template=False):
        """Why the person cannot be written to on ``channel`` through
        ``sender`` now, whatever the provider's health: no address, opt-out,
        do-not-disturb, WhatsApp window closed (except for an approved
        template). Checked when a message is written and again when it
        goes out."""
        self.ensure_one()
        label = dict(INBOX_CHANNELS)[channel]
        partner = self.partner_id
        if not self._inbox_recipient_address(channel):
            if channel == "email":
                return _("%s has no valid email address.", partner.display_name)
            return _("%s has no valid phone number.", partner.display_name)
        if partner._inbox_is_opted_out(channel):
            return _("%(name)s opted out of %(channel)s messages.", name=partner.display_name, channel=label)
        if partner._inbox_is_dnd(channel):
            return _("%(name)s is in Do Not Disturb for %(channel)s.", name=partner.display_name, channel=label)
        if channel == "whatsapp" and not approved_template and not self._inbox_whatsapp_window_open(sender):
            return _("The WhatsApp window is closed: %s has not written in the last 24 hours. "
                     "Only an approved template can be sent.", partner.display_name)
        return False

    def _inbox_whatsapp_window_open(self, sender=None):
        """Whether free text may go on WhatsApp: the window is per business
        number, so through ``sender`` only if the person wrote to that number
        in the last 24 hours (to any number of the conversation without one)."""
        self.ensure_one()
        if not (self.whatsapp_window_expiry and self.whatsapp_window_expiry > fields.Datetime.now()):
            return False
        if not sender:
            return True
        return bool(self.env["mail.message"].sudo().search_count([
            ("model", "=", self._name), ("res_id", "=", self.id), ("inbox_channel", "=", "whatsapp"),
            ("inbox_direction", "=", "inbound"), ("inbox_sender_id", "=", sender.id),
            ("date", ">", fields.Datetime.now() - WHATSAPP_WINDOW),
        ], limit=1))
