"""Stock the orders reserve: `products_recount_reserved` is the one writer of
`Product.reserved_by_orders` (open orders' unshipped quantities)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, router, transaction
from django.db.models import F, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from catalog import services as catalog_services
from catalog.models import Product

from ..models import Order, OrderLine

RESERVED_CHUNK = 500


def products_recount_reserved(
    *, product_ids: Iterable[int | None] = (), added: dict[int, int] | None = None
) -> int:
    """Keep `Product.reserved_by_orders` (open orders' unshipped quantities: quantity -
    quantity shipped of the lines of orders neither cancelled nor fully shipped) right; the
    one writer of that column.

    `product_ids`: recount these from their order lines (one aggregate UPDATE per 500
    products). `added`: product id -> quantity that lines of *new* open orders just added in
    this transaction reserve; added to the column (one UPDATE per 500 products), which stays
    exact without reading every line of the product again (a first import of a big store).

    The rows are locked first, in id order, so that a recount reads the order lines with a
    snapshot taken after any other writer of these products committed (nothing concurrent is
    counted out) and recounts never deadlock each other. Products whose reservation changed
    are handed to `catalog.services.products_stock_changed` (their connections' Changed Stock
    Update runs soon after the commit). Returns how many changed."""
    ids = sorted({int(pk) for pk in product_ids if pk})
    added = {int(pk): n for pk, n in (added or {}).items() if pk and n and int(pk) not in ids}
    if not ids and not added:
        return 0
    open_quantity = (
        OrderLine.objects.filter(
            product_id=OuterRef("pk"),
            order__hub_status__in=Order.RESERVING,
            quantity__gt=F("quantity_shipped"),
        )
        .order_by()
        .values("product_id")
        .annotate(total=Sum(F("quantity") - F("quantity_shipped")))
        .values("total")
    )
    changed: list[int] = []
    with transaction.atomic():
        for start in range(0, len(ids), RESERVED_CHUNK):
            chunk = ids[start : start + RESERVED_CHUNK]
            before = dict(_lock_products(chunk).values_list("pk", "reserved_by_orders"))
            Product.objects.filter(pk__any_of=chunk).update(
                reserved_by_orders=Coalesce(Subquery(open_quantity, output_field=IntegerField()), 0)
            )
            after = Product.objects.filter(pk__any_of=chunk).values_list("pk", "reserved_by_orders")
            changed.extend(pk for pk, reserved in after if before.get(pk) != reserved)
        increments = sorted(added)
        if increments:
            db = connections[router.db_for_write(Product)]
            quote = db.ops.quote_name
            column = quote(Product._meta.get_field("reserved_by_orders").column)
            table, pk_column = quote(Product._meta.db_table), quote(Product._meta.pk.column)
            for start in range(0, len(increments), RESERVED_CHUNK):
                chunk = increments[start : start + RESERVED_CHUNK]
                list(_lock_products(chunk).values_list("pk", flat=True))
                with db.cursor() as cursor:
                    if db.vendor == "postgresql":  # one statement for the chunk
                        cursor.execute(
                            f"UPDATE {table} SET {column} = {column} + v.n "
                            "FROM unnest(%s::integer[], %s::bigint[]) AS v (n, id) "
                            f"WHERE {table}.{pk_column} = v.id",
                            [[added[pk] for pk in chunk], chunk],
                        )
                    else:
                        cursor.executemany(
                            f"UPDATE {table} SET {column} = {column} + %s WHERE {pk_column} = %s",
                            [(added[pk], pk) for pk in chunk],
                        )
                changed.extend(chunk)
        if changed:
            _stock_changed(changed)
    return len(changed)


def _lock_products(ids: list[int]):
    return Product.objects.select_for_update(no_key=True).filter(pk__any_of=ids).order_by("pk")


def _stock_changed(product_ids: list[int]) -> None:
    """Tell the catalog (its Changed Stock Update pushes soon after the commit)."""
    catalog_services.products_stock_changed(product_ids=product_ids)
