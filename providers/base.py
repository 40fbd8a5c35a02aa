"""The adapter interface every provider protocol implements, and the plain
data it exchanges with the ORM side."""
import dataclasses
import hmac
from dataclasses import dataclass, field

# Statuses of an outbound message, by rank: a status only ever moves to a
# higher rank. failed and canceled are terminal.
STATUS_RANK = {
    "queued": 0,
    "sent": 1,
    "delivered": 2,
    "read": 3,
    "failed": 9,
    "canceled": 9,
}

# What the Inbox accepts as attachments (the file types users expect).
ATTACHMENT_EXTENSIONS = frozenset(
    "pdf docx doc csv xlsx xls txt jpg jpeg png gif svg mp4 mpeg mp3 wav wave "
    "aiff aif aifc gsm ulaw vcf vcard pptx".split()
)


class ProviderError(Exception):
    """A provider refused or failed a call.

    :param reason: a sentence a user can read
    :param code: the provider's error code, if any
    :param retryable: whether the same call may succeed later (timeouts,
        rate limits, 5xx)
    :param recipient_error: the provider works but refuses this recipient
        or this message (invalid number, unreachable handset, opt-out): it
        says nothing against the provider's health
    """

    def __init__(self, reason, code=None, retryable=False, recipient_error=False):
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.retryable = retryable
        self.recipient_error = recipient_error


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
    media: list = field(default_factory=list)  # [{name, mimetype, url}]
    status_callback: str = ""
    sender_settings: dict = field(default_factory=dict)  # per sender account


@dataclass
class SendResult:
    provider_message_id: str
    status: str = "sent"
    # Events the provider will report later on its own (the sandbox uses
    # this to deliver its receipts through the same path as webhooks).
    followups: list = field(default_factory=list)  # [(delay_seconds, event)]


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
    media: list = field(default_factory=list)


@dataclass
class StatusUpdate:
    kind = "status"
    provider_message_id: str
    status: str  # one of STATUS_RANK
    error_code: str = ""
    error_reason: str = ""
    timestamp: float | None = None


EVENT_CLASSES = {cls.kind: cls for cls in (InboundMessage, StatusUpdate)}


def event_to_dict(event):
    return dict(dataclasses.asdict(event), kind=event.kind)


def event_from_dict(values):
    values = dict(values)
    return EVENT_CLASSES[values.pop("kind")](**values)


class ProviderAdapter:
    """One provider protocol.

    An adapter is built from the provider's settings (a plain dict) and the
    API base URL to call (``None`` for the official endpoint).
    """

    provider_type = None
    default_base_url = None
    channels = ()  # channels this provider carries
    # settings an administrator must fill in, by name: label
    required_settings = {}
    timeout = 10

    def __init__(self, settings, base_url=None):
        self.settings = settings
        self.base_url = (base_url or self.default_base_url or "").rstrip("/")

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
