import contextlib
import json
import logging
import zlib
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..providers import event_from_dict, event_to_dict
from ..providers.base import MALFORMED
from ..tools.transaction import CONCURRENCY_ERRORS
from .inbox_queue_mixin import Backoff

_logger = logging.getLogger(__name__)

# an event that failed: tried again after 1, 2, 4, 8 minutes, then failed
RETRY_BACKOFF = Backoff(base=60, max_attempts=5)
# another transaction working on the same person at the same time: the
# event is tried again at once, in a transaction that sees what it did
CONCURRENT_BACKOFF = Backoff(base=0, max_attempts=20)
# an event that waits for something not recorded yet (a delivery receipt
# that overtook the send's answer): tried again after 2, 4, 8… seconds, at
# most a minute apart, about a quarter of an hour in all; then it is kept
# as failed, with its reason, where an administrator sees it
MAX_WAIT_ATTEMPTS = 20
WAIT_BACKOFF = Backoff(base=2, cap=60, max_attempts=MAX_WAIT_ATTEMPTS)


class InboxEventWaiting(Exception):
    """The event cannot be applied yet: what it is about (``key``, e.g. the
    provider's id of a message) is not recorded yet. It is tried again
    shortly, for a bounded time, or as soon as ``key`` is recorded (see
    :meth:`InboxEvent._inbox_wake`)."""

    def __init__(self, reason, key):
        super().__init__(reason)
        self.key = key


# events applied per transaction: the locks on their people are held until it
# ends (a third of a second for 50 messages on a 2-core machine), and the
# readers get them in one push
BATCH_SIZE = 50


