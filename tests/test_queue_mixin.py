"""The one queue mechanism (inbox.queue.mixin) that outbound messages,
provider events and deferred downloads share: claim, backoff, failure for
good, retry, and the cron woken when a row is due."""
import select
import time
from contextlib import closing
from datetime import timedelta

import psycopg2
from freezegun import freeze_time

from odoo import fields, sql_db
from odoo.tests import BaseCase, tagged
from odoo.tools import SQL

from ..models.inbox_event import CONCURRENT_BACKOFF, RETRY_BACKOFF, WAIT_BACKOFF
from ..models.inbox_queue_mixin import Backoff
from ..models.mail_message import SEND_BACKOFF
from ..providers.base import InboundMessage
from ..tools import cron_wakeup
from .common import InboxCommon
from .test_concurrency import RealCursorCase

QUEUES = ("inbox.event", "mail.message")


def delays(backoff, attempts):
    """The waits, in seconds, after each of the first ``attempts`` failed attempts."""
    return [backoff.delay(attempt).total_seconds() for attempt in range(1, attempts + 1)]


@tagged("post_install", "-at_install")
class TestBackoff(BaseCase):
    """When a row whose attempt failed is tried again."""

    def test_delays_grow_by_the_factor_up_to_the_cap(self):
        self.assertEqual(delays(Backoff(base=2, factor=3, cap=50, max_attempts=9), 6), [2, 6, 18, 50, 50, 50])
        self.assertEqual(delays(Backoff(base=5, max_attempts=9), 4), [5, 10, 20, 40], "doubling, no cap")

    def test_the_queues_backoffs(self):
        self.assertEqual(delays(SEND_BACKOFF, SEND_BACKOFF.max_attempts - 1), [30, 60, 120, 240],
                         "a send: after 30 s, 1, 2, 4 minutes, then failed")
        self.assertEqual(SEND_BACKOFF.max_attempts, 5)
        self.assertEqual(delays(RETRY_BACKOFF, 4), [60, 120, 240, 480], "an event that failed: 1, 2, 4, 8 minutes")
        self.assertEqual(delays(WAIT_BACKOFF, 7), [2, 4, 8, 16, 32, 60, 60], "a receipt waiting for its message")
        self.assertEqual(delays(CONCURRENT_BACKOFF, 3), [0, 0, 0], "a concurrent transaction: again at once")


