import logging
from datetime import timedelta

from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError
from odoo.modules import module
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..providers import event_from_dict, event_to_dict

_logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# another transaction working on the same person at the same time: the
# event is tried again soon, in a transaction that sees what it did
CONCURRENCY_ERRORS = (ConcurrencyError, errors.UniqueViolation, *PG_CONCURRENCY_EXCEPTIONS_TO_RETRY)
CONCURRENCY_RETRY_DELAY = timedelta(seconds=2)


class InboxEvent(models.Model):
    """A provider event to apply later: the events a provider announces
    (the sandbox's delivery receipts) and work deferred out of a webhook.
    Applied by a cron through the same path as webhook events, so nothing
    deferred is lost."""

    _name = "inbox.event"
    _description = "Inbox Deferred Provider Event"
    _order = "process_after, id"

    provider_id = fields.Many2one("inbox.provider", required=True, ondelete="cascade")
    payload = fields.Json(required=True)
    process_after = fields.Datetime(required=True, default=fields.Datetime.now)
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed")], default="pending", required=True)
    attempts = fields.Integer()
    error = fields.Char()

    _pending_index = models.Index("(process_after) WHERE state = 'pending'")

    @api.model
    def _inbox_schedule(self, provider, followups):
        """Keep ``[(delay_seconds, event)]`` for ``provider``."""
        now = fields.Datetime.now()
        events = self.sudo().create([{
            "provider_id": provider.id,
            "payload": event_to_dict(event),
            "process_after": now + timedelta(seconds=delay),
        } for delay, event in followups])
        cron = self.env.ref("unified_inbox.ir_cron_inbox_events")
        for when in set(events.mapped("process_after")):
            cron._trigger(at=when)
        return events

    @api.model
    def _inbox_process_due(self, limit=100):
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
            try:
                with self.env.cr.savepoint():
                    event.provider_id._inbox_process_events([event_from_dict(event.payload)], deferred=True)
                    event.state = "done"
            except Exception as error:
                concurrent = isinstance(error, CONCURRENCY_ERRORS)
                if concurrent:
                    _logger.info("Deferred inbox event %s met a concurrent transaction: %s", event.id, error)
                else:
                    _logger.exception("Deferred inbox event %s failed", event.id)
                event.write({
                    "attempts": event.attempts + 1,
                    "error": str(error)[:500],
                    "state": "failed" if event.attempts + 1 >= MAX_ATTEMPTS else "pending",
                    "process_after": fields.Datetime.now() + (
                        CONCURRENCY_RETRY_DELAY if concurrent else timedelta(minutes=2 ** event.attempts)),
                })
                self.env.ref("unified_inbox.ir_cron_inbox_events")._trigger(at=event.process_after)
        return events

    @api.model
    def _cron_process(self):
        while events := self._inbox_process_due():
            if not module.current_test:
                self.env["ir.cron"]._commit_progress(len(events))
        # done events are kept a week for diagnosis
        self.sudo().search([
            ("state", "=", "done"), ("process_after", "<", fields.Datetime.now() - timedelta(days=7)),
        ]).unlink()
