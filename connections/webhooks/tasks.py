"""Webhook tasks (maintenance queue): thin, take ids, call one service."""

from __future__ import annotations

import logging
from functools import partial

from celery import shared_task
from django.db import transaction

logger = logging.getLogger(__name__)


def _send(connection_id: int) -> None:
    try:
        webhooks_sync_task.delay(connection_id)
    except Exception:  # the periodic check registers them later
        logger.exception(
            "Webhooks of connection %s: the sync task could not be sent", connection_id
        )


def webhooks_sync_enqueue(*, connection_id: int) -> None:
    """Register or remove the connection's hooks after the current transaction commits."""
    transaction.on_commit(partial(_send, connection_id))


@shared_task
def webhooks_sync_task(connection_id: int) -> str | None:
    from ..models import Connection
    from .registration import webhooks_sync

    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None:
        return None
    sub = webhooks_sync(connection=connection)
    return sub.state if sub is not None else None


@shared_task
def webhooks_check_task() -> int:
    """Every active connection's hooks checked (re-enabled, re-created); old deliveries
    forgotten. Returns how many connections were checked."""
    from ..models import Connection
    from .receiving import webhook_deliveries_forget
    from .registration import webhooks_check

    checked = 0
    for connection in Connection.objects.filter(
        status=Connection.Status.ACTIVE, webhook_subscription__isnull=False
    ).iterator():
        try:
            webhooks_check(connection=connection)
        except Exception:  # one store's trouble never stops the others' check
            logger.exception("Webhook check of connection %s failed", connection.pk)
        checked += 1
    webhook_deliveries_forget()
    return checked
