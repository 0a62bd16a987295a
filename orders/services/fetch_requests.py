"""Orders the next Order Import run fetches again by id (a retry, a re-import, a webhook),
and the one way orders start a flow: the engine's `run_queue`."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction

from connections.models import Connection
from dataflows.models import Dataflow, Run
from dataflows.services import run_queue

from ..flows.kinds import ORDER_IMPORT
from ..models import Order, OrderFetchRequest

logger = logging.getLogger(__name__)


def orders_fetch_request(
    *, connection: Connection, bc_order_ids: Iterable[int], reason: str, queue: bool = True
) -> int:
    """Ask the next Order Import run to fetch these orders again by id (a retry, a re-import,
    or a webhook: the hub never trusts a webhook body, it re-fetches). Asking twice for an
    order is asking once. Queues an Order Import run (after commit) unless `queue` is False.
    Returns how many orders were asked for."""
    ids = sorted({int(i) for i in bc_order_ids if int(i) > 0})
    if not ids:
        return 0
    OrderFetchRequest.objects.bulk_create(
        [OrderFetchRequest(connection=connection, bc_order_id=i, reason=reason) for i in ids],
        ignore_conflicts=True,
    )
    if queue:
        transaction.on_commit(partial(flow_queue, connection.pk, ORDER_IMPORT))
    return len(ids)


def flow_queue(connection_id: int, kind: str) -> None:
    """Queue a run of the connection's dataflow of `kind` through the engine's `run_queue` (a
    waiting run is reused); nothing when the connection is inactive."""
    dataflow = (
        Dataflow.objects.select_related("connection")
        .filter(connection_id=connection_id, kind=kind)
        .first()
    )
    if dataflow is None or not dataflow.connection.is_active:
        return
    try:
        run_queue(dataflow=dataflow, trigger=Run.Trigger.RETRY)
    except ValidationError:
        logger.info("%s of connection %s not queued", kind, connection_id, exc_info=True)


def order_reimport(*, order: Order) -> None:
    """ "Re-import this order": fetch it again in the next Order Import run and apply it."""
    if order.connection.status == Connection.Status.DELETING:
        raise ValidationError("The order's connection is being deleted.")
    orders_fetch_request(
        connection=order.connection,
        bc_order_ids=[order.bc_order_id],
        reason=OrderFetchRequest.Reason.REIMPORT,
    )
