"""Meta WhatsApp Business Cloud API.

Messages go to ``/{version}/{phone-number-id}/messages`` with the access
token. Webhooks: a GET handshake (``hub.verify_token``) when the URL is
registered, then JSON POSTs signed with ``X-Hub-Signature-256`` (HMAC-SHA256
of the raw body, keyed with the app secret).
"""
import hashlib
import hmac
import json

from .base import (
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
    register,
)

SIGNATURE_HEADER = "X-Hub-Signature-256"
DEFAULT_VERSION = "v21.0"
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
STATUSES = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed"}
# a template's review events that are no status of ours: "in appeal" is still pending
TEMPLATE_EVENTS = {"in_appeal": "pending", "pending_deletion": "disabled", "flagged": "paused"}
TEMPLATE_PAGES = 20  # at 100 templates a page

# code: (reason, recipient_error)
ERRORS = {
    "131047": ("The WhatsApp window is closed: outside 24 hours after the customer's last message, "
               "only an approved template can be sent.", True),
    "131026": ("The message could not be delivered: the number may not be on WhatsApp.", True),
    "131051": ("WhatsApp does not support this type of message.", True),
    "131052": ("The customer's file could not be downloaded from WhatsApp.", True),
    "131053": ("The file could not be uploaded to WhatsApp (type or size).", True),
    "470": ("The WhatsApp window is closed: only an approved template can be sent.", True),
    "190": ("Meta refused the access token: it expired or was revoked.", False),
    "100": ("Meta refused a parameter of the request.", True),
}
RETRYABLE_CODES = {"130429", "131056", "131000", "131016", "2", "4", "80007"}


def sign(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def media_kind(mimetype):
    main = (mimetype or "").split("/")[0]
    return main if main in ("image", "audio", "video") else "document"


@register
class MetaWhatsAppAdapter(ProviderAdapter):
    provider_type = "meta_whatsapp"
    default_base_url = "https://graph.facebook.com"
    channels = ("whatsapp",)
    required_settings = {
        "meta_access_token": "Access Token",
        "meta_app_secret": "App Secret",
        "meta_verify_token": "Verify Token",
    }
    optional_settings = ("meta_api_version", "meta_waba_id")

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

    def parse_webhook(self, request):
        try:
            payload = json.loads(request.body)
            events = []
            for entry in payload["entry"]:
                for change in entry.get("changes", []):
                    if change.get("field") == "messages":
                        events += self._parse_value(change["value"])
                    elif change.get("field") == "message_template_status_update":
                        events.append(self._parse_template_status(change["value"]))
                    elif change.get("field") == "leadgen":
                        events.append(self._parse_leadgen(change["value"]))
            return events
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise WebhookError(f"Malformed WhatsApp payload: {error!r}") from error

    def _parse_value(self, value):
        metadata = value.get("metadata") or {}
        names = {c.get("wa_id"): (c.get("profile") or {}).get("name", "") for c in value.get("contacts", [])}
        events = [self._parse_message(item, metadata, names) for item in value.get("messages", [])]
        events += [self._parse_status(item) for item in value.get("statuses", [])]
        return [event for event in events if event]

    def _parse_message(self, item, metadata, names):
        kind = item["type"]
        sender = "+" + item["from"].lstrip("+")
        if kind == "reaction":
            reaction = item["reaction"]
            return Reaction(provider_message_id=reaction["message_id"], from_address=sender,
                            emoji=reaction.get("emoji") or "")
        body, media = self._content(kind, item)
        return InboundMessage(
            provider_message_id=item["id"],
            channel="whatsapp",
            from_address=sender,
            to_address="+" + str(metadata.get("display_phone_number", "")).lstrip("+"),
            to_external_id=str(metadata.get("phone_number_id", "")),
            body=body,
            profile_name=names.get(item["from"], ""),
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
            media = [{"ref": content["id"], "mimetype": content.get("mime_type", ""),
                      "filename": content.get("filename", "")}]
            return content.get("caption", ""), media
        if kind == "location":
            place = item["location"]
            label = " — ".join(filter(None, [place.get("name"), place.get("address")]))
            coordinates = f"({place['latitude']}, {place['longitude']})"
            return "📍 " + (f"{label} {coordinates}" if label else coordinates), []
        if kind == "contacts":
            lines = []
            for contact in item["contacts"]:
                phones = ", ".join(p.get("phone", "") for p in contact.get("phones", []))
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
        return LeadAd(leadgen_id=str(value["leadgen_id"]), form_id=str(value.get("form_id", "")),
                      page_id=str(value.get("page_id", "")), ad_id=str(value.get("ad_id", "")),
                      created_time=float(value["created_time"]) if value.get("created_time") else None)

    def fetch_lead(self, leadgen_id):
        answer = self.http_json("GET", self.graph_url(leadgen_id), headers=self.headers, params={
            "fields": "field_data,created_time,ad_name,campaign_name,form_id,platform"})
        fields = {item["name"]: (item.get("values") or [""])[0] for item in answer.get("field_data", [])}
        return {"fields": fields, "campaign": answer.get("campaign_name", ""), "ad": answer.get("ad_name", ""),
                "form": str(answer.get("form_id", "")), "platform": answer.get("platform", "")}

    def _parse_template_status(self, value):
        reason = value.get("reason") or ""
        return TemplateInfo(
            name=value["message_template_name"], language=value.get("message_template_language", ""),
            status=self._template_status(value["event"]), external_id=str(value.get("message_template_id", "")),
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
        info = self.http_json("GET", self.graph_url(ref), headers=self.headers)
        if not info.get("url"):
            raise ProviderError("Meta did not give the file's address.")
        response = self.http("GET", info["url"], headers=self.headers)
        return response.content, info.get("mime_type") or response.headers.get("Content-Type", "")
