"""Meta's Graph API: the WhatsApp Business Cloud API, and through the same
app a Facebook Page's Messenger and an Instagram account (their part in
``meta_messenger.py``).

WhatsApp messages go to ``/{version}/{phone-number-id}/messages`` with the access
token. Webhooks: a GET handshake (``hub.verify_token``) when the URL is
registered, then JSON POSTs signed with ``X-Hub-Signature-256`` (HMAC-SHA256
of the raw body, keyed with the app secret).

What a webhook names is used in Graph URLs that carry the access token: a
media id is accepted only in its documented form (digits), a lead form id
only as a plain token, and a file is downloaded only over HTTPS from Meta's
own hosts (see :meth:`MetaWhatsAppAdapter.download_media`).
"""
import hashlib
import hmac
import re
from urllib.parse import urlsplit

from .base import (
    MAX_EVENTS,
    MAX_ITEMS,
    TEMPLATE_STATUSES,
    InboundMessage,
    LeadAd,
    ProviderAdapter,
    ProviderError,
    Reaction,
    SendResult,
    StatusUpdate,
    TemplateInfo,
    WebhookError,
    parse_json,
    register,
    webhook_list,
    webhook_text,
)
from .meta_messenger import MESSAGING_CHANNELS, OBJECT_CHANNELS, MessengerProtocol

SIGNATURE_HEADER = "X-Hub-Signature-256"
DEFAULT_VERSION = "v21.0"
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
STATUSES = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed"}
# a template's review events that are no status of ours: "in appeal" is still pending
TEMPLATE_EVENTS = {"in_appeal": "pending", "pending_deletion": "disabled", "flagged": "paused"}
TEMPLATE_PAGES = 20  # at 100 templates a page

# Lists of one webhook request: Meta batches at most 1000 updates in one
MAX_ENTRIES = 100
MAX_CHANGES = 100
MAX_UPDATES = 1000  # messages, statuses or contacts of one change
# A media id is a Graph object id: digits. It goes into the path of a Graph
# URL called with the access token, where "../x" or "x?y" would call another.
MEDIA_ID = re.compile(r"[0-9]{1,40}")
# A lead form's id (leadgen_id) goes into such a path too: a plain token
GRAPH_ID = re.compile(r"[0-9A-Za-z]{1,64}")
# The only hosts a file's URL (given by Graph) may point to: it is fetched
# with the access token. The Cloud API's media URLs are on lookaside.fbsbx.com;
# Meta's CDNs are the rest.
# Messenger's attachments are on Meta's CDNs, Instagram's on its own.
MEDIA_HOSTS = frozenset({"lookaside.fbsbx.com"})
MEDIA_HOST_SUFFIXES = (".fbcdn.net", ".fbsbx.com", ".facebook.com", ".whatsapp.net", ".cdninstagram.com")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# code: (reason, recipient_error)
ERRORS = {
    "131047": ("The WhatsApp window is closed: outside 24 hours after the customer's last message, "
               "only an approved template can be sent.", True),
    "131026": ("The message could not be delivered: the number may not be on WhatsApp.", True),
    "131051": ("WhatsApp does not support this type of message.", True),
    "131052": ("The customer's file could not be downloaded from WhatsApp.", True),
    "131053": ("The file could not be uploaded to WhatsApp (type or size).", True),
    "470": ("The WhatsApp window is closed: only an approved template can be sent.", True),
    "100": ("Meta refused a parameter of the request.", True),
    "10": ("The Meta app lacks the permission for this message (pages_messaging, instagram_manage_messages "
           "or Human Agent).", False),
    "200": ("The Meta app lacks the permission for this message (pages_messaging, instagram_manage_messages "
            "or Human Agent).", False),
    "551": ("This person is not available on Messenger now (they may have blocked the Page).", True),
}
# a Messenger answer outside the window Meta allows
WINDOW_SUBCODES = {"2018278", "2018108", "2534022"}
WINDOW_CLOSED = "The Messenger window is closed: the person has not written in the last 24 hours."
# the access token expired or was revoked: nothing goes until it is renewed
TOKEN_CODE = "190"
TOKEN_REFUSED = ("Meta refused the access token: it expired or was revoked. Reconnect the Page: put a new token "
                 "in the provider's settings.")
RETRYABLE_CODES = {"130429", "131056", "131000", "131016", "2", "4", "613", "80007"}


