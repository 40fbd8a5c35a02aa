"""Receiving: an inbound message stored once, on the right person's conversation."""

from psycopg2 import IntegrityError

from odoo import api, models
from odoo.fields import Domain
from odoo.tools import plaintext2html
from odoo.tools.mail import email_normalize, email_normalize_all, email_split_tuples

from .. import channels
from ..providers import InboundMessage, MediaFetch, OutboundEcho, ProfileFetch
from .inbox_event import InboxEventWaiting


class InboxConversation(models.Model):
    _inherit = "inbox.conversation"  # one file per concern; pylint: disable=consider-merging-classes-inherited

    @api.model
    def _inbox_receive(self, provider, event: InboundMessage, sender=None):
        """Store an inbound message exactly once, on the right person's
        conversation (``sender``: its sender account, when the webhook found
        it already). Returns the new message, or an empty recordset when
        the provider had already delivered it."""
        try:
            with self.env.cr.savepoint():
                return self._inbox_receive_many([(provider, event, sender)])
        except IntegrityError as error:
            if error.pgcode == "23505" and "inbox_provider_message" in str(error):
                # the same message was stored by a concurrent request
                return self.env["mail.message"].sudo()
            raise

    @api.model
    def _inbox_receive_many(self, items):
        """Store inbound messages (``items``: ``(provider, event, sender
        account or None)``), in order, each exactly once, on the right
        person's conversation, their messages created together. Returns the
        new messages (none for one the provider had delivered already). The
        first that cannot be stored raises: the caller rolls back and stores
        them one by one (see inbox.event._inbox_process_due)."""
        Message = self.env["mail.message"].sudo()
        Sender = self.env["inbox.sender"].sudo()
        stored = {(message.inbox_provider_id.id, message.inbox_provider_message_id) for message in Message.search_fetch(
            [("inbox_provider_id", "in", [provider.id for provider, _event, _sender in items]),
             ("inbox_provider_message_id", "in", [event.provider_message_id for _provider, event, _sender in items])],
            ["inbox_provider_id", "inbox_provider_message_id"])}
        received = []
        for provider, event, known_sender in items:
            if known_sender:
                sender, from_address = known_sender, Sender._inbox_inbound_address(event)
            else:
                sender, from_address = Sender._inbox_for_inbound(provider, event)
            if (provider.id, event.provider_message_id) in stored:
                continue
            stored.add((provider.id, event.provider_message_id))
            partner = self.env["res.partner"].sudo()._inbox_find_or_create(
                channels.get(event.channel).identity, from_address, event.profile_name, sender.company_id,
                provider=provider, seen=True, channel=event.channel)
            conversation = self.sudo()._inbox_route(partner, sender)
            received.append((provider, event, sender, from_address, partner, conversation))
        messages = self.sudo()._inbox_message_create([
            conversation._inbox_inbound_values(sender, event, from_address)
            for _provider, event, sender, from_address, _partner, conversation in received])
        for (provider, event, sender, from_address, partner, conversation), message in zip(
                received, messages, strict=True):
            conversation._inbox_after_inbound(message, sender)
            if event.keyword:
                partner._inbox_apply_keyword(event.keyword, from_address)
            later = [MediaFetch(event.provider_message_id, event.media)] if event.media else []
            if partner.name == from_address and channels.get(event.channel).identity == channels.SCOPED:
                # known by an id only: their name is asked of the provider, once
                later.append(ProfileFetch(event.channel, from_address))
            self.env["inbox.event"]._inbox_schedule(provider, [(0, item) for item in later])
        return messages

    @api.model
    def _inbox_read_ahead(self, items):
        """Read, for all the inbound messages ``items`` (``(provider, event)``
        of a batch) at once, what receiving each one reads of their people
        and conversations: the batch's events are then applied from the
        ORM's cache, not each with queries of its own. Nothing is decided
        here: an event this cannot read (no valid address) is left to its
        own application, which says why."""
        Sender = self.env["inbox.sender"].sudo()
        known = set(channels.keys())
        domains = []
        for provider, event in items:
            if event.channel not in known:
                continue
            identity = channels.get(event.channel).identity
            address = Sender._inbox_normalize_address(event.channel, event.from_address, raise_exception=False)
            if address:
                domains.append([("kind", "=", identity), ("address", "=", address),
                                ("provider_id", "=", provider.id if identity == channels.SCOPED else False)])
        if not domains:
            return
        partners = self.env["inbox.identity"].sudo().search(Domain.OR(domains)).partner_id
        partners.mapped("active")  # one query for all: the rest of what a message reads of its person comes along
        self.sudo().search([("partner_id", "in", partners.ids)])._inbox_read_ahead_conversations()

    def _inbox_read_ahead_conversations(self):
        """Read what receiving a message reads of these conversations (those
        of a batch's people), for all at once."""
        self.mapped("state")

    @api.model
    def _inbox_receive_echo(self, provider, event: OutboundEcho):
        """A message the account sent, as the provider reports it back:
        one of ours is recorded already (or is about to be: the echo waits
        for its id), one written in another tool of the provider's is kept
        once, as outbound, in the person's conversation."""
        Message = self.env["mail.message"].sudo()
        if Message._inbox_find(provider, event.provider_message_id):
            return Message
        sender = self.env["inbox.sender"].sudo()._inbox_account(provider, event.channel, event.account, event.account)
        address = sender._inbox_normalize_address(event.channel, event.to_address, raise_exception=False)
        if not address:
            raise ValueError(f"Invalid recipient {event.to_address}.")
        if Message.search_count([
            ("inbox_provider_id", "=", provider.id), ("inbox_address", "=", address),
            ("inbox_status", "=", "queued"), ("inbox_send_started", "!=", False),
        ], limit=1):
            raise InboxEventWaiting(
                self.env._("A message to %s is being sent: its echo waits for its id.", address),
                event.provider_message_id)
        partner = self.env["res.partner"].sudo()._inbox_find_or_create(
            channels.get(event.channel).identity, address, "", sender.company_id, provider=provider,
            channel=event.channel)
        conversation = self.sudo()._inbox_route(partner, sender)
        return conversation._inbox_post_sent_elsewhere(
            sender, event.channel, event.provider_message_id, address, event.body, sender.company_id.partner_id)

    def _inbox_post_sent_elsewhere(self, sender, channel, provider_message_id, address, text, author,
                                   status="sent"):
        """Keep a message written to the person outside the Inbox (in the
        provider's own tool, in Discuss) as an outbound message of the
        conversation, already gone: shown, never sent again."""
        self.ensure_one()
        message = self._inbox_message_create([{
            "model": self._name,
            "res_id": self.id,
            "body": plaintext2html(text or ""),
            "author_id": author.id,
            "message_type": "comment",
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("unified_inbox.mt_inbox_message"),
            "record_company_id": self.company_id.id,
            "inbox_channel": channel,
            "inbox_direction": "outbound",
            "inbox_status": status,
            "inbox_sender_id": sender.id,
            "inbox_provider_id": sender.provider_id.id,
            "inbox_provider_message_id": provider_message_id,
            "inbox_address": address,
        }])
        self._inbox_touch(message, {"last_sender_id": sender.id})
        return message

    @api.model
    def _inbox_route(self, partner, sender, company=None):
        """The conversation an inbound message of ``partner`` to ``sender``
        belongs to: their open one (the one with this sender if several),
        else their latest one (reopened by the message), else a new one."""
        company = sender.company_id or company or self.env.company
        self._inbox_lock_person(partner.id, company.id)
        conversations = self.search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)],
            order="last_message_date desc nulls last, id desc")
        open_ones = conversations.filtered(lambda c: c.state == "open")
        conversation = (open_ones.filtered(lambda c: c.last_sender_id == sender)[:1]
                        or open_ones[:1] or conversations[:1])
        if conversation:
            return conversation
        conversation = self.with_context(mail_create_nosubscribe=True).create({
            "partner_id": partner.id,
            "company_id": company.id,
            "team_id": sender.team_ids[:1].id,
        })
        self.env["inbox.assignment.rule"].sudo()._inbox_assign(conversation, sender)
        return conversation

    def _inbox_inbound_values(self, sender, event, from_address):
        """The message of the person's ``event``, in this conversation: the
        thin path of message_post. A message from the person notifies nobody
        (see _notify_thread) and needs no reply-to, parent or author lookup,
        and every webhook pays for those."""
        self.ensure_one()
        rich_text = channels.get(event.channel).rich_text
        return {
            "model": self._name,
            "res_id": self.id,
            "body": self._inbox_html(event.body) if rich_text else plaintext2html(event.body or ""),
            "subject": event.subject or False,
            "author_id": self.partner_id.id,
            "email_from": self.partner_id.email_formatted or False,
            "reply_to": self.partner_id.email_formatted or False,
            "message_type": "comment",
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("unified_inbox.mt_inbox_message"),
            "record_company_id": self.company_id.id,
            "inbox_channel": event.channel,
            "inbox_direction": "inbound",
            "inbox_status": "received",
            "inbox_sender_id": sender.id,
            "inbox_provider_id": sender.provider_id.id,
            "inbox_provider_message_id": event.provider_message_id,
            "inbox_address": from_address,
        }

    def _inbox_after_inbound(self, message, sender):
        """The person wrote: unread, reopened (and a reply window opened)."""
        values = {"last_inbound_message_id": message.id, "last_inbound_date": message.date}
        if sender:
            values["last_sender_id"] = sender.id
        if self.state != "open":
            values["state"] = "open"
        self._inbox_touch(message, values)

    # ------------------------------------------------------------------
    # Email in, through Odoo's mail gateway
    # ------------------------------------------------------------------

    @api.model
    def _inbox_receive_email(self, provider, event):
        """An email posted by an inbound email service: Odoo's gateway routes
        it (a reply by In-Reply-To/References to its conversation, a new one
        through :meth:`message_new`) and drops a Message-Id it already has."""
        self.env["mail.thread"].sudo().message_process(self._name, event.mime)

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A new email: the sender's conversation, found or created, never a
        second person."""
        email = email_normalize(msg_dict.get("email_from") or "")
        if not email:
            raise ValueError("An email without a valid sender address.")
        recipients = email_normalize_all(",".join(filter(None, [msg_dict.get("to"), msg_dict.get("cc")])))
        Sender = self.env["inbox.sender"].sudo()
        sender = Sender.search([("channel", "=", "email"), ("address", "in", recipients)], limit=1) \
            or Sender.search([("channel", "=", "email"), ("company_id", "=", self.env.company.id)], limit=1)
        company = sender.company_id or self.env.company
        name = (email_split_tuples(msg_dict.get("email_from") or "") or [("", "")])[0][0]
        partner = self.env["res.partner"].sudo()._inbox_find_or_create(channels.EMAIL, email, name, company, seen=True)
        return self.sudo()._inbox_route(partner, sender, company)
