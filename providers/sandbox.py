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
        {"type": "status", "id": "…", "status": "delivered"},
        {"type": "call", "id": "…", "leg": "caller", "status": "ringing", "from": "+32470…", "to": "+32470…"},
        {"type": "recording", "id": "…", "call": "…", "status": "completed", "duration": 3}
    ]}

A call from the Inbox is answered by the agent and the person at once and
lasts :data:`CALL_DURATION` seconds, recorded when the account records
calls; a recording is a short tone, made here.
"""
import hashlib
import hmac
import io
import json
import math
import uuid
import wave

from .base import (
    CALL_LEGS,
    CALL_STATUS_RANK,
    MAX_EVENTS,
    STATUS_RANK,
    CallUpdate,
    InboundMessage,
    ProviderAdapter,
    ProviderError,
    RecordingUpdate,
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
# seconds a call from the Inbox lasts in the sandbox
CALL_DURATION = 42
RECORDING_PREFIX = "sandbox:recording/"


def sign(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def tone(seconds=2, rate=8000, pitch=440):
    """A WAV of a soft tone: the sandbox's recordings."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        frames = bytearray()
        for index in range(seconds * rate):
            sample = int(8000 * math.sin(2 * math.pi * pitch * index / rate))
            frames += sample.to_bytes(2, "little", signed=True)
        sound.writeframes(bytes(frames))
    return buffer.getvalue()


@register
class SandboxAdapter(ProviderAdapter):
    provider_type = "sandbox"
    channels = ("sms", "whatsapp", "email", "messenger", "instagram", "call")

    def send(self, message):
        if message.call:
            return self.place_call(message)
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

    @staticmethod
    def place_call(message):
        """The agent answers, then the person; they talk for a while."""
        sid = "SBCA" + uuid.uuid4().hex
        person = "SBCA" + uuid.uuid4().hex
        legs = [CallUpdate(sid, sid, "placer", status) for status in ("ringing", "in_progress")]
        legs += [CallUpdate(sid, person, "callee", status) for status in ("ringing", "in_progress")]
        legs.append(CallUpdate(sid, person, "callee", "completed", duration=CALL_DURATION))
        if message.record:
            legs.append(RecordingUpdate(sid, "SBRE" + uuid.uuid4().hex, "completed", RECORDING_PREFIX + sid,
                                        CALL_DURATION))
        return SendResult(provider_message_id=sid, status="sent", followups=[(0, leg) for leg in legs])

    def download_media(self, ref):
        if not ref.startswith(RECORDING_PREFIX):
            return super().download_media(ref)
        return tone(), "audio/wav"

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
        if kind == "call":
            if item["leg"] not in CALL_LEGS or item["status"] not in CALL_STATUS_RANK:
                raise ValueError(f"unknown call leg or status {item['leg']} {item['status']}")
            return CallUpdate(
                call_sid=item.get("call") or item["id"], leg_sid=item["id"], leg=item["leg"], status=item["status"],
                from_address=item.get("from") or "", to_address=item.get("to") or "",
                duration=int(item.get("duration") or 0))
        if kind == "recording":
            return RecordingUpdate(
                call_sid=item["call"], recording_sid=item["id"], status=item["status"],
                ref=RECORDING_PREFIX + item["id"], duration=int(item.get("duration") or 0))
        raise ValueError(f"unknown event type {kind}")

    @staticmethod
    def signed_request(url, secret, events):
        """A :class:`WebhookRequest` as the sandbox would post it."""
        body = json.dumps({"events": events}).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body)}
        return WebhookRequest(method="POST", url=url, headers=headers, body=body)
