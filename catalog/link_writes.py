"""The links Product Match writes: a page's links created or changed with bulk statements (a
fixed number of queries whatever the page's size), and the links of variants BigCommerce no
longer has removed after a full pass."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from connections.models import Connection
from dataflows.bulk import db_datetime, insert_rows, update_rows

from .bc_items import BcItem
from .models import ProductLink

LINK_FIELDS = (  # compared with BigCommerce's data on every match, matched_at last
    "product_id",
    "bc_product_id",
    "bc_sku",
    "bc_upc",
    "bc_mpn",
    "bc_name",
    "master_key",
    "is_simple_product",
    "inventory_tracking",
    "bc_inventory_level",
    "matched_at",
)
LINK_INSERT_COLUMNS = (
    "connection_id",
    "bc_variant_id",
    *LINK_FIELDS[:-1],
    "matched_at",
    "last_seen_at",
    "push_error",
)
#: Values per `IN (...)` (SQLite's limit on query parameters).
LOOKUP_CHUNK = 900


def chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class LinkCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def links_upsert(
    *,
    connection: Connection,
    items: list[BcItem],
    chosen: dict[int, object],
    now: datetime,
    seen_at: datetime | None,
) -> LinkCounts:
    """Create or change the links of `items`, each to the hub product `chosen` for its
    variant (an object with a `pk`, or None while unmatched); mark them seen at `seen_at`."""
    counts = LinkCounts()
    variant_ids = [item.variant_id for item in items]
    existing = {
        row[1]: row
        for row in ProductLink.objects.filter(
            connection=connection, bc_variant_id__in=variant_ids
        ).values_list("pk", "bc_variant_id", *LINK_FIELDS)
    }
    stamp = db_datetime(now)
    seen = db_datetime(seen_at) if seen_at is not None else None
    to_create, to_update = [], []
    for item in items:
        product = chosen[item.variant_id]
        product_id = product.pk if product else None
        values = [
            product_id,
            item.product_id,
            item.sku[:255],
            item.upc[:64],
            item.mpn[:255],
            item.name[:500],
            item.key[:255],
            item.is_simple,
            item.tracking,
            item.inventory_level,
        ]
        row = existing.get(item.variant_id)
        if row is None:
            to_create.append(
                (
                    connection.pk,
                    item.variant_id,
                    *values,
                    stamp if product else None,  # matched_at
                    seen,  # last_seen_at
                    "",  # push_error
                )
            )
            continue
        old_values, old_matched = list(row[2:-1]), row[-1]
        if old_values == values:
            counts.unchanged += 1
            continue
        if old_values[0] != product_id:
            matched = stamp if product else None
        else:
            matched = db_datetime(old_matched) if old_matched else None
        to_update.append((*values, matched, row[0]))
    if to_create:
        insert_rows(ProductLink, LINK_INSERT_COLUMNS, to_create)
        counts.created = len(to_create)
    if to_update:
        update_rows(ProductLink, LINK_FIELDS, to_update)
        counts.updated = len(to_update)
    if seen is not None and existing:
        for chunk in chunks(list(existing)):
            ProductLink.objects.filter(connection=connection, bc_variant_id__in=chunk).update(
                last_seen_at=seen_at
            )
    return counts


def links_remove_unseen(*, connection: Connection, seen_at: datetime) -> int:
    """After a complete full pass: links of variants BigCommerce no longer has."""
    stale = ProductLink.objects.filter(connection=connection).exclude(last_seen_at=seen_at)
    removed = 0
    while True:
        ids = list(stale.values_list("pk", flat=True)[:2000])
        if not ids:
            return removed
        removed += ProductLink.objects.filter(pk__in=ids).delete()[0]
