"""The orders app's webhook handler: an order created, edited, its status changed or archived
in BigCommerce is fetched again by id in a targeted Order Import run (the payload is only a
trigger). Bursts coalesce: the ids pile up as fetch requests and one waiting run drains them."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from connections.webhooks.registry import webhook_handler_register
from dataflows.services import run_queue_for_webhook

from .flows.kinds import ORDER_IMPORT
from .models import OrderFetchRequest
from .services.fetch_requests import orders_fetch_request


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
    transaction.on_commit(
        partial(
            run_queue_for_webhook, connection_id=connection.pk, kind=ORDER_IMPORT,
            only_enabled=True,
        )
    )  # fmt: skip


def register() -> None:
    webhook_handler_register("store/order/", order_webhook_received)
