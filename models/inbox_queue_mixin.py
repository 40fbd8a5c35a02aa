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

Odoo runs one instance of a cron at a time: a queue worked off by one cron
uses one process, whatever the number of cron workers and nodes. So each
queue has lanes: its cron and copies of it (as many as the setting
``unified_inbox.queue_lanes`` says), each claiming its own share of the rows,
by a key of the row (``_queue_lane_field``: the person of an event, the
conversation of a message). Lanes run side by side on any number of cron
workers and nodes, and the rows of one key stay in one lane, in order.

What a queue does with a claimed row, and in which transactions, is its own:
a message must be marked as being sent, and that committed, before its
provider is called (see ``mail.message._inbox_send_one``), while events are
applied in batches, each in a savepoint.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from odoo import api, fields, models, tools
from odoo.modules import module
from odoo.tools import SQL

from ..tools import cron_wakeup

# how many lanes each queue has (an ir.config_parameter), by default: Odoo's
# default number of cron workers
LANES_PARAM = "unified_inbox.queue_lanes"
DEFAULT_LANES = 2
MAX_LANES = 32


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
    # the xml id of the cron that works the queue off (its first lane), and
    # the method of the model that it calls
    _queue_cron = None
    _queue_cron_method = "_cron_process"
    # the integer column of the key that keeps rows in one lane, in order
    _queue_lane_field = "lane_key"
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
        none gets a row another one has. Called by a lane's cron (context
        ``inbox_lane``), only the rows of that lane."""
        due = self._queue_column(self._queue_due_field)
        if "inbox_lane" in self.env.context:
            lanes = self._queue_lane_count()
            if self.env.context["inbox_lane"] >= lanes:
                return self.sudo().browse()  # a lane of more than there are now
            lane = SQL("mod(COALESCE(%s, 0), %s) = %s", self._queue_column(self._queue_lane_field), lanes,
                       self.env.context["inbox_lane"])
            where = SQL("%s AND %s", where or SQL("TRUE"), lane)
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
    def _queue_trigger(self, at=None, lane_keys=None):
        """Wake the queue's lanes now, or at ``at`` (a datetime, or several):
        what ``ir.cron._trigger`` does for each lane's cron, with one wake-up
        of the cron workers per transaction, whatever the number of lanes
        and of calls, through a connection kept for it (see cron_wakeup).
        With ``lane_keys`` (those of the rows to work off), only the lanes
        that hold them: the others have nothing new."""
        now = fields.Datetime.now()
        at_list = [now] if at is None else [at] if isinstance(at, datetime) else list(at)
        cron_ids = self._queue_cron_ids() if lane_keys is None else self._queue_lane_cron_ids(lane_keys)
        # no active lane (the queue's cron archived): nothing to wake, as Odoo skips inactive crons
        rows = [SQL("(%s, %s)", cron_id, when) for cron_id in cron_ids for when in at_list]
        if not rows:
            return
        # one statement, as Odoo's cron writes its own triggers: every webhook comes here
        self.env.cr.execute(SQL("INSERT INTO ir_cron_trigger (cron_id, call_at) VALUES %s", SQL(", ").join(rows)))
        postcommit = self.env.cr.postcommit
        if min(at_list) <= now and not postcommit.data.get("inbox_queue_notify"):
            postcommit.data["inbox_queue_notify"] = True
            dbname = self.env.cr.dbname
            postcommit.add(lambda: cron_wakeup.notify(dbname))

    @api.model
    def _queue_lane_count(self):
        """How many lanes each queue has."""
        value = self.env["ir.config_parameter"].sudo().get_param(LANES_PARAM, "")
        count = int(value) if value.strip().isdigit() else DEFAULT_LANES
        return min(max(count, 1), MAX_LANES)

    @api.model
    def _queue_cron_ids(self):
        """The active crons of the queue's lanes."""
        return tuple(cron_id for _lane, cron_id in self._queue_crons_by_lane())

    @api.model
    def _queue_lane_cron_ids(self, lane_keys):
        """The active crons of the lanes that hold rows of ``lane_keys``
        (the lane a row is in: see :meth:`_queue_claim`)."""
        count = self._queue_lane_count()
        lanes = {(key or 0) % count for key in lane_keys}
        crons = dict(self._queue_crons_by_lane())
        if not lanes <= crons.keys():
            # the setting changed without its lanes being made (see _queue_sync_lanes): wake them all
            return tuple(crons.values())
        return tuple(crons[lane] for lane in sorted(lanes))

    @api.model
    @tools.ormcache("self._name")
    def _queue_crons_by_lane(self):
        """``(lane, cron id)`` of the queue's active lanes: its own cron is
        the first (0)."""
        cron = self.env.ref(self._queue_cron).sudo()
        lanes = self.env["ir.cron"].sudo().search([("inbox_lane_of", "=", cron.id)], order="inbox_lane")
        return tuple((lane.inbox_lane, lane.id) for lane in cron | lanes if lane.active)

    @api.model
    def _queue_sync_lanes(self):
        """Make the queue's lanes what the setting says: its cron is the
        first lane, copies of it the others (archived when fewer are
        wanted: a lane that is running finishes its batch)."""
        cron = self.env.ref(self._queue_cron).sudo()
        count = self._queue_lane_count()
        call = f"{self._queue_cron_method}()"
        cron.code = f"model.with_context(inbox_lane=0).{call}" if count > 1 else f"model.{call}"
        lanes = self.env["ir.cron"].sudo().with_context(active_test=False).search([("inbox_lane_of", "=", cron.id)])
        lanes.filtered(lambda lane: lane.inbox_lane >= count and lane.active).active = False
        for number in range(1, count):
            lane = lanes.filtered(lambda lane, number=number: lane.inbox_lane == number)
            values = {"active": cron.active, "code": f"model.with_context(inbox_lane={number}).{call}",
                      "name": self.env._("%(cron)s (lane %(lane)s)", cron=cron.name, lane=number + 1)}
            if lane:
                lane.write(values)
            else:
                # with an xml id of the addon (and one for its server action), as its own
                # cron has: the addon's uninstall removes them
                self.env["ir.cron"].sudo()._load_records([{
                    "xml_id": f"{self._queue_cron}_lane_{number + 1}", "noupdate": True,
                    "values": {**values, "model_id": cron.model_id.id, "state": "code", "user_id": cron.user_id.id,
                               "interval_number": cron.interval_number, "interval_type": cron.interval_type,
                               "inbox_lane_of": cron.id, "inbox_lane": number},
                }])
        self.env.registry.clear_cache()

    @api.model
    def _queue_sync_all_lanes(self):
        """The lanes of every queue of the Inbox, as the setting says."""
        for model in self.env.registry.descendants(["inbox.queue.mixin"], "_inherit"):
            if not self.env[model]._abstract:
                self.env[model]._queue_sync_lanes()

    @api.model
    def _queue_run(self, process):
        """Call ``process`` (it works off a batch of due rows and returns
        them) until nothing is due, committing each batch as the cron's
        progress."""
        while rows := process():
            if not module.current_test:
                self.env["ir.cron"]._commit_progress(len(rows))
