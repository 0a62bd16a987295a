"""The worker's database connection after an interrupt."""

import logging

from django.db import connection

logger = logging.getLogger(__name__)


def db_connection_drop_if_busy() -> None:
    """Close the connection when an interrupt left it in the middle of a query (the signal
    landed between the driver's steps, before it could cancel the query): no other query can
    go over it. Django opens a new one on the next query. A flow's clean-up after SIGTERM
    calls this before saving what it has done."""
    raw = connection.connection
    info = getattr(raw, "info", None)  # psycopg 3's; SQLite's connection has none
    if info is None or connection.in_atomic_block:
        return
    from psycopg.pq import TransactionStatus

    if info.transaction_status in (TransactionStatus.ACTIVE, TransactionStatus.UNKNOWN):
        logger.warning("The database connection was left mid-query; opening a new one")
        connection.close()
