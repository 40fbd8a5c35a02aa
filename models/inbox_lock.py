from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError

# Keys share this many rows (a power of two): two keys on one row only take turns.
SLOTS = 65536


class InboxLock(models.Model):
    """Locks by name that serialize the transactions finding or creating
    the same thing (a person, their conversation, their opportunity).

    A transaction reads from a snapshot taken at its first query. Holding
    a lock is not enough: another transaction may have created the thing
    and committed between our snapshot and our lock, and we would not see
    it. Taking the lock updates a row; PostgreSQL refuses the update of a
    row that a transaction newer than our snapshot changed, which is
    exactly that case, so the caller starts again afresh."""

    _name = "inbox.lock"
    _description = "Inbox Lock"
    _log_access = False

    slot = fields.Integer(required=True, readonly=True)

    _slot_unique = models.Constraint("UNIQUE(slot)", "A lock slot exists once.")

    def init(self):
        # every slot exists once: taking a lock is an update, which uses no
        # sequence and never inserts
        # (its unique constraint comes after init: no ON CONFLICT here)
        self.env.cr.execute("""
            INSERT INTO inbox_lock (slot)
                 SELECT slot FROM generate_series(0, %s - 1) AS slot
                  WHERE NOT EXISTS (SELECT 1 FROM inbox_lock WHERE inbox_lock.slot = slot.slot)
        """, [SLOTS])

    @api.model
    def _inbox_acquire(self, key):
        """Wait for the transaction holding ``key``; raise ConcurrencyError if
        it committed after this transaction's snapshot (retry afresh)."""
        try:
            self.env.cr.execute(
                "UPDATE inbox_lock SET slot = slot WHERE slot = (hashtextextended(%s, 0) & %s)",
                [key, SLOTS - 1], log_exceptions=False)
        except errors.SerializationFailure as error:
            raise ConcurrencyError(f"{key} was changed by another transaction; start again") from error
