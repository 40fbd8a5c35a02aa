from odoo import fields, models


class InboxProvider(models.Model):
    _inherit = "inbox.provider"  # one file per provider; pylint: disable=consider-merging-classes-inherited

    provider_type = fields.Selection(selection_add=[("twilio", "Twilio (SMS, WhatsApp)")],
                                     ondelete={"twilio": "cascade"})
    twilio_account_sid = fields.Char("Account SID", groups="base.group_system", copy=False,
                                     help="Starts with AC, on the Twilio Console's home page.")
    twilio_auth_token = fields.Char("Auth Token", groups="base.group_system", copy=False,
                                    help="Also signs the webhooks Twilio sends (X-Twilio-Signature).")
