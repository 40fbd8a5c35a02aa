from odoo import api, fields, models

from .inbox_sender import CHANNELS


class InboxTemplate(models.Model):
    """Reusable message content for one channel, rendered on a conversation
    (placeholders such as ``{{ object.partner_id.name }}``)."""

    _name = "inbox.template"
    _inherit = ["mail.render.mixin"]
    _description = "Inbox Message Template"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    channel = fields.Selection(CHANNELS, required=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    subject = fields.Char(translate=True, render_engine="inline_template")
    body = fields.Text(translate=True, render_engine="inline_template", required=True)
    render_model = fields.Char(compute="_compute_render_model")

    @api.depends("channel")
    def _compute_render_model(self):
        self.render_model = "inbox.conversation"

    def _inbox_render(self, conversation):
        """``(subject, body)`` of the template for ``conversation``."""
        self.ensure_one()
        subject = self._render_field("subject", conversation.ids)[conversation.id] if self.subject else ""
        body = self._render_field("body", conversation.ids)[conversation.id]
        return subject, body
