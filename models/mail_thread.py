from odoo import models


class MailThread(models.AbstractModel):
    _name = "mail.thread"
    _inherit = ["mail.thread", "inbox.card.mixin"]
