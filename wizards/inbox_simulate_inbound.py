import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..providers.sandbox import SandboxAdapter


class InboxSimulateInbound(models.TransientModel):
    """Make the person write to us through a sandbox sender account: the
    message takes the same path as a provider's webhook. For demos, trials
    and tours."""

    _name = "inbox.simulate.inbound"
    _description = "Inbox: Simulate an Inbound Message"

    conversation_id = fields.Many2one("inbox.conversation", required=True)
    sender_id = fields.Many2one(
        "inbox.sender", string="To", required=True,
        domain="[('provider_id.provider_type', '=', 'sandbox')]")
    body = fields.Text(required=True)
    subject = fields.Char()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "sender_id" in fields_list and not values.get("sender_id"):
            conversation = self.env["inbox.conversation"].browse(values.get("conversation_id"))
            values["sender_id"] = self._inbox_sandbox_senders(conversation)[:1].id
        return values

    @api.model
    def _inbox_sandbox_senders(self, conversation, sender_id=None):
        """The sandbox sender accounts of the conversation's company (the
        current one's without a conversation); refused when there is none."""
        domain = [("provider_id.provider_type", "=", "sandbox"),
                  ("company_id", "=", (conversation.company_id or self.env.company).id)]
        if sender_id:
            domain.append(("id", "=", sender_id))
        senders = self.env["inbox.sender"].sudo().search(domain)
        if not senders:
            raise UserError(self.env._("There is no sandbox sender account in this company."))
        return senders

    @api.model
    def inbox_simulate(self, conversation_id, body, sender_id=None, subject=None):
        """Make the person of ``conversation_id`` write ``body`` to a sandbox
        sender account (the first one of its company if none is given),
        through the same signed webhook path as a real provider."""
        conversation = self.env["inbox.conversation"].browse(conversation_id)
        conversation.check_access("read")
        sender = self._inbox_sandbox_senders(conversation, sender_id)[:1]
        partner = conversation.partner_id
        from_address = conversation._inbox_recipient_address(sender.channel, sender)
        if not from_address:
            raise UserError(self.env._("%(name)s has no address for %(channel)s.", name=partner.display_name,
                                       channel=dict(sender._fields["channel"].selection)[sender.channel]))
        provider = sender.provider_id
        request = SandboxAdapter.signed_request(provider.webhook_url, provider.webhook_secret, [{
            "type": "message",
            "id": f"SBIN{uuid.uuid4().hex}",
            "channel": sender.channel,
            "from": from_address,
            "to": sender.address,
            "name": partner.name,
            "subject": subject or "",
            "body": body,
        }])
        status, _content_type, answer = provider._inbox_handle_webhook(request, apply_now=True)
        if status != 200:
            raise UserError(self.env._("The sandbox refused the message: %s", answer))
        return True

    def action_simulate(self):
        self.ensure_one()
        self.inbox_simulate(self.conversation_id.id, self.body, sender_id=self.sender_id.id, subject=self.subject)
        return {"type": "ir.actions.act_window_close"}
