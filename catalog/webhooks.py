"""The catalog's webhook handler: a product edited in BigCommerce is matched again, just that
product, in a targeted Changed Product Match run (bursts gather into one run, one request per
250 products)."""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from connections.webhooks.registry import webhook_handler_register
from dataflows.models import Dataflow, Run
from dataflows.services import run_queue

from .kinds import CHANGED_PRODUCT_MATCH
from .models import ProductMatchRequest

logger = logging.getLogger(__name__)


def product_webhook_received(*, connection, scope: str, data: dict) -> None:
    product_id = data.get("id")
    if isinstance(product_id, bool) or not isinstance(product_id, int) or product_id <= 0:
        return
    ProductMatchRequest.objects.bulk_create(
        [ProductMatchRequest(connection=connection, bc_product_id=product_id)],
        ignore_conflicts=True,
    )
    transaction.on_commit(partial(product_webhook_run_queue, connection.pk))


def product_webhook_run_queue(connection_id: int) -> None:
    """A targeted run, unless one is waiting (its claim comes after this committed request)."""
    dataflow = (
        Dataflow.objects.select_related("connection")
        .filter(connection_id=connection_id, kind=CHANGED_PRODUCT_MATCH)
        .first()
    )
    if dataflow is None or not dataflow.connection.is_active:
        return
    if Run.objects.filter(dataflow=dataflow, status=Run.Status.QUEUED).exists():
        return
    try:
        run_queue(
            dataflow=dataflow, trigger=Run.Trigger.WEBHOOK, countdown=settings.WEBHOOK_COALESCE_S
        )
    except ValidationError:
        logger.info("Product re-match of connection %s not queued", connection_id, exc_info=True)


def register() -> None:
    webhook_handler_register("store/product/updated", product_webhook_received)
