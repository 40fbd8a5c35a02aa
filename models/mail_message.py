import logging
import mimetypes
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.modules import module
from odoo.tools import html2plaintext

from ..providers import INBOUND_EXTENSIONS, INBOUND_MAX_SIZE, OutboundMessage, ProviderError
from ..providers.base import STATUS_RANK
from .inbox_conversation import CLOCK_SKEW, INBOX_CHANNELS

_logger = logging.getLogger(__name__)

# Retries of a retryable provider error: after 30 s, 1, 2, 4 minutes, then failed.
MAX_SEND_ATTEMPTS = 5
RETRY_BASE_DELAY = 30
DISPATCH_BATCH = 50


class MailMessage(models.Model):
    _inherit = "mail.message"

    inbox_channel = fields.Selection(INBOX_CHANNELS, string="Inbox Channel", index="btree_not_null")
    inbox_direction = fields.Selection([("inbound", "Inbound"), ("outbound", "Outbound")])
    inbox_status = fields.Selection([
        ("queued", "Queued"),
        ("sent", "Sent"),
        ("delivered", "Delivered"),
        ("read", "Read"),
        ("failed", "Failed"),
        ("canceled", "Canceled"),
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
    inbox_scheduled_date = fields.Datetime("Scheduled For", help="When the author asked the message to go out.")
    inbox_card = fields.Json(
        "Activity Card", help="A card about a record of the person (kind, event, model, res_id, title); "
                              "never sent to anyone.")
    inbox_template = fields.Json("Approved Template", help="The approved WhatsApp template sent, as rendered.")

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
        return [
            *super()._to_store_defaults(target),
            "inbox_channel", "inbox_direction", "inbox_status", "inbox_error", "inbox_scheduled_date",
            "inbox_card",
        ]

    # ------------------------------------------------------------------
    # Outbound queue
    # ------------------------------------------------------------------

    @api.model
    def _inbox_trigger_dispatch(self, at=None):
        self.env.ref("unified_inbox.ir_cron_inbox_dispatch")._trigger(at=at and fields.Datetime.to_datetime(at))

    @api.model
    def _inbox_claim_queued(self, limit=DISPATCH_BATCH):
        """Due queued messages, locked for this transaction; rows another
        worker holds are skipped, so any number of workers share the queue."""
        self.flush_model(["inbox_status", "inbox_next_attempt"])
        self.env.cr.execute("""
            SELECT id FROM mail_message
             WHERE inbox_status = 'queued' AND inbox_next_attempt <= %s
          ORDER BY inbox_next_attempt, id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
        """, [fields.Datetime.now(), limit])
        return self.sudo().browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _inbox_dispatch(self, limit=DISPATCH_BATCH):
        """Send a batch of due queued messages; returns them."""
        messages = self._inbox_claim_queued(limit)
        for message in messages:
            message._inbox_send_one()
        return messages

    @api.model
    def _cron_inbox_dispatch(self):
        while messages := self._inbox_dispatch():
            if not module.current_test:
                self.env["ir.cron"]._commit_progress(len(messages))

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
        if self.inbox_channel == "email":
            # only email threads by headers: spare the lookups to SMS and WhatsApp sends
            threading = {
                "references": conversation._inbox_email_references(self),
                "reply_to": conversation._notify_get_reply_to(default=sender.address)[conversation.id] or "",
            }
        return OutboundMessage(
            channel=self.inbox_channel,
            from_address=sender.address,
            to_address=self.inbox_address,
            body=str(self.body or "") if self.inbox_channel == "email" else text,
            subject=self.subject or "",
            media=media,
            status_callback=self.inbox_provider_id.webhook_url,
            sender_external_id=sender.external_id or "",
            template=self.inbox_template or None,
            from_name=sender.company_id.name or "",
            body_text=text,
            message_id=self.message_id or "",
            **threading,
        )

    def _inbox_send_one(self):
        """Hand one claimed message to its provider and record the outcome."""
        self.ensure_one()
        provider = self.inbox_provider_id
        if not provider or not self.inbox_sender_id:
            self._inbox_fail(_("The sender account of this message no longer exists."))
            return
        quiet_until = self._inbox_is_automated() and self.inbox_sender_id.company_id._inbox_quiet_until(
            fields.Datetime.now())
        if quiet_until:
            # not lost, not late by mistake: it goes when the quiet hours end
            self.inbox_next_attempt = quiet_until
            self._inbox_trigger_dispatch(quiet_until)
            return
        # what held when the message was written may not hold any more (a
        # scheduled or retried message): check again, fail with the reason
        reason = self._inbox_dispatch_block_reason()
        if reason:
            self._inbox_fail(reason)
            return
        attempts = self.inbox_attempts + 1
        try:
            result = provider._inbox_adapter(self.inbox_sender_id).send(self._inbox_outbound_payload())
        except ProviderError as error:
            if error.recipient_error:
                provider._inbox_record_success()
            else:
                provider._inbox_record_failure(error.reason)
            if error.retryable and attempts < MAX_SEND_ATTEMPTS:
                next_attempt = fields.Datetime.now() + timedelta(seconds=RETRY_BASE_DELAY * 2 ** (attempts - 1))
                self.write({
                    "inbox_attempts": attempts,
                    "inbox_next_attempt": next_attempt,
                    "inbox_error": _("%s (retrying)", error.reason),
                    "inbox_error_code": error.code or False,
                })
                self._inbox_bus_send()
                self._inbox_trigger_dispatch(next_attempt)
            else:
                self.inbox_attempts = attempts
                self._inbox_fail(error.reason, error.code)
            return
        provider._inbox_record_success()
        self.write({
            "inbox_attempts": attempts,
            "inbox_provider_message_id": result.provider_message_id,
            "inbox_error": False,
            "inbox_error_code": False,
        })
        self._inbox_set_status(result.status)
        provider._inbox_schedule_events(result.followups)

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
            return _("%(provider)s is not ready: %(reason)s", provider=provider.name, reason=provider.state_reason)
        conversation = self.env["inbox.conversation"].browse(self.res_id)
        return conversation._inbox_recipient_reason(
            self.inbox_channel, self.inbox_sender_id, approved_template=bool(self.inbox_template))

    def _inbox_fail(self, reason, code=None):
        self._inbox_set_status("failed", inbox_error=reason, inbox_error_code=code or False)

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
            # a status for a message we did not send (or not yet recorded)
            _logger.info("Status %s for unknown message %s", event.status, event.provider_message_id)
            return self.browse()
        message = self.sudo().browse(row[0])
        message.invalidate_recordset()
        values = {}
        if event.status == "failed":
            values = {
                "inbox_error": event.error_reason or _("The provider could not deliver the message."),
                "inbox_error_code": event.error_code or False,
            }
        message._inbox_set_status(event.status, **values)
        return message

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
        refused = []
        for media in event.media:
            try:
                content, mimetype = adapter.download_media(media["ref"])
            except ProviderError as error:
                if error.retryable:
                    raise
                refused.append(error.reason)
                continue
            mimetype = mimetype or media.get("mimetype") or "application/octet-stream"
            extension = (mimetypes.guess_extension(mimetype) or "").lstrip(".")
            name = media.get("filename") or f"{mimetype.split('/')[0]}.{extension or 'bin'}"
            if name.rsplit(".", 1)[-1].lower() not in INBOUND_EXTENSIONS:
                refused.append(_("%s: this type of file is not accepted.", name))
            elif len(content) > INBOUND_MAX_SIZE:
                refused.append(_("%(name)s is larger than %(size)s MB.", name=name, size=INBOUND_MAX_SIZE >> 20))
            else:
                message.attachment_ids = [fields.Command.create({
                    "name": name, "raw": content, "mimetype": mimetype,
                    "res_model": message.model, "res_id": message.res_id,
                })]
        if refused:
            note = Markup("<p><em>%s</em></p>") % _("A file was not kept: %s", "; ".join(refused))
            message.body = (message.body or Markup()) + note

    # ------------------------------------------------------------------
    # User actions
    # ------------------------------------------------------------------

    def _inbox_check_thread_access(self):
        for message in self:
            if message.model != "inbox.conversation" or message.inbox_direction != "outbound":
                raise UserError(_("Only outbound Inbox messages can be canceled or resent."))
            self.env["inbox.conversation"].browse(message.res_id).check_access("write")

    def _inbox_lock_queued(self):
        """Lock this queued message against the dispatch queue: refused
        while a worker sends it."""
        self.ensure_one()
        self.flush_recordset(["inbox_status"])
        self.env.cr.execute("SELECT inbox_status FROM mail_message WHERE id = %s FOR UPDATE SKIP LOCKED", [self.id])
        row = self.env.cr.fetchone()
        if not row:
            raise UserError(_("This message is being sent right now: it can no longer be changed or canceled."))
        if row[0] != "queued":
            raise UserError(_("Only a queued message can be changed or canceled."))
        self.invalidate_recordset(["inbox_status"])

    def action_inbox_cancel(self):
        """Cancel queued messages that no worker is sending right now."""
        self._inbox_check_thread_access()
        for message in self.sudo():
            message._inbox_lock_queued()
            message.inbox_status = "canceled"
            message._inbox_bus_send()
        return True

    def action_inbox_reschedule(self, scheduled_date, body=None):
        """Change when a scheduled message goes, and for SMS and WhatsApp its
        text, until a worker takes it. The channel's rules on content hold
        as when it was written."""
        self.ensure_one()
        self._inbox_check_thread_access()
        message = self.sudo()
        if not message.inbox_scheduled_date:
            raise UserError(_("Only a scheduled message can be rescheduled."))
        message._inbox_lock_queued()
        when = fields.Datetime.to_datetime(scheduled_date)
        if not when or when < fields.Datetime.now() - CLOCK_SKEW:
            raise UserError(_("A message cannot be scheduled in the past."))
        values = {"inbox_scheduled_date": when, "inbox_next_attempt": when}
        if body is not None and html2plaintext(message.body or "").strip() != body.strip():
            if message.inbox_channel not in ("sms", "whatsapp") or message.inbox_template:
                raise UserError(_("Only the text of a scheduled SMS or WhatsApp message can be changed here."))
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
        for message in self.sudo():
            if message.inbox_status != "failed":
                raise UserError(_("Only a failed message can be sent again."))
            conversation = self.env["inbox.conversation"].browse(message.res_id)
            reason = conversation._inbox_unavailable_reason(
                message.inbox_channel, message.inbox_sender_id, approved_template=bool(message.inbox_template))
            if reason:
                raise UserError(reason)
            message.write({
                "inbox_status": "queued",
                "inbox_attempts": 0,
                "inbox_error": False,
                "inbox_error_code": False,
                "inbox_next_attempt": fields.Datetime.now(),
            })
            message._inbox_bus_send()
        self._inbox_trigger_dispatch()
        return True
