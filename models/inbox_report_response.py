from odoo import fields, models

from .. import channels


class InboxReportResponse(models.Model):
    """A response cycle: the person reached out (a message, a missed call)
    while nothing of theirs was waiting, and the team answered them (a
    message or a call of an Inbox user; never an internal note, a bot or an
    automated message). The first cycle of an open period is its first
    response; the next ones are next responses. A reopened conversation
    starts a new period, so a first response is measured from what reopened
    it, never from the conversation's creation."""

    _name = "inbox.report.response"
    _description = "Inbox Report: Response Cycle"
    _order = "start desc, id desc"
    _rec_name = "conversation_id"

    period_id = fields.Many2one("inbox.report.period", required=True, index=True, ondelete="cascade")
    conversation_id = fields.Many2one("inbox.conversation", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True)
    team_id = fields.Many2one("crm.team")
    user_id = fields.Many2one("res.users", string="Agent", help="Who answered.")
    channel = fields.Selection(channels.selection(internal=False), help="Where the person reached out.")
    first = fields.Boolean("First Response", help="The first response of an open period (else a next response).")
    start = fields.Datetime(required=True, index=True, help="When the person reached out.")
    responded = fields.Datetime(index=True, help="When the team answered: empty while the person waits.")
    response_hours = fields.Float("Response Time (h)", aggregator="avg", readonly=True)
    response_business_hours = fields.Float(
        "Response Time (business h)", aggregator="avg", readonly=True,
        help="The wait in the company's working hours (its working schedule and public holidays).")

    def _inbox_answer(self, when, user):
        for cycle in self:
            hours, business = cycle.company_id._inbox_report_hours(cycle.start, when)
            cycle.write({
                "responded": when, "user_id": user.id, "response_hours": hours,
                "response_business_hours": business, "team_id": cycle.conversation_id.team_id.id,
            })
