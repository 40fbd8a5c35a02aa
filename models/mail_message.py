import logging
import mimetypes
import random
import time
from datetime import UTC, datetime, timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.addons.mail.tools.discuss import Store
from odoo.exceptions import UserError
from odoo.modules import module
from odoo.tools import SQL, html2plaintext
from odoo.tools.mimetypes import guess_mimetype

from .. import channels
from ..providers import INBOUND_EXTENSIONS, INBOUND_MAX_SIZE, OutboundMessage, ProviderError, SendResult
from ..providers.base import STATUS_RANK
from ..tools import transaction
from .inbox_conversation_send import CLOCK_SKEW
from .inbox_event import InboxEventWaiting
from .inbox_queue_mixin import Backoff

_logger = logging.getLogger(__name__)

# Retries of a retryable provider error: after 30 s, 1, 2, 4 minutes, then failed.
MAX_SEND_ATTEMPTS = 5
SEND_BACKOFF = Backoff(base=30, max_attempts=MAX_SEND_ATTEMPTS)
DISPATCH_BATCH = 50
# A message handed to its provider with no outcome recorded after this long
# (its worker died) is looked up at the provider, never sent blindly again.
IN_FLIGHT_TIMEOUT = timedelta(minutes=2)
# The provider took the request and gave no answer: when to ask it, and
# until when to keep asking while it cannot be reached.
LOOKUP_DELAY = timedelta(seconds=30)
LOOKUP_GIVE_UP = timedelta(hours=1)
# Transactions in which an outcome is recorded before giving up on it (the
# message then stays marked as being sent, for the lookup).
RECORD_ATTEMPTS = 5
# what the web client reads of an Inbox message (see _to_store_defaults)
INBOX_STORE_FIELDS = ("inbox_channel", "inbox_direction", "inbox_status", "inbox_error", "inbox_scheduled_date",
                      "inbox_card", "inbox_bot")


