"""The conversation as a mail.thread: what its messages carry, who hears of them, and the list columns kept
in step with them."""
from odoo import api, fields, models
from odoo.tools.mail import email_normalize_all, html_to_inner_content

PREVIEW_LENGTH = 120


# the fields of an Inbox message set when it is posted (see _get_message_create_valid_field_names)
INBOX_MESSAGE_FIELDS = frozenset({
    "inbox_channel", "inbox_direction", "inbox_status", "inbox_sender_id", "inbox_provider_id",
    "inbox_provider_message_id", "inbox_address", "inbox_next_attempt", "inbox_scheduled_date",
    "inbox_template", "inbox_card", "inbox_call_status", "inbox_call_user_id",
})


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Thread overrides
    # ------------------------------------------------------------------

    def _get_message_create_valid_field_names(self):
        # what a message is on the Inbox's channels (queued to a number,
        # through an account, a call ringing somebody's phone) is set by the
        # Inbox's own code alone (_inbox_post, _inbox_message_create), never
        # by a caller of message_post: an RPC would queue anything to anyone
        names = super()._get_message_create_valid_field_names()
        return names | INBOX_MESSAGE_FIELDS if self.env.context.get("inbox_post") else names

    def _inbox_post(self, **values):
        """message_post with the Inbox's fields of the message."""
        return self.with_context(inbox_post=True).message_post(**values)

    def _inbox_message_create(self, values_list):
        """_message_create (the thin path of what people send) with the Inbox's fields."""
        return self.with_context(inbox_post=True)._message_create(values_list)

    def _message_post_after_hook(self, message, msg_values):
        if not message.inbox_channel:
            if message.message_type == "email" and message.author_id == self.partner_id:
                # the person's email, through Odoo's mail gateway
                recipients = email_normalize_all(msg_values.get("incoming_email_to") or "")
                sender = self.env["inbox.sender"].sudo().search(
                    [("channel", "=", "email"), ("address", "in", recipients)], limit=1) \
                    or self.last_sender_id.filtered(lambda s: s.channel == "email")
                message.sudo().write({
                    "inbox_channel": "email", "inbox_direction": "inbound", "inbox_status": "received",
                    "inbox_address": self.partner_id.email_normalized, "inbox_sender_id": sender.id,
                })
                self._inbox_after_inbound(message, sender)
            elif message.subtype_id.internal and message.message_type == "comment":
                # notes logged from the chatter are notes of the conversation too
                message.sudo().inbox_channel = "note"
                self._inbox_touch(message)
        return super()._message_post_after_hook(message, msg_values)

    def _notify_thread(self, message, msg_vals=False, **kwargs):
        # A message exchanged with the person travels on its channel only: no
        # follower email, no out-of-office auto-reply to the person. The team
        # hears of it through the Inbox's own pushes (_inbox_bus_send).
        if message.subtype_id.id == self.env["ir.model.data"]._xmlid_to_res_id("unified_inbox.mt_inbox_message"):
            return []
        return super()._notify_thread(message, msg_vals=msg_vals, **kwargs)

    def _message_get_suggested_recipients_batch(self, **kwargs):
        # Customers are written to through message_inbox_send, on the channel
        # chosen; the chatter must not offer to email them behind its back.
        return {conversation.id: [] for conversation in self}

    def _inbox_email_references(self, message):
        """References of the outgoing email ``message``: the conversation's
        earlier emails, for the person's mail client to thread them."""
        self.ensure_one()
        message_ids = self.env["mail.message"].sudo().search([
            ("model", "=", self._name), ("res_id", "=", self.id), ("inbox_channel", "=", "email"),
            ("message_id", "!=", False), ("id", "<", message.id),
        ], order="id desc", limit=10).mapped("message_id")
        return " ".join(reversed(message_ids))

    # ------------------------------------------------------------------
    # The last message
    # ------------------------------------------------------------------

    @api.model
    def _inbox_is_exchanged(self, message):
        """Whether ``message`` was sent or received: a canceled message, or
        one scheduled for later, is not the conversation's last message."""
        if message.inbox_status == "canceled":
            return False
        return not (message.inbox_status == "queued" and message.inbox_scheduled_date
                    and message.inbox_scheduled_date > fields.Datetime.now())

    @api.model
    def _inbox_preview_values(self, message):
        # plain text: the list shows no formatting marks (*bold*, links)
        preview = html_to_inner_content(message.body or "").strip() or message.subject or ""
        if not preview and message.attachment_ids:
            preview = self.env._("Attachment: %s", message.attachment_ids[0].name)
        return {
            "last_message_date": message.date,
            "last_message_preview": preview[:PREVIEW_LENGTH],
            "last_message_channel": message.inbox_channel,
            "last_message_direction": message.inbox_direction or False,
        }

    def _inbox_refresh_preview(self):
        """Show the last message sent or received in the list (after a
        cancel, or when a scheduled message goes)."""
        Message = self.env["mail.message"].sudo()
        for conversation in self:
            # _inbox_is_exchanged as a domain: the newest one only, not the
            # whole history
            last = Message.search([
                ("model", "=", self._name), ("res_id", "=", conversation.id), ("inbox_channel", "!=", False),
                ("inbox_status", "!=", "canceled"),
                "|", "|", ("inbox_status", "!=", "queued"), ("inbox_scheduled_date", "=", False),
                ("inbox_scheduled_date", "<=", fields.Datetime.now()),
            ], order="date desc, id desc", limit=1)
            if last:
                conversation.sudo().write(self._inbox_preview_values(last))

    def _inbox_touch(self, message, values=None):
        """Keep the list columns in step with the latest message (and write
        ``values`` with them, in one update)."""
        self.ensure_one()
        exchanged = self._inbox_is_exchanged(message)
        self.sudo().write({
            **(values or {}),
            **(self._inbox_preview_values(message) if exchanged else {}),
            "channels": " ".join(sorted(set((self.channels or "").split()) | {message.inbox_channel} - {False})),
        })
        if message.inbox_direction != "inbound":
            self.action_mark_read(message)
        self._inbox_bus_send(message)

    def _inbox_sync_from_messages(self):
        """Recompute the list columns from the stored messages (after an
        import of messages, e.g. the demo data)."""
        Message = self.env["mail.message"].sudo()
        for conversation in self:
            messages = Message.search([
                ("model", "=", self._name), ("res_id", "=", conversation.id), ("inbox_channel", "!=", False),
            ], order="date desc, id desc")
            if not messages:
                continue
            inbound = messages.filtered(lambda m: m.inbox_direction == "inbound")
            with_sender = messages.filtered("inbox_sender_id")[:1]
            conversation.sudo().write({
                "channels": " ".join(sorted(set(messages.mapped("inbox_channel")))),
                "last_inbound_message_id": inbound[:1].id,
                "last_inbound_date": inbound[:1].date,
                "last_sender_id": with_sender.inbox_sender_id.id,
            })
            conversation._inbox_touch(messages[0])
            conversation._inbox_refresh_preview()

    # ------------------------------------------------------------------
    # Real time
    # ------------------------------------------------------------------

    def _message_log(self, **kwargs):
        """A line of the conversation's own history (a new assignee, team,
        status, label; written at pre-commit by the tracking) goes to its
        readers with the conversation as it is now, as a message does: the
        new assignee's list and every open thread follow."""
        message = super()._message_log(**kwargs)
        self._inbox_bus_send(message)
        return message

    def _inbox_post_card(self, card):
        """Post an activity card (see inbox.card.rule): for the team, carried
        by no channel, pushed to the conversation's readers."""
        self.ensure_one()
        message = self.sudo()._inbox_post(body=card["title"], message_type="notification",
                                          subtype_xmlid="mail.mt_note", inbox_card=card)
        self._inbox_bus_send(message, extra_fields=("inbox_card",))
        return message
