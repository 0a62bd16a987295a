"""What Full and Changed Stock Update push, per linked BigCommerce item: the hub product's
`available` (on hand minus manual and order reservations), never below 0:
* by `variant_id` for variants (and simple products) tracked by variant;
* by `product_id` for products tracked by product, with the sum of its linked variants' stock
  (a simple product is the one-variant case);
* nothing for items with inventory tracking off: BigCommerce ignores their stock;
* nothing for items whose hub product's stock the warehouse has never set
  (`Product.stock_set_at` empty): before go-live that would set the store's stock to 0.
Both are reported (`catalog.stock_records`).

The links are read in keyset pages ordered by (BC product id, BC variant id), so memory stays
flat whatever the catalog's size. Changed Stock Update reads only links whose available stock
(clamped at 0) differs from `last_pushed_quantity`, the quantity BigCommerce last accepted
(one SQL query per page on the indexed links joined to their products). A quantity that moved
and came back is therefore not sent, and an item whose push failed is sent again."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, Value
from django.db.models.functions import Greatest

from .models import ProductLink

PAGE_LINKS = 2000

LINK_VALUES = (
    "id",
    "bc_product_id",
    "bc_variant_id",
    "bc_sku",
    "inventory_tracking",
    "last_pushed_quantity",
    "push_error",
    "product__sku",
    "product__available",
    "product__stock_set_at",
)


def linked_links(*, connection):
    """Links of the connection matched to a hub product."""
    return ProductLink.objects.filter(connection=connection, product__isnull=False)


def pushable_links(*, connection):
    """Links of the connection whose stock is pushed: matched, tracking on."""
    return linked_links(connection=connection).exclude(inventory_tracking=ProductLink.Tracking.NONE)


def stock_unset_links(*, connection):
    """Pushable links whose hub product's stock the warehouse has never set."""
    return pushable_links(connection=connection).filter(product__stock_set_at__isnull=True)


def changed_links(*, connection):
    """Pushable links with a stock set by the warehouse whose available stock (>= 0) differs
    from what BigCommerce last accepted (never pushed counts as different)."""
    # The stock-set test comes after the comparison in the WHERE clause: SQLite then reads
    # `stock_set_at` (the product row's last column) for the few changed links only, not for
    # every link of the connection (that made finding the changed links ~1.5-3x slower).
    return (
        pushable_links(connection=connection)
        .annotate(hub_quantity=Greatest(F("product__available"), Value(0)))
        .exclude(last_pushed_quantity=F("hub_quantity"))
        .filter(product__stock_set_at__isnull=False)
    )


def _after(queryset, position: tuple[int, int] | None):
    if position is None:
        return queryset
    product_id, variant_id = position
    return queryset.filter(bc_product_id__gte=product_id).filter(
        Q(bc_product_id__gt=product_id) | Q(bc_product_id=product_id, bc_variant_id__gt=variant_id)
    )


def rejected_links_up_to(queryset, position: tuple[int, int]):
    """Pushable links of `queryset` at or before `position` whose last push was rejected."""
    product_id, variant_id = position
    return (
        queryset.exclude(push_error="")
        .exclude(inventory_tracking=ProductLink.Tracking.NONE)
        .filter(
            Q(bc_product_id__lt=product_id)
            | Q(bc_product_id=product_id, bc_variant_id__lte=variant_id)
        )
    )


def links_page(queryset, *, after: tuple[int, int] | None, limit: int = PAGE_LINKS) -> list[dict]:
    return list(
        _after(queryset, after)
        .order_by("bc_product_id", "bc_variant_id")
        .values(*LINK_VALUES)[:limit]
    )


def product_groups(*, connection, rows: list[dict]) -> dict[int, list[dict]]:
    """All pushable links of the page's product-tracked products (a product's stock is the sum
    of its variants', so the whole product is sent even if one variant changed)."""
    product_ids = {r["bc_product_id"] for r in rows if r["inventory_tracking"] == "product"}
    if not product_ids:
        return {}
    groups: dict[int, list[dict]] = {}
    for row in (
        pushable_links(connection=connection)
        .filter(bc_product_id__in=product_ids, inventory_tracking="product")
        .order_by("bc_product_id", "bc_variant_id")
        .values(*LINK_VALUES)
    ):
        groups.setdefault(row["bc_product_id"], []).append(row)
    return groups


@dataclass(eq=False)  # items are told apart by identity (dict keys, `in`)
class StockItem:
    kind: str  # "variant_id" or "product_id"
    ref: int
    quantity: int
    location_id: int
    links: list[tuple[int, int, int | None]]  # (link id, own quantity, last pushed)
    label: str
    position: tuple[int, int]
    known_failed: bool = False

    @property
    def payload(self) -> dict:
        return {"location_id": self.location_id, self.kind: self.ref, "quantity": self.quantity}

    @property
    def object_kind(self) -> str:
        return "variant" if self.kind == "variant_id" else "product"


def stock_items_build(
    rows: list[dict], groups: dict[int, list[dict]], *, location_id: int, records
) -> tuple[list[StockItem], tuple[int, int]]:
    """The items to push for a page of link rows, and the page's position (the last product
    and variant it covers). `records` (a StockRecorder) hears about what is not pushed."""
    items = []
    done_products = set()
    position = (rows[-1]["bc_product_id"], rows[-1]["bc_variant_id"])
    for row in rows:
        if row["inventory_tracking"] == ProductLink.Tracking.NONE:
            records.tracking_off(row)
            continue
        if row["inventory_tracking"] == "product":
            product_id = row["bc_product_id"]
            if product_id in done_products:
                continue
            done_products.add(product_id)
            group = groups.get(product_id) or [row]
            last = group[-1]
            if product_id == position[0]:
                position = (product_id, max(position[1], last["bc_variant_id"]))
            label = (
                f"BigCommerce product {product_id} "
                f"(SKU {', '.join(sorted({link['product__sku'] for link in group}))})"
            )
            unset = [link for link in group if link["product__stock_set_at"] is None]
            if unset:
                records.stock_unset(label, unset, object_kind="product", object_id=product_id)
                continue
            links = [records.component(link) for link in group]
            items.append(
                StockItem(
                    kind="product_id",
                    ref=product_id,
                    quantity=sum(c[1] for c in links),
                    location_id=location_id,
                    links=links,
                    label=label,
                    position=(product_id, last["bc_variant_id"]),
                    known_failed=any(link["push_error"] for link in group),
                )
            )
            continue
        label = f"SKU {row['product__sku']} (BigCommerce variant {row['bc_variant_id']})"
        if row["product__stock_set_at"] is None:
            records.stock_unset(label, [row], object_kind="variant", object_id=row["bc_variant_id"])
            continue
        component = records.component(row)
        items.append(
            StockItem(
                kind="variant_id",
                ref=row["bc_variant_id"],
                quantity=component[1],
                location_id=location_id,
                links=[component],
                label=label,
                position=(row["bc_product_id"], row["bc_variant_id"]),
                known_failed=bool(row["push_error"]),
            )
        )
    return items, position
