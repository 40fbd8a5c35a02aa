from odoo import fields, models


class InboxProvider(models.Model):
    _inherit = "inbox.provider"  # one file per provider; pylint: disable=consider-merging-classes-inherited

    provider_type = fields.Selection(selection_add=[("meta_whatsapp", "Meta (WhatsApp, Messenger, Instagram)")],
                                     ondelete={"meta_whatsapp": "cascade"})
    meta_access_token = fields.Char("Access Token", groups="base.group_system", copy=False,
                                    help="A system user's permanent token with whatsapp_business_messaging.")
    meta_app_secret = fields.Char("App Secret", groups="base.group_system", copy=False,
                                  help="Signs the webhooks Meta sends (X-Hub-Signature-256).")
    meta_verify_token = fields.Char("Verify Token", groups="base.group_system", copy=False,
                                    help="Any secret string; type the same in Meta's webhook settings.")
    meta_waba_id = fields.Char("WhatsApp Business Account ID", groups="base.group_system", copy=False)
    meta_api_version = fields.Char("Graph API Version", groups="base.group_system", default="v21.0")
    meta_page_access_token = fields.Char(
        "Page Access Token", groups="base.group_system", copy=False,
        help="Messenger and Instagram: the token of the Facebook Page (linked to the Instagram account) with "
             "pages_messaging and instagram_manage_messages. Empty: the access token above.")
    meta_human_agent = fields.Boolean(
        "Human Agent Permission", groups="base.group_system",
        help="The app was granted Meta's Human Agent permission: agents may answer on Messenger and Instagram "
             "for 7 days after the person's last message (tagged HUMAN_AGENT), not only 24 hours.")
