"""The adapter interface every provider protocol implements, and the plain
data it exchanges with the ORM side.

Whatever a webhook carries is checked here, once for every adapter:
:meth:`ProviderAdapter.parse_webhook` runs the adapter's own
``_parse_webhook`` and then checks and normalises every field of every event
it made (see :func:`clean_event`), so that an event can be kept as it is (a
``jsonb`` column, unique indexes). Anything malformed is a
:class:`WebhookError`, answered 4xx: never a 500, on which a provider gives up
and the message is lost, and never an event half-kept.
"""
import dataclasses
import hmac
import json
import math
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

# Bounds of what one webhook may carry. No provider comes near them; a request
# past one is refused whole at once, before it costs a loop, a download or a
# row per item.
MAX_EVENTS = 1000  # events of one request (Meta batches at most 1000 updates)
MAX_ITEMS = 100  # items of any list or mapping an event carries
MAX_MEDIA = 10  # files of one message (Twilio's documented maximum; WhatsApp sends one)
MAX_DEPTH = 32  # nesting of a JSON body (Meta's is about 10 deep) and of an event's values
# Lengths, in characters. Ids and dedupe keys go into btree indexes, whose
# entries PostgreSQL limits to about 2700 bytes.
ID_LENGTH = 255
SHORT_LENGTH = 2048  # addresses, names, codes, URLs
TEXT_LENGTH = 65536  # bodies, subjects, reasons (a WhatsApp text is at most 4096)
MIME_LENGTH = 50 << 20  # a raw email with its attachments (services stop at 25-30 MB of files)
# Unix time from 1970 to the year 3000: anything else is no event's time, and
# would overflow a datetime
TIMESTAMP_RANGE = (0.0, 32503680000.0)
MAX_INTEGER = 2**53  # exact in JSON everywhere

# Field metadata of the event dataclasses below, read by clean_event()
ID = {"max_length": ID_LENGTH}
TEXT = {"max_length": TEXT_LENGTH}
TIMESTAMP = {"range": TIMESTAMP_RANGE}


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
    :param credentials: the provider refused our credentials (an expired or
        revoked token): nothing goes through it until they are renewed
    """

    def __init__(self, reason, code=None, retryable=False, recipient_error=False, maybe_sent=False,
                 credentials=False):
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.retryable = retryable
        self.recipient_error = recipient_error
        self.maybe_sent = maybe_sent
        self.credentials = credentials


def printable(text, limit=500):
    """``text`` made safe to answer and log: what a request carried (NUL,
    unpaired surrogates, megabytes) may end up in an error message."""
    text = str(text).replace("\x00", "").encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[:limit] + "…"


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
    """A webhook request that cannot be accepted: answered with ``status``
    (4xx), the message as the answer's text."""

    def __init__(self, message, status=400):
        assert 400 <= status < 500, "a refused webhook is the sender's fault: 4xx"
        message = printable(message)
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
    # the channel's own reply window is closed: the message goes under the
    # longer window the provider allows (see ProviderAdapter.reply_window)
    outside_window: bool = False
    # the Odoo partner who wrote it (a transport inside Odoo posts as them)
    author_id: int = 0
    # a call to place (on a channel of calls), not a message: the agent's
    # own phone, called first and then bridged to ``to_address``; whether
    # the call is recorded
    call: bool = False
    agent_address: str = ""
    record: bool = False
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
    provider_message_id: str = field(metadata=ID)
    channel: str
    from_address: str
    to_address: str
    body: str = field(default="", metadata=TEXT)
    profile_name: str = ""
    subject: str = field(default="", metadata=TEXT)
    timestamp: float | None = field(default=None, metadata=TIMESTAMP)
    # [{ref (what download_media takes), mimetype, filename}]
    media: list = field(default_factory=list, metadata={"max_items": MAX_MEDIA})
    to_external_id: str = field(default="", metadata=ID)  # the provider's id of the receiving account
    keyword: str = ""  # "stop" / "start" when the provider treats it as opt-out / opt-in

    @property
    def dedupe_key(self):
        """The same key for every delivery of the same event."""
        return f"message:{self.provider_message_id}"


@dataclass
class MediaFetch:
    """Download the files of an inbound message (deferred out of the webhook)."""

    kind = "media"
    provider_message_id: str = field(metadata=ID)
    media: list = field(default_factory=list, metadata={"max_items": MAX_MEDIA})


@dataclass
class RawEmail:
    """An email posted by an inbound email service, to route like any email.

    ``dedupe_key`` says what makes a second delivery the same: what the
    service's signature covers (see providers/email.py), for a replayed
    signature to be dropped like any duplicate.
    """

    kind = "email"
    mime: str = field(metadata={"max_length": MIME_LENGTH})
    dedupe_key: str | None = field(default=None, metadata=ID)


