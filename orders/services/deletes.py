"""Deleting a connection's orders (the connection's background delete)."""

from __future__ import annotations

from django.db import transaction

from ..models import (
    Address,
    Order,
    OrderError,
    OrderFetchRequest,
    OrderLine,
    Shipment,
    ShipmentLine,
)
from .reservations import products_recount_reserved

DELETE_BATCH_SIZE = 2000


def orders_delete_for_connection(*, connection_id: int, batch_size: int = DELETE_BATCH_SIZE) -> int:
    """Delete a connection's orders and everything of them in batches (no huge transaction),
    then recount the stock their lines reserved. Call before deleting the connection."""
    deleted = 0
    product_ids: set[int] = set()
    OrderError.objects.filter(connection_id=connection_id).delete()
    OrderFetchRequest.objects.filter(connection_id=connection_id).delete()
    while True:
        ids = list(
            Order.objects.filter(connection_id=connection_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        with transaction.atomic():
            product_ids.update(
                OrderLine.objects.filter(order_id__in=ids, product_id__isnull=False)
                .values_list("product_id", flat=True)
                .distinct()
            )
            ShipmentLine.objects.filter(shipment__order_id__in=ids).delete()
            Shipment.objects.filter(order_id__in=ids).delete()
            OrderLine.objects.filter(order_id__in=ids).delete()
            Address.objects.filter(order_id__in=ids).delete()
            deleted += Order.objects.filter(pk__in=ids).delete()[1].get("orders.Order", 0)
    products_recount_reserved(product_ids=product_ids)
    return deleted
