"""The channels of the Inbox, as data: one registry, beside ``providers/``.

A channel says what it reaches (a phone number, an email address, an id
scoped to a provider), its opt-out list, its limits and its reply window;
the models and the web client read these, and never branch on a channel's
name. See the README's "Adding a channel or a provider".
"""
from . import builtin
from .base import (
    EMAIL,
    IDENTITY_KINDS,
    PHONE,
    SCOPED,
    Channel,
    all_channels,
    get,
    keys,
    register,
    selection,
)