@dataclass
class Reaction:
    kind = "reaction"
    provider_message_id: str = field(metadata=ID)  # the message reacted to
    from_address: str
    emoji: str = ""  # empty: the reaction was removed


@dataclass
class StatusUpdate:
    kind = "status"
    provider_message_id: str = field(metadata=ID)
    status: str  # one of STATUS_RANK
    error_code: str = ""
    error_reason: str = field(default="", metadata=TEXT)
    timestamp: float | None = field(default=None, metadata=TIMESTAMP)


@dataclass
class OutboundEcho:
    """A message the account itself sent to a person, reported back by the
    provider: ours (recorded already, or about to be), or one written from
    another tool of the provider's (Meta Business Suite, a phone app)."""

    kind = "echo"
    provider_message_id: str = field(metadata=ID)
    channel: str
    account: str = field(metadata=ID)  # the provider's id of the account that sent it
    to_address: str = field(metadata=ID)  # the person it went to
    body: str = field(default="", metadata=TEXT)
    timestamp: float | None = field(default=None, metadata=TIMESTAMP)

    @property
    def dedupe_key(self):
        return f"echo:{self.provider_message_id}"


@dataclass
class StatusUpTo:
    """Every message the account sent a person up to a time reached a
    status (Messenger's read and delivery watermarks)."""

    kind = "watermark"
    channel: str
    account: str = field(metadata=ID)
    address: str = field(metadata=ID)  # the person
    status: str  # delivered or read
    watermark: float = field(metadata=TIMESTAMP)


@dataclass
class ProfileFetch:
    """Fetch the name and picture of a person known by an id a provider
    gave (deferred out of the inbound message, once per person)."""

    kind = "profile"
    channel: str
    address: str = field(metadata=ID)

    @property
    def dedupe_key(self):
        return f"profile:{self.channel}:{self.address}"


# Statuses of a call, by rank (Twilio Voice's, as documented): a call's
# status only ever moves to a higher rank; the rank-9 ones end it.
CALL_STATUS_RANK = {
    "queued": 0,
    "ringing": 1,
    "in_progress": 2,
    "completed": 9,
    "busy": 9,
    "no_answer": 9,
    "failed": 9,
    "canceled": 9,
}
# The legs of a call an entry follows. An inbound call: the ``caller`` (the
# person; the call itself) and the ``agent`` legs it rings, one after the
# other. A call from the Inbox: the ``placer`` (the agent's own phone,
# called first) and, once they answer, the ``callee`` (the person).
CALL_LEGS = ("caller", "agent", "placer", "callee")
RECORDING_STATUSES = ("in_progress", "completed", "absent", "failed")


@dataclass
class CallUpdate:
    """A leg of a call reached a status (or the call just arrived)."""

    kind = "call"
    call_sid: str = field(metadata=ID)  # the call the entry follows: the caller's, or the placer's
    leg_sid: str = field(metadata=ID)  # this leg's own id
    leg: str  # one of CALL_LEGS
    status: str  # one of CALL_STATUS_RANK
    from_address: str = field(default="", metadata=ID)
    to_address: str = field(default="", metadata=ID)
    duration: int = 0  # seconds, when the leg ended
    timestamp: float | None = field(default=None, metadata=TIMESTAMP)

    @property
    def dedupe_key(self):
        return f"call:{self.leg_sid}:{self.status}"


@dataclass
class RecordingUpdate:
    """A recording of a call (the conversation, or a voicemail) is ready, or
    will never be (``absent``: too short or silent)."""

    kind = "recording"
    call_sid: str = field(metadata=ID)
    recording_sid: str = field(metadata=ID)
    status: str  # one of RECORDING_STATUSES
    ref: str = ""  # what download_media takes
    duration: int = 0

    @property
    def dedupe_key(self):
        return f"recording:{self.recording_sid}:{self.status}"


@dataclass
class CallStep:
    """A call that waits, on the line, to be told what to do next: just
    arrived (``pending`` None: who it rings is decided now), or the agent
    rung last did not answer (``pending``: the numbers left to ring, as
    decided when it arrived). Answered in the webhook's own response, from
    a :class:`CallRouting`."""

    call_sid: str
    from_address: str
    to_address: str
    pending: list | None = None


@dataclass
class CallRouting:
    """Who an inbound call rings, as the Inbox decides it."""

    numbers: list  # the agents' phones (E.164) to ring, in turn
    ring_seconds: int = 20  # each
    record: bool = False  # the conversation is recorded once answered
    greeting: str = ""  # said before the voicemail's beep


