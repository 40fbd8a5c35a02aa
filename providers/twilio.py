"""Twilio Programmable Messaging: SMS, and WhatsApp over Twilio
(addresses prefixed with ``whatsapp:``).

One webhook URL takes inbound messages and status callbacks; both are form
POSTs signed with ``X-Twilio-Signature`` (HMAC-SHA1 of the URL and the sorted
parameters, keyed with the auth token). A JSON body is signed through the
``bodySHA256`` query parameter instead.
"""
import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs, urlsplit, urlunsplit

from .base import (
    MAX_MEDIA,
    InboundMessage,
    ProviderAdapter,
    ProviderError,
    SendResult,
    StatusUpdate,
    WebhookError,
    register,
    sms_keyword,
)
from .twilio_voice import LOOKUP_PAGE_SIZE, VoiceProtocol, created_since

SIGNATURE_HEADER = "X-Twilio-Signature"
API_VERSION = "2010-04-01"

STATUSES = {
    "accepted": "sent",
    "scheduled": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "partially_delivered": "delivered",
    "read": "read",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "canceled",
}

# code: (reason, recipient_error) -- a recipient error says nothing of the
# provider's health.
ERRORS = {
    "20003": ("Twilio refused the credentials: check the Account SID and Auth Token.", False),
    "20404": ("Twilio does not know this resource: check the Account SID.", False),
    "21211": ("The number is not a valid phone number.", True),
    "21408": ("Sending to this country is not enabled on the Twilio account.", True),
    "21610": ("The person replied STOP to this number: Twilio blocks messages to them.", True),
    "21614": ("The number is not a mobile number and cannot receive SMS.", True),
    "21606": ("The sending number cannot send messages through Twilio.", False),
    "30003": ("The handset is unreachable (switched off or out of coverage).", True),
    "30004": ("The message was blocked by the recipient or their carrier.", True),
    "30005": ("The number is unknown or no longer in service.", True),
    "30006": ("The number is a landline or its carrier cannot receive messages.", True),
    "30007": ("The carrier filtered the message as spam.", True),
    "30008": ("The carrier could not deliver the message (unknown error).", True),
    "63016": ("The WhatsApp window is closed: outside 24 hours after the customer's last message, "
              "only an approved template can be sent.", True),
}
RETRYABLE_CODES = {"20429", "20500", "20503"}

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def compute_signature(auth_token, url, params=None):
    """X-Twilio-Signature of a request to ``url`` with POST ``params``
    (a mapping of name to list of values)."""
    payload = url
    for name in sorted(params or {}):
        for value in sorted(params[name]):
            payload += name + value
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def url_variants(url):
    """The URL as Twilio may have signed it: with and without the default port."""
    parts = urlsplit(url)
    default_port = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    variants = {url}
    if parts.port is None and default_port:
        variants.add(urlunsplit(parts._replace(netloc=f"{host}:{default_port}")))
    elif parts.port == default_port:
        variants.add(urlunsplit(parts._replace(netloc=host)))
    return variants


def status_of(twilio_status):
    return STATUSES.get((twilio_status or "").lower())


def address(channel, number):
    return f"whatsapp:{number}" if channel == "whatsapp" else number


