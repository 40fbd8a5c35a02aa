from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    inbox_quiet_hours = fields.Boolean(
        "Quiet Hours", help="Scheduled and automated messages due in these hours wait until they end. "
                            "Replies written by hand are never held.")
    inbox_quiet_start = fields.Float("Quiet From", default=21.0)
    inbox_quiet_end = fields.Float("Quiet Until", default=8.0)
    # an OpenAI-compatible chat-completions endpoint for suggested replies
    inbox_ai_base_url = fields.Char(
        "Assistant Endpoint", groups="base.group_system",
        help="The base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1 or a vLLM or Ollama server's "
             "http://host:port/v1; /unified_inbox/sandbox/assistant/v1 is the sandbox's own, which drafts a polite "
             "holding reply. Empty: no suggested replies.")
    inbox_ai_model = fields.Char("Assistant Model", groups="base.group_system")
    inbox_ai_api_key = fields.Char("Assistant API Key", groups="base.group_system", copy=False)
    inbox_bot_mode = fields.Selection(
        [("none", "No Bot"), ("away", "Away Message Outside Working Hours"), ("assistant", "Assistant")],
        "Bot", default="none", required=True,
        help="What answers the people whose Bot Answers is on, until somebody of the team writes or takes over.")
    inbox_bot_away_message = fields.Text(
        "Away Message", translate=True,
        help="Sent outside the company's working hours, at most once in 12 hours to the same person.")
    inbox_bot_instructions = fields.Text(
        "Bot Instructions", help="What the assistant is told about the company and how to answer.")
    inbox_bot_snippet_ids = fields.Many2many(
        "inbox.snippet", string="Snippets the Bot May Use", help="Their text is given to the assistant as facts.")

    @api.constrains("inbox_quiet_start", "inbox_quiet_end")
    def _check_inbox_quiet_hours(self):
        for company in self:
            hours = (company.inbox_quiet_start, company.inbox_quiet_end)
            if any(not 0 <= hour < 24 for hour in hours) or hours[0] == hours[1]:
                raise ValidationError(
                    self.env._("Quiet hours go from one time of day to another, between 00:00 and 23:59."))

    def _inbox_quiet_until(self, when):
        """When the quiet hours around ``when`` (naive UTC) end, as naive UTC,
        or None when ``when`` is outside them. In the company's time zone."""
        self.ensure_one()
        if not self.inbox_quiet_hours:
            return None
        tz = pytz.timezone(self.partner_id.tz or "UTC")
        local = pytz.utc.localize(when).astimezone(tz)
        hour = local.hour + local.minute / 60 + local.second / 3600
        start, end = self.inbox_quiet_start, self.inbox_quiet_end
        inside = start <= hour < end if start < end else (hour >= start or hour < end)
        if not inside:
            return None
        minutes = round(end * 60)
        end_local = tz.localize(local.replace(tzinfo=None, hour=minutes // 60, minute=minutes % 60, second=0,
                                              microsecond=0))
        if end_local <= local:
            end_local = tz.localize(end_local.replace(tzinfo=None) + timedelta(days=1))
        return end_local.astimezone(pytz.utc).replace(tzinfo=None)

    def _inbox_report_hours(self, start, end):
        """``(calendar hours, working hours)`` from ``start`` to ``end``
        (naive UTC): the working hours by the company's working schedule,
        public holidays off."""
        self.ensure_one()
        if end <= start:
            return 0.0, 0.0
        calendar = self.resource_calendar_id
        business = calendar.get_work_hours_count(start, end, compute_leaves=True) if calendar else 0.0
        return (end - start).total_seconds() / 3600, business
