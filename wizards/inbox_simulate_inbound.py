import uuid

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..providers.sandbox import SandboxAdapter


class InboxSimulateInbound(models.TransientModel):
    """Make the person write to us through a sandbox sender account: the
    message takes the same path as a provider's webhook."""

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
            sender = self.env["inbox.sender"].search([("provider_id.provider_type", "=", "sandbox")], limit=1)
            values["sender_id"] = sender.id
        return values

    def action_simulate(self):
        self.ensure_one()
        sender = self.sender_id.sudo()
        partner = self.conversation_id.partner_id
        from_address = partner.email_normalized if sender.channel == "email" else partner.phone_sanitized
        if not from_address:
            raise UserError(_("%(name)s has no address for %(channel)s.", name=partner.display_name,
                              channel=dict(sender._fields["channel"].selection)[sender.channel]))
        provider = sender.provider_id
        request = SandboxAdapter.signed_request(provider.webhook_url, provider.webhook_secret, [{
            "type": "message",
            "id": f"SBIN{uuid.uuid4().hex}",
            "channel": sender.channel,
            "from": from_address,
            "to": sender.address,
            "name": partner.name,
            "subject": self.subject or "",
            "body": self.body,
        }])
        status, _content_type, answer = provider._inbox_handle_webhook(request)
        if status != 200:
            raise UserError(_("The sandbox refused the message: %s", answer))
        return {"type": "ir.actions.act_window_close"}
