"""Waking Odoo's cron workers after a commit, as ``ir.cron._notifydb`` does
(a NOTIFY on the ``postgres`` database, where they listen), through one
connection kept per process in autocommit: every webhook wakes them, and a
transaction of its own on a pooled connection for each NOTIFY was half of
what a webhook costs. The NOTIFY's transaction does not wait for its
commit to reach the disk: a wake-up lost in a crash is moot (the cron
workers restart with it, and find the triggers), and the webhook's own
commit has already waited for its event."""
import logging
import os
import threading

import psycopg2
from psycopg2 import sql

from odoo import sql_db
from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION

_logger = logging.getLogger(__name__)
_lock = threading.Lock()
# (the process that opened it, the connection): a forked worker opens its own
_kept = (None, None)


def _connection():
    global _kept  # noqa: PLW0603 - one connection per process
    pid, connection = _kept
    if pid != os.getpid() or connection is None or connection.closed:
        _dbname, info = sql_db.connection_info_for("postgres")
        connection = psycopg2.connect(**info)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
        _kept = (os.getpid(), connection)
    return connection


def notify(dbname):
    """Wake the cron workers of ``dbname``; a lost connection is opened
    again once."""
    query = sql.SQL("SELECT {}('cron_trigger', %s)").format(sql.Identifier(ODOO_NOTIFY_FUNCTION))
    with _lock:
        for attempt in (1, 2):
            try:
                with _connection().cursor() as cursor:
                    cursor.execute(query, [dbname])
                return
            except psycopg2.OperationalError:
                _connection().close()
                if attempt == 2:
                    raise