@tagged("post_install", "-at_install")
class TestQueueMixin(InboxCommon):
    """Counting, failure, retry and cron triggers, on the two queues."""

    def event(self, **values):
        return self.env["inbox.event"].create(
            dict({"provider_id": self.provider.id, "payload": {"kind": "status"}}, **values))

    def queued_message(self):
        return self.conversation.message_inbox_send("sms", "Hello").sudo()

    def triggers(self, model):
        cron = self.env.ref(self.env[model]._queue_cron)
        return self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).mapped("call_at")

    def test_every_queue_declares_columns_it_has(self):
        queues = set(self.env.registry.descendants(["inbox.queue.mixin"], "_inherit")) - {"inbox.queue.mixin"}
        self.assertEqual(queues, set(QUEUES), "the queues of the Inbox")
        for model in QUEUES:
            with self.subTest(model=model):
                Queue = self.env[model]
                states = dict(Queue._fields[Queue._queue_state_field]._description_selection(self.env))
                self.assertIn(Queue._queue_pending, states)
                self.assertIn(Queue._queue_failed, states)
                self.assertEqual(Queue._fields[Queue._queue_due_field].type, "datetime")
                self.assertEqual(Queue._fields[Queue._queue_attempts_field].type, "integer")
                self.assertIn(Queue._fields[Queue._queue_error_field].type, ("char", "text"))
                self.assertEqual(self.env.ref(Queue._queue_cron).model_id.model, model, "its cron works it off")

    def test_backoff_then_failed_for_good_after_the_last_attempt(self):
        backoff = Backoff(base=10, cap=25, max_attempts=4)
        now = fields.Datetime.now()
        for model, row in (("inbox.event", self.event()), ("mail.message", self.queued_message())):
            with self.subTest(model=model), freeze_time(now):
                for attempt, delay in enumerate([10, 20, 25], start=1):
                    row._queue_count_attempt()
                    self.assertEqual(row._queue_attempt_failed("Provider down", backoff=backoff), row)
                    self.assertEqual(row[row._queue_state_field], row._queue_pending)
                    self.assertEqual(row[row._queue_attempts_field], attempt)
                    self.assertEqual(row[row._queue_due_field], now + timedelta(seconds=delay))
                    self.assertEqual(row[row._queue_error_field], "Provider down (retrying)")
                    self.assertIn(now + timedelta(seconds=delay), self.triggers(model), "the cron is woken then")
                row._queue_count_attempt()
                self.assertFalse(row._queue_attempt_failed("Provider down", backoff=backoff), "no more tries")
                self.assertEqual(row[row._queue_state_field], "failed")
                self.assertEqual(row[row._queue_attempts_field], 4)
                self.assertEqual(row[row._queue_error_field], "Provider down", "the reason, as it is")

    def test_an_error_that_cannot_pass_fails_at_the_first_attempt(self):
        for model, row in (("inbox.event", self.event()), ("mail.message", self.queued_message())):
            with self.subTest(model=model):
                row._queue_count_attempt()
                self.assertFalse(row._queue_attempt_failed("Invalid number", retryable=False))
                self.assertEqual(row[row._queue_state_field], "failed")
                self.assertEqual((row[row._queue_attempts_field], row[row._queue_error_field]), (1, "Invalid number"))

    def test_a_message_fails_only_through_its_delivery_status(self):
        message = self.queued_message()
        message.inbox_status = "delivered"  # a receipt came meanwhile
        message._queue_fail("Too late")
        self.assertEqual(message.inbox_status, "delivered", "a late failure does not undo a delivery")
        self.assertFalse(message.inbox_error)

    def test_retry_queues_a_failed_row_again_as_new(self):
        long_ago = fields.Datetime.now() - timedelta(days=1)
        for model, row in (("inbox.event", self.event()), ("mail.message", self.queued_message())):
            with self.subTest(model=model):
                row.write({row._queue_attempts_field: 3, row._queue_due_field: long_ago})
                row._queue_fail("Provider down")
                now = fields.Datetime.now()
                with freeze_time(now):
                    row._queue_retry()
                self.assertEqual(row[row._queue_state_field], row._queue_pending)
                self.assertEqual(row[row._queue_attempts_field], 0)
                self.assertFalse(row[row._queue_error_field])
                self.assertEqual(row[row._queue_due_field], now, "due at once")
                self.assertIn(now, self.triggers(model))

    def test_the_event_list_retries_failed_events_only(self):
        failed, pending = self.event(state="failed", attempts=5, error="Down"), self.event(attempts=2)
        (failed | pending).action_retry()
        self.assertEqual((failed.state, failed.attempts, failed.error), ("pending", 0, False))
        self.assertEqual(pending.attempts, 2, "a pending event keeps its count")

    def test_postpone_counts_no_attempt(self):
        message, when = self.queued_message(), fields.Datetime.now() + timedelta(hours=8)
        message._queue_postpone(when)
        self.assertEqual((message.inbox_next_attempt, message.inbox_attempts), (when, 0))
        self.assertIn(when, self.triggers("mail.message"))
        self.assertFalse(self.env["mail.message"]._inbox_claim_next(), "not due before then")