@register
class TwilioAdapter(VoiceProtocol, ProviderAdapter):
    provider_type = "twilio"
    default_base_url = "https://api.twilio.com"
    channels = ("sms", "whatsapp", "call")
    required_settings = {"twilio_account_sid": "Account SID", "twilio_auth_token": "Auth Token"}
    secret_settings = ("twilio_auth_token",)

    @property
    def auth(self):
        return (self.settings["twilio_account_sid"], self.settings["twilio_auth_token"])

    def account_url(self, suffix=""):
        return f"{self.base_url}/{API_VERSION}/Accounts/{self.settings['twilio_account_sid']}{suffix}"

    # ------------------------------------------------------------------
    # Outbound
    # ------------------------------------------------------------------

    def send(self, message):
        if message.call:
            return self.place_call(message)
        data = [("To", address(message.channel, message.to_address))]
        if message.template:
            # a template approved for WhatsApp, by its Content SID
            variables = {str(index): value for index, value in enumerate(message.template["parameters"], 1)}
            data += [("ContentSid", message.template["name"]), ("ContentVariables", json.dumps(variables))]
        else:
            data.append(("Body", message.body))
        if message.sender_external_id.startswith("MG"):
            data.append(("MessagingServiceSid", message.sender_external_id))
        else:
            data.append(("From", address(message.channel, message.from_address)))
        data += [("MediaUrl", media["url"]) for media in message.media[:10] if media.get("url")]
        if message.status_callback:
            data.append(("StatusCallback", message.status_callback))
        answer = self.http_json("POST", self.account_url("/Messages.json"), data=data, auth=self.auth)
        if answer.get("error_code"):
            raise self.error_from_code(str(answer["error_code"]), answer.get("error_message"))
        return SendResult(provider_message_id=answer["sid"], status=status_of(answer.get("status")) or "sent")

    def find_sent(self, message, since):
        if message.call:
            return self.find_call(message, since)
        # Twilio keeps every message it took: the newest ones to that
        # number (from that number, unless a messaging service picks it)
        # created since the attempt, with the same text
        query = {"To": address(message.channel, message.to_address), "PageSize": LOOKUP_PAGE_SIZE}
        if not message.sender_external_id.startswith("MG"):
            query["From"] = address(message.channel, message.from_address)
        answer = self.http_json("GET", self.account_url("/Messages.json"), params=query, auth=self.auth)
        candidates = [
            item for item in answer.get("messages") or []
            if created_since(item, since)
            and (message.template or (item.get("body") or "").strip() == message.body.strip())
        ]
        if len(candidates) > 1 and message.template:
            raise ProviderError("Twilio took several template messages to this number since: which one is "
                                "this cannot be told.")
        if not candidates:
            return None
        return SendResult(provider_message_id=candidates[-1]["sid"],
                          status=status_of(candidates[-1].get("status")) or "sent")

    def check_health(self):
        self.http("GET", self.account_url(".json"), auth=self.auth)

    def error_from_code(self, code, message=None):
        if code in RETRYABLE_CODES:
            return ProviderError(message or f"Twilio is busy (error {code}).", code=code, retryable=True)
        reason, recipient_error = ERRORS.get(code, (message or f"Twilio error {code}.", False))
        return ProviderError(reason, code=code, recipient_error=recipient_error)

    def error_from_response(self, response):
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        code = str(answer.get("code") or "")
        if response.status_code == 429 or response.status_code >= 500 or code in RETRYABLE_CODES:
            return ProviderError(answer.get("message") or f"Twilio answered HTTP {response.status_code}.",
                                 code=code or str(response.status_code), retryable=True)
        if code:
            return self.error_from_code(code, answer.get("message"))
        return super().error_from_response(response)

    # ------------------------------------------------------------------
    # Webhooks
    # ------------------------------------------------------------------

    def verify_webhook(self, request):
        token = self.settings.get("twilio_auth_token")
        signature = request.header(SIGNATURE_HEADER)
        if not token or not signature:
            return False
        query = parse_qs(urlsplit(request.url).query)
        if "bodySHA256" in query:
            # JSON body: the URL carries the body's hash and is signed alone
            if not self.constant_time_equals(hashlib.sha256(request.body).hexdigest(), query["bodySHA256"][0]):
                return False
            params = {}
        else:
            params = request.form
        return any(
            self.constant_time_equals(signature, compute_signature(token, url, params))
            for url in url_variants(request.url)
        )

    def _parse_webhook(self, request):
        form = {name: values[0] for name, values in request.form.items() if values}
        if form.get("AccountSid") and form["AccountSid"] != self.settings.get("twilio_account_sid"):
            raise WebhookError("This webhook is for another Twilio account.")
        if self.is_voice(request, form):
            return self._parse_voice(request, form)
        sid = form.get("MessageSid") or form.get("SmsSid")
        if request.method != "POST" or not sid:
            raise WebhookError("Not a Twilio messaging webhook: MessageSid is missing.")
        message_status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
        if message_status and message_status not in ("received", "receiving"):
            status = status_of(message_status)
            if not status:
                raise WebhookError(f"Unknown Twilio status {message_status}.")
            error = self.error_from_code(form["ErrorCode"]) if form.get("ErrorCode") else None
            return [StatusUpdate(
                provider_message_id=sid, status=status,
                error_code=error.code if error else "", error_reason=error.reason if error else "",
            )]
        return [self._parse_inbound(sid, form)]

    def _parse_inbound(self, sid, form):
        sender, recipient = form.get("From", ""), form.get("To", "")
        if not sender or not recipient:
            raise WebhookError("An inbound Twilio message needs From and To.")
        channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
        try:
            count = int(form.get("NumMedia") or 0)
        except ValueError as error:
            raise WebhookError("NumMedia is not a number.") from error
        # Twilio sends at most 10 files: a larger count would loop (10**9)
        # or download whatever MediaUrl999 names
        if not 0 <= count <= MAX_MEDIA:
            raise WebhookError(f"NumMedia is {count}: Twilio sends 0 to {MAX_MEDIA} files.")
        media = [
            {"ref": form[f"MediaUrl{index}"], "mimetype": form.get(f"MediaContentType{index}", ""), "filename": ""}
            for index in range(count) if form.get(f"MediaUrl{index}")
        ]
        body = form.get("Body", "")
        return InboundMessage(
            provider_message_id=sid,
            channel=channel,
            from_address=sender.removeprefix("whatsapp:"),
            to_address=recipient.removeprefix("whatsapp:"),
            body=body,
            profile_name=form.get("ProfileName", ""),
            media=media,
            to_external_id=form.get("MessagingServiceSid", ""),
            keyword=sms_keyword(channel, body),
        )

    def webhook_response(self, request, events):
        form = {name: values[0] for name, values in request.form.items() if values}
        if self.is_voice(request, form):
            return self.voice_response(request)
        return 200, "text/xml", EMPTY_TWIML

    def download_media(self, ref):
        # only from Twilio itself, with the account's credentials: a forged
        # URL must not make us fetch anything else
        if not ref.startswith(self.base_url + "/"):
            raise ProviderError(f"Refused to download a file outside Twilio: {ref}")
        response = self.http("GET", ref, auth=self.auth)
        return response.content, response.headers.get("Content-Type", "").split(";")[0]
