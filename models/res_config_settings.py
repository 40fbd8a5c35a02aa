from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    inbox_provider_count = fields.Integer(compute="_compute_inbox_counts")
    inbox_sender_count = fields.Integer(compute="_compute_inbox_counts")
    inbox_quiet_hours = fields.Boolean(related="company_id.inbox_quiet_hours", readonly=False)
    inbox_quiet_start = fields.Float(related="company_id.inbox_quiet_start", readonly=False)
    inbox_quiet_end = fields.Float(related="company_id.inbox_quiet_end", readonly=False)
    inbox_ai_base_url = fields.Char(related="company_id.inbox_ai_base_url", readonly=False)
    inbox_ai_model = fields.Char(related="company_id.inbox_ai_model", readonly=False)
    inbox_ai_api_key = fields.Char(related="company_id.inbox_ai_api_key", readonly=False)
    inbox_bot_mode = fields.Selection(related="company_id.inbox_bot_mode", readonly=False)
    inbox_bot_away_message = fields.Text(related="company_id.inbox_bot_away_message", readonly=False)
    inbox_bot_instructions = fields.Text(related="company_id.inbox_bot_instructions", readonly=False)
    inbox_bot_snippet_ids = fields.Many2many(related="company_id.inbox_bot_snippet_ids", readonly=False)

    inbox_queue_lanes = fields.Integer(
        "Queue Lanes", config_parameter="unified_inbox.queue_lanes", default=2,
        help="How many cron workers (on any number of Odoo servers) may send messages and apply provider events "
             "side by side, each queue in as many lanes. One person's messages always go in one lane, in order.")

    def set_values(self):
        result = super().set_values()
        self.env["inbox.queue.mixin"]._queue_sync_all_lanes()
        return result

    def _compute_inbox_counts(self):
        for settings in self:
            settings.inbox_provider_count = self.env["inbox.provider"].search_count(
                [("company_id", "=", settings.company_id.id)])
            settings.inbox_sender_count = self.env["inbox.sender"].search_count(
                [("company_id", "=", settings.company_id.id)])
