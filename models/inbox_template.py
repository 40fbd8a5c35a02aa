import re

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html_sanitize, plaintext2html

from .. import channels
from ..providers.base import TEMPLATE_STATUSES

# an approved WhatsApp template's variable: {{1}}, {{2}}…
NUMBERED_VARIABLE = re.compile(r"\{\{\s*(\d+)\s*\}\}")


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
    channel = fields.Selection(channels.selection(internal=False), required=True)
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
    whatsapp_status = fields.Selection(
        [(status, status.capitalize()) for status in TEMPLATE_STATUSES], string="Review Status",
        help="As Meta last reported it. Only an approved template can be sent. Empty: a template entered by hand "
             "(e.g. a Twilio Content SID), sent as approved.")
    whatsapp_status_reason = fields.Char("Review Details", readonly=True)
    whatsapp_category = fields.Char("Category", readonly=True)
    whatsapp_provider_id = fields.Many2one(
        "inbox.provider", string="Synchronized From", readonly=True, ondelete="set null", index="btree_not_null")
    whatsapp_template_id = fields.Char("Provider Template ID", readonly=True)
    whatsapp_variables = fields.Text(
        render_engine="inline_template",
        help="One line per variable of the approved template ({{1}}, {{2}}, …), e.g. {{ object.partner_id.name }}.")

    @api.depends("channel")
    def _compute_render_model(self):
        self.render_model = "inbox.conversation"

    def _inbox_whatsapp_parameters(self, conversation):
        """The values of the approved template's variables for
        ``conversation``, in order; refused when one is missing or empty
        (the provider would reject the message)."""
        self.ensure_one()
        # one line a variable, each rendered on its own: an empty value stays in its place
        sources = [line for line in (self.whatsapp_variables or "").splitlines() if line.strip()]
        needed = max((int(number) for number in NUMBERED_VARIABLE.findall(self.body or "")), default=0)
        if len(sources) < needed:
            raise UserError(self.env._(
                "The template %(name)s has %(count)s variables: give each a value in the template.",
                name=self.name, count=needed))
        parameters = [
            str(self._render_template(source, "inbox.conversation", conversation.ids)[conversation.id]).strip()
            for source in sources
        ]
        empty = [str(index) for index, value in enumerate(parameters, 1) if not value]
        if empty:
            raise UserError(self.env._(
                "The template %(name)s has no value for {{%(numbers)s}} in this conversation (an empty field of "
                "%(person)s?).", name=self.name, numbers="}}, {{".join(empty), person=conversation.partner_id.name))
        return parameters

    def _inbox_render_whatsapp(self, conversation):
        """The approved template to send for ``conversation``, or None."""
        self.ensure_one()
        if not self.whatsapp_template_name:
            return None
        return {
            "name": self.whatsapp_template_name,
            "language": self.whatsapp_language or "en",
            "parameters": self._inbox_whatsapp_parameters(conversation),
        }

    def _inbox_render(self, conversation):
        """``(subject, body)`` of the template for ``conversation``, as plain
        text: the values it shows (a person's name...) are text, a "<" in
        them is no markup (see :meth:`_inbox_rich_text`). The numbered
        variables of an approved template ({{1}}) show their values; those
        values are never rendered as a template themselves."""
        self.ensure_one()
        subject = self._render_field("subject", conversation.ids)[conversation.id] if self.subject else ""
        if not (self.whatsapp_template_name and NUMBERED_VARIABLE.search(self.body or "")):
            return subject, self._render_field("body", conversation.ids)[conversation.id]
        parameters = self._inbox_whatsapp_parameters(conversation)
        marked = NUMBERED_VARIABLE.sub(lambda match: f"\x00{match[1]}\x00", self.body)
        body = self._render_template(marked, "inbox.conversation", conversation.ids)[conversation.id]
        return subject, re.sub("\x00(\\d+)\x00", lambda match: parameters[int(match[1]) - 1], str(body))

    @api.model
    def _inbox_rich_text(self, text):
        """The rich text (email, notes) of a rendered template's ``text``:
        that text escaped, its line breaks kept, and sanitized. Never the
        rendered text taken as HTML: it carries what customers wrote."""
        return html_sanitize(plaintext2html(str(text or "")))

    def _inbox_check_sendable(self):
        """Refuse a WhatsApp template the provider has not approved."""
        for template in self:
            if template.whatsapp_template_name and template.whatsapp_status not in (False, "approved"):
                raise UserError(self.env._(
                    "The template %(name)s cannot be sent: Meta's review status is %(status)s.",
                    name=template.name, status=dict(template._fields["whatsapp_status"].selection)[
                        template.whatsapp_status]))

    @api.model
    def _inbox_apply_template_info(self, provider, info):
        """Create or update the template ``info`` (a TemplateInfo) of
        ``provider``. A status report without a body updates the status of
        the template it names, and creates nothing."""
        template = self.with_context(active_test=False).search([
            ("whatsapp_provider_id", "=", provider.id), ("whatsapp_template_name", "=", info.name),
            ("whatsapp_language", "=", info.language),
        ], limit=1)
        values = {
            "whatsapp_status": info.status,
            "whatsapp_status_reason": info.reason or False,
            "whatsapp_template_id": info.external_id or template.whatsapp_template_id,
        }
        if info.category:
            values["whatsapp_category"] = info.category
        if info.body:
            values["body"] = info.body
        if template:
            template.write(values)
        elif info.body:
            template = self.create(dict(
                values, name=f"{info.name} ({info.language})", channel="whatsapp", company_id=provider.company_id.id,
                whatsapp_provider_id=provider.id, whatsapp_template_name=info.name, whatsapp_language=info.language))
        return template

    @api.model
    def _inbox_sync_templates(self, provider, infos):
        """Bring ``provider``'s templates in step with ``infos``, its full
        list: a template the provider no longer has is disabled."""
        synced = self.browse()
        for info in infos:
            synced |= self._inbox_apply_template_info(provider, info)
        gone = self.search([("whatsapp_provider_id", "=", provider.id), ("id", "not in", synced.ids)])
        gone.write({"whatsapp_status": "disabled",
                    "whatsapp_status_reason": self.env._("No longer in the business account.")})
        return synced