@tagged("post_install", "-at_install")
class TestQueueLanes(InboxCommon):
    """Each queue in lanes: its cron and copies of it, as many as the
    setting says, each claiming its share; one person's rows in one lane."""

    def set_lanes(self, count):
        self.env["res.config.settings"].create({"inbox_queue_lanes": count}).execute()

    def lanes(self, model):
        cron = self.env.ref(self.env[model]._queue_cron)
        return cron | self.env["ir.cron"].with_context(active_test=False).search(
            [("inbox_lane_of", "=", cron.id)], order="inbox_lane")

    def test_the_setting_makes_the_lanes(self):
        self.set_lanes(3)
        for model, method in (("inbox.event", "_cron_process"), ("mail.message", "_cron_inbox_dispatch")):
            with self.subTest(model=model):
                lanes = self.lanes(model)
                self.assertEqual(lanes.mapped("inbox_lane"), [0, 1, 2])
                self.assertEqual(lanes.mapped("active"), [True] * 3)
                self.assertEqual(lanes.mapped("code"), [f"model.with_context(inbox_lane={lane}).{method}()"
                                                        for lane in range(3)])
                self.assertEqual(set(lanes.mapped("model_id.model")), {model})
                self.assertEqual(len(self.env[model]._queue_cron_ids()), 3)
        self.set_lanes(1)
        lanes = self.lanes("inbox.event")
        self.assertEqual(lanes.mapped("active"), [True, False, False], "the others archived")
        self.assertEqual(lanes[0].code, "model._cron_process()", "one lane: the whole queue")
        self.assertEqual(self.env["inbox.event"]._queue_cron_ids(), tuple(lanes[0].ids))
        self.set_lanes(2)
        self.assertEqual(self.lanes("inbox.event").mapped("active"), [True, True, False])

    def test_each_lane_claims_its_share_and_a_person_stays_in_one(self):
        self.set_lanes(2)
        Event = self.env["inbox.event"]
        events = Event.browse()
        for index in range(12):
            event = self.inbound_event(f"SMlane{index}", f"+3247099{index % 6:04d}")
            events |= Event._inbox_schedule(self.provider, [(0, event)])
        by_person = {}
        for event in events:
            by_person.setdefault(event.payload["from_address"], set()).add(event.lane_key)
        self.assertTrue(all(len(keys) == 1 for keys in by_person.values()), "one key per person")
        lane_0 = Event.with_context(inbox_lane=0)._queue_claim(100) & events
        lane_1 = Event.with_context(inbox_lane=1)._queue_claim(100) & events
        self.assertEqual(lane_0 | lane_1, events)
        self.assertFalse(lane_0 & lane_1)
        self.assertEqual({key % 2 for key in lane_0.mapped("lane_key")}, {0} if lane_0 else set())
        self.assertEqual({key % 2 for key in lane_1.mapped("lane_key")}, {1} if lane_1 else set())
        self.assertFalse(Event.with_context(inbox_lane=2)._queue_claim(100), "a lane beyond the setting: nothing")
        self.assertEqual(Event._queue_claim(100) & events, events, "outside the crons (a test, a shell): all")
        # the messages of a conversation go out in one lane
        message = self.conversation.message_inbox_send("sms", "Hello").sudo()
        lane = self.conversation.id % 2
        self.assertEqual(self.env["mail.message"].with_context(inbox_lane=lane)._inbox_claim_next(), message)
        self.assertFalse(self.env["mail.message"].with_context(inbox_lane=1 - lane)._inbox_claim_next())

    def inbound_event(self, sid, number):
        return InboundMessage(provider_message_id=sid, channel="sms", from_address=number,
                              to_address=self.sender_sms.address, body="Hi")

    def test_an_archived_queue_cron_is_not_woken(self):
        lanes = self.env["ir.cron"].browse(self.env["inbox.event"]._queue_cron_ids())
        lanes.active = False
        self.env.registry.clear_cache()
        before = self.env["ir.cron.trigger"].search([])
        self.env.cr.postcommit.clear()
        self.env["inbox.event"]._queue_trigger()
        self.assertEqual(self.env["ir.cron.trigger"].search([]), before)
        self.assertFalse(self.env.cr.postcommit._funcs)

    def test_a_trigger_wakes_every_lane_once(self):
        self.set_lanes(3)
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search([])
        self.env.cr.postcommit.clear()
        self.env["inbox.event"]._queue_trigger()
        self.env["inbox.event"]._queue_trigger()
        triggers = Trigger.search([]) - before
        self.assertEqual(sorted(triggers.mapped("cron_id").ids), sorted(self.lanes("inbox.event").ids))
        self.assertEqual(len(triggers), 6, "each call, each lane")
        self.assertEqual(len(self.env.cr.postcommit._funcs), 1, "the cron workers are woken once")
        self.env.cr.postcommit.clear()
        self.env["mail.message"]._queue_trigger(fields.Datetime.now() + timedelta(hours=1))
        self.assertFalse(self.env.cr.postcommit._funcs, "a trigger for later wakes nobody now")

    def test_kept_events_wake_the_lanes_that_hold_them(self):
        self.set_lanes(3)
        Trigger = self.env["ir.cron.trigger"]
        lanes = self.lanes("inbox.event")
        before = Trigger.search([])
        self.env["inbox.event"]._queue_trigger(lane_keys={3, 7})
        self.assertEqual(sorted((Trigger.search([]) - before).cron_id.mapped("inbox_lane")), [0, 1], "3 % 3, 7 % 3")
        # an event kept by a webhook: its person's lane only, and that lane takes it
        Event = self.env["inbox.event"]
        before = Trigger.search([])
        event = Event._inbox_schedule(self.provider, [(0, self.inbound_event("SMwake", "+32470990077"))])
        [lane] = (Trigger.search([]) - before).cron_id
        self.assertEqual((lane, lane.inbox_lane), (lanes[event.lane_key % 3], event.lane_key % 3))
        self.assertEqual(Event.with_context(inbox_lane=lane.inbox_lane)._queue_claim(100) & event, event)
        # a lane the setting names but that was not made yet (the parameter written directly): all are woken
        self.env["ir.config_parameter"].set_param("unified_inbox.queue_lanes", 4)
        before = Trigger.search([])
        self.env["inbox.event"]._queue_trigger(lane_keys={3})
        self.assertEqual((Trigger.search([]) - before).cron_id, lanes.filtered("active"))


