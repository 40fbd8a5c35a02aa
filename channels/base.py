"""What a channel is: its rules as data, read by the ORM side and, once per
session, by the web client, so that no code branches on a channel's name.

Plain Python, like ``providers/``: no ORM here.
"""
from dataclasses import asdict, dataclass
from datetime import timedelta

# The kinds of identity a channel reaches a person at.
PHONE = "phone"  # an E.164 number (the person's phone_sanitized)
EMAIL = "email"  # an email address (the person's email_normalized)
SCOPED = "scoped"  # an id that means something to one provider only: a Messenger PSID, a web chat visitor
IDENTITY_KINDS = {PHONE: "Phone Number", EMAIL: "Email Address", SCOPED: "Account"}

MB = 1 << 20


@dataclass(frozen=True)
class Channel:
    """A channel of the Inbox and its rules.

    :param key: stored on messages, senders and templates
    :param label: what users read
    :param icon: a Font Awesome icon class
    :param sequence: the order the Inbox lists channels in, and the composer's
        preference when a conversation has none
    :param identity: the kind of identity it reaches (``PHONE``, ``EMAIL``,
        ``SCOPED``), ``None`` for a channel that reaches nobody outside
    :param opt_out_list: the Odoo model of the opt-out list that applies
        (``phone.blacklist`` covers every phone channel, as a STOP reply
        does), ``None``: the opt-out is kept per channel on the person
    :param rich_text: written and sent as rich text (else plain text)
    :param subject: a message needs a subject
    :param max_length: characters of text a message may have (0: no limit)
    :param segment_length: characters of one part the text is billed by
        (an SMS segment; 0: not split), for the composer's counter
    :param attachment_max_size: bytes of one attachment (0: none taken)
    :param reply_window: free text may go only this long after the person's
        last message on the same sender account (``None``: no window)
    :param window_templates: outside the reply window, an approved template
        may go (WhatsApp); else nothing goes until the person writes again
        (Messenger, Instagram)
    :param send_with_enter: Enter sends (else Ctrl+Enter, Enter is a new line)
    :param calls: its entries are calls (placed with the Call button, their
        status and recording kept on the entry), not messages written in
        the composer
    """

    key: str
    label: str
    icon: str
    sequence: int
    identity: str | None
    opt_out_list: str | None = None
    rich_text: bool = False
    subject: bool = False
    max_length: int = 0
    segment_length: int = 0
    attachment_max_size: int = 0
    reply_window: timedelta | None = None
    window_templates: bool = True
    send_with_enter: bool = True
    calls: bool = False

    @property
    def internal(self):
        """It reaches nobody outside the company (an internal note)."""
        return self.identity is None

    def to_client(self):
        """What the web client reads of the channel."""
        values = asdict(self)
        values["reply_window"] = self.reply_window and int(self.reply_window.total_seconds())
        values["internal"] = self.internal
        return values


_channels = {}


def register(channel):
    """Make ``channel`` known to the Inbox (at import, from its module)."""
    if channel.key in _channels:
        raise ValueError(f"Channel {channel.key} is registered twice.")
    if channel.identity is not None and channel.identity not in IDENTITY_KINDS:
        raise ValueError(f"Channel {channel.key}: unknown identity kind {channel.identity}.")
    _channels[channel.key] = channel
    return channel


def get(key):
    """The channel ``key``; KeyError if there is none."""
    return _channels[key]


def all_channels(internal=True):
    """The channels, in the Inbox's order (with the internal ones or not)."""
    return sorted((channel for channel in _channels.values() if internal or not channel.internal),
                  key=lambda channel: (channel.sequence, channel.key))


def selection(internal=True, calls=True):
    """The channels as a field's selection (with those of calls or not)."""
    return [(channel.key, channel.label) for channel in all_channels(internal) if calls or not channel.calls]


def keys(identity=None):
    """The keys of the channels reaching people (of the ``identity`` kind only, if given)."""
    return [channel.key for channel in all_channels(internal=False) if identity in (None, channel.identity)]
