"""The conversation's channels: which ones the current user may write to the
person on now, from which sender accounts, and why not. Every rule is read
from the channel registry (``channels/``)."""
from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import channels


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    inbox_inbound_dates = fields.Json(
        compute="_compute_inbox_inbound_dates",
        help="When the person last wrote, per channel and sender account: what the reply windows count from.")

    @api.depends("last_inbound_message_id")
    def _compute_inbox_inbound_dates(self):
        """One query for all the conversations read together (a page, the
        conversations of a batch of events), rather than one per conversation
        and channel."""
        dates = {conversation_id: {} for conversation_id in self.ids}
        if self.ids:
            rows = self.env["mail.message"].sudo()._read_group(
                [("model", "=", self._name), ("res_id", "in", self.ids), ("inbox_direction", "=", "inbound"),
                 ("inbox_channel", "!=", False)],
                ["res_id", "inbox_channel", "inbox_sender_id"], ["date:max"])
            for conversation_id, channel, sender, date in rows:
                dates[conversation_id].setdefault(channel, {})[str(sender.id)] = fields.Datetime.to_string(date)
        for conversation in self:
            conversation.inbox_inbound_dates = dates.get(conversation.id, {})

    @api.depends("partner_id", "state", "company_id", "last_inbound_message_id", "last_sender_id")
    @api.depends_context("uid")
    def _compute_channel_availability(self):
        # the user's sender accounts of the conversations' companies, read once
        usable = self.env["inbox.sender"]._inbox_usable_by_channel(self.company_id)
        for conversation in self:
            conversation.channel_availability = conversation._inbox_channel_availability(usable)

    def _inbox_channel_availability(self, usable):
        """What each channel allows here to a user whose sender accounts are
        ``usable`` (by channel and company, see
        ``inbox.sender._inbox_by_channel``): the user is in nothing else, so
        users with the same accounts get the same (a push reads it once for
        them)."""
        self.ensure_one()
        availability = {}
        for channel in channels.all_channels():
            senders = self._inbox_usable_senders(channel.key, usable[channel.key, self.company_id])
            address = self._inbox_recipient_address(channel.key, senders[:1])
            reason = self._inbox_unavailable_reason(channel.key, senders[:1])
            availability[channel.key] = {
                "available": not reason,
                "reason": reason or "",
                # the reply window is closed, nothing else: an approved template may go
                "templates_only": bool(reason) and bool(channel.reply_window) and channel.window_templates and not (
                    self._inbox_unavailable_reason(channel.key, senders[:1], approved_template=True)),
                "window_expiry": channel.reply_window and fields.Datetime.to_string(
                    self._inbox_window_expiry(channel.key, senders[:1])),
                "sender_ids": senders.ids,
                # the person has an address there (for an id a provider gave, through its sender account)
                "reachable": channel.internal or bool(address),
                "attachment_max_size": channel.attachment_max_size,
            }
        return availability

    @api.model
    def _inbox_channel(self, channel):
        """The registry's entry of ``channel``; a UserError for an unknown one."""
        try:
            return channels.get(channel)
        except KeyError:
            raise UserError(self.env._("Unknown channel %s.", channel)) from None

    def _inbox_usable_senders(self, channel, usable=None):
        """The sender accounts of ``channel`` the current user may use here,
        best first: the number or address the conversation last used (the
        person answers there, and a reply window is per number), then by
        sequence. ``usable``: those of the channel in the conversation's
        company the user may use, when read already."""
        self.ensure_one()
        if channels.get(channel).internal:
            return self.env["inbox.sender"]
        senders = self.env["inbox.sender"]._inbox_get_usable(channel, self.company_id) if usable is None else usable
        last = self.last_sender_id & senders
        return last | (senders - last) if last else senders

    def _inbox_recipient_address(self, channel, sender=None):
        """The person's address on ``channel`` (E.164, email, the id
        ``sender``'s provider gave them...), or False."""
        self.ensure_one()
        return self.partner_id._inbox_address(channels.get(channel).identity, sender and sender.provider_id, channel)

    def _inbox_unavailable_reason(self, channel, sender, approved_template=False):
        """Why ``channel`` cannot be used to write to this person now through
        ``sender`` (a sentence for the user), or False when it can. A
        degraded provider still sends: only one that is not configured or
        down refuses (a stray unsigned webhook must not stop the outbox)."""
        self.ensure_one()
        if channels.get(channel).internal:
            return False
        label = channels.get(channel).label
        if not sender:
            return self.env._("No %s sender account is available to you.", label)
        if sender.channel != channel:
            return self.env._("%(sender)s is not a %(channel)s account.", sender=sender.name, channel=label)
        if sender.state in ("not_configured", "down"):
            return self.env._(
                "%(provider)s is not ready: %(reason)s",
                provider=sender.provider_id.name,
                reason=sender.state_reason or dict(sender.provider_id._fields["state"].selection)[sender.state])
        return self._inbox_recipient_reason(channel, sender, approved_template)

    def _inbox_recipient_reason(self, channel, sender, approved_template=False):
        """Why the person cannot be written to on ``channel`` through
        ``sender`` now, whatever the provider's health: no address, opt-out,
        do-not-disturb, reply window closed (except for an approved
        template). Checked when a message is written and again when it
        goes out."""
        self.ensure_one()
        entry = channels.get(channel)
        partner = self.partner_id
        address = self._inbox_recipient_address(channel, sender)
        if not address:
            return partner._inbox_no_address_reason(entry.identity)
        if partner._inbox_is_opted_out(channel):
            return self.env._("%(name)s opted out of %(channel)s messages.", name=partner.display_name,
                              channel=entry.label)
        if partner._inbox_is_dnd(channel):
            return self.env._("%(name)s is in Do Not Disturb for %(channel)s.", name=partner.display_name,
                              channel=entry.label)
        if not (approved_template and entry.window_templates) and not self._inbox_window_open(channel, sender):
            hours = int(self._inbox_reply_window(channel, sender).total_seconds() // 3600)
            if not entry.window_templates:
                return self.env._(
                    "The %(channel)s window is closed: %(name)s has not written in the last %(hours)s hours. "
                    "Nothing can be sent until they write again.", channel=entry.label,
                    name=partner.display_name, hours=hours)
            return self.env._(
                "The %(channel)s window is closed: %(name)s has not written in the last %(hours)s hours. "
                "Only an approved template can be sent.", channel=entry.label, name=partner.display_name,
                hours=hours)
        return sender.provider_id._inbox_recipient_reason(sender, address, partner)

    def _inbox_reply_window(self, channel, sender=None, standard=False):
        """How long after the person's last message free text may go on
        ``channel``: the channel's reply window (``standard``, or with no
        sender account), or the one ``sender``'s provider allows (longer,
        under conditions of its own: Meta's Human Agent tag)."""
        entry = channels.get(channel)
        if standard or not sender or not entry.reply_window:
            return entry.reply_window
        return sender.provider_id._inbox_adapter().reply_window(entry)

    def _inbox_window_expiry(self, channel, sender=None, standard=False):
        """When free text stops being allowed on ``channel`` (through
        ``sender``; any sender account of the conversation without one): the
        person's last message there plus the reply window (see
        :meth:`_inbox_reply_window`), which is per business number. None for
        a channel without a window, False when no window is open (the
        person never wrote there, or not lately)."""
        self.ensure_one()
        window = self._inbox_reply_window(channel, sender, standard)
        if not window:
            return None
        if not self.last_inbound_date or self.last_inbound_date + window <= fields.Datetime.now():
            # nothing written lately, on any channel: no query
            return False
        dates = self.inbox_inbound_dates.get(channel, {})
        last = dates.get(str(sender.id)) if sender else max(dates.values(), default=None)
        return bool(last) and fields.Datetime.to_datetime(last) + window

    def _inbox_window_open(self, channel, sender=None, standard=False):
        """Whether free text may go on ``channel`` now (see
        :meth:`_inbox_window_expiry`)."""
        expiry = self._inbox_window_expiry(channel, sender, standard)
        return expiry is None or bool(expiry and expiry > fields.Datetime.now())
