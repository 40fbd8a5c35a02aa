from odoo import api, fields, models

from .inbox_sender import CHANNELS


class InboxTemplate(models.Model):
    """Reusable message content for one channel, rendered on a conversation
    (placeholders such as ``{{ object.partner_id.name }}``)."""

    _name = "inbox.template"
    _inherit = ["mail.render.mixin"]
    _description = "Inbox Message Template"
    _order = "name"
    # as for mail.template: who may write dynamic templates is checked on
    # write, so every Inbox user may render them
    _unrestricted_rendering = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    channel = fields.Selection(CHANNELS, required=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    subject = fields.Char(translate=True, render_engine="inline_template")
    body = fields.Text(translate=True, render_engine="inline_template", required=True)
    render_model = fields.Char(compute="_compute_render_model")
    # A WhatsApp template approved by Meta, sent as such: the only content
    # that may open a conversation outside the 24-hour window.
    whatsapp_template_name = fields.Char(
        "Approved Template", help="The name of the template approved by Meta, or its Content SID (HX…) on Twilio. "
                                  "The body above is what the Inbox shows of it.")
    whatsapp_language = fields.Char("Template Language", default="en")
    whatsapp_variables = fields.Text(
        render_engine="inline_template",
        help="One line per variable of the approved template ({{1}}, {{2}}, …), e.g. {{ object.partner_id.name }}.")

    @api.depends("channel")
    def _compute_render_model(self):
        self.render_model = "inbox.conversation"

    def _inbox_render_whatsapp(self, conversation):
        """The approved template to send for ``conversation``, or None."""
        self.ensure_one()
        if not self.whatsapp_template_name:
            return None
        rendered = self._render_field("whatsapp_variables", conversation.ids)[conversation.id] \
            if self.whatsapp_variables else ""
        return {
            "name": self.whatsapp_template_name,
            "language": self.whatsapp_language or "en",
            "parameters": [line.strip() for line in str(rendered).splitlines() if line.strip()],
        }

    def _inbox_render(self, conversation):
        """``(subject, body)`` of the template for ``conversation``."""
        self.ensure_one()
        subject = self._render_field("subject", conversation.ids)[conversation.id] if self.subject else ""
        body = self._render_field("body", conversation.ids)[conversation.id]
        return subject, body
