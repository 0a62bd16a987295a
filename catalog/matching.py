"""Product Match: BigCommerce variants (and simple products' base variants) matched to hub
products by the connection's master SKU field, with the product info import.

A page of BigCommerce products (with their variants inline) is handled in one transaction
with a fixed number of queries, whatever its size: the page's links, the hub products its
keys name, the hub products created from it, the links created and changed
(`catalog.link_writes`). Bad data is reported as it is met (`catalog.data_quality`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from connections.models import Connection
from dataflows.bulk import db_datetime, insert_rows
from dataflows.models import LogEntry

from .bc_items import BcItem, bc_items_from_products
from .data_quality import duplicates_report, items_quality_report
from .import_options import MASTER_LABELS, MatchOptions
from .link_writes import chunks, links_remove_unseen, links_upsert
from .models import OVERWRITABLE_FIELDS, Product

WARNING = LogEntry.Level.WARNING
INFO = LogEntry.Level.INFO

TEXT_FIELDS = ("name", "description", "ean", "upc", "mpn")
NUMBER_FIELDS = ("weight", "width", "height", "depth", "price")
PRODUCT_INSERT_COLUMNS = (
    "tenant_id",
    "sku",
    *TEXT_FIELDS,
    *NUMBER_FIELDS,
    "on_hand",
    "manual_reserved",
    "reserved_by_orders",
    "created_at",
    "updated_at",
)
HUB_FIELD_LIMITS = {"name": 500, "ean": 64, "upc": 64, "mpn": 255}


@dataclass
class MatchTotals:
    variants: int = 0
    links_created: int = 0
    links_updated: int = 0
    links_unchanged: int = 0
    hub_created: int = 0
    hub_overwritten: int = 0
    unmatched: int = 0
    no_key: int = 0
    padded: int = 0
    tracking_off_products: int = 0
    max_date_modified: datetime | None = None
    keys: set = field(default_factory=set)


class HubRef:
    """A hub product known by id, SKU and its master field (not a model instance)."""

    __slots__ = ("pk", "sku", "upc", "mpn", "created_now")

    def __init__(self, pk, sku, *, created_now=False, upc=None, mpn=None):
        self.pk, self.sku, self.upc, self.mpn = pk, sku, upc, mpn
        self.created_now = created_now

    @classmethod
    def of(cls, pk, sku, master: str, value, *, created_now=False) -> HubRef:
        extra = {master: value} if master in ("upc", "mpn") else {}
        return cls(pk, sku, created_now=created_now, **extra)


def _hub_value(item: BcItem, field_name: str):
    value = item.value_for(field_name)
    if isinstance(value, str):
        value = value.strip()
        limit = HUB_FIELD_LIMITS.get(field_name)
        if limit:
            value = value[:limit]
    return value


class PageMatcher:
    """Matches pages of BigCommerce products for one connection (one run)."""

    def __init__(
        self,
        *,
        connection: Connection,
        options: MatchOptions,
        log,
        seen_at=None,
        atomic=transaction.atomic,
    ):
        self.connection = connection
        # The page's transaction: the run's `ctx.atomic`, so that what the page logged goes
        # with it when it rolls back (the log never says a product was created that was not).
        self.atomic = atomic
        self.tenant_id = connection.tenant_id
        self.master = connection.master_sku_field
        self.master_label = MASTER_LABELS.get(self.master, self.master.upper())
        self.options = options
        self.log = log  # ctx.log
        self.seen_at = seen_at
        self.totals = MatchTotals()

    def _hub_products_by_key(self, keys: set[str]) -> dict[str, list]:
        """Hub products per master key: model instances when they may be overwritten, else
        light references (pk, sku and the master field) read without building models."""
        if not keys:
            return {}
        found: dict[str, list] = {}
        master = self.master
        for chunk in chunks(sorted(keys)):
            products = Product.objects.filter(tenant_id=self.tenant_id, **{f"{master}__in": chunk})
            if self.options.overwrite:
                for product in products:
                    found.setdefault(getattr(product, master), []).append(product)
            else:
                for pk, sku, value in products.values_list("pk", "sku", master):
                    found.setdefault(value, []).append(HubRef.of(pk, sku, master, value))
        return found

    # -- the page --------------------------------------------------------------------------

    def match_page(self, products: list[dict]) -> list[BcItem]:
        items = bc_items_from_products(products, master_field=self.master)
        totals = self.totals
        totals.variants += len(items)
        for item in items:
            if item.date_modified and (
                totals.max_date_modified is None or item.date_modified > totals.max_date_modified
            ):
                totals.max_date_modified = item.date_modified
        if not items:
            return items
        with self.atomic():
            self._match_items(items)
        return items

    def _match_items(self, items: list[BcItem]) -> None:
        now = timezone.now()
        quality = items_quality_report(items, master_label=self.master_label, log=self.log)
        self.totals.no_key += quality.no_key
        self.totals.padded += quality.padded
        self.totals.tracking_off_products += quality.tracking_off_products
        keys = {item.key for item in items if item.key}
        self.totals.keys |= keys
        by_key = self._hub_products_by_key(keys)
        if self.options.create_missing:
            self._create_missing(items, by_key)
        chosen = {item.variant_id: self._choose(item, by_key) for item in items}
        if self.options.overwrite:
            self._overwrite(items, chosen, now)
        links = links_upsert(
            connection=self.connection, items=items, chosen=chosen, now=now, seen_at=self.seen_at
        )
        self.totals.links_created += links.created
        self.totals.links_updated += links.updated
        self.totals.links_unchanged += links.unchanged

    def _choose(self, item: BcItem, by_key: dict[str, list]):
        """The one hub product with the item's key, or None (reported)."""
        if not item.key:
            return None
        candidates = by_key.get(item.key, [])
        if len(candidates) == 1:
            return candidates[0]
        self.totals.unmatched += 1
        if candidates:
            self.log(
                f"{item.describe()}: {len(candidates)} hub products have "
                f"{self.master_label} {item.key!r} "
                f"({', '.join(sorted(p.sku for p in candidates)[:5])}); it was left "
                f"unmatched. Make the {self.master_label} unique in the hub.",
                level=WARNING,
                object_kind="variant",
                object_id=item.variant_id,
            )
        else:
            self.log(
                f"{item.describe()}: no hub product has {self.master_label} "
                f"{item.key!r}; it is not linked"
                + (
                    " (creating hub products is off for this connection)."
                    if not self.options.create_missing
                    else "."
                ),
                level=WARNING,
                object_kind="variant",
                object_id=item.variant_id,
            )
        return None

    def _overwrite(self, items: list[BcItem], chosen: dict, now) -> None:
        """Existing hub products' data overwritten with the first variant linked to each (only
        the chosen fields, never with an empty value)."""
        overwritten: dict[int, set[str]] = {}
        source: dict[int, BcItem] = {}
        products: dict[int, Product] = {}
        for item in items:
            product = chosen[item.variant_id]
            if product is None or getattr(product, "created_now", False) or product.pk in source:
                continue
            source[product.pk] = item
            changed = set()
            for name in self.options.overwrite_fields:
                value = _hub_value(item, name)
                if value is None or value == "":
                    continue  # BigCommerce has nothing: keep the hub's value
                if getattr(product, name) != value:
                    setattr(product, name, value)
                    changed.add(name)
            if changed:
                overwritten[product.pk] = changed
                products[product.pk] = product
        if not overwritten:
            return
        fields = sorted(set().union(*overwritten.values()))
        for product in products.values():
            product.updated_at = now
            self.log(
                f"Hub product {product.sku}: {', '.join(sorted(overwritten[product.pk]))} "
                "overwritten with BigCommerce data.",
                level=INFO,
                object_kind="product",
                object_id=source[product.pk].product_id,
            )
        Product.objects.bulk_update(list(products.values()), [*fields, "updated_at"])
        self.totals.hub_overwritten += len(products)

    def _create_missing(self, items: list[BcItem], by_key: dict[str, list]) -> None:
        new: dict[str, tuple] = {}  # key -> the hub product's row
        source: dict[str, BcItem] = {}
        stamp = db_datetime(timezone.now())
        master = self.master
        for item in items:
            if not item.key or item.key in by_key or item.key in new:
                continue
            sku = (item.key if master == "sku" else (item.sku.strip() or item.key))[:255]
            values = {name: _hub_value(item, name) for name in OVERWRITABLE_FIELDS}
            values[master] = item.key
            new[item.key] = (
                self.tenant_id,
                sku,
                *(values[name] if values[name] is not None else "" for name in TEXT_FIELDS),
                *(values[name] for name in NUMBER_FIELDS),
                0,
                0,
                0,
                stamp,
                stamp,
            )
            source[item.key] = item
        if not new:
            return
        # ON CONFLICT DO NOTHING: a product created meanwhile (REST, admin) is found below.
        insert_rows(Product, PRODUCT_INSERT_COLUMNS, new.values(), ignore_conflicts=True)
        skus = sorted({row[1] for row in new.values()})
        created = {}
        for chunk in chunks(skus):
            for pk, sku, value in Product.objects.filter(
                tenant_id=self.tenant_id, sku__in=chunk
            ).values_list("pk", "sku", master):
                created[sku] = HubRef.of(pk, sku, master, value, created_now=True)
        for key, row in new.items():
            product = created.get(row[1])
            item = source[key]
            if product is None:
                continue
            if getattr(product, master) != key:
                self.log(
                    f"{item.describe()}: a hub product for {self.master_label} {key!r} could "
                    f"not be created because hub SKU {row[1]!r} already exists with "
                    f"{self.master_label} {getattr(product, master)!r}; it was left "
                    "unmatched.",
                    level=WARNING,
                    object_kind="variant",
                    object_id=item.variant_id,
                )
                continue
            by_key[key] = [product]
            self.totals.hub_created += 1
            self.log(
                f"Hub product {product.sku} created from {item.describe()}.",
                level=INFO,
                object_kind="variant",
                object_id=item.variant_id,
            )

    # -- after the pages -------------------------------------------------------------------

    def report_duplicates(self, *, keys: set[str] | None = None) -> int:
        return duplicates_report(
            connection=self.connection, master_label=self.master_label, log=self.log, keys=keys
        )

    def remove_unseen(self) -> int:
        return links_remove_unseen(connection=self.connection, seen_at=self.seen_at)