class InboxEvent(models.Model):
    """A provider event to apply: every event a webhook brings (the webhook
    only verifies and keeps them, so the provider is answered at once and a
    burst waits here rather than in front of the HTTP workers), the events a
    provider announces (the sandbox's delivery receipts), and work deferred
    out of the application of another event (file downloads). Applied by a
    cron, in order, through the same path, so nothing received is lost."""

    _name = "inbox.event"
    _inherit = ["inbox.queue.mixin"]
    _description = "Inbox Provider Event"
    _order = "process_after, id"
    # the queue's columns are the mixin's defaults
    _queue_cron = "unified_inbox.ir_cron_inbox_events"
    _queue_backoff = RETRY_BACKOFF

    provider_id = fields.Many2one("inbox.provider", required=True, ondelete="cascade")
    sender_id = fields.Many2one(
        "inbox.sender", string="Sender Account", ondelete="set null",
        help="An inbound message's account, found when the webhook was checked: not looked up again.")
    payload = fields.Json(required=True)
    dedupe_key = fields.Char(
        readonly=True, help="The same for every delivery of the same event: the provider's id of the message "
                            "or lead. An event delivered again is not kept twice.")
    process_after = fields.Datetime(required=True, default=fields.Datetime.now)
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed")], default="pending", required=True)
    kind = fields.Char(compute="_compute_kind", help="What the provider reported.")
    attempts = fields.Integer(readonly=True)
    error = fields.Char(readonly=True)
    lane_key = fields.Integer(
        readonly=True, help="Events of the same person (or about the same message) have the same key: one lane "
                            "of the queue applies them, in order.")
    waiting_for = fields.Char(
        readonly=True, help="What the event waits for before it can be applied: the provider's id of a message "
                            "whose sending is not recorded yet.")

    _pending_index = models.Index("(process_after) WHERE state = 'pending'")
    _waiting_index = models.Index("(provider_id, waiting_for) WHERE state = 'pending' AND waiting_for IS NOT NULL")
    _dedupe_unique = models.UniqueIndex("(provider_id, dedupe_key) WHERE dedupe_key IS NOT NULL")

    @api.depends("payload")
    def _compute_kind(self):
        for event in self:
            event.kind = (event.payload or {}).get("kind")

    def action_retry(self):
        """Apply the failed events again (once their cause is fixed)."""
        self.filtered(lambda event: event.state == "failed")._queue_retry()

    @api.model
    def _inbox_schedule(self, provider, followups, senders=None):
        """Keep ``[(delay_seconds, event)]`` for ``provider``, but those
        already kept (delivered again: same dedupe key); ``senders``, if
        given, are the sender accounts of the events, in the same order.
        One statement, whatever the number of events, as webhooks call it."""
        if not followups:
            return self.browse()
        now = fields.Datetime.now()
        sender_ids = [sender.id or None for sender in senders] if senders else [None] * len(followups)
        rows = [SQL("(%s, %s, %s::jsonb, %s, %s, %s, 'pending', 0, %s, %s, %s, %s)",
                    provider.id, sender_id, json.dumps(event_to_dict(event)), getattr(event, "dedupe_key", None),
                    self._inbox_lane_key(event), now + timedelta(seconds=delay), self.env.uid, now, self.env.uid, now)
                for (delay, event), sender_id in zip(followups, sender_ids, strict=True)]
        self.env.cr.execute(SQL("""
            INSERT INTO inbox_event (provider_id, sender_id, payload, dedupe_key, lane_key, process_after, state,
                                     attempts, create_uid, create_date, write_uid, write_date)
                 VALUES %s
            ON CONFLICT (provider_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
              RETURNING id, process_after, lane_key
        """, SQL(", ").join(rows)))
        kept = self.env.cr.fetchall()
        self._queue_trigger({process_after for _id, process_after, _key in kept},
                            lane_keys={key for _id, _when, key in kept})
        return self.browse(event_id for event_id, _when, _key in kept)

    @api.model
    def _inbox_lane_key(self, event):
        """The key of the lane that applies ``event``: the same for all the
        events of one person (their address), so that they are applied in
        the order they came; else the same for every delivery of the event."""
        key = getattr(event, "from_address", None) or getattr(event, "dedupe_key", None) or ""
        return zlib.crc32(key.encode()) & 0x7FFFFFFF

    @api.model
    def _inbox_wake(self, provider, key):
        """Make the events of ``provider`` waiting for ``key`` due now (it
        was just recorded); returns whether there were any."""
        self.flush_model(["state", "waiting_for", "process_after"])
        # due by the claim's clock (whole seconds): the transaction's now()
        # may be a fraction of a second past it, and not due until the next
        self.env.cr.execute("""
            UPDATE inbox_event SET process_after = %s
             WHERE provider_id = %s AND waiting_for = %s AND state = 'pending'
         RETURNING lane_key
        """, [fields.Datetime.now(), provider.id, key])
        woken = self.env.cr.fetchall()
        self.invalidate_model(["process_after"])
        if woken:
            self._queue_trigger(lane_keys={lane_key for (lane_key,) in woken})
        return bool(woken)

    @api.model
    def _inbox_process_due(self, limit=BATCH_SIZE):
        """Apply the due events, skipping those another worker holds: in
        one transaction, consecutive events of a kind that is applied
        together (see :meth:`_inbox_handlers_together`) at once, any other
        one by one, each in a savepoint of its own."""
        events = self._queue_claim(limit)
        parsed = {}
        for event in events:
            # one that cannot be read fails below, with the reason
            with contextlib.suppress(*MALFORMED):
                parsed[event] = event_from_dict(event.payload)
        self._inbox_read_ahead([(event.provider_id, payload) for event, payload in parsed.items()])
        together = self._inbox_handlers_together()
        # the Inbox hears of the whole batch at once: one push per reader
        with self.env["inbox.conversation"]._inbox_push_batch() as pushes:
            for kind, run in self._inbox_runs(events, parsed):
                if kind in together and len(run) > 1 and run._inbox_apply_together(together[kind], parsed, pushes):
                    continue
                for event in run:
                    event._inbox_apply_alone(parsed.get(event), pushes)
        return events

    @api.model
    def _inbox_runs(self, events, parsed):
        """``events`` in runs of consecutive events of the same kind (False:
        those that could not be read), in order: ``[[kind, events]]``."""
        runs = []
        for event in events:
            kind = event in parsed and parsed[event].kind
            if runs and runs[-1][0] == kind:
                runs[-1][1] |= event
            else:
                runs.append([kind, event])
        return runs

    def _inbox_apply_together(self, handler, parsed, pushes):
        """Apply the events (of one kind) with ``handler``, all or none;
        returns whether they were."""
        self._inbox_before_savepoint()
        try:
            with pushes.savepoint(), self.env.cr.savepoint():
                handler([(event.provider_id, parsed[event], event.sender_id) for event in self])
                self.state = "done"
        except Exception as error:  # noqa: BLE001 - applied one by one next, each failure kept with its reason
            _logger.info("Inbox events %s applied one by one: %s", self.ids, error)
            return False
        return True

    def _inbox_apply_alone(self, payload, pushes):
        """Apply the event (``payload``: it, read already, if it could be)
        in a savepoint of its own; a failure is kept with its reason."""
        self._inbox_before_savepoint()
        try:
            with pushes.savepoint(), self.env.cr.savepoint():
                self._inbox_apply(self.provider_id, payload or event_from_dict(self.payload), self.sender_id)
                self.state = "done"
        except Exception as error:  # noqa: BLE001 - kept with its reason, whatever it is
            self._inbox_record_failure(error)

    @api.model
    def _inbox_before_savepoint(self):
        """What the events before did (their tracking, their other
        notifications) is done now: a savepoint rolled back clears it all."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    @api.model
    def _inbox_handlers_together(self):
        """The kinds of events whose consecutive events of a batch are
        applied at once, and what does it: called with their ``(provider,
        event, sender account)``, it applies all or raises."""
        return {"message": self.env["inbox.conversation"]._inbox_receive_many}

    @api.model
    def _inbox_read_ahead(self, items):
        """Let each kind of event read, for all those of a batch at once
        (``items``: ``(provider, event)``), what applying each one will
        read (see :meth:`_inbox_read_aheads`)."""
        by_kind = defaultdict(list)
        for provider, event in items:
            by_kind[event.kind].append((provider, event))
        readers = self._inbox_read_aheads()
        for kind, kind_items in by_kind.items():
            if kind in readers:
                readers[kind](kind_items)

    @api.model
    def _inbox_read_aheads(self):
        """The kinds of events whose application reads ahead for a batch,
        and what does it (called with the batch's ``(provider, event)``)."""
        return {"message": self.env["inbox.conversation"]._inbox_read_ahead}

    @api.model
    def _inbox_handlers(self):
        """The next step of each kind of event: what applies it, called
        with the provider, the event and, for an inbound message, its
        sender account when the webhook found it already."""
        Conversation, Message = self.env["inbox.conversation"], self.env["mail.message"]
        return {
            "message": Conversation._inbox_receive,
            "status": Message._inbox_apply_status,
            "reaction": Message._inbox_apply_reaction,
            "media": Message._inbox_attach_media,
            "email": Conversation._inbox_receive_email,
            "template": self.env["inbox.template"].sudo()._inbox_apply_template_info,
            "lead": self.env["crm.lead"].sudo()._inbox_receive_lead_ad,
            "echo": Conversation._inbox_receive_echo,
            "watermark": Message._inbox_apply_watermark,
            "profile": self.env["res.partner"].sudo()._inbox_apply_profile,
            "call": Conversation._inbox_apply_call,
            "recording": Message._inbox_apply_recording,
            "bot": Conversation._inbox_bot_reply,
        }

    @api.model
    def _inbox_apply(self, provider, event, sender=None):
        """Apply one provider event (inbound message, status update,
        reaction, file download, lead form...)."""
        handler = self._inbox_handlers()[event.kind]
        if sender:
            return handler(provider, event, sender=sender)
        return handler(provider, event)

    def _inbox_record_failure(self, error):
        """Count the failed attempt at the event, and keep it for later or
        as failed, with the reason."""
        self.ensure_one()
        self._queue_count_attempt()
        reason = str(error)[:500]
        if isinstance(error, InboxEventWaiting):
            self._queue_attempt_failed(reason, backoff=WAIT_BACKOFF, waiting_for=error.key)
        elif isinstance(error, UserError | ValueError):
            # the event itself cannot be applied (a message to a number
            # that is no sender account here): trying again changes nothing
            _logger.warning("Inbox event %s refused: %s", self.id, error)
            self._queue_fail(reason)
        elif isinstance(error, CONCURRENCY_ERRORS):
            # a concurrent transaction on the same person: again at once,
            # in the next transaction (which waits for it to end)
            _logger.info("Inbox event %s met a concurrent transaction: %s", self.id, error)
            self._queue_attempt_failed(reason, backoff=CONCURRENT_BACKOFF)
        else:
            _logger.error("Inbox event %s failed", self.id, exc_info=error)
            self._queue_attempt_failed(reason)

    @api.model
    def _cron_process(self):
        self._queue_run(self._inbox_process_due)
        # done events are kept a week for diagnosis, and as the memory of
        # what was delivered already: a dedupe key must outlive its
        # provider's retries and replay window (Mailgun tokens: minutes)
        self.sudo().search([
            ("state", "=", "done"), ("process_after", "<", fields.Datetime.now() - timedelta(days=7)),
        ]).unlink()
