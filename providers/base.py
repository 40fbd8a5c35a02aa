"""The adapter interface every provider protocol implements, and the plain
data it exchanges with the ORM side."""
import dataclasses
import hmac
from dataclasses import dataclass, field

import requests
import urllib3

# Statuses of an outbound message, by rank: a status only ever moves to a
# higher rank. failed and canceled are terminal.
STATUS_RANK = {
    "queued": 0,
    "sent": 1,
    "delivered": 2,
    "read": 3,
    "failed": 9,
    "canceled": 9,
    # handed to the provider, and nobody can tell whether it was sent
    "unknown": 9,
}

# What the Inbox accepts as attachments (the file types users expect).
ATTACHMENT_EXTENSIONS = frozenset(
    "pdf docx doc csv xlsx xls txt jpg jpeg png gif svg mp4 mpeg mp3 wav wave "
    "aiff aif aifc gsm ulaw vcf vcard pptx".split()
)
# ... plus what customers' phones send: WhatsApp voice notes and stickers,
# MMS audio and video.
INBOUND_EXTENSIONS = ATTACHMENT_EXTENSIONS | frozenset("ogg oga opus webp m4a aac amr 3gp".split())
INBOUND_MAX_SIZE = 25 << 20


class ProviderError(Exception):
    """A provider refused or failed a call.

    :param reason: a sentence a user can read
    :param code: the provider's error code, if any
    :param retryable: whether the same call may succeed later (timeouts,
        rate limits, 5xx)
    :param recipient_error: the provider works but refuses this recipient
        or this message (invalid number, unreachable handset, opt-out): it
        says nothing against the provider's health
    :param maybe_sent: the request reached the provider and no answer came
        back (a read timeout, a connection cut): a send may have been taken,
        and must not be made again before the provider is asked
    """

    def __init__(self, reason, code=None, retryable=False, recipient_error=False, maybe_sent=False):
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.retryable = retryable
        self.recipient_error = recipient_error
        self.maybe_sent = maybe_sent


def request_left(error):
    """Whether a request that failed with the requests exception ``error``
    may have reached the server (it was connected when it failed)."""
    if isinstance(error, requests.ConnectTimeout | requests.exceptions.SSLError):
        return False
    if isinstance(error, requests.ConnectionError):
        reason = error.args[0] if error.args else None
        reason = getattr(reason, "reason", reason)  # urllib3 wraps the cause in a MaxRetryError
        return not isinstance(reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError)
    return isinstance(error, requests.Timeout)


