"""The readiness checks of Product Match: BigCommerce data that would cause wrong stock or
shipments later (no master SKU, SKUs padded with spaces, inventory tracking off, master SKUs
several variants share) logged as warnings on the run. The Catalog readiness tab lists the
same problems from the links (`catalog.selectors.readiness_*`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count

from connections.models import Connection
from dataflows.models import LogEntry

from .bc_items import BcItem
from .models import ProductLink

WARNING = LogEntry.Level.WARNING


@dataclass
class QualityCounts:
    no_key: int = 0
    padded: int = 0
    tracking_off_products: int = 0


def items_quality_report(items: list[BcItem], *, master_label: str, log: Callable) -> QualityCounts:
    """Warn about each item of a page without a master key, with spaces around its SKU or
    master key, and each product with tracking off (once per product)."""
    counts = QualityCounts()
    reported_products = set()
    for item in items:
        if not item.key:
            counts.no_key += 1
            log(
                f"{item.describe()} has no {master_label}: it cannot be matched to a "
                "hub product, so its stock is not updated and its orders cannot be "
                f"fulfilled by SKU. Give it a {master_label} in BigCommerce.",
                level=WARNING,
                object_kind="variant",
                object_id=item.variant_id,
            )
        padded = [
            (label, raw)
            for label, raw in (("SKU", item.sku), (master_label, item.master_raw))
            if raw and raw != raw.strip()
        ]
        if padded:
            label, raw = padded[0]
            counts.padded += 1
            log(
                f"{item.describe()} has spaces around its {label} {raw!r}: it was matched "
                f"as {raw.strip()!r}, but orders carry the SKU with the spaces. Remove them "
                "in BigCommerce.",
                level=WARNING,
                object_kind="variant",
                object_id=item.variant_id,
            )
        if item.tracking == "none" and item.product_id not in reported_products:
            reported_products.add(item.product_id)
            counts.tracking_off_products += 1
            log(
                f"BigCommerce product {item.product_id} ({item.product_name}) has inventory "
                "tracking off: BigCommerce ignores the stock the hub pushes and shipments "
                "cannot be confirmed. Turn on 'Track inventory' for it in BigCommerce.",
                level=WARNING,
                object_kind="product",
                object_id=item.product_id,
            )
    return counts


def duplicates_report(
    *, connection: Connection, master_label: str, log: Callable, keys: set[str] | None = None
) -> int:
    """Warn about each master key several variants of the store share (all of the store, or
    only `keys`). Returns the number of duplicated keys."""
    links = ProductLink.objects.filter(connection=connection).exclude(master_key="")
    groups = links.values("master_key").annotate(n=Count("id")).filter(n__gt=1)
    if keys is not None:
        if not keys:
            return 0
        groups = groups.filter(master_key__in=keys)
    duplicated = [row["master_key"] for row in groups.order_by("master_key")]
    if not duplicated:
        return 0
    variants: dict[str, list[int]] = {}
    for start in range(0, len(duplicated), 500):
        chunk = duplicated[start : start + 500]
        for key, variant_id in (
            links.filter(master_key__in=chunk)
            .order_by("master_key", "bc_variant_id")
            .values_list("master_key", "bc_variant_id")
        ):
            variants.setdefault(key, []).append(variant_id)
    for key in duplicated:
        ids = variants.get(key, [])
        log(
            f"{master_label} {key!r} is used by {len(ids)} BigCommerce variants "
            f"({', '.join(map(str, ids[:10]))}{', …' if len(ids) > 10 else ''}): they all "
            "get the same hub product's stock (the store can sell it more than once) and "
            f"an order line cannot say which one it is. Give each a unique "
            f"{master_label} in BigCommerce.",
            level=WARNING,
            object_kind="variant",
            object_id=ids[0] if ids else "",
        )
    return len(duplicated)
