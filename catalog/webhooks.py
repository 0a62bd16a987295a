"""The catalog's webhook handler: a product edited in BigCommerce is matched again, just that
product, in a targeted Changed Product Match run (bursts gather into one run, one request per
250 products)."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from connections.webhooks.registry import webhook_handler_register
from dataflows.services import run_queue_for_webhook

from .kinds import CHANGED_PRODUCT_MATCH
from .models import ProductMatchRequest


def product_webhook_received(*, connection, scope: str, data: dict) -> None:
    product_id = data.get("id")
    if isinstance(product_id, bool) or not isinstance(product_id, int) or product_id <= 0:
        return
    ProductMatchRequest.objects.bulk_create(
        [ProductMatchRequest(connection=connection, bc_product_id=product_id)],
        ignore_conflicts=True,
    )
    transaction.on_commit(
        partial(
            run_queue_for_webhook, connection_id=connection.pk, kind=CHANGED_PRODUCT_MATCH,
            only_enabled=False,
        )
    )  # fmt: skip


def register() -> None:
    webhook_handler_register("store/product/updated", product_webhook_received)
