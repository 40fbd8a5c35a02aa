"""Meta's Messenger Platform: a Facebook Page's Messenger and an Instagram
professional account, carried by the same Meta app (and provider) as
WhatsApp.

Webhooks: ``object`` ``page`` or ``instagram``, each entry naming the Page
or Instagram account (``entry[].id``) and its events in ``messaging[]`` (in
``standby[]`` while another app holds the thread under the handover
protocol): messages and their echoes (the account's own messages), reactions,
postbacks, reads and deliveries. People are known by ids the Page or account
gives them (PSID, IGSID), the ``SCOPED`` kind of identity.

Sending: ``POST /{version}/me/messages`` with the Page access token,
``messaging_type`` ``RESPONSE`` within 24 hours of the person's last
message; after that, for 7 days, ``MESSAGE_TAG`` ``HUMAN_AGENT`` when the
app has Meta's Human Agent permission (a setting of the provider).
"""
from datetime import timedelta

from .base import (
    InboundMessage,
    OutboundEcho,
    ProviderError,
    Reaction,
    SendResult,
    StatusUpdate,
    StatusUpTo,
    webhook_list,
    webhook_text,
)

# the channel of each webhook object
OBJECT_CHANNELS = {"page": "messenger", "instagram": "instagram"}
MESSAGING_CHANNELS = frozenset(OBJECT_CHANNELS.values())
# what a person's profile is asked for, by channel
PROFILE_FIELDS = {"messenger": "first_name,last_name,profile_pic", "instagram": "name,username,profile_pic"}
HUMAN_AGENT_WINDOW = timedelta(days=7)
# attachments that are files, by the type Meta gives them
FILE_TYPES = {"image": "image/*", "video": "video/*", "audio": "audio/*", "file": "application/octet-stream"}
MAX_MESSAGING = 1000  # events of one entry: Meta batches at most 1000 updates


def attachment_type(mimetype):
    """Meta's attachment type of a file we send."""
    main = (mimetype or "").split("/")[0]
    return main if main in ("image", "audio", "video") else "file"


