from odoo import api, fields, models


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
        self.conversation_id.inbox_simulate_inbound(self.body, sender_id=self.sender_id.id, subject=self.subject)
        return {"type": "ir.actions.act_window_close"}
