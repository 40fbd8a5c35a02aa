"""Odoo's own Live Chat (``im_livechat``) as a provider: the website chat
sessions of a Live Chat channel are the conversation's "Live chat" channel.

Nothing goes over the network: a message is posted into the visitor's open
session by the transport the ORM side gives (see
``models/inbox_provider_livechat.py``), in the transaction that records it
(:attr:`ProviderAdapter.transactional`); what visitors and operators write in
a session comes in from the session itself, not from a webhook.
"""
from .base import ProviderAdapter, ProviderError, register


@register
class LivechatAdapter(ProviderAdapter):
    provider_type = "livechat"
    channels = ("livechat",)
    transactional = True

    def send(self, message):
        if not message.body:
            raise ProviderError("A live chat message needs text.", recipient_error=True)
        return self.transport(message)

    def check_health(self):
        return None

    def verify_webhook(self, request):
        return False  # nothing posts to a live chat provider's webhook

    def find_sent(self, message, since):
        return None  # a send and its record commit together: never in between
