from odoo import fields, models, tools
from odoo.tools import SQL

from .. import channels


class InboxReportMessage(models.Model):
    """The messages and calls exchanged with people, in and out, by channel,
    agent and team (a view on the conversations' messages: no copy)."""

    _name = "inbox.report.message"
    _description = "Inbox Report: Messages"
    _auto = False
    _order = "date desc"
    _rec_name = "conversation_id"
    _depends = {
        "mail.message": ["date", "model", "res_id", "author_id", "inbox_channel", "inbox_direction", "inbox_status"],
        "inbox.conversation": ["company_id", "team_id"],
    }

    date = fields.Datetime(readonly=True)
    conversation_id = fields.Many2one("inbox.conversation", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("crm.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True, help="Who wrote or called, for the team.")
    channel = fields.Selection(channels.selection(internal=False), readonly=True)
    direction = fields.Selection([("inbound", "In"), ("outbound", "Out")], readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        external = tuple(channels.keys())
        self.env.cr.execute(SQL("""
            CREATE VIEW %(view)s AS (
                SELECT m.id, m.date, m.res_id AS conversation_id, c.company_id, c.team_id,
                       CASE WHEN m.inbox_direction = 'outbound' THEN u.id END AS user_id,
                       m.inbox_channel AS channel, m.inbox_direction AS direction
                  FROM mail_message m
                  JOIN inbox_conversation c ON c.id = m.res_id
             LEFT JOIN LATERAL (SELECT id FROM res_users WHERE partner_id = m.author_id AND NOT share
                                 ORDER BY id LIMIT 1) u ON TRUE
                 WHERE m.model = 'inbox.conversation' AND m.inbox_channel IN %(external)s
                   AND m.inbox_direction IS NOT NULL AND COALESCE(m.inbox_status, '') != 'canceled'
            )""", view=SQL.identifier(self._table), external=external))
