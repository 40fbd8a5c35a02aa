"""The channels the Inbox carries today. A new channel is one more entry
here (and an adapter of a provider that carries it)."""
from datetime import timedelta

from .base import EMAIL, MB, PHONE, SCOPED, Channel, register

NOTE = register(Channel(
    key="note", label="Internal Note", icon="fa-sticky-note-o", sequence=90, identity=None,
    rich_text=True, attachment_max_size=25 * MB))
WHATSAPP = register(Channel(
    key="whatsapp", label="WhatsApp", icon="fa-whatsapp", sequence=10, identity=PHONE,
    opt_out_list="phone.blacklist", max_length=4096, attachment_max_size=16 * MB,
    # WhatsApp's customer service window
    reply_window=timedelta(hours=24)))
SMS = register(Channel(
    key="sms", label="SMS", icon="fa-mobile", sequence=20, identity=PHONE,
    opt_out_list="phone.blacklist", max_length=1600, segment_length=160))
EMAIL_CHANNEL = register(Channel(
    key="email", label="Email", icon="fa-envelope-o", sequence=30, identity=EMAIL,
    opt_out_list="mail.blacklist", rich_text=True, subject=True, attachment_max_size=25 * MB,
    send_with_enter=False))
MESSENGER = register(Channel(
    key="messenger", label="Messenger", icon="fa-facebook", sequence=40, identity=SCOPED,
    max_length=2000, attachment_max_size=25 * MB,
    # Meta's standard messaging window; no templates outside it
    reply_window=timedelta(hours=24), window_templates=False))
LIVECHAT = register(Channel(
    # Odoo's own Live Chat (im_livechat): the visitor of a website chat session
    key="livechat", label="Live chat", icon="fa-comments-o", sequence=35, identity=SCOPED, max_length=4096))
INSTAGRAM = register(Channel(
    key="instagram", label="Instagram", icon="fa-instagram", sequence=50, identity=SCOPED,
    max_length=1000, attachment_max_size=8 * MB,
    reply_window=timedelta(hours=24), window_templates=False))
CALL = register(Channel(
    # phone calls: an entry per call, with its status, duration and recording
    key="call", label="Call", icon="fa-phone", sequence=25, identity=PHONE, calls=True))
