"""Live chat sessions in the Inbox: what a visitor and the operators write
in a session of a Live Chat channel that has a sender account in the Inbox
is kept in the visitor's conversation, once, in the transaction that posts it."""
from odoo import api, models
from odoo.tools import html2plaintext

from .. import channels
from ..providers import InboundMessage

# what a session's messages are known as in the Inbox (the provider's id)
MESSAGE_REF = "discuss-{}"


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        if self.channel_type == "livechat" and message.message_type == "comment" \
                and not self.env.context.get("inbox_from_inbox"):
            self._inbox_keep(message)
        return result

    def write(self, vals):
        ending = self.browse()
        if vals.get("livechat_end_dt"):
            ending = self.filtered(lambda session: session.channel_type == "livechat" and not session.livechat_end_dt)
        result = super().write(vals)
        for session in ending:
            session._inbox_log_end()
        return result

    # ------------------------------------------------------------------
    # The session's visitor and sender account
    # ------------------------------------------------------------------

    def _inbox_sender(self):
        """The Inbox's sender account of this session's Live Chat channel."""
        self.ensure_one()
        if not self.livechat_channel_id:
            return self.env["inbox.sender"]
        return self.env["inbox.sender"].sudo().search([
            ("channel", "=", "livechat"), ("provider_id.provider_type", "=", "livechat"),
            ("external_id", "=", str(self.livechat_channel_id.id)),
        ], limit=1)

    def _inbox_visitor(self):
        """``(address, name, partner)`` of the session's visitor: the address
        that names them in the Inbox (``partner-<id>`` for a visitor with an
        Odoo contact, ``guest-<id>`` for an anonymous one), and their contact
        if they have one."""
        self.ensure_one()
        history = self.sudo().livechat_channel_member_history_ids.filtered(
            lambda row: row.livechat_member_type == "visitor")[:1]
        if history.partner_id:
            return f"partner-{history.partner_id.id}", history.partner_id.name, history.partner_id
        if history.guest_id:
            # anonymous visitors share a name ("Visitor"): their number tells them apart
            name = self.env._("%(name)s #%(number)s", name=history.guest_id.name, number=history.guest_id.id)
            return f"guest-{history.guest_id.id}", name, self.env["res.partner"]
        return False, "", self.env["res.partner"]

    @api.model
    def _inbox_open_session(self, sender, address):
        """The visitor's latest session of ``sender``'s Live Chat channel
        that has not ended."""
        kind, _dash, ident = (address or "").partition("-")
        if not (sender.external_id or "").isdigit() or not ident.isdigit() or kind not in ("partner", "guest"):
            return self.browse()
        return self.sudo().search([
            ("channel_type", "=", "livechat"), ("livechat_channel_id", "=", int(sender.external_id)),
            ("livechat_end_dt", "=", False),
            ("livechat_channel_member_history_ids", "any", [
                ("livechat_member_type", "=", "visitor"), (f"{kind}_id", "=", int(ident))]),
        ], order="id desc", limit=1)

    def _inbox_person(self, sender, address, name, contact):
        """The person the visitor is in the Inbox: their own contact, or one
        made for the anonymous visitor (who becomes somebody once they say
        who they are, see chatbot_script_step.py)."""
        Partner = self.env["res.partner"].sudo()
        if contact:
            person, row = Partner._inbox_find_row(channels.SCOPED, address, sender.provider_id)
            if not row:
                self.env["inbox.identity"]._inbox_record(
                    row, contact, channels.SCOPED, address, sender.provider_id, channel="livechat")
            return person or contact
        return Partner._inbox_find_or_create(
            channels.SCOPED, address, name, sender.company_id, provider=sender.provider_id, channel="livechat")

    # ------------------------------------------------------------------
    # Keeping the session in the conversation
    # ------------------------------------------------------------------

    def _inbox_keep(self, message):
        """Keep a message of the session in its visitor's conversation: the
        visitor's as inbound, an operator's or a bot's as already sent."""
        sender = self._inbox_sender()
        address, name, contact = self._inbox_visitor()
        if not sender or not address:
            return
        if contact:
            from_visitor = message.author_id == contact
        else:
            from_visitor = not message.author_id and address == f"guest-{message.author_guest_id.id}"
        text = html2plaintext(message.body or "")
        Conversation = self.env["inbox.conversation"].sudo()
        if from_visitor:
            if contact:
                self._inbox_person(sender, address, name, contact)
            kept = Conversation._inbox_receive(sender.provider_id, InboundMessage(
                provider_message_id=MESSAGE_REF.format(message.id), channel="livechat", from_address=address,
                to_address=sender.address, body=text, profile_name=name), sender=sender)
        else:
            person = self._inbox_person(sender, address, name, contact)
            conversation = Conversation._inbox_route(person, sender)
            kept = conversation._inbox_post_sent_elsewhere(
                sender, "livechat", MESSAGE_REF.format(message.id), address, text, message.author_id,
                status="delivered")
        if kept and message.attachment_ids:
            kept.attachment_ids = [attachment.copy({"res_model": kept.model, "res_id": kept.res_id}).id
                                   for attachment in message.attachment_ids.sudo()]
        if kept:
            self._inbox_assign_operator(kept)

    def _inbox_assign_operator(self, message):
        """The session's operator takes its conversation, when it has nobody
        and they work in the Inbox."""
        conversation = self.env["inbox.conversation"].sudo().browse(message.res_id)
        operator = self.livechat_operator_id.user_ids[:1]
        if operator and not conversation.user_id and operator.has_group("unified_inbox.group_inbox_user"):
            conversation.user_id = operator

    def _inbox_log_end(self):
        """Say in the visitor's conversation that the session ended."""
        sender = self._inbox_sender()
        address, _name, _contact = self._inbox_visitor()
        if not sender or not address:
            return
        person = self.env["res.partner"].sudo()._inbox_find(channels.SCOPED, address, sender.provider_id)
        conversation = person and self.env["inbox.conversation"].sudo().search([
            ("partner_id", "=", person.id), ("company_id", "=", sender.company_id.id),
        ], order="last_message_date desc nulls last, id desc", limit=1)
        if conversation:
            # said by the system, not by whoever ended it (often the public user)
            conversation._message_log(body=self.env._("The live chat session ended."),
                                      author_id=self.env.ref("base.partner_root").id)
