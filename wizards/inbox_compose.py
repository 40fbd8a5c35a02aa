from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from .. import channels


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
    # what is written: calls are placed with the Call button
    channel = fields.Selection(channels.selection(calls=False), required=True, default="sms")
    sender_id = fields.Many2one(
        "inbox.sender", string="Send From",
        domain="[('channel', '=', channel)]")
    template_id = fields.Many2one("inbox.template", domain="[('id', 'in', allowed_template_ids)]")
    subject = fields.Char()
    # required in the view, except when an approved WhatsApp template writes it
    body = fields.Text()
    attachment_ids = fields.Many2many("ir.attachment", string="Attachments")
    availability_reason = fields.Char(compute="_compute_availability_reason")
    templates_only = fields.Boolean(
        compute="_compute_templates_only",
        help="The channel's reply window is closed for this person (on WhatsApp: they have not written to this "
             "number in the last 24 hours, or never did): only an approved template can be sent.")
    allowed_template_ids = fields.Many2many("inbox.template", compute="_compute_allowed_template_ids")
    # the channel's rules, as the form shows them
    internal = fields.Boolean(compute="_compute_channel_rules")
    needs_subject = fields.Boolean(compute="_compute_channel_rules")
    takes_attachments = fields.Boolean(compute="_compute_channel_rules")

    @api.depends("channel")
    def _compute_channel_rules(self):
        for wizard in self:
            entry = wizard.channel and channels.get(wizard.channel)
            wizard.internal = bool(entry) and entry.internal
            wizard.needs_subject = bool(entry) and entry.subject
            wizard.takes_attachments = bool(entry) and bool(entry.attachment_max_size)

    @api.depends("conversation_id", "partner_id", "new_address", "channel", "sender_id")
    def _compute_templates_only(self):
        for wizard in self:
            wizard.templates_only = bool(wizard.channel) and channels.get(wizard.channel).window_templates \
                and not wizard._inbox_window_open()

    @api.depends("channel", "templates_only")
    def _compute_allowed_template_ids(self):
        for wizard in self:
            templates = self.env["inbox.template"].search([("channel", "=", wizard.channel)]).filtered(
                lambda template: template.whatsapp_status not in ("pending", "rejected", "paused", "disabled"))
            if wizard.templates_only:
                templates = templates.filtered("whatsapp_template_name")
            wizard.allowed_template_ids = templates

    def _inbox_window_open(self):
        """Whether free text may go on the channel to the person written
        to: always on a channel without a reply window; on one with, only if
        they wrote to the sender's number within it, which a person new to
        the Inbox never did."""
        self.ensure_one()
        if not channels.get(self.channel).reply_window:
            return True
        conversation = self.conversation_id or self._inbox_existing_conversation()
        if not conversation:
            return False
        sender = self.sender_id or conversation._inbox_usable_senders(self.channel)[:1]
        return conversation._inbox_window_open(self.channel, sender)

    def _inbox_existing_conversation(self):
        """The conversation of the person chosen or typed, if they have one
        the user may read (their open one, else their latest); nobody is
        created to find out."""
        self.ensure_one()
        Conversation = self.env["inbox.conversation"]
        partner = self.partner_id
        address = (self.new_address or "").strip()
        if not partner and address:
            identity = _typed_identity(address)
            normalized = self.env["inbox.sender"]._inbox_normalize(identity, address, raise_exception=False)
            partner = normalized and self.env["res.partner"]._inbox_find(identity, normalized)
        if not partner:
            return Conversation
        domain = [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)]
        return (Conversation.search([*domain, ("state", "=", "open")], limit=1)
                or Conversation.search(domain, order="id desc", limit=1))

    @api.depends("conversation_id", "partner_id", "new_address", "channel", "sender_id", "template_id")
    def _compute_availability_reason(self):
        for wizard in self:
            conversation = wizard.conversation_id
            if not conversation and wizard.templates_only and not wizard.template_id.whatsapp_template_name:
                # a person without a conversation yet: only the window can be told before sending
                name = wizard.partner_id.display_name or (wizard.new_address or "").strip() or self.env._("This person")
                wizard.availability_reason = self.env._(
                    "The WhatsApp window is closed: %s has not written in the last 24 hours. "
                    "Only an approved template can be sent.", name)
                continue
            if not conversation or not wizard.channel:
                wizard.availability_reason = False
                continue
            sender = wizard.sender_id or conversation._inbox_usable_senders(wizard.channel)[:1]
            wizard.availability_reason = conversation._inbox_unavailable_reason(
                wizard.channel, sender, approved_template=bool(wizard.template_id.whatsapp_template_name))

    @api.onchange("channel", "conversation_id")
    def _onchange_channel(self):
        if channels.get(self.channel).internal:
            self.sender_id = False
        elif self.sender_id.channel != self.channel:
            company = self.conversation_id.company_id or self.env.company
            self.sender_id = self.env["inbox.sender"]._inbox_get_usable(self.channel, company)[:1]
        if self.template_id.channel != self.channel:
            self.template_id = False

    @api.onchange("template_id")
    def _onchange_template_id(self):
        conversation = self.conversation_id or self._inbox_existing_conversation()
        if self.template_id and conversation:
            self.subject, self.body = self.template_id._inbox_render(conversation)
        elif self.template_id.whatsapp_template_name:
            # what the approved template says, its values filled in when sent
            self.body = self.template_id.body

    def _inbox_resolve_partner(self):
        """The person to write to: never a duplicate of an existing one."""
        self.ensure_one()
        if self.conversation_id:
            return self.conversation_id.partner_id
        if self.partner_id:
            return self.partner_id
        address = (self.new_address or "").strip()
        if not address:
            raise UserError(self.env._("Choose a person or type a phone number or an email address."))
        identity = _typed_identity(address)
        normalized = self.env["inbox.sender"]._inbox_normalize(identity, address, raise_exception=False)
        if not normalized:
            raise UserError(self.env._("%s is neither a valid phone number nor a valid email address.", address))
        # Inbox users start conversations with people who never wrote: the
        # person is created as the inbound path would, whatever the user's
        # rights on contacts
        Partner = self.env["res.partner"]
        person = Partner._inbox_find(identity, normalized) or Partner.sudo()._inbox_find_or_create(
            identity, normalized, False, self.env.company)
        return person.sudo(False)

    def action_send(self):
        self.ensure_one()
        # a refused message leaves nothing behind: no person, no conversation
        with self.env.cr.savepoint():
            conversation = self.conversation_id or self._inbox_new_conversation()
            # the wizard's body is plain text, whatever it holds
            body = plaintext2html(self.body or "") if channels.get(self.channel).rich_text else self.body
            conversation.message_inbox_send(
                self.channel, body, subject=self.subject, sender_id=self.sender_id.id or None,
                template_id=self.template_id.id or None, attachment_ids=self.attachment_ids.ids)
        return self._inbox_action_after_send(conversation)

    def _inbox_action_after_send(self, conversation):
        """Where the user lands once the message is written: opened from the
        Inbox, the dialog closes and tells it which conversation to open;
        from the Inbox's menu, the Inbox opens on the conversation; from a
        conversation's form, that form."""
        if self.env.context.get("inbox_compose_close"):
            return {"type": "ir.actions.act_window_close", "infos": {"inbox_conversation_id": conversation.id}}
        if self.env.context.get("inbox_compose_open_inbox"):
            action = self.env["ir.actions.actions"]._for_xml_id("unified_inbox.inbox_action")
            # the Inbox alone in the breadcrumbs, not stacked on what was open
            action.update(target="main", params={"conversation_id": conversation.id})
            return action
        return {
            "type": "ir.actions.act_window",
            "res_model": "inbox.conversation",
            "res_id": conversation.id,
            "view_mode": "form",
            "target": "current",
        }

    def _inbox_new_conversation(self):
        """The person's one conversation (their latest, reopened), or a new
        one that belongs to the user who starts it; never a second open one,
        even when another team has it (the user is told who handles it)."""
        partner = self._inbox_resolve_partner()
        return self.env["inbox.conversation"]._inbox_start(partner, self.env.company, {
            "user_id": self.env.uid,
            "team_id": self.env.user.sudo().crm_team_ids[:1].id,
        })


def _typed_identity(address):
    """The kind of identity a user typed: an email address or a phone number."""
    return channels.EMAIL if "@" in address else channels.PHONE
