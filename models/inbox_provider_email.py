from odoo import fields, models


class InboxProvider(models.Model):
    _inherit = "inbox.provider"  # one file per provider; pylint: disable=consider-merging-classes-inherited

    provider_type = fields.Selection(selection_add=[("email", "Email")], ondelete={"email": "cascade"})
    mailgun_signing_key = fields.Char(
        "Mailgun Webhook Signing Key", groups="base.group_system", copy=False,
        help="For inbound email posted by Mailgun routes. Other services sign the raw message with the webhook "
             "secret (X-Inbox-Signature).")