class WebhookError(Exception):
    """A webhook request that cannot be accepted: answered with ``status``."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


@dataclass
class WebhookRequest:
    """What the controller hands over of an HTTP request, untouched."""

    method: str
    url: str
    headers: dict
    body: bytes = b""
    form: dict = field(default_factory=dict)  # name -> list of values
    query: dict = field(default_factory=dict)  # name -> value

    def header(self, name):
        lname = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lname), None)


@dataclass
class OutboundMessage:
    channel: str  # sms, whatsapp, email
    from_address: str
    to_address: str
    body: str
    subject: str = ""
    # [{name, mimetype, url (public, short-lived), content (bytes)}]
    media: list = field(default_factory=list)
    status_callback: str = ""
    sender_external_id: str = ""  # the provider's id of the sender account
    # an approved WhatsApp template: {name, language, parameters: [str]}
    template: dict | None = None
    # email only
    from_name: str = ""
    body_text: str = ""
    message_id: str = ""
    references: str = ""
    reply_to: str = ""


@dataclass
class SendResult:
    provider_message_id: str
    status: str = "sent"
    # Events the provider will report later on its own (the sandbox uses
    # this to deliver its receipts through the same path as webhooks).
    followups: list = field(default_factory=list)  # [(delay_seconds, event)]


# Carrier opt-out keywords of SMS: a single-word message that blocks the
# sender's number, or lifts the block
OPT_OUT_KEYWORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
OPT_IN_KEYWORDS = {"start", "yes", "unstop"}


def sms_keyword(channel, body):
    """"stop" or "start" when an inbound SMS is an opt-out or opt-in keyword, else ""."""
    if channel != "sms":
        return ""
    word = (body or "").strip().lower()
    return "stop" if word in OPT_OUT_KEYWORDS else "start" if word in OPT_IN_KEYWORDS else ""


@dataclass
class InboundMessage:
    kind = "message"
    provider_message_id: str
    channel: str
    from_address: str
    to_address: str
    body: str = ""
    profile_name: str = ""
    subject: str = ""
    timestamp: float | None = None
    # [{ref (what download_media takes), mimetype, filename}]
    media: list = field(default_factory=list)
    to_external_id: str = ""  # the provider's id of the receiving account
    keyword: str = ""  # "stop" / "start" when the provider treats it as opt-out / opt-in

    @property
    def dedupe_key(self):
        """The same key for every delivery of the same event."""
        return f"message:{self.provider_message_id}"


@dataclass
class MediaFetch:
    """Download the files of an inbound message (deferred out of the webhook)."""

    kind = "media"
    provider_message_id: str
    media: list = field(default_factory=list)


@dataclass
class RawEmail:
    """An email posted by an inbound email service, to route like any email."""

    kind = "email"
    mime: str


@dataclass
class Reaction:
    kind = "reaction"
    provider_message_id: str  # the message reacted to
    from_address: str
    emoji: str = ""  # empty: the reaction was removed


@dataclass
class StatusUpdate:
    kind = "status"
    provider_message_id: str
    status: str  # one of STATUS_RANK
    error_code: str = ""
    error_reason: str = ""
    timestamp: float | None = None


# Statuses of a provider-approved message template (WhatsApp)
TEMPLATE_STATUSES = ("approved", "pending", "rejected", "paused", "disabled")


@dataclass
class TemplateInfo:
    """A message template as the provider knows it: listed on demand, or
    reported when its review status changes (then without its body)."""

    kind = "template"
    name: str
    language: str
    status: str  # one of TEMPLATE_STATUSES
    category: str = ""  # MARKETING, UTILITY, AUTHENTICATION
    body: str = ""  # with {{1}}-style variables
    external_id: str = ""
    reason: str = ""  # why it was rejected or paused


@dataclass
class LeadAd:
    """Somebody filled in a lead form of an ad (Meta Lead Ads). Its answers
    are fetched from the provider when the event is applied, after the
    webhook has answered."""

    kind = "lead"
    leadgen_id: str
    form_id: str = ""
    page_id: str = ""
    ad_id: str = ""
    created_time: float | None = None

    @property
    def dedupe_key(self):
        return f"lead:{self.leadgen_id}"


EVENT_CLASSES = {cls.kind: cls for cls in (InboundMessage, StatusUpdate, MediaFetch, Reaction, RawEmail,
                                           TemplateInfo, LeadAd)}


def event_to_dict(event):
    return dict(dataclasses.asdict(event), kind=event.kind)


def event_from_dict(values):
    values = dict(values)
    return EVENT_CLASSES[values.pop("kind")](**values)


class ProviderAdapter:
    """One provider protocol.

    An adapter is built from the provider's settings (a plain dict), the
    API base URL to call (``None`` for the official endpoint) and, for
    protocols that go through the host's own transport (email), callables
    that send a message and check the transport.
    """

    provider_type = None
    default_base_url = None
    channels = ()  # channels this provider carries
    # settings an administrator must fill in, by name: label
    required_settings = {}
    optional_settings = ()
    timeout = 10

    def __init__(self, settings, base_url=None, transport=None, transport_check=None):
        self.settings = settings
        self.base_url = (base_url or self.default_base_url or "").rstrip("/")
        self.transport = transport
        self.transport_check = transport_check

    def missing_settings(self):
        """Labels of the required settings that are empty."""
        return [label for name, label in self.required_settings.items() if not self.settings.get(name)]

    def send(self, message):
        """Send an :class:`OutboundMessage`; return a :class:`SendResult`
        or raise :class:`ProviderError`."""
        raise NotImplementedError

    def check_health(self):
        """Make a cheap authenticated call; raise :class:`ProviderError`."""
        raise NotImplementedError

    def verify_webhook(self, request):
        """Whether the :class:`WebhookRequest` carries a valid signature."""
        raise NotImplementedError

    def parse_webhook(self, request):
        """The events of a verified request; :class:`WebhookError` if malformed."""
        raise NotImplementedError

    def webhook_response(self, request, events):
        """``(status, content_type, body)`` of the answer to a processed webhook."""
        return 200, "text/plain", ""

    def handshake(self, request):
        """The answer to a subscription handshake (an unsigned GET some
        providers make), or None when the request is not one."""
        return None

    def find_sent(self, message, since):
        """What became of :class:`OutboundMessage` ``message``, handed to the
        provider at ``since`` (UTC) with no answer recorded: its
        :class:`SendResult` when the provider has it, None when it never got
        it; :class:`ProviderError` when it cannot tell (retryable while it
        cannot be reached)."""
        raise ProviderError("This provider cannot be asked which messages it sent.")

    def download_media(self, ref):
        """``(content, mimetype)`` of an inbound file; :class:`ProviderError`."""
        raise ProviderError("This provider does not send files.")

    def fetch_lead(self, leadgen_id):
        """The answers of a lead form: ``{"fields": {name: value}, "campaign",
        "ad", "form", "platform"}``; :class:`ProviderError`."""
        raise ProviderError("This provider has no lead forms.")

    def list_templates(self):
        """Every message template of the account, as :class:`TemplateInfo`;
        :class:`ProviderError` when the provider has none to list."""
        raise ProviderError("This provider has no message templates to synchronize.")

    # ------------------------------------------------------------------
    # HTTP
    # ------------------------------------------------------------------

    def http(self, method, url, **kwargs):
        """Call the provider; map transport failures and error answers to
        :class:`ProviderError` (timeouts, 429 and 5xx are retryable)."""
        kwargs.setdefault("timeout", self.timeout)
        try:
            response = requests.request(method, url, **kwargs)
        except requests.Timeout as error:
            raise ProviderError("The provider did not answer in time.", code="timeout", retryable=True,
                                maybe_sent=request_left(error)) from error
        except requests.RequestException as error:
            raise ProviderError(f"The provider cannot be reached: {error}", code="network", retryable=True,
                                maybe_sent=request_left(error)) from error
        if response.status_code >= 400:
            raise self.error_from_response(response)
        return response

    def http_json(self, method, url, **kwargs):
        """:meth:`http`, and the JSON it answered (a provider answering
        something else is having a bad moment: retryable, though it may
        have done what it was asked)."""
        response = self.http(method, url, **kwargs)
        try:
            return response.json()
        except ValueError as error:
            raise ProviderError("The provider answered something that is not JSON.", code="not-json",
                                retryable=True, maybe_sent=True) from error

    def error_from_response(self, response):
        """The :class:`ProviderError` of an HTTP error answer."""
        retryable = response.status_code == 429 or response.status_code >= 500
        return ProviderError(f"The provider answered HTTP {response.status_code}.",
                             code=str(response.status_code), retryable=retryable)

    @staticmethod
    def constant_time_equals(left, right):
        return bool(left) and bool(right) and hmac.compare_digest(
            left.encode() if isinstance(left, str) else left,
            right.encode() if isinstance(right, str) else right,
        )


_REGISTRY = {}


def register(cls):
    """Class decorator: make an adapter available under its provider type."""
    _REGISTRY[cls.provider_type] = cls
    return cls


def get_adapter_class(provider_type):
    return _REGISTRY[provider_type]


def provider_types():
    return dict(_REGISTRY)