class MailMessage(models.Model):
    _name = "mail.message"
    _inherit = ["mail.message", "inbox.queue.mixin"]
    # the send queue (see inbox.queue.mixin), on the columns it always had
    _queue_cron = "unified_inbox.ir_cron_inbox_dispatch"
    _queue_cron_method = "_cron_inbox_dispatch"
    # a conversation's messages go out in one lane, in order
    _queue_lane_field = "res_id"
    _queue_state_field = "inbox_status"
    _queue_pending = "queued"
    _queue_due_field = "inbox_next_attempt"
    _queue_attempts_field = "inbox_attempts"
    _queue_error_field = "inbox_error"
    _queue_backoff = SEND_BACKOFF

    inbox_channel = fields.Selection(channels.selection(), index="btree_not_null")
    inbox_direction = fields.Selection([("inbound", "Inbound"), ("outbound", "Outbound")])
    inbox_status = fields.Selection([
        ("queued", "Queued"),
        ("sent", "Sent"),
        ("delivered", "Delivered"),
        ("read", "Read"),
        ("failed", "Failed"),
        ("canceled", "Canceled"),
        ("unknown", "Outcome Unknown"),
        ("received", "Received"),
    ], string="Delivery Status")
    inbox_sender_id = fields.Many2one("inbox.sender", string="Sender Account", ondelete="set null")
    inbox_provider_id = fields.Many2one("inbox.provider", string="Provider", ondelete="set null")
    inbox_provider_message_id = fields.Char("Provider Message ID")
    inbox_address = fields.Char("Customer Address", help="The number or address the message went to or came from.")
    inbox_error = fields.Char("Delivery Error")
    inbox_error_code = fields.Char("Provider Error Code")
    inbox_attempts = fields.Integer("Send Attempts")
    inbox_next_attempt = fields.Datetime("Next Send Attempt")
    inbox_send_started = fields.Datetime(
        "Being Sent Since", copy=False,
        help="Set while the message is in the hands of its provider and the outcome is not recorded yet.")
    inbox_scheduled_date = fields.Datetime("Scheduled For", help="When the author asked the message to go out.")
    inbox_card = fields.Json(
        "Activity Card", help="A card about a record of the person (kind, event, model, res_id, title); "
                              "never sent to anyone.")
    inbox_template = fields.Json("Approved Template", help="The approved WhatsApp template sent, as rendered.")
    inbox_bot = fields.Boolean("Bot's Reply", help="Written by the company's bot, not by a person of the team.")

    _inbox_provider_message_unique = models.UniqueIndex(
        "(inbox_provider_id, inbox_provider_message_id) WHERE inbox_provider_message_id IS NOT NULL")
    _inbox_queue_index = models.Index("(inbox_next_attempt) WHERE inbox_status = 'queued'")
    # the Inbox's search in message text
    _inbox_body_trigram_index = models.Index(
        lambda registry: registry.has_trigram and "USING gin (body gin_trgm_ops) WHERE model = 'inbox.conversation'")

    # ------------------------------------------------------------------
    # Web client
    # ------------------------------------------------------------------

    def _to_store_defaults(self, target):
        # only the Inbox's messages carry its fields: the messages of every
        # other chatter stay as Odoo sends them (the client reads a missing
        # field as empty). The predicate reads columns of mail_message that
        # are fetched with the message: no query of its own.
        return [
            *super()._to_store_defaults(target),
            *(Store.Attr(field_name, predicate=lambda message: message._inbox_is_inbox_message())
              for field_name in INBOX_STORE_FIELDS),
        ]

    def _inbox_is_inbox_message(self):
        """Whether the message is one of the Inbox (a conversation's, on a
        channel, or an activity card)."""
        self.ensure_one()
        return bool(self.model == "inbox.conversation" or self.inbox_channel or self.inbox_card)

    def inbox_card_exists(self):
        """Whether the record of an activity card is still there for its View
        to open (an archived one is); one deleted since says so instead of
        opening an empty form."""
        self.ensure_one()
        self.check_access("read")
        card = self.inbox_card or {}
        model, res_id = card.get("model"), card.get("res_id")
        if not isinstance(res_id, int) or isinstance(res_id, bool) or model not in self.env:
            return False
        return bool(self.env[model].browse(res_id).exists())

    # ------------------------------------------------------------------
    # Outbound queue
    # ------------------------------------------------------------------

    @api.model
    def _inbox_trigger_dispatch(self, at=None):
        """Wake the send queue's cron now, or at ``at`` (a message's
        scheduled date, as the client gives it)."""
        self._queue_trigger(at and fields.Datetime.to_datetime(at))

    @api.model
    def _inbox_claim_next(self, in_flight=False):
        """The next due queued message, locked for this transaction (see
        :meth:`_queue_claim`). One that no worker is sending, or with
        ``in_flight`` one handed to its provider whose outcome was not
        recorded in time (its worker died, the answer was lost)."""
        return self._queue_claim(1, SQL("%s IS %s NULL", self._queue_column("inbox_send_started"),
                                        SQL("NOT") if in_flight else SQL()))

    @api.model
    def _inbox_dispatch(self, limit=DISPATCH_BATCH):
        """Send up to ``limit`` due queued messages, one at a time, each in
        transactions of its own (see :meth:`_inbox_send_one`); returns them."""
        messages = self.browse()
        while len(messages) < limit and (message := self._inbox_claim_next()):
            message._inbox_send_one()
            messages |= message
        return messages

    @api.model
    def _cron_inbox_dispatch(self):
        self._inbox_resolve_in_flight()
        self._queue_run(self._inbox_dispatch)

    def _inbox_outbound_payload(self):
        self.ensure_one()
        sender = self.inbox_sender_id
        base_url = self.inbox_provider_id.get_base_url()
        media = []
        for attachment in self.attachment_ids:
            # providers fetch files by URL: a tokenized link, no session needed
            token = attachment.generate_access_token()[0]
            media.append({
                "name": attachment.name,
                "mimetype": attachment.mimetype,
                "url": f"{base_url}/web/content/{attachment.id}?access_token={token}&download=true",
                "content": attachment.raw,
            })
        text = html2plaintext(self.body or "").strip()
        conversation = self.env["inbox.conversation"].browse(self.res_id)
        threading = {}
        channel = channels.get(self.inbox_channel)
        if channel.identity == channels.EMAIL:
            # only email threads by headers: spare the lookups to other sends
            threading = {
                "references": conversation._inbox_email_references(self),
                "reply_to": conversation._notify_get_reply_to(default=sender.address)[conversation.id] or "",
            }
        return OutboundMessage(
            channel=self.inbox_channel,
            from_address=sender.address,
            to_address=self.inbox_address,
            body=str(self.body or "") if channel.rich_text else text,
            subject=self.subject or "",
            media=media,
            status_callback=self.inbox_provider_id.webhook_url,
            sender_external_id=sender.external_id or "",
            template=self.inbox_template or None,
            author_id=self.author_id.id or 0,
            call=channel.calls,
            agent_address=(channel.calls and self.inbox_call_user_id and self.inbox_call_user_id._inbox_phone()) or "",
            record=channel.calls and sender.call_recording,
            outside_window=bool(channel.reply_window) and not conversation._inbox_window_open(
                self.inbox_channel, sender, standard=True),
            from_name=sender.company_id.name or "",
            body_text=text,
            message_id=self.message_id or "",
            **threading,
        )

    def _inbox_send_one(self):
        """Hand one claimed message to its provider and record the outcome.

        The provider's side effect cannot be rolled back, so this takes
        three transactions: the message is marked as being sent (committed
        before the call: no other worker takes it, and a worker that dies
        leaves a mark to resolve, never a message to send again), then the
        provider is called with no transaction open, then its answer is
        recorded in a short transaction of its own, retried on a
        concurrency error. The provider's health comes after, apart."""
        self.ensure_one()
        call = self._inbox_prepare_send()
        if call and call[0].transactional:
            # the provider is this database: the message and its record of
            # it are written in one transaction, as one
            outcome = self._inbox_call(*call)
            self._inbox_apply_outcome(outcome)
            transaction.commit(self.env)
            return
        transaction.commit(self.env)
        if not call:
            return
        outcome = self._inbox_call(*call)
        self._inbox_record_outcome(outcome)
        self.inbox_provider_id._inbox_after_call(outcome)

    @staticmethod
    def _inbox_call(adapter, payload):
        """What the provider answered a send: its SendResult or ProviderError."""
        try:
            return adapter.send(payload)
        except ProviderError as error:
            return error

    def _inbox_prepare_send(self):
        """In the claim's transaction: check that the message may still go,
        mark it as being sent and return ``(adapter, payload)``, or None
        when it does not go now (failed with the reason, or postponed)."""
        self.ensure_one()
        provider = self.inbox_provider_id
        if not provider or not self.inbox_sender_id:
            self._queue_fail(self.env._("The sender account of this message no longer exists."))
            return None
        quiet_until = self._inbox_is_automated() and self.inbox_sender_id.company_id._inbox_quiet_until(
            fields.Datetime.now())
        if quiet_until:
            # not lost, not late by mistake: it goes when the quiet hours end
            self._queue_postpone(quiet_until)
            return None
        # what held when the message was written may not hold any more (a
        # scheduled or retried message): check again, fail with the reason
        reason = self._inbox_dispatch_block_reason()
        if reason:
            self._queue_fail(reason)
            return None
        payload = self._inbox_outbound_payload()
        now = fields.Datetime.now()
        # the attempt counts from the hand-over: the worker may die in it
        self._queue_count_attempt(
            inbox_send_started=now,
            # when a worker looks up what became of it, had it no answer by
            # then (the cron's next regular run)
            inbox_next_attempt=now + IN_FLIGHT_TIMEOUT,
        )
        return provider._inbox_adapter(self.inbox_sender_id), payload

    def _inbox_record_outcome(self, outcome):
        """Record what the provider answered (a SendResult or a
        ProviderError) in a transaction of its own. A concurrency error
        records it again afresh; the message is never sent again for it."""
        self.ensure_one()
        for attempt in range(1, RECORD_ATTEMPTS + 1):
            try:
                self._inbox_apply_outcome(outcome)
                transaction.commit(self.env)
                return
            except transaction.CONCURRENCY_ERRORS:
                if module.current_test or attempt == RECORD_ATTEMPTS:
                    raise
                _logger.info("Recording the outcome of message %s met a concurrent transaction", self.id)
                self.env.cr.rollback()
                time.sleep(random.uniform(0, 0.05 * 2 ** attempt))

    def _inbox_apply_outcome(self, outcome):
        self.ensure_one()
        self.invalidate_recordset()
        if self.inbox_status != "queued" or not self.inbox_send_started:
            return  # recorded already (a record retried after its commit went through)
        if isinstance(outcome, SendResult):
            self._inbox_record_sent(outcome)
        elif outcome.maybe_sent:
            # the request left and no answer came back: it may have been
            # sent. Never again blindly: look it up at the provider soon.
            self._queue_postpone(
                fields.Datetime.now() + LOOKUP_DELAY,
                inbox_error=self.env._("%s (checking with the provider whether it was sent)", outcome.reason),
                inbox_error_code=outcome.code or False,
            )
            self._inbox_bus_send()
        else:
            self._inbox_record_not_sent(outcome)

    def _inbox_record_sent(self, result):
        self.write({
            "inbox_provider_message_id": result.provider_message_id,
            "inbox_send_started": False,
            "inbox_error": False,
            "inbox_error_code": False,
        })
        self._inbox_set_status(result.status)
        self.env["inbox.event"]._inbox_schedule(self.inbox_provider_id, result.followups)

    def _inbox_record_not_sent(self, error):
        """The provider did not take the message: again later when it may
        take it then, else failed with the reason (the attempt was counted
        when the message was handed over)."""
        self.inbox_send_started = False
        retried = self._queue_attempt_failed(
            error.reason, retryable=error.retryable, inbox_error_code=error.code or False)
        retried._inbox_bus_send()

    # ------------------------------------------------------------------
    # Messages whose outcome is not known
    # ------------------------------------------------------------------

    @api.model
    def _inbox_resolve_in_flight(self, limit=DISPATCH_BATCH):
        """Find out what became of messages that may have been sent: the
        provider is asked where it can tell; what it took is recorded,
        what it never got is queued again, and what nobody can tell waits
        for a person (status "unknown", with Retry). Returns them."""
        messages = self.browse()
        while len(messages) < limit and (message := self._inbox_claim_next(in_flight=True)):
            message._inbox_resolve_one()
            transaction.commit(self.env)
            messages |= message
        return messages

    def _inbox_resolve_one(self):
        self.ensure_one()
        adapter = self.inbox_provider_id._inbox_adapter(self.inbox_sender_id)
        try:
            result = adapter.find_sent(self._inbox_outbound_payload(), self.inbox_send_started - CLOCK_SKEW)
        except ProviderError as error:
            if error.retryable and self.inbox_send_started > fields.Datetime.now() - LOOKUP_GIVE_UP:
                self._queue_postpone(fields.Datetime.now() + LOOKUP_DELAY)
                return
            self.inbox_send_started = False
            self._inbox_set_status("unknown", inbox_error=self.env._(
                "%(provider)s did not say whether it sent this message, and cannot be asked (%(reason)s). "
                "It may have reached the person: check before you send it again.",
                provider=self.inbox_provider_id.name, reason=error.reason), inbox_error_code="outcome_unknown")
            return
        if result:
            self._inbox_record_sent(result)
        else:
            self._inbox_record_not_sent(ProviderError(
                self.env._("%s never received the message.", self.inbox_provider_id.name), retryable=True))

    def _inbox_is_automated(self):
        """Whether the message goes without somebody pressing Send now (a
        scheduled one): such messages wait for the end of quiet hours."""
        self.ensure_one()
        return bool(self.inbox_scheduled_date)

    def _inbox_dispatch_block_reason(self):
        """Why this message may not go out now, or False. A provider that is
        down is still tried: the attempt is its health check, and a failed
        one takes the retry path."""
        self.ensure_one()
        provider = self.inbox_provider_id
        if provider.state == "not_configured":
            return self.env._("%(provider)s is not ready: %(reason)s", provider=provider.name,
                              reason=provider.state_reason)
        conversation = self.env["inbox.conversation"].browse(self.res_id)
        return conversation._inbox_recipient_reason(
            self.inbox_channel, self.inbox_sender_id, approved_template=bool(self.inbox_template))

    def _queue_fail(self, reason, **values):
        # through the delivery status: it only moves forward (a message
        # delivered meanwhile is not failed by a late attempt)
        for message in self:
            message._inbox_set_status("failed", **{"inbox_error_code": False, **values, "inbox_error": reason})

    # ------------------------------------------------------------------
    # Status
    # ------------------------------------------------------------------

    def _inbox_set_status(self, status, **values):
        """Move the delivery status forward, with ``values`` to write along;
        never backward, never out of a terminal state. Returns whether it
        changed."""
        self.ensure_one()
        current = self.inbox_status
        if current not in STATUS_RANK or status not in STATUS_RANK:
            return False
        if STATUS_RANK[current] >= STATUS_RANK[status]:
            return False
        if status == "failed" and STATUS_RANK[current] >= STATUS_RANK["delivered"]:
            # a late failure report does not undo a delivery
            return False
        self.write(dict(values, inbox_status=status))
        if current == "queued" and status in ("sent", "delivered", "read") and self.inbox_scheduled_date:
            # a scheduled message is the last one once it has gone
            self._inbox_conversations()._inbox_refresh_preview()
        self._inbox_bus_send()
        return True

    def _inbox_bus_send(self, extra_fields=()):
        for message in self.filtered(lambda m: m.model == "inbox.conversation"):
            self.env["inbox.conversation"].browse(message.res_id).sudo()._inbox_bus_send(message, extra_fields)

    @api.model
    def _inbox_apply_status(self, provider, event):
        """Apply a provider's status report, whatever order they come in."""
        self.flush_model(["inbox_provider_id", "inbox_provider_message_id", "inbox_status"])
        self.env.cr.execute("""
            SELECT id FROM mail_message
             WHERE inbox_provider_id = %s AND inbox_provider_message_id = %s
               FOR UPDATE
        """, [provider.id, event.provider_message_id])
        row = self.env.cr.fetchone()
        if not row:
            # the provider may report before the send's answer is recorded
            # (its callback overtook our commit): the report waits for it
            raise InboxEventWaiting(
                self.env._("No message with the provider's id %s (yet).", event.provider_message_id),
                event.provider_message_id)
        message = self.sudo().browse(row[0])
        message.invalidate_recordset()
        values = {}
        if event.status == "failed":
            values = {
                "inbox_error": event.error_reason or self.env._("The provider could not deliver the message."),
                "inbox_error_code": event.error_code or False,
            }
        message._inbox_set_status(event.status, **values)
        return message

    @api.model
    def _inbox_apply_watermark(self, provider, event):
        """Every message the account sent the person up to the watermark
        reached the event's status (those already past it stay)."""
        sender = self.env["inbox.sender"].sudo()._inbox_account(provider, event.channel, event.account, event.account)
        below = [status for status, rank in STATUS_RANK.items() if 1 <= rank < STATUS_RANK[event.status]]
        messages = self.sudo().search([
            ("inbox_provider_id", "=", provider.id), ("inbox_sender_id", "=", sender.id),
            ("inbox_address", "=", event.address), ("inbox_direction", "=", "outbound"),
            ("inbox_status", "in", below), ("date", "<=", datetime.fromtimestamp(event.watermark, UTC).replace(
                tzinfo=None)),
        ], order="id")
        for message in messages:
            message._inbox_set_status(event.status)
        return messages

    @api.model
    def _inbox_find(self, provider, provider_message_id):
        return self.sudo().search([
            ("inbox_provider_id", "=", provider.id), ("inbox_provider_message_id", "=", provider_message_id),
        ], limit=1)

    @api.model
    def _inbox_apply_reaction(self, provider, event):
        """The customer reacted to one of the conversation's messages."""
        message = self._inbox_find(provider, event.provider_message_id)
        if not message or message.model != "inbox.conversation":
            return
        partner = self.env["inbox.conversation"].browse(message.res_id).partner_id
        Reaction = self.env["mail.message.reaction"].sudo()
        Reaction.search([("message_id", "=", message.id), ("partner_id", "=", partner.id)]).unlink()
        if event.emoji:
            Reaction.create({"message_id": message.id, "partner_id": partner.id, "content": event.emoji})

    @api.model
    def _inbox_attach_media(self, provider, event):
        """Download the files of an inbound message and attach them; a file
        that is refused leaves a note on the message. A retryable provider
        error propagates so that the deferred event is tried again."""
        message = self._inbox_find(provider, event.provider_message_id)
        if not message:
            return
        adapter = provider._inbox_adapter()
        message = message.with_context(attachments_mime_plainxml=True)
        refused = []
        for media in event.media:
            try:
                content, claimed_type = adapter.download_media(media["ref"])
            except ProviderError as error:
                if error.retryable:
                    raise
                refused.append(error.reason)
                continue
            # a file must be of a type the Inbox takes by what it says it is
            # (its name, or the type the provider gives), and is stored as
            # what its bytes are: what it says is never trusted for that
            claimed_type = claimed_type or media.get("mimetype") or "application/octet-stream"
            extension = (mimetypes.guess_extension(claimed_type) or "").lstrip(".")
            name = media.get("filename") or f"{claimed_type.split('/')[0]}.{extension or 'bin'}"
            mimetype = guess_mimetype(content, default="application/octet-stream")
            if name.rsplit(".", 1)[-1].lower() not in INBOUND_EXTENSIONS:
                refused.append(self.env._("%s: this type of file is not accepted.", name))
            elif len(content) > INBOUND_MAX_SIZE:
                refused.append(
                    self.env._("%(name)s is larger than %(size)s MB.", name=name, size=INBOUND_MAX_SIZE >> 20))
            else:
                # as for any upload by somebody who may not write views:
                # active content (HTML, SVG, XML) is kept as plain text, never
                # served as a page of ours
                message.attachment_ids = [fields.Command.create({
                    "name": name, "raw": content, "mimetype": mimetype,
                    "res_model": message.model, "res_id": message.res_id,
                })]
        if refused:
            note = Markup("<p><em>%s</em></p>") % self.env._("A file was not kept: %s", "; ".join(refused))
            message.body = (message.body or Markup()) + note

    # ------------------------------------------------------------------
    # User actions
    # ------------------------------------------------------------------

    def _inbox_check_thread_access(self):
        for message in self:
            if message.model != "inbox.conversation" or message.inbox_direction != "outbound":
                raise UserError(self.env._("Only outbound Inbox messages can be canceled or resent."))
            self.env["inbox.conversation"].browse(message.res_id).check_access("write")

    def _inbox_lock_queued(self):
        """Lock this queued message against the dispatch queue: refused
        while a worker sends it."""
        self.ensure_one()
        self.flush_recordset(["inbox_status", "inbox_send_started"])
        self.env.cr.execute("""
            SELECT inbox_status, inbox_send_started FROM mail_message WHERE id = %s FOR UPDATE SKIP LOCKED
        """, [self.id])
        row = self.env.cr.fetchone()
        if not row or row[1]:
            raise UserError(
                self.env._("This message is being sent right now: it can no longer be changed or canceled."))
        if row[0] != "queued":
            raise UserError(self.env._("Only a queued message can be changed or canceled."))
        self.invalidate_recordset(["inbox_status"])

    def action_inbox_cancel(self):
        """Cancel queued messages that no worker is sending right now."""
        self._inbox_check_thread_access()
        for message in self.sudo():
            message._inbox_lock_queued()
            message.inbox_status = "canceled"
            message._inbox_bus_send()
        self._inbox_conversations()._inbox_refresh_preview()
        return True

    def _inbox_conversations(self):
        return self.env["inbox.conversation"].sudo().browse(
            {message.res_id for message in self.sudo() if message.model == "inbox.conversation"}).exists()

    def action_inbox_reschedule(self, scheduled_date, body=None):
        """Change when a scheduled message goes, and for SMS and WhatsApp its
        text, until a worker takes it. The channel's rules on content hold
        as when it was written."""
        self.ensure_one()
        self._inbox_check_thread_access()
        message = self.sudo()
        if not message.inbox_scheduled_date:
            raise UserError(self.env._("Only a scheduled message can be rescheduled."))
        message._inbox_lock_queued()
        when = fields.Datetime.to_datetime(scheduled_date)
        if not when or when < fields.Datetime.now() - CLOCK_SKEW:
            raise UserError(self.env._("A message cannot be scheduled in the past."))
        values = {"inbox_scheduled_date": when, "inbox_next_attempt": when}
        if body is not None and html2plaintext(message.body or "").strip() != body.strip():
            if channels.get(message.inbox_channel).rich_text or message.inbox_template:
                raise UserError(self.env._("Only the text of a scheduled plain-text message (SMS, WhatsApp) can be "
                                  "changed here."))
            conversation = self.env["inbox.conversation"].browse(message.res_id)
            values["body"] = conversation._inbox_check_content(
                message.inbox_channel, body, message.subject, bool(message.attachment_ids))
        message.write(values)
        message._inbox_bus_send(extra_fields=("body", "inbox_scheduled_date"))
        self._inbox_trigger_dispatch(when)
        return True

    def action_inbox_retry(self):
        """Queue failed messages again, after the channel rules are checked anew."""
        self._inbox_check_thread_access()
        messages = self.sudo()
        for message in messages:
            if message.inbox_status not in ("failed", "unknown"):
                raise UserError(
                    self.env._("Only a failed message, or one whose outcome is unknown, can be sent again."))
            conversation = self.env["inbox.conversation"].browse(message.res_id)
            reason = conversation._inbox_unavailable_reason(
                message.inbox_channel, message.inbox_sender_id, approved_template=bool(message.inbox_template))
            if reason:
                raise UserError(reason)
        messages._queue_retry(inbox_error_code=False)
        messages._inbox_bus_send()
        return True