def sign(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def media_id(value):
    """A media id of a webhook, or :class:`WebhookError`."""
    value = webhook_text(value, "media id")
    if not MEDIA_ID.fullmatch(value):
        raise WebhookError("A WhatsApp media id is a number.")
    return value


def graph_id(value, name):
    """An id of a webhook that goes into a Graph URL, or :class:`WebhookError`."""
    value = webhook_text(value, name)
    if not GRAPH_ID.fullmatch(value):
        raise WebhookError(f"{name} is not a Graph id.")
    return value


def media_kind(mimetype):
    main = (mimetype or "").split("/")[0]
    return main if main in ("image", "audio", "video") else "document"


@register
class MetaWhatsAppAdapter(MessengerProtocol, ProviderAdapter):
    provider_type = "meta_whatsapp"
    default_base_url = "https://graph.facebook.com"
    channels = ("whatsapp", *sorted(MESSAGING_CHANNELS))
    required_settings = {
        "meta_access_token": "Access Token",
        "meta_app_secret": "App Secret",
        "meta_verify_token": "Verify Token",
    }
    optional_settings = ("meta_waba_id", "meta_api_version", "meta_page_access_token", "meta_human_agent")
    secret_settings = ("meta_access_token", "meta_app_secret", "meta_page_access_token")

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.settings['meta_access_token']}"}

    def graph_url(self, path):
        version = self.settings.get("meta_api_version") or DEFAULT_VERSION
        return f"{self.base_url}/{version}/{path}"

    # ------------------------------------------------------------------
    # Outbound
    # ------------------------------------------------------------------

    def send(self, message):
        if message.channel in MESSAGING_CHANNELS:
            return self._send_messaging(message)
        phone_number_id = message.sender_external_id
        if not phone_number_id:
            raise ProviderError("The sender account has no WhatsApp phone number ID.")
        if message.template:
            payloads = [self._template_payload(message)]
        else:
            payloads = [self._payload(message, media) for media in message.media] or [self._payload(message)]
        message_id = None
        for payload in payloads:
            answer = self.http_json("POST", self.graph_url(f"{phone_number_id}/messages"),
                                    json=payload, headers=self.headers)
            try:
                message_id = message_id or answer["messages"][0]["id"]
            except (KeyError, IndexError, TypeError) as error:
                raise ProviderError("Meta's answer has no message id.", retryable=True, maybe_sent=True) from error
        return SendResult(provider_message_id=message_id, status="sent")

    @staticmethod
    def _template_payload(message):
        template = message.template
        content = {"name": template["name"], "language": {"code": template["language"]}}
        if template.get("parameters"):
            content["components"] = [{"type": "body", "parameters": [
                {"type": "text", "text": value} for value in template["parameters"]]}]
        return {"messaging_product": "whatsapp", "recipient_type": "individual",
                "to": message.to_address.lstrip("+"), "type": "template", "template": content}

    def _payload(self, message, media=None):
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.to_address.lstrip("+"),
        }
        if media is None:
            payload.update(type="text", text={"body": message.body, "preview_url": False})
            return payload
        kind = media_kind(media.get("mimetype"))
        content = {"link": media["url"]}
        if kind != "audio" and message.body:
            content["caption"] = message.body
        if kind == "document":
            content["filename"] = media.get("name") or "file"
        payload.update(type=kind, **{kind: content})
        return payload

    def check_health(self):
        self.http("GET", self.graph_url("me"), headers=self.headers)
        if self.settings.get("meta_page_access_token"):
            self.http("GET", self.graph_url("me"), headers=self.page_headers)

    def list_templates(self):
        waba = self.settings.get("meta_waba_id")
        if not waba:
            raise ProviderError("Set the WhatsApp Business Account ID to synchronize its templates.")
        url = self.graph_url(f"{waba}/message_templates")
        params = {"fields": "id,name,language,status,category,components", "limit": 100}
        templates = []
        for _page in range(TEMPLATE_PAGES):
            answer = self.http_json("GET", url, params=params, headers=self.headers)
            templates += [self._template_info(item) for item in answer.get("data", [])]
            cursor = ((answer.get("paging") or {}).get("cursors") or {}).get("after")
            if not (answer.get("paging") or {}).get("next") or not cursor:
                break
            # the next page from the same endpoint, never from an address the answer names
            params = dict(params, after=cursor)
        return templates

    @staticmethod
    def _template_status(value):
        status = str(value or "").lower()
        status = TEMPLATE_EVENTS.get(status, status)
        return status if status in TEMPLATE_STATUSES else "pending"

    def _template_info(self, item):
        body = next((component.get("text", "") for component in item.get("components", [])
                     if component.get("type") == "BODY"), "")
        return TemplateInfo(name=item["name"], language=item.get("language", ""),
                            status=self._template_status(item.get("status")), category=item.get("category", ""),
                            body=body, external_id=str(item.get("id", "")))

    def error_from_response(self, response):
        try:
            error = response.json().get("error") or {}
        except ValueError:
            error = {}
        code = str(error.get("code") or "")
        details = (error.get("error_data") or {}).get("details") or error.get("message")
        if response.status_code == 429 or response.status_code >= 500 or code in RETRYABLE_CODES:
            return ProviderError(details or f"Meta answered HTTP {response.status_code}.",
                                 code=code or str(response.status_code), retryable=True)
        if code == TOKEN_CODE:
            return ProviderError(TOKEN_REFUSED, code=code, credentials=True)
        if str(error.get("error_subcode") or "") in WINDOW_SUBCODES:
            return ProviderError(WINDOW_CLOSED, code=code, recipient_error=True)
        if code in ERRORS:
            reason, recipient_error = ERRORS[code]
            return ProviderError(reason, code=code, recipient_error=recipient_error)
        return ProviderError(details or f"Meta answered HTTP {response.status_code}.",
                             code=code or str(response.status_code))

    # ------------------------------------------------------------------
    # Webhooks
    # ------------------------------------------------------------------

    def handshake(self, request):
        if request.method != "GET":
            return None
        query = request.query
        expected = self.settings.get("meta_verify_token")
        if query.get("hub.mode") == "subscribe" and self.constant_time_equals(query.get("hub.verify_token"), expected):
            return 200, "text/plain", query.get("hub.challenge", "")
        return 403, "text/plain", "Verification token mismatch"

    def verify_webhook(self, request):
        secret = self.settings.get("meta_app_secret")
        return bool(secret) and self.constant_time_equals(request.header(SIGNATURE_HEADER), sign(secret, request.body))

    def _parse_webhook(self, request):
        payload = parse_json(request.body)
        events = []
        for entry in webhook_list(payload["entry"], "entry", MAX_ENTRIES):
            if payload.get("object") in OBJECT_CHANNELS:
                events += self._parse_messaging(payload, entry)
            for change in webhook_list(entry.get("changes") or [], "changes", MAX_CHANGES):
                if change.get("field") == "messages":
                    events += self._parse_value(change["value"])
                elif change.get("field") == "message_template_status_update":
                    events.append(self._parse_template_status(change["value"]))
                elif change.get("field") == "leadgen":
                    events.append(self._parse_leadgen(change["value"]))
                if len(events) > MAX_EVENTS:  # refused at once, not after the whole batch
                    raise WebhookError(f"More than {MAX_EVENTS} events in one request.")
        return events

    def _parse_value(self, value):
        metadata = value.get("metadata") or {}
        names = {c.get("wa_id"): (c.get("profile") or {}).get("name", "")
                 for c in webhook_list(value.get("contacts") or [], "contacts", MAX_UPDATES)}
        events = [self._parse_message(item, metadata, names)
                  for item in webhook_list(value.get("messages") or [], "messages", MAX_UPDATES)]
        events += [self._parse_status(item)
                   for item in webhook_list(value.get("statuses") or [], "statuses", MAX_UPDATES)]
        return [event for event in events if event]

    def _parse_message(self, item, metadata, names):
        kind = item["type"]
        sender_id = webhook_text(item["from"], "from")
        sender = "+" + sender_id.lstrip("+")
        if kind == "reaction":
            reaction = item["reaction"]
            return Reaction(provider_message_id=reaction["message_id"], from_address=sender,
                            emoji=reaction.get("emoji") or "")
        body, media = self._content(kind, item)
        return InboundMessage(
            provider_message_id=item["id"],
            channel="whatsapp",
            from_address=sender,
            to_address="+" + webhook_text(metadata.get("display_phone_number", ""), "display_phone_number").lstrip("+"),
            to_external_id=metadata.get("phone_number_id", ""),
            body=body,
            profile_name=names.get(sender_id, ""),
            timestamp=float(item["timestamp"]) if item.get("timestamp") else None,
            media=media,
        )

    @staticmethod
    def _content(kind, item):
        """``(body, media)`` of an inbound message of type ``kind``."""
        if kind == "text":
            return item["text"]["body"], []
        if kind in MEDIA_TYPES:
            content = item[kind]
            media = [{"ref": media_id(content["id"]), "mimetype": content.get("mime_type", ""),
                      "filename": content.get("filename", "")}]
            return content.get("caption", ""), media
        if kind == "location":
            place = item["location"]
            label = " — ".join(filter(None, [place.get("name"), place.get("address")]))
            coordinates = f"({place['latitude']}, {place['longitude']})"
            return "📍 " + (f"{label} {coordinates}" if label else coordinates), []
        if kind == "contacts":
            lines = []
            for contact in webhook_list(item["contacts"], "contacts", MAX_ITEMS):
                phones = ", ".join(p.get("phone", "") for p in webhook_list(contact.get("phones") or [], "phones"))
                lines.append(f"👤 {(contact.get('name') or {}).get('formatted_name', '')} {phones}".strip())
            return "\n".join(lines), []
        if kind == "interactive":
            interactive = item["interactive"]
            reply = interactive.get(interactive.get("type"), {})
            return reply.get("title", ""), []
        if kind == "button":
            return item["button"].get("text") or item["button"].get("payload", ""), []
        return f"[{kind} message: not supported by the Inbox]", []

    @staticmethod
    def _parse_leadgen(value):
        return LeadAd(leadgen_id=graph_id(value["leadgen_id"], "leadgen_id"), form_id=value.get("form_id", ""),
                      page_id=value.get("page_id", ""), ad_id=value.get("ad_id", ""),
                      created_time=float(value["created_time"]) if value.get("created_time") else None)

    def fetch_lead(self, leadgen_id):
        if not GRAPH_ID.fullmatch(leadgen_id or ""):
            raise ProviderError(f"Refused to fetch a lead with the id {leadgen_id!r}.")
        answer = self.http_json("GET", self.graph_url(leadgen_id), headers=self.headers, params={
            "fields": "field_data,created_time,ad_name,campaign_name,form_id,platform"})
        fields = {item["name"]: (item.get("values") or [""])[0] for item in answer.get("field_data", [])}
        return {"fields": fields, "campaign": answer.get("campaign_name", ""), "ad": answer.get("ad_name", ""),
                "form": str(answer.get("form_id", "")), "platform": answer.get("platform", "")}

    def _parse_template_status(self, value):
        reason = value.get("reason") or ""
        return TemplateInfo(
            name=value["message_template_name"], language=value.get("message_template_language", ""),
            status=self._template_status(value["event"]), external_id=value.get("message_template_id", ""),
            reason="" if reason == "NONE" else reason)

    @staticmethod
    def _parse_status(item):
        status = STATUSES.get(item.get("status"))
        if not status:
            return None  # e.g. "deleted", "warning": nothing to show
        errors = item.get("errors") or [{}]
        code = str(errors[0].get("code") or "")
        reason = ERRORS.get(code, (None,))[0] or errors[0].get("title") or errors[0].get("message") or ""
        return StatusUpdate(provider_message_id=item["id"], status=status, error_code=code, error_reason=reason)

    def download_media(self, ref):
        if isinstance(ref, str) and ref.startswith(("https://", "http://")):
            return self._download_url(ref)
        # checked again here: an event kept before the check came in, or
        # made by another path, must not choose the Graph URL either
        if not isinstance(ref, str) or not MEDIA_ID.fullmatch(ref):
            raise ProviderError(f"Refused to download a WhatsApp file with the id {ref!r}.")
        info = self.http_json("GET", self.graph_url(ref), headers=self.headers)
        url = info.get("url") if isinstance(info, dict) else None
        if not url or not isinstance(url, str):
            raise ProviderError("Meta did not give the file's address.")
        if not self.media_url_allowed(url):
            raise ProviderError(f"Refused to download a WhatsApp file from {url}: not a Meta address.")
        # a redirect to another host is followed without the token (requests drops it)
        response = self.http("GET", url, headers=self.headers)
        return response.content, info.get("mime_type") or response.headers.get("Content-Type", "")

    def _download_url(self, url):
        """A file a webhook gave the address of (a Messenger or Instagram
        attachment, a profile picture): fetched only from Meta's hosts, and
        without the token, which these addresses do not need."""
        if not self.media_url_allowed(url):
            raise ProviderError(f"Refused to download a file from {url}: not a Meta address.")
        response = self.http("GET", url)
        return response.content, response.headers.get("Content-Type", "")

    def media_url_allowed(self, url):
        """Whether the access token may go with a request to ``url``: HTTPS
        to Meta's own hosts; or the configured API base URL's own origin when
        it is on loopback (a local fake Graph, as the tests run)."""
        try:
            parts = urlsplit(url)
            port = parts.port
            base = urlsplit(self.base_url)
            base_port = base.port
        except ValueError:  # a port that is no number
            return False
        host = (parts.hostname or "").lower()
        if parts.username is not None or parts.password is not None:
            return False
        if parts.scheme == "https" and port in (None, 443):
            if host in MEDIA_HOSTS or host.endswith(MEDIA_HOST_SUFFIXES):
                return True
        return (base.hostname or "").lower() in LOOPBACK_HOSTS and \
            (parts.scheme, host, port) == (base.scheme, (base.hostname or "").lower(), base_port)
