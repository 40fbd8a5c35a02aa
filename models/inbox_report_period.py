from odoo import fields, models


class InboxReportPeriod(models.Model):
    """A time a conversation was open: from its creation or reopening to
    its closing. Its resolution time is that span, in calendar hours and in
    the company's working hours. Written as conversations open and close;
    read by the Inbox's reports."""

    _name = "inbox.report.period"
    _description = "Inbox Report: Open Period"
    _order = "opened desc, id desc"
    _rec_name = "conversation_id"

    conversation_id = fields.Many2one("inbox.conversation", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True)
    team_id = fields.Many2one("crm.team")
    user_id = fields.Many2one("res.users", string="Agent", help="Who the conversation was assigned to when closed.")
    opened = fields.Datetime(required=True, index=True)
    closed = fields.Datetime(index=True)
    reopened = fields.Boolean(help="Not the conversation's first open period: it was closed and opened again.")
    resolution_hours = fields.Float("Resolution Time (h)", aggregator="avg", readonly=True)
    resolution_business_hours = fields.Float(
        "Resolution Time (business h)", aggregator="avg", readonly=True,
        help="The span in the company's working hours (its working schedule and public holidays).")

    def _inbox_close(self, when):
        for period in self:
            hours, business = period.company_id._inbox_report_hours(period.opened, when)
            period.write({
                "closed": when, "resolution_hours": hours, "resolution_business_hours": business,
                "team_id": period.conversation_id.team_id.id, "user_id": period.conversation_id.user_id.id,
            })