@tagged("post_install", "-at_install")
class TestCronWakeup(BaseCase):
    """The cron workers are woken as Odoo wakes them (a NOTIFY on the
    postgres database, where they listen), through a connection kept for
    it, opened again when it was lost."""

    def listen(self):
        _dbname, info = sql_db.connection_info_for("postgres")
        connection = psycopg2.connect(**info)
        connection.autocommit = True
        self.addCleanup(connection.close)
        connection.cursor().execute("LISTEN cron_trigger")
        return connection

    def received(self, connection):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not connection.notifies:
            select.select([connection], [], [], 0.1)
            connection.poll()
        return [notification.payload for notification in connection.notifies]

    def test_the_workers_of_the_database_are_woken(self):
        listener = self.listen()
        cron_wakeup.notify("some_database")
        self.assertEqual(self.received(listener), ["some_database"])
        # a wake-up need not reach the disk before the webhook is answered
        with closing(cron_wakeup._kept[1].cursor()) as cursor:
            cursor.execute("SHOW synchronous_commit")
            self.assertEqual(cursor.fetchone()[0], "off")

    def test_a_lost_connection_is_opened_again(self):
        cron_wakeup.notify("some_database")
        _pid, kept = cron_wakeup._kept
        with closing(self.listen().cursor()) as cursor:
            # the server ends the kept connection (a restart, an idle timeout)
            cursor.execute("SELECT pg_terminate_backend(%s)", [kept.info.backend_pid])
        listener = self.listen()
        cron_wakeup.notify("other_database")
        self.assertEqual(self.received(listener), ["other_database"])
        self.assertIsNot(cron_wakeup._kept[1], kept)


@tagged("post_install", "-at_install")
class TestQueueClaim(RealCursorCase):
    """Two workers claim from the same queue at the same time, each in its
    own transaction: neither waits for the other, neither gets a row the
    other holds."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.env_cursor() as (cr, env):
            provider = env["inbox.provider"].create({"name": f"Queue {cls.suffix}"})
            past = fields.Datetime.now() - timedelta(minutes=10)
            rows = {
                "inbox.event": lambda index, values: dict(values, provider_id=provider.id, payload={"kind": "status"}),
                "mail.message": lambda index, values: {
                    "body": f"Queued {index}", "message_type": "comment", "inbox_provider_id": provider.id,
                    "inbox_status": {"pending": "queued", "failed": "failed"}[values["state"]],
                    "inbox_next_attempt": values["process_after"]},
            }
            cls.row_ids = {}
            for model, make in rows.items():
                # three due (in this order), one due later, one failed
                values = [{"state": "pending", "process_after": past + timedelta(seconds=index)} for index in range(3)]
                values += [{"state": "pending", "process_after": past + timedelta(days=1)},
                           {"state": "failed", "process_after": past}]
                cls.row_ids[model] = env[model].create([make(index, vals) for index, vals in enumerate(values)]).ids
            cls.provider_id = provider.id
            cr.commit()  # pylint: disable=invalid-commit
        cls.addClassCleanup(cls._cleanup)

    @classmethod
    def _cleanup(cls):
        with cls.env_cursor() as (cr, env):
            for model, ids in cls.row_ids.items():
                env[model].browse(ids).unlink()
            env["inbox.provider"].browse(cls.provider_id).unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def claim(self, env, model, limit):
        column = "provider_id" if model == "inbox.event" else "inbox_provider_id"
        return env[model]._queue_claim(limit, SQL("%s = %s", SQL.identifier(column), self.provider_id)).ids

    def test_a_row_another_worker_holds_is_skipped(self):
        for model in QUEUES:
            due = self.row_ids[model][:3]
            with self.subTest(model=model), self.env_cursor() as (cr1, env1), self.env_cursor() as (cr2, env2):
                # a claim that waited for the other worker would fail here, not hang
                cr2.execute("SET LOCAL lock_timeout = '5s'")
                self.assertEqual(self.claim(env1, model, 2), due[:2], "the two due soonest")
                self.assertEqual(self.claim(env2, model, 2), due[2:], "the next one, at once")
                cr1.rollback()  # the first worker ends: its rows are free again
                self.assertEqual(self.claim(env2, model, 5), due, "never one not due yet, nor a failed one")
                cr2.rollback()
