from odoo import api, models

from .. import channels


class ResUsers(models.Model):
    _inherit = "res.users"

    def _inbox_phone(self):
        """The user's own phone as E.164 (where the Inbox rings them), or False."""
        self.ensure_one()
        return self.env["inbox.sender"]._inbox_normalize(channels.PHONE, self.phone, raise_exception=False)

    @api.model
    def _inbox_by_phone(self, number):
        """The Inbox user whose own phone is ``number``, or nobody."""
        number = self.env["inbox.sender"]._inbox_normalize(channels.PHONE, number, raise_exception=False)
        if not number:
            return self.browse()
        users = self.sudo().search([("share", "=", False), ("partner_id.phone_sanitized", "=", number)])
        return users.filtered(lambda user: user.has_group("unified_inbox.group_inbox_user"))[:1]
