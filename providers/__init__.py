"""Provider protocols, one module per provider, behind one adapter interface.

Plain Python: no ORM here, so every protocol is testable without a database.
The ORM side asks the registry for an adapter and never branches on the
provider type itself.
"""
from . import email, livechat, meta_whatsapp, sandbox, twilio
from .base import (
    ATTACHMENT_EXTENSIONS,
    CALL_STATUS_RANK,
    INBOUND_EXTENSIONS,
    INBOUND_MAX_SIZE,
    BotReply,
    CallRouting,
    CallStep,
    CallUpdate,
    InboundMessage,
    LeadAd,
    MediaFetch,
    OutboundEcho,
    OutboundMessage,
    ProfileFetch,
    ProviderAdapter,
    ProviderError,
    RawEmail,
    Reaction,
    RecordingUpdate,
    SendResult,
    StatusUpdate,
    StatusUpTo,
    TemplateInfo,
    WebhookError,
    WebhookRequest,
    event_from_dict,
    event_to_dict,
    get_adapter_class,
    provider_types,
    register,
)
