"""The Inbox's one queue mechanism.

Outbound messages (``mail.message``, worked off by the dispatch cron) and
provider events (``inbox.event``: what webhooks bring, the receipts a
provider announces, deferred file downloads) are rows that wait in their
table until they are due. Whatever the queue, a worker claims due rows with
``FOR UPDATE SKIP LOCKED``, so that any number of workers and nodes share it
without waiting for one another; an attempt at a row that fails makes it due
again later, each time longer apart, until it has had its attempts: then it
is kept as failed, with its reason, for a person to retry once the cause is
fixed.

What a queue does with a claimed row, and in which transactions, is its own:
a message must be marked as being sent, and that committed, before its
provider is called (see ``mail.message._inbox_send_one``), while events are
applied in batches, each in a savepoint.
"""
from dataclasses import dataclass
from datetime import timedelta

from odoo import api, fields, models
from odoo.modules import module
from odoo.tools import SQL


@dataclass(frozen=True)
class Backoff:
    """When a row whose attempt failed is tried again: ``base`` seconds after
    its first attempt, ``factor`` times longer after each next one, never
    more than ``cap`` seconds (None: no cap) after the last; once it has had
    ``max_attempts`` attempts, it fails for good."""

    base: float
    max_attempts: int
    factor: float = 2
    cap: float | None = None

    def delay(self, attempts):
        """How long a row waits after its ``attempts``-th attempt failed."""
        seconds = self.base * self.factor ** max(attempts - 1, 0)
        return timedelta(seconds=seconds if self.cap is None else min(seconds, self.cap))


class InboxQueueMixin(models.AbstractModel):
    """A table whose rows a cron works off. The mixin has no fields: a queue
    names its own columns in the ``_queue_*`` attributes below (the
    defaults are those of ``inbox.event``), so that ``mail.message`` keeps
    the columns its queue had before there was a mixin."""

    _name = "inbox.queue.mixin"
    _description = "Inbox Queue"

    # the selection column holding where a row is, and two of its values:
    # waiting to be processed, and given up on
    _queue_state_field = "state"
    _queue_pending = "pending"
    _queue_failed = "failed"
    # when a pending row is due; how many attempts it had; why the last failed
    _queue_due_field = "process_after"
    _queue_attempts_field = "attempts"
    _queue_error_field = "error"
    # the xml id of the cron that works the queue off
    _queue_cron = None
    # when a row whose attempt failed is tried again, by default
    _queue_backoff = Backoff(base=60, max_attempts=5)

    @api.model
    def _queue_column(self, fname):
        """The column of field ``fname`` in SQL; a query that reads it
        through :meth:`~odoo.api.Environment.execute_query` flushes it first."""
        return self.sudo()._field_to_sql(self._table, fname)

    @api.model
    def _queue_claim(self, limit, where=None):
        """Up to ``limit`` pending rows that are due, soonest due first,
        locked until this transaction ends; ``where`` (SQL) narrows them.
        A row another transaction holds is skipped, never waited for: any
        number of workers take rows of the same queue at the same time, and
        none gets a row another one has."""
        due = self._queue_column(self._queue_due_field)
        rows = self.env.execute_query(SQL(
            """
            SELECT id FROM %(table)s
             WHERE %(state)s = %(pending)s AND %(due)s <= %(now)s AND %(where)s
          ORDER BY %(due)s, id
             LIMIT %(limit)s
               FOR UPDATE SKIP LOCKED
            """,
            table=SQL.identifier(self._table), state=self._queue_column(self._queue_state_field),
            pending=self._queue_pending, due=due, now=fields.Datetime.now(), where=where or SQL("TRUE"),
            limit=limit,
        ))
        return self.sudo().browse(row[0] for row in rows)

    def _queue_count_attempt(self, **values):
        """Count one more attempt at each row, and write ``values`` along."""
        for row in self:
            row.write({**values, self._queue_attempts_field: row[self._queue_attempts_field] + 1})

    def _queue_attempt_failed(self, reason, retryable=True, backoff=None, **values):
        """The last attempt at each row (counted already) failed for
        ``reason``. A row that may succeed later (``retryable``) and has had
        fewer attempts than ``backoff`` (by default the queue's) allows is
        due again after its delay; any other fails for good (see
        :meth:`_queue_fail`). ``values`` are written along either way.
        Returns the rows that will be tried again."""
        backoff = backoff or self._queue_backoff
        now = fields.Datetime.now()
        retried = self.browse()
        for row in self:
            attempts = row[self._queue_attempts_field]
            if retryable and attempts < backoff.max_attempts:
                row._queue_postpone(now + backoff.delay(attempts),
                                    **{**values, self._queue_error_field: self.env._("%s (retrying)", reason)})
                retried |= row
            else:
                row._queue_fail(reason, **values)
        return retried

    def _queue_postpone(self, when, **values):
        """Make the rows due at ``when``, writing ``values`` along, and wake
        the cron then. No attempt is counted: nothing was tried (quiet
        hours), or the row waits for something else to happen first."""
        self.write({**values, self._queue_due_field: when})
        self._queue_trigger(when)

    def _queue_fail(self, reason, **values):
        """Give up on the rows: failed, with the reason a person reads, and
        ``values`` written along. A queue with a state machine of its own
        moves its rows through it here instead."""
        self.write({**values, self._queue_state_field: self._queue_failed, self._queue_error_field: reason})

    def _queue_retry(self, **values):
        """Queue the rows again as new (no attempt counted, no error, due
        now), writing ``values`` along, and wake the cron. The public action
        that calls this checks first that the rows may go again."""
        self.write({
            **values,
            self._queue_state_field: self._queue_pending,
            self._queue_attempts_field: 0,
            self._queue_error_field: False,
            self._queue_due_field: fields.Datetime.now(),
        })
        self._queue_trigger()

    @api.model
    def _queue_trigger(self, at=None):
        """Wake the queue's cron now, or at ``at`` (a datetime, or several)."""
        self.env.ref(self._queue_cron)._trigger(at)

    @api.model
    def _queue_run(self, process):
        """Call ``process`` (it works off a batch of due rows and returns
        them) until nothing is due, committing each batch as the cron's
        progress."""
        while rows := process():
            if not module.current_test:
                self.env["ir.cron"]._commit_progress(len(rows))
