from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from ..models.inbox_conversation import INBOX_CHANNELS


class InboxCompose(models.TransientModel):
    """Write to a person on a channel: to an existing conversation, or to a
    person (found or created from a number or an address) whose
    conversation is created when the message is sent."""

    _name = "inbox.compose"
    _description = "Inbox: New Message"

    conversation_id = fields.Many2one("inbox.conversation")
    partner_id = fields.Many2one("res.partner", string="Person")
    new_address = fields.Char(
        "Or a number / email", help="A phone number or an email address; the person is found or created.")
    channel = fields.Selection(INBOX_CHANNELS, required=True, default="sms")
    sender_id = fields.Many2one(
        "inbox.sender", string="Send From",
        domain="[('channel', '=', channel)]")
    template_id = fields.Many2one("inbox.template", domain="[('channel', '=', channel)]")
    subject = fields.Char()
    body = fields.Text(required=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Attachments")
    availability_reason = fields.Char(compute="_compute_availability_reason")

    @api.depends("conversation_id", "channel", "sender_id")
    def _compute_availability_reason(self):
        for wizard in self:
            conversation = wizard.conversation_id
            if not conversation or not wizard.channel:
                wizard.availability_reason = False
                continue
            sender = wizard.sender_id or conversation._inbox_usable_senders(wizard.channel)[:1]
            wizard.availability_reason = conversation._inbox_unavailable_reason(
                wizard.channel, sender, approved_template=bool(wizard.template_id.whatsapp_template_name))

    @api.onchange("channel", "conversation_id")
    def _onchange_channel(self):
        if self.channel == "note":
            self.sender_id = False
        elif self.sender_id.channel != self.channel:
            company = self.conversation_id.company_id or self.env.company
            self.sender_id = self.env["inbox.sender"]._inbox_get_usable(self.channel, company)[:1]
        if self.template_id.channel != self.channel:
            self.template_id = False

    @api.onchange("template_id")
    def _onchange_template_id(self):
        if self.template_id and self.conversation_id:
            self.subject, self.body = self.template_id._inbox_render(self.conversation_id)

    def _inbox_resolve_partner(self):
        """The person to write to: never a duplicate of an existing one."""
        self.ensure_one()
        if self.conversation_id:
            return self.conversation_id.partner_id
        if self.partner_id:
            return self.partner_id
        address = (self.new_address or "").strip()
        if not address:
            raise UserError(_("Choose a person or type a phone number or an email address."))
        channel = "email" if "@" in address else "sms"
        Sender = self.env["inbox.sender"]
        normalized = Sender._inbox_normalize_address(channel, address, raise_exception=False)
        if not normalized:
            raise UserError(_("%s is neither a valid phone number nor a valid email address.", address))
        # Inbox users start conversations with people who never wrote: the
        # person is created as the inbound path would, whatever the user's
        # rights on contacts
        Partner = self.env["res.partner"]
        person = Partner._inbox_find(channel, normalized) or Partner.sudo()._inbox_find_or_create(
            channel, normalized, False, self.env.company)
        return person.sudo(False)

    def action_send(self):
        self.ensure_one()
        # a refused message leaves nothing behind: no person, no conversation
        with self.env.cr.savepoint():
            conversation = self.conversation_id or self._inbox_new_conversation()
            # the wizard's body is plain text, whatever it holds
            body = plaintext2html(self.body or "") if self.channel in ("email", "note") else self.body
            conversation.message_inbox_send(
                self.channel, body, subject=self.subject, sender_id=self.sender_id.id or None,
                template_id=self.template_id.id or None, attachment_ids=self.attachment_ids.ids)
        return {
            "type": "ir.actions.act_window",
            "res_model": "inbox.conversation",
            "res_id": conversation.id,
            "view_mode": "form",
            "target": "current",
        }

    def _inbox_new_conversation(self):
        """The person's latest conversation (reopened), or a new one that
        belongs to the user who starts it."""
        partner = self._inbox_resolve_partner()
        Conversation = self.env["inbox.conversation"]
        conversation = Conversation.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)],
            order="last_message_date desc nulls last, id desc", limit=1)
        if conversation:
            if conversation.state == "closed":
                conversation.action_reopen()
            return conversation
        return Conversation.create({
            "partner_id": partner.id,
            "company_id": self.env.company.id,
            "user_id": self.env.uid,
            "team_id": self.env.user.sudo().crm_team_ids[:1].id,
        })