@dataclass
class BotReply:
    """The company's bot answers an inbound message (deferred out of its
    application: an assistant may take seconds)."""

    kind = "bot"
    message_id: int  # the inbound mail.message

    @property
    def dedupe_key(self):
        return f"bot:{self.message_id}"


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
    body: str = field(default="", metadata=TEXT)  # with {{1}}-style variables
    external_id: str = field(default="", metadata=ID)
    reason: str = field(default="", metadata=TEXT)  # why it was rejected or paused


@dataclass
class LeadAd:
    """Somebody filled in a lead form of an ad (Meta Lead Ads). Its answers
    are fetched from the provider when the event is applied, after the
    webhook has answered."""

    kind = "lead"
    leadgen_id: str = field(metadata=ID)
    form_id: str = field(default="", metadata=ID)
    page_id: str = field(default="", metadata=ID)
    ad_id: str = field(default="", metadata=ID)
    created_time: float | None = field(default=None, metadata=TIMESTAMP)

    @property
    def dedupe_key(self):
        return f"lead:{self.leadgen_id}"


EVENT_CLASSES = {cls.kind: cls for cls in (InboundMessage, StatusUpdate, MediaFetch, Reaction, RawEmail,
                                           TemplateInfo, LeadAd, OutboundEcho, StatusUpTo, ProfileFetch,
                                           CallUpdate, RecordingUpdate, BotReply)}


def event_to_dict(event):
    return dict(dataclasses.asdict(event), kind=event.kind)


def event_from_dict(values):
    values = dict(values)
    return EVENT_CLASSES[values.pop("kind")](**values)


# ----------------------------------------------------------------------
# Checking what a webhook carries
# ----------------------------------------------------------------------

# What a parser raises on a payload of an unexpected shape or size: a
# missing key, a list where a mapping was expected, a number that does not
# convert, a nesting deeper than Python's stack.
MALFORMED = (ValueError, TypeError, LookupError, AttributeError, RecursionError, OverflowError)


def webhook_text(value, name="value"):
    """A text value of a webhook: a string, or an integer (Meta sends some
    ids as numbers). Anything else (a list, a mapping, a float) is refused
    rather than turned into its ``repr``."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise WebhookError(f"{name} must be text, not {type(value).__name__}.")


def webhook_list(value, name, limit=MAX_ITEMS):
    """A list of a webhook, refused when it is none or longer than ``limit``
    (before anything loops over it)."""
    if not isinstance(value, list):
        raise WebhookError(f"{name} must be a list, not {type(value).__name__}.")
    if len(value) > limit:
        raise WebhookError(f"{name} has {len(value)} items, more than the {limit} accepted.")
    return value


def clean_text(value, name="value", max_length=SHORT_LENGTH):
    """``value`` as PostgreSQL can keep it: without NUL characters (which
    no text column or jsonb takes), refused when it has an unpaired surrogate
    (a JSON escape such as ``\\ud800``: not a character at all) or is longer
    than ``max_length``."""
    if len(value) > max_length:
        raise WebhookError(f"{name} is longer than {max_length} characters.")
    value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise WebhookError(f"{name} is not valid text: {error.reason}.") from error
    return value


def clean_number(value, name="value", bounds=(-MAX_INTEGER, MAX_INTEGER)):
    """A finite number within ``bounds`` (a timestamp of 400 digits or 1e400
    overflows a datetime, NaN compares with nothing)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WebhookError(f"{name} must be a number, not {type(value).__name__}.")
    low, high = bounds
    # compared before any float(): a 400-digit integer overflows it
    if not low <= value <= high:
        raise WebhookError(f"{name} is out of range.")
    return value


