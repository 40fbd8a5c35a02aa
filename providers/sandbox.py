"""The sandbox provider: a provider that lives inside Odoo, for demos and
trials without any external account.

Sending succeeds at once (``sent``) and the sandbox reports ``delivered``
right after, in a transaction of its own, through the same event path as a
real provider's webhook. A body containing ``[fail]`` is refused for good, one containing
``[busy]`` gets a retryable error, so failures can be tried out too.

Its webhook takes JSON signed like many providers do it:
``X-Inbox-Signature: sha256=<hex HMAC-SHA256(webhook secret, raw body)>``::

    {"events": [
        {"type": "message", "id": "…", "channel": "sms", "from": "+32470…",
         "to": "+32470…", "body": "…", "name": "…"},
        {"type": "status", "id": "…", "status": "delivered"}
    ]}
"""
import hashlib
import hmac
import json
import uuid

from .base import (
    MAX_EVENTS,
    STATUS_RANK,
    InboundMessage,
    ProviderAdapter,
    ProviderError,
    SendResult,
    StatusUpdate,
    WebhookError,
    WebhookRequest,
    parse_json,
    register,
    sms_keyword,
    webhook_list,
    webhook_text,
)

SIGNATURE_HEADER = "X-Inbox-Signature"
# Seconds between "sent" and the delivery receipt. Odoo's cron workers wake
# at once for work due now, but only every minute for work due later.
DELIVERY_DELAY = 0


def sign(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@register
class SandboxAdapter(ProviderAdapter):
    provider_type = "sandbox"
    channels = ("sms", "whatsapp", "email", "messenger", "instagram")

    def send(self, message):
        if "[fail]" in message.body:
            raise ProviderError(
                "Sandbox: the recipient's handset is unreachable.", code="sandbox-fail", recipient_error=True)
        if "[busy]" in message.body:
            raise ProviderError("Sandbox: too many requests, try again later.", code="sandbox-busy", retryable=True)
        provider_message_id = "SB" + uuid.uuid4().hex
        return SendResult(
            provider_message_id=provider_message_id,
            status="sent",
            followups=[(DELIVERY_DELAY, StatusUpdate(provider_message_id, "delivered"))],
        )

    def find_sent(self, message, since):
        # the sandbox keeps nothing: a message whose answer was not recorded
        # never left Odoo
        return None

    def check_health(self):
        return None

    def verify_webhook(self, request):
        secret = self.settings.get("webhook_secret")
        signature = request.header(SIGNATURE_HEADER)
        return bool(secret) and self.constant_time_equals(signature, sign(secret, request.body))

    def _parse_webhook(self, request):
        if request.method != "POST":
            raise WebhookError("The sandbox webhook only takes POST.", status=405)
        payload = parse_json(request.body)
        return [self._parse_event(item) for item in webhook_list(payload["events"], "events", MAX_EVENTS)]

    @staticmethod
    def _parse_event(item):
        kind = item["type"]
        if kind == "message":
            channel = item["channel"]
            if channel not in SandboxAdapter.channels:
                raise ValueError(f"unknown channel {channel}")
            body = webhook_text(item.get("body") or "", "body")
            return InboundMessage(
                provider_message_id=item["id"],
                channel=channel,
                from_address=item["from"],
                to_address=item["to"],
                body=body,
                profile_name=item.get("name") or "",
                subject=item.get("subject") or "",
                keyword=sms_keyword(channel, body),
            )
        if kind == "status":
            if item["status"] not in STATUS_RANK:
                raise ValueError(f"unknown status {item['status']}")
            return StatusUpdate(
                provider_message_id=item["id"],
                status=item["status"],
                error_reason=item.get("error") or "",
            )
        raise ValueError(f"unknown event type {kind}")

    @staticmethod
    def signed_request(url, secret, events):
        """A :class:`WebhookRequest` as the sandbox would post it."""
        body = json.dumps({"events": events}).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body)}
        return WebhookRequest(method="POST", url=url, headers=headers, body=body)
