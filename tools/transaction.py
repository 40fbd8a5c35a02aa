"""Transaction boundaries of the queues.

A call to a provider is a side effect that no rollback undoes, so the
queues commit around it: what they are about to do, then what the
provider answered, each in a short transaction of its own.
"""
from psycopg2 import errors

from odoo.exceptions import ConcurrencyError
from odoo.modules import module
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

# Another transaction worked on the same rows at the same time: the work is
# tried again in a transaction that sees what it did.
CONCURRENCY_ERRORS = (ConcurrencyError, errors.UniqueViolation, *PG_CONCURRENCY_EXCEPTIONS_TO_RETRY)


def commit(env):
    """Make the work of ``env``'s transaction durable. Inside a test the
    test's transaction stays open (the test rolls it back): the steps run
    in one transaction, in the same order."""
    if not module.current_test:
        env.cr.commit()

