"""Email: out through the host's mail transport (SMTP), in through inbound
email webhooks that post the raw MIME message.

Two webhook forms are understood on the provider's one URL:

- Mailgun routes (``forward()`` to a URL, "store raw MIME"): a form with
  ``body-mime``, signed with ``signature`` = hex HMAC-SHA256 of
  ``timestamp + token`` keyed with the webhook signing key; a timestamp more
  than five minutes away is a replay and refused;
- any other service: the raw MIME message as the body, signed with
  ``X-Inbox-Signature: sha256=<hex HMAC-SHA256(webhook secret, body)>``.

Replays. Mailgun's signature covers the timestamp and the token, never the
body: within the five minutes, a captured signature could carry any other
message. So a token is used once: the event's dedupe key is
``mailgun-token:<token>``, and the unique index of kept events drops a second
use of it (events are kept 7 days, far beyond the five minutes). The other
form signs the whole body but has no timestamp: its dedupe key is the body's
hash (``email-sha256:<hex>``), so the same raw email posted again is dropped
as a duplicate too.

The message must look like one: a header block (``Name: value`` lines and
their continuations) with a ``From`` header, ended by a blank line; anything
else is refused (400).
"""
import hashlib
import hmac
import re
import time
from email.message import EmailMessage
from email.utils import formataddr

from .base import ProviderAdapter, ProviderError, RawEmail, SendResult, WebhookError, register
from .sandbox import SIGNATURE_HEADER, sign

REPLAY_WINDOW = 300  # seconds
TOKEN_LENGTH = 200  # Mailgun's are 50 characters; the dedupe key must fit an index
# RFC 5322 2.2: a field name is printable ASCII but the colon
FIELD_NAME = re.compile(r"[!-9;-~]+")
HEADERS_END = re.compile(r"\r?\n\r?\n")
HEADERS_LENGTH = 1 << 20  # far more than any mail server lets through


def mailgun_signature(signing_key, timestamp, token):
    return hmac.new(signing_key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()


@register
class EmailAdapter(ProviderAdapter):
    provider_type = "email"
    channels = ("email",)
    optional_settings = ("mailgun_signing_key",)
    secret_settings = ("mailgun_signing_key",)
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

    def _parse_webhook(self, request):
        if request.method != "POST":
            raise WebhookError("The email webhook only takes POST.", status=405)
        if "signature" in request.form:
            token = (request.form.get("token") or [""])[0]
            if not token or len(token) > TOKEN_LENGTH or not (token.isascii() and token.isprintable()):
                raise WebhookError("The Mailgun token is missing or malformed.")
            mime = (request.form.get("body-mime") or [""])[0]
            if not mime:
                raise WebhookError("Set the Mailgun route to store the raw MIME message (a URL ending in 'mime').")
            dedupe_key = f"mailgun-token:{token}"
        else:
            mime = request.body.decode("utf-8", errors="replace")
            dedupe_key = f"email-sha256:{hashlib.sha256(request.body).hexdigest()}"
        check_message(mime)
        return [RawEmail(mime=mime, dedupe_key=dedupe_key)]


def check_message(mime):
    """:class:`WebhookError` unless ``mime`` starts with a header block that
    has a From header and ends with a blank line (RFC 5322 2.1)."""
    end = HEADERS_END.search(mime, 0, HEADERS_LENGTH)
    if not end:
        raise WebhookError("The body is not an email message: no blank line after its headers.")
    headers = []  # [name, whether it has a value]
    for raw_line in mime[:end.start()].split("\n"):
        line = raw_line.removesuffix("\r")
        if line[:1] in (" ", "\t") and headers:  # a folded line continues the header before
            headers[-1][1] = headers[-1][1] or bool(line.strip())
            continue
        name, colon, value = line.partition(":")
        if not colon or not FIELD_NAME.fullmatch(name):
            raise WebhookError("The body is not an email message: its first lines are not headers.")
        headers.append([name, bool(value.strip())])
    if not any(name.lower() == "from" and has_value for name, has_value in headers):
        raise WebhookError("The email has no From header.")
