import json
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.modules import module
from odoo.tools import SQL

from ..providers import event_from_dict, event_to_dict
from ..tools.transaction import CONCURRENCY_ERRORS

_logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# another transaction working on the same person at the same time: the
# event is tried again at once, in a transaction that sees what it did
MAX_CONCURRENT_ATTEMPTS = 20
# an event that waits for something not recorded yet (a delivery receipt
# that overtook the send's answer): tried again after 2, 4, 8… seconds, at
# most a minute apart, about a quarter of an hour in all; then it is kept
# as failed, with its reason, where an administrator sees it
WAIT_BASE_DELAY = 2
WAIT_MAX_DELAY = 60
MAX_WAIT_ATTEMPTS = 20


class InboxEventWaiting(Exception):
    """The event cannot be applied yet: what it is about (``key``, e.g. the
    provider's id of a message) is not recorded yet. It is tried again
    shortly, for a bounded time, or as soon as ``key`` is recorded (see
    :meth:`InboxEvent._inbox_wake`)."""

    def __init__(self, reason, key):
        super().__init__(reason)
        self.key = key
# events applied per transaction: the locks on their people are held until it ends
BATCH_SIZE = 20


class InboxEvent(models.Model):
    """A provider event to apply: every event a webhook brings (the webhook
    only verifies and keeps them, so the provider is answered at once and a
    burst waits here rather than in front of the HTTP workers), the events a
    provider announces (the sandbox's delivery receipts), and work deferred
    out of the application of another event (file downloads). Applied by a
    cron, in order, through the same path, so nothing received is lost."""

    _name = "inbox.event"
    _description = "Inbox Provider Event"
    _order = "process_after, id"

    provider_id = fields.Many2one("inbox.provider", required=True, ondelete="cascade")
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
        self.filtered(lambda event: event.state == "failed").write(
            {"state": "pending", "attempts": 0, "error": False, "process_after": fields.Datetime.now()})
        self.env.ref("unified_inbox.ir_cron_inbox_events")._trigger()

    @api.model
    def _inbox_schedule(self, provider, followups):
        """Keep ``[(delay_seconds, event)]`` for ``provider``, but those
        already kept (delivered again: same dedupe key). One statement,
        whatever the number of events, as webhooks call it."""
        if not followups:
            return self.browse()
        now = fields.Datetime.now()
        rows = [SQL("(%s, %s::jsonb, %s, %s, 'pending', 0, %s, %s, %s, %s)",
                    provider.id, json.dumps(event_to_dict(event)), getattr(event, "dedupe_key", None),
                    now + timedelta(seconds=delay), self.env.uid, now, self.env.uid, now)
                for delay, event in followups]
        self.env.cr.execute(SQL("""
            INSERT INTO inbox_event (provider_id, payload, dedupe_key, process_after, state, attempts,
                                     create_uid, create_date, write_uid, write_date)
                 VALUES %s
            ON CONFLICT (provider_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
              RETURNING id, process_after
        """, SQL(", ").join(rows)))
        kept = self.env.cr.fetchall()
        cron = self.env.ref("unified_inbox.ir_cron_inbox_events")
        for when in {process_after for _id, process_after in kept}:
            cron._trigger(at=when)
        return self.browse(event_id for event_id, _when in kept)

    @api.model
    def _inbox_wake(self, provider, key):
        """Make the events of ``provider`` waiting for ``key`` due now (it
        was just recorded); returns whether there were any."""
        self.flush_model(["state", "waiting_for", "process_after"])
        self.env.cr.execute("""
            UPDATE inbox_event SET process_after = (now() AT TIME ZONE 'UTC')
             WHERE provider_id = %s AND waiting_for = %s AND state = 'pending'
         RETURNING id
        """, [provider.id, key])
        woken = self.env.cr.fetchall()
        self.invalidate_model(["process_after"])
        if woken:
            self.env.ref("unified_inbox.ir_cron_inbox_events")._trigger()
        return bool(woken)

    @api.model
    def _inbox_process_due(self, limit=BATCH_SIZE):
        """Apply the due events, skipping those another worker holds."""
        self.flush_model(["state", "process_after"])
        self.env.cr.execute("""
            SELECT id FROM inbox_event
             WHERE state = 'pending' AND process_after <= %s
          ORDER BY process_after, id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
        """, [fields.Datetime.now(), limit])
        events = self.sudo().browse(row[0] for row in self.env.cr.fetchall())
        for event in events:
            # what the events before did (their pushes to the Inbox, their
            # tracking) is done now: a savepoint rolled back clears it all
            self.env.flush_all()
            self.env.cr.precommit.run()
            try:
                with self.env.cr.savepoint():
                    event.provider_id._inbox_process_events([event_from_dict(event.payload)])
                    event.state = "done"
            except InboxEventWaiting as error:
                attempts = event.attempts + 1
                event.write({
                    "attempts": attempts,
                    "error": str(error)[:500],
                    "waiting_for": error.key,
                    "state": "failed" if attempts >= MAX_WAIT_ATTEMPTS else "pending",
                    "process_after": fields.Datetime.now() + timedelta(
                        seconds=min(WAIT_BASE_DELAY * 2 ** (attempts - 1), WAIT_MAX_DELAY)),
                })
                if event.state == "pending":
                    self.env.ref("unified_inbox.ir_cron_inbox_events")._trigger(at=event.process_after)
            except (UserError, ValueError) as error:
                # the event itself cannot be applied (a message to a number
                # that is no sender account here): trying again changes nothing
                _logger.warning("Inbox event %s refused: %s", event.id, error)
                event.write({"attempts": event.attempts + 1, "error": str(error)[:500], "state": "failed"})
            except Exception as error:
                concurrent = isinstance(error, CONCURRENCY_ERRORS)
                if concurrent:
                    _logger.info("Inbox event %s met a concurrent transaction: %s", event.id, error)
                else:
                    _logger.exception("Inbox event %s failed", event.id)
                # a concurrent transaction on the same person: again at once,
                # in the next transaction (which waits for it to end); any
                # other failure: later, with backoff
                limit = MAX_CONCURRENT_ATTEMPTS if concurrent else MAX_ATTEMPTS
                event.write({
                    "attempts": event.attempts + 1,
                    "error": str(error)[:500],
                    "state": "failed" if event.attempts + 1 >= limit else "pending",
                    "process_after": fields.Datetime.now() + (
                        timedelta() if concurrent else timedelta(minutes=2 ** event.attempts)),
                })
                self.env.ref("unified_inbox.ir_cron_inbox_events")._trigger(at=event.process_after)
        return events

    @api.model
    def _cron_process(self):
        while events := self._inbox_process_due():
            if not module.current_test:
                self.env["ir.cron"]._commit_progress(len(events))
        # done events are kept a week for diagnosis, and as the memory of
        # what was delivered already: a dedupe key must outlive its
        # provider's retries and replay window (Mailgun tokens: minutes)
        self.sudo().search([
            ("state", "=", "done"), ("process_after", "<", fields.Datetime.now() - timedelta(days=7)),
        ]).unlink()