def clean_value(value, name="value", max_items=MAX_ITEMS, depth=0):
    """A nested value of an event (lists and mappings of JSON scalars), each
    part checked like the event's own fields; the depth is bounded, so this
    recursion is too."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return clean_text(value, name)
    if isinstance(value, int | float):
        return clean_number(value, name)
    if depth >= MAX_DEPTH:
        raise WebhookError(f"{name} is nested too deeply.")
    if isinstance(value, list | tuple):
        if len(value) > max_items:
            raise WebhookError(f"{name} has {len(value)} items, more than the {max_items} accepted.")
        return [clean_value(item, name, depth=depth + 1) for item in value]
    if isinstance(value, dict):
        if len(value) > max_items:
            raise WebhookError(f"{name} has {len(value)} entries, more than the {max_items} accepted.")
        return {clean_text(webhook_text(key, name), name): clean_value(item, f"{name}.{key}", depth=depth + 1)
                for key, item in value.items()}
    raise WebhookError(f"{name} cannot be kept: {type(value).__name__}.")


def _clean_field(spec, value):
    name, limits = spec.name, spec.metadata
    if value is None and spec.default is None:
        return None
    if spec.type in (str, str | None):
        return clean_text(webhook_text(value, name), name, limits.get("max_length", SHORT_LENGTH))
    if spec.type in (float, float | None):
        return float(clean_number(value, name, limits.get("range", (-MAX_INTEGER, MAX_INTEGER))))
    if spec.type is list and not isinstance(value, list):
        raise WebhookError(f"{name} must be a list, not {type(value).__name__}.")
    return clean_value(value, name, limits.get("max_items", MAX_ITEMS))


def clean_event(event):
    """``event`` with every field checked and normalised: text without NUL,
    never an unpaired surrogate, bounded in length; numbers finite and in
    range; lists and mappings bounded in size and depth; ids strings (or
    integers, made strings), never lists or mappings. :class:`WebhookError`
    when a field cannot be kept."""
    changes = {}
    for spec in dataclasses.fields(event):
        value = getattr(event, spec.name)
        cleaned = _clean_field(spec, value)
        if cleaned is not value:
            changes[spec.name] = cleaned
    return dataclasses.replace(event, **changes) if changes else event


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text):
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]} is out of range")
    return number


def parse_json(body):
    """The JSON value of a webhook body. NaN, Infinity and numbers that
    overflow a float are refused, and so is a nesting deeper than
    :data:`MAX_DEPTH`: Python's decoder recurses, and a body nested 100,000
    deep would otherwise end in a RecursionError."""
    try:
        value = json.loads(body, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError as error:
        raise WebhookError("The JSON body is nested too deeply.") from error
    except ValueError as error:  # not JSON, not UTF-8, an integer of thousands of digits
        raise WebhookError(f"The body is not valid JSON: {error}") from error
    # the decoder accepts up to about 1000 levels: check ours without recursion
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, list | dict):
            if depth >= MAX_DEPTH:
                raise WebhookError("The JSON body is nested too deeply.")
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return value


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
    # settings an administrator must fill in, by name: label; the settings
    # they may fill in; those to show masked. Each is a field of
    # inbox.provider (declared beside the provider's ``selection_add``); the
    # provider form shows them on its Credentials page by themselves.
    required_settings = {}
    optional_settings = ()
    secret_settings = ()
    timeout = 10
    # the provider is this database (Odoo's Live Chat): a send is written in
    # the transaction that records it, nothing is outside to resend or lose
    transactional = False

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
        """The events of a verified :class:`WebhookRequest`, every field
        checked and normalised so that they can be kept as they are (see
        :func:`clean_event`); :class:`WebhookError` for anything malformed,
        never another exception. Adapters implement :meth:`_parse_webhook`."""
        try:
            events = self._parse_webhook(request)
            if len(events) > MAX_EVENTS:
                raise WebhookError(f"{len(events)} events in one request, more than the {MAX_EVENTS} accepted.")
            return [clean_event(event) for event in events]
        except WebhookError:
            raise
        except MALFORMED as error:
            raise WebhookError(f"Malformed {self.provider_type} webhook: {error!r}") from error

    def _parse_webhook(self, request):
        """The events of a verified request. Raise :class:`WebhookError` for
        a request that is none of this provider's; any exception of
        :data:`MALFORMED` (a missing key, a wrong type) is answered 400 too."""
        raise NotImplementedError

    def webhook_response(self, request, events):
        """``(status, content_type, body)`` of the answer to a processed webhook."""
        return 200, "text/plain", ""

    def call_step(self, request):
        """The :class:`CallStep` of a request that is a call waiting on the
        line for what to do, else None."""
        return None

    def answer_call(self, request, step, routing):
        """``(status, content_type, body)`` telling the provider what the
        waiting call ``step`` does: ring the :class:`CallRouting`'s numbers
        in turn, then take a voicemail."""
        raise WebhookError("This provider carries no calls.", status=404)

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

    def fetch_profile(self, channel, address):
        """``{"name", "picture"}`` (the picture's URL, for
        :meth:`download_media`, or "") of the person the provider knows as
        ``address`` on ``channel``; :class:`ProviderError`."""
        raise ProviderError("This provider gives no profiles.")

    def reply_window(self, channel):
        """How long after a person's last message free text may go to them
        on ``channel`` (a :class:`~..channels.Channel`) through this
        provider: the channel's own window, or a longer one the provider
        allows under conditions of its own (``OutboundMessage.outside_window``
        tells the adapter when a message goes under them)."""
        return channel.reply_window

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
        timeout = kwargs.pop("timeout", self.timeout)
        try:
            response = requests.request(method, url, timeout=timeout, **kwargs)
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
