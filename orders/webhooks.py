"""The orders app's webhook handler: an order created, edited, its status changed or archived
in BigCommerce is fetched again by id in a targeted Order Import run (the payload is only a
trigger). Bursts coalesce: the ids pile up as fetch requests and one waiting run drains them."""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from connections.webhooks.registry import webhook_handler_register
from dataflows.models import Dataflow, Run
from dataflows.services import run_queue

from .flows.kinds import ORDER_IMPORT
from .models import OrderFetchRequest
from .services.fetch_requests import orders_fetch_request

logger = logging.getLogger(__name__)


def order_webhook_received(*, connection, scope: str, data: dict) -> None:
    order_id = data.get("id")
    if isinstance(order_id, bool) or not isinstance(order_id, int | str):
        return
    try:
        order_id = int(order_id)
    except ValueError:
        return
    if order_id <= 0:
        return
    orders_fetch_request(
        connection=connection,
        bc_order_ids=[order_id],
        reason=OrderFetchRequest.Reason.WEBHOOK,
        queue=False,
    )
    transaction.on_commit(partial(order_webhook_run_queue, connection.pk))


def order_webhook_run_queue(connection_id: int) -> None:
    """A targeted Order Import run, started WEBHOOK_COALESCE_S from now, unless one is already
    waiting: its claim comes after this (committed) request, so it fetches it too."""
    dataflow = (
        Dataflow.objects.select_related("connection")
        .filter(connection_id=connection_id, kind=ORDER_IMPORT, enabled=True)
        .first()
    )
    if dataflow is None or not dataflow.connection.is_active:
        return  # Order Import off: the requests wait for it
    if Run.objects.filter(dataflow=dataflow, status=Run.Status.QUEUED).exists():
        return
    try:
        run_queue(
            dataflow=dataflow, trigger=Run.Trigger.WEBHOOK, countdown=settings.WEBHOOK_COALESCE_S
        )
    except ValidationError:
        logger.info("Order Import of connection %s not queued", connection_id, exc_info=True)


def register() -> None:
    webhook_handler_register("store/order/", order_webhook_received)
