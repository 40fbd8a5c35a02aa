from odoo import fields, models


class IrCron(models.Model):
    """The lanes of the Inbox's queues: copies of a queue's cron, each
    working off its own share of the queue (see ``inbox.queue.mixin``)."""

    _inherit = "ir.cron"

    inbox_lane_of = fields.Many2one(
        "ir.cron", string="Inbox Queue Lane Of", ondelete="cascade", copy=False, readonly=True,
        help="The cron of the Inbox queue this one is a lane of.")
    inbox_lane = fields.Integer(
        "Inbox Queue Lane", copy=False, readonly=True,
        help="The share of its queue this cron works off (0 for the queue's own cron).")
