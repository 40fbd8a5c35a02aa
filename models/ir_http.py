from odoo import models

from .. import channels


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """The channels and their rules, once per session, with their labels
        in the user's language: the web client has no channel list of its
        own. Whether the company has an assistant for suggested replies, and
        whether the user can make payment links."""
        result = super().session_info()
        if self.env.user._is_internal():
            labels = dict(self.env["mail.message"]._fields["inbox_channel"]._description_selection(self.env))
            result["inbox_channels"] = [
                dict(channel.to_client(), label=labels.get(channel.key, channel.label))
                for channel in channels.all_channels()
            ]
            # the composer offers suggested replies (✦) when an assistant is connected
            result["inbox_suggest"] = bool(self.env["inbox.conversation"]._inbox_assistant(self.env.company))
            # the composer offers payment links where Invoicing or Sales makes them for the user
            result["inbox_payment_links"] = self.env["inbox.conversation"]._inbox_payment_links_available()
        return result
