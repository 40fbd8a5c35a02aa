from functools import partial

from odoo import fields, models
from odoo.tools import plaintext2html

from ..providers import ProviderError, SendResult
from .discuss_channel import MESSAGE_REF


class InboxProvider(models.Model):
    _inherit = "inbox.provider"  # one file per provider; pylint: disable=consider-merging-classes-inherited

    provider_type = fields.Selection(selection_add=[("livechat", "Odoo Live Chat")], ondelete={"livechat": "cascade"})

    def _inbox_transport(self, sender, provider_type):
        if provider_type != "livechat":
            return super()._inbox_transport(sender, provider_type)
        return partial(self._inbox_post_livechat, sender)

    def _inbox_post_livechat(self, sender, message):
        """Post an agent's message into the visitor's open session of
        ``sender``'s Live Chat channel, where their chat window shows it."""
        session = self.env["discuss.channel"]._inbox_open_session(sender, message.to_address)
        if not session:
            raise ProviderError(self.env._("The live chat session has ended."), code="livechat-ended",
                                recipient_error=True)
        posted = session.with_context(inbox_from_inbox=True).message_post(
            body=plaintext2html(message.body), author_id=message.author_id or False,
            message_type="comment", subtype_xmlid="mail.mt_comment")
        return SendResult(provider_message_id=MESSAGE_REF.format(posted.id), status="delivered")

    def _inbox_recipient_reason(self, sender, address, partner):
        if self.provider_type != "livechat" or self.env["discuss.channel"]._inbox_open_session(sender, address):
            return super()._inbox_recipient_reason(sender, address, partner)
        return self.env._("The live chat session with %s has ended: they can be answered when they write again.",
                          partner.display_name)