class MessengerProtocol:
    """The Messenger Platform's part of the Meta adapter (a mixin of it: the
    same app secret, signature, handshake, Graph URL and error codes)."""

    # ------------------------------------------------------------------
    # Webhooks
    # ------------------------------------------------------------------

    def _parse_messaging(self, payload, entry):
        """The events of an entry of a ``page`` or ``instagram`` webhook."""
        channel = OBJECT_CHANNELS[payload["object"]]
        account = webhook_text(entry["id"], "entry.id")
        items = webhook_list(entry.get("messaging") or [], "messaging", MAX_MESSAGING) + \
            webhook_list(entry.get("standby") or [], "standby", MAX_MESSAGING)
        events = []
        for item in items:
            events += self._messaging_events(channel, account, item)
        return events

    def _messaging_events(self, channel, account, item):
        """The events of one item of ``messaging[]``: a message (or its
        echo), a reaction, a postback, a read or a delivery; nothing for
        the others (opt-ins, referrals, handover notices)."""
        sender = webhook_text(item["sender"]["id"], "sender.id")
        timestamp = item["timestamp"] / 1000 if item.get("timestamp") else None
        if "message" in item:
            message = item["message"]
            if message.get("is_deleted"):
                return []
            body, media = self._messaging_content(message)
            if message.get("is_echo"):
                # the account wrote: the person is the recipient
                return [OutboundEcho(provider_message_id=message["mid"], channel=channel, account=account,
                                     to_address=webhook_text(item["recipient"]["id"], "recipient.id"),
                                     body=body, timestamp=timestamp)]
            return [InboundMessage(provider_message_id=message["mid"], channel=channel, from_address=sender,
                                   to_address=account, to_external_id=account, body=body, media=media,
                                   timestamp=timestamp)]
        if "postback" in item:
            postback = item["postback"]
            # a button the person tapped: its title is what they "said"
            mid = postback.get("mid") or f"postback:{sender}:{item['timestamp']}"
            return [InboundMessage(provider_message_id=mid, channel=channel, from_address=sender,
                                   to_address=account, to_external_id=account,
                                   body=postback.get("title") or postback.get("payload") or "", timestamp=timestamp)]
        if "reaction" in item:
            reaction = item["reaction"]
            emoji = (reaction.get("emoji") or "") if reaction.get("action", "react") == "react" else ""
            return [Reaction(provider_message_id=reaction["mid"], from_address=sender, emoji=emoji)]
        for key, status in (("read", "read"), ("delivery", "delivered")):
            if key in item:
                return self._receipts(channel, account, sender, status, item[key])
        return []

    @staticmethod
    def _receipts(channel, account, sender, status, receipt):
        """A read or delivery receipt: of the messages it names (Instagram,
        Messenger deliveries), else of all those up to its watermark."""
        mids = receipt.get("mids") or ([receipt["mid"]] if receipt.get("mid") else [])
        if mids:
            return [StatusUpdate(provider_message_id=mid, status=status)
                    for mid in webhook_list(mids, "mids")]
        if receipt.get("watermark"):
            return [StatusUpTo(channel=channel, account=account, address=sender, status=status,
                               watermark=receipt["watermark"] / 1000)]
        return []

    @staticmethod
    def _messaging_content(message):
        """``(body, media)`` of a message: its text, its files (fetched
        later, by URL), and a line of text for what is no file (a shared
        post, a story mention, a template)."""
        lines = [message["text"]] if message.get("text") else []
        media = []
        for attachment in webhook_list(message.get("attachments") or [], "attachments"):
            kind = webhook_text(attachment.get("type") or "", "attachment type")
            payload = attachment.get("payload") or {}
            url = webhook_text(payload.get("url") or "", "attachment url")
            if kind in FILE_TYPES and url:
                media.append({"ref": url, "mimetype": FILE_TYPES[kind], "filename": ""})
            else:
                title = webhook_text(payload.get("title") or attachment.get("title") or "", "attachment title")
                lines.append(" ".join(filter(None, [f"[{kind or 'attachment'}]", title, url])))
        if message.get("is_unsupported"):
            lines.append("[message not supported by Meta's API]")
        return "\n".join(lines), media

    # ------------------------------------------------------------------
    # Sending and profiles
    # ------------------------------------------------------------------

    @property
    def page_headers(self):
        token = self.settings.get("meta_page_access_token") or self.settings.get("meta_access_token")
        return {"Authorization": f"Bearer {token}"}

    def _send_messaging(self, message):
        """Send on Messenger or Instagram: the text, then each file, one
        request each; the first message id names the message."""
        base = {"recipient": {"id": message.to_address}}
        if message.outside_window:
            base.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
        else:
            base["messaging_type"] = "RESPONSE"
        contents = [{"text": message.body}] if message.body else []
        contents += [{"attachment": {"type": attachment_type(media.get("mimetype")),
                                     "payload": {"url": media["url"], "is_reusable": False}}}
                     for media in message.media]
        message_id = None
        for content in contents:
            answer = self.http_json("POST", self.graph_url("me/messages"), json=dict(base, message=content),
                                    headers=self.page_headers)
            if not message_id:
                message_id = answer.get("message_id") if isinstance(answer, dict) else None
                if not message_id:
                    raise ProviderError("Meta's answer has no message id.", retryable=True, maybe_sent=True)
        if not message_id:
            raise ProviderError("An empty message cannot be sent.")
        return SendResult(provider_message_id=message_id, status="sent")

    def fetch_profile(self, channel, address):
        if channel not in MESSAGING_CHANNELS:
            return super().fetch_profile(channel, address)
        if not address.isdigit() or len(address) > 40:
            raise ProviderError(f"Refused to fetch the profile of {address!r}: not a Meta id.")
        answer = self.http_json("GET", self.graph_url(address), headers=self.page_headers,
                                params={"fields": PROFILE_FIELDS[channel]})
        name = answer.get("name") or " ".join(filter(None, [answer.get("first_name"), answer.get("last_name")])) \
            or answer.get("username") or ""
        picture = answer.get("profile_pic") or ""
        return {"name": str(name), "picture": picture if isinstance(picture, str) else ""}

    def reply_window(self, channel):
        if channel.key in MESSAGING_CHANNELS and self.settings.get("meta_human_agent"):
            return max(channel.reply_window, HUMAN_AGENT_WINDOW)
        return super().reply_window(channel)
