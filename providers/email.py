"""Email: out through the host's mail transport (SMTP), in through inbound
email webhooks that post the raw MIME message.

Two webhook forms are understood on the provider's one URL:

- Mailgun routes (``forward()`` to a URL, "store raw MIME"): a form with
  ``body-mime``, signed with ``signature`` = hex HMAC-SHA256 of
  ``timestamp + token`` keyed with the webhook signing key; a timestamp more
  than five minutes away is a replay and refused;
- any other service: the raw MIME message as the body, signed with
  ``X-Inbox-Signature: sha256=<hex HMAC-SHA256(webhook secret, body)>``.
"""
import hashlib
import hmac
import time
from email.message import EmailMessage
from email.utils import formataddr

from .base import ProviderAdapter, ProviderError, RawEmail, SendResult, WebhookError, register
from .sandbox import SIGNATURE_HEADER, sign

REPLAY_WINDOW = 300  # seconds


def mailgun_signature(signing_key, timestamp, token):
    return hmac.new(signing_key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()


@register
class EmailAdapter(ProviderAdapter):
    provider_type = "email"
    channels = ("email",)
    optional_settings = ("mailgun_signing_key",)
    clock = staticmethod(time.time)

    def send(self, message):
        if not self.transport:
            raise ProviderError("No mail transport is configured.")
        email = EmailMessage()
        email["From"] = formataddr((message.from_name, message.from_address)) if message.from_name \
            else message.from_address
        email["To"] = message.to_address
        email["Subject"] = message.subject
        email["Message-Id"] = message.message_id
        if message.reply_to:
            email["Reply-To"] = message.reply_to
        if message.references:
            email["In-Reply-To"] = message.references.split()[-1]
            email["References"] = message.references
        email.set_content(message.body_text or " ")
        email.add_alternative(message.body, subtype="html")
        for media in message.media:
            maintype, _sep, subtype = (media.get("mimetype") or "application/octet-stream").partition("/")
            email.add_attachment(media["content"], maintype=maintype, subtype=subtype or "octet-stream",
                                 filename=media.get("name") or "file")
        self.transport(email)
        return SendResult(provider_message_id=message.message_id, status="sent")

    def check_health(self):
        if self.transport_check:
            self.transport_check()

    def verify_webhook(self, request):
        if "signature" in request.form:
            key = self.settings.get("mailgun_signing_key")
            timestamp = (request.form.get("timestamp") or [""])[0]
            token = (request.form.get("token") or [""])[0]
            signature = (request.form.get("signature") or [""])[0]
            try:
                fresh = abs(self.clock() - float(timestamp)) <= REPLAY_WINDOW
            except ValueError:
                return False
            return bool(key) and fresh and self.constant_time_equals(
                signature, mailgun_signature(key, timestamp, token))
        secret = self.settings.get("webhook_secret")
        return bool(secret) and self.constant_time_equals(request.header(SIGNATURE_HEADER), sign(secret, request.body))

    def parse_webhook(self, request):
        if request.method != "POST":
            raise WebhookError("The email webhook only takes POST.", status=405)
        if "signature" in request.form:
            mime = (request.form.get("body-mime") or [""])[0]
            if not mime:
                raise WebhookError("Set the Mailgun route to store the raw MIME message (a URL ending in 'mime').")
        else:
            mime = request.body.decode("utf-8", errors="replace")
        if "\n" not in mime or ":" not in mime.split("\n", 1)[0]:
            raise WebhookError("The body is not an email message.")
        return [RawEmail(mime=mime)]
