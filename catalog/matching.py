"""Product Match: BigCommerce variants (and simple products' base variants) matched to hub
products by the connection's master SKU field, with the product info import.

A page of BigCommerce products (with their variants inline) is handled in one transaction
with a fixed number of queries, whatever its size: the page's links, the hub products its
keys name, the hub products created from it, the links created and changed. Problems that
would cause wrong shipments later (no SKU, duplicate SKUs, SKUs with spaces around them,
inventory tracking off, SKUs without a hub product) are logged as warnings on the run and
shown on the connection's Catalog readiness page (`catalog.selectors.readiness_*`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from connections.models import Connection
from dataflows.models import LogEntry

from .bulk import db_datetime, insert_rows, update_rows
from .models import Product, ProductLink

WARNING = LogEntry.Level.WARNING
INFO = LogEntry.Level.INFO

IMPORT_MODES = {
    "link_only": "Link only: link to existing hub products, never create or overwrite",
    "create_only": "Create only: link to existing hub products, create missing ones, never "
    "overwrite",
    "create_and_overwrite": "Create & overwrite: also overwrite existing hub products' data "
    "with BigCommerce data (only the chosen fields)",
}
DEFAULT_IMPORT_MODE = "create_only"
# Hub fields BigCommerce data may overwrite (in create & overwrite mode). The SKU never is: it
# is the key. The description is left out by default: it is often edited in the hub.
OVERWRITABLE_FIELDS = {
    "name": "Name",
    "description": "Description",
    "ean": "EAN (GTIN)",
    "upc": "UPC",
    "mpn": "MPN",
    "weight": "Weight",
    "width": "Width",
    "height": "Height",
    "depth": "Depth",
    "price": "Price",
}
DEFAULT_OVERWRITE_FIELDS = [f for f in OVERWRITABLE_FIELDS if f != "description"]
DEFAULT_OVERLAP_S = 300
MAX_OVERLAP_S = 24 * 3600

MASTER_LABELS = {"sku": "SKU", "upc": "UPC", "mpn": "MPN"}


class OptionsError(ValueError):
    """The dataflow's options are not valid (the message says how to fix them)."""


@dataclass(frozen=True)
class MatchOptions:
    import_mode: str = DEFAULT_IMPORT_MODE
    overwrite_fields: tuple[str, ...] = tuple(DEFAULT_OVERWRITE_FIELDS)
    overlap_seconds: int = DEFAULT_OVERLAP_S

    @property
    def create_missing(self) -> bool:
        return self.import_mode in ("create_only", "create_and_overwrite")

    @property
    def overwrite(self) -> bool:
        return self.import_mode == "create_and_overwrite"


def match_options_parse(options: dict | None) -> MatchOptions:
    """The Product Match options of a dataflow (`Dataflow.options`), defaults filled in."""
    options = options or {}
    if not isinstance(options, dict):
        raise OptionsError("The dataflow's options must be a JSON object.")
    mode = options.get("import_mode", DEFAULT_IMPORT_MODE)
    if mode not in IMPORT_MODES:
        raise OptionsError(
            f"import_mode {mode!r} is not known; use one of {', '.join(IMPORT_MODES)}."
        )
    fields = options.get("overwrite_fields", DEFAULT_OVERWRITE_FIELDS)
    if not isinstance(fields, list | tuple) or not all(isinstance(f, str) for f in fields):
        raise OptionsError("overwrite_fields must be a list of field names.")
    unknown = [f for f in fields if f not in OVERWRITABLE_FIELDS]
    if unknown:
        raise OptionsError(
            f"overwrite_fields names fields that cannot be overwritten: {', '.join(unknown)}; "
            f"choose among {', '.join(OVERWRITABLE_FIELDS)}."
        )
    overlap = options.get("overlap_seconds", DEFAULT_OVERLAP_S)
    if (
        isinstance(overlap, bool)
        or not isinstance(overlap, int)
        or not (0 <= overlap <= MAX_OVERLAP_S)
    ):
        raise OptionsError(f"overlap_seconds must be a whole number from 0 to {MAX_OVERLAP_S}.")
    ordered = tuple(f for f in OVERWRITABLE_FIELDS if f in set(fields))
    return MatchOptions(import_mode=mode, overwrite_fields=ordered, overlap_seconds=overlap)


# ----------------------------------------------------------------------------- BC data


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    return number.quantize(Decimal("0.0001"))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def parse_bc_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class BcItem:
    """One BigCommerce variant (a simple product's base variant included), flattened."""

    product_id: int
    variant_id: int
    sku: str
    upc: str
    mpn: str
    gtin: str
    product_name: str
    name: str
    description: str
    weight: Decimal | None
    width: Decimal | None
    height: Decimal | None
    depth: Decimal | None
    price: Decimal | None
    tracking: str
    inventory_level: int | None
    is_simple: bool
    variant_count: int
    date_modified: datetime | None
    master_raw: str = ""
    key: str = ""

    def value_for(self, field_name: str):
        return {
            "name": self.name,
            "description": self.description,
            "ean": self.gtin,
            "upc": self.upc,
            "mpn": self.mpn,
            "weight": self.weight,
            "width": self.width,
            "height": self.height,
            "depth": self.depth,
            "price": self.price,
        }[field_name]


def _option_label(variant: dict) -> str:
    labels = []
    for value in variant.get("option_values") or []:
        if isinstance(value, dict) and value.get("label"):
            labels.append(str(value["label"]))
    return ", ".join(labels)


def bc_items_from_products(products: Iterable[dict], *, master_field: str) -> list[BcItem]:
    """The variants of a page of products (`include=variants`), one BcItem each."""
    items = []
    for product in products:
        if not isinstance(product, dict) or not isinstance(product.get("id"), int):
            continue
        variants = [v for v in product.get("variants") or [] if isinstance(v, dict)]
        tracking = product.get("inventory_tracking") or "none"
        if tracking not in ProductLink.Tracking.values:
            tracking = "none"
        simple = len(variants) == 1 and not variants[0].get("option_values")
        modified = parse_bc_datetime(product.get("date_modified"))
        for variant in variants:
            if not isinstance(variant.get("id"), int):
                continue
            label = _option_label(variant)
            name = _text(product.get("name"))
            full_name = f"{name} - {label}" if label and not simple else name
            if tracking == "product":
                level = product.get("inventory_level")
            elif tracking == "variant":
                level = variant.get("inventory_level")
            else:
                level = None
            item = BcItem(
                product_id=product["id"],
                variant_id=variant["id"],
                sku=_text(variant.get("sku")),
                upc=_text(variant.get("upc")),
                mpn=_text(variant.get("mpn")),
                gtin=_text(variant.get("gtin")),
                product_name=name,
                name=full_name[:500],
                description=_text(product.get("description")),
                weight=_decimal(
                    next(
                        (
                            w
                            for w in (
                                variant.get("calculated_weight"),
                                variant.get("weight"),
                                product.get("weight"),
                            )
                            if w is not None
                        ),
                        None,
                    )
                ),
                width=_decimal(variant.get("width") or product.get("width")),
                height=_decimal(variant.get("height") or product.get("height")),
                depth=_decimal(variant.get("depth") or product.get("depth")),
                price=_decimal(
                    variant.get("price")
                    if variant.get("price") is not None
                    else product.get("price")
                ),
                tracking=tracking,
                inventory_level=level if isinstance(level, int) else None,
                is_simple=simple,
                variant_count=len(variants),
                date_modified=modified,
            )
            item.master_raw = {"sku": item.sku, "upc": item.upc, "mpn": item.mpn}[master_field]
            item.key = item.master_raw.strip()
            items.append(item)
    return items


# ----------------------------------------------------------------------------- matching


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

LINK_UPDATE_COLUMNS = LINK_FIELDS
LINK_INSERT_COLUMNS = (
    "connection_id",
    "bc_variant_id",
    *LINK_FIELDS[:-1],
    "matched_at",
    "last_seen_at",
    "push_error",
)
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
#: Values per `IN (...)` (SQLite's limit on query parameters).
LOOKUP_CHUNK = 900


def _chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


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


def _describe(item: BcItem) -> str:
    what = "product" if item.is_simple else "variant"
    ident = (
        f"{item.product_id}"
        if item.is_simple
        else f"{item.variant_id} of product {item.product_id}"
    )
    return f"BigCommerce {what} {ident} ({item.name or 'no name'})"


class PageMatcher:
    """Matches pages of BigCommerce products for one connection (one run)."""

    def __init__(self, *, connection: Connection, options: MatchOptions, log, seen_at=None):
        self.connection = connection
        self.tenant_id = connection.tenant_id
        self.master = connection.master_sku_field
        self.master_label = MASTER_LABELS.get(self.master, self.master.upper())
        self.options = options
        self.log = log  # ctx.log
        self.seen_at = seen_at
        self.totals = MatchTotals()

    # -- lookups -------------------------------------------------------------------------

    def _hub_products_by_key(self, keys: set[str]) -> dict[str, list]:
        """Hub products per master key: model instances when they may be overwritten, else
        light references (pk, sku and the master field) read without building models."""
        if not keys:
            return {}
        found: dict[str, list] = {}
        master = self.master
        for chunk in _chunks(sorted(keys)):
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
        with transaction.atomic():
            self._match_items(items)
        return items

    def _report_data_quality(self, items: list[BcItem]) -> None:
        reported_products = set()
        for item in items:
            if not item.key:
                self.totals.no_key += 1
                self.log(
                    f"{_describe(item)} has no {self.master_label}: it cannot be matched to a "
                    "hub product, so its stock is not updated and its orders cannot be "
                    f"fulfilled by SKU. Give it a {self.master_label} in BigCommerce.",
                    level=WARNING,
                    object_kind="variant",
                    object_id=item.variant_id,
                )
            padded = [
                (label, raw)
                for label, raw in (("SKU", item.sku), (self.master_label, item.master_raw))
                if raw and raw != raw.strip()
            ]
            if padded:
                label, raw = padded[0]
                self.totals.padded += 1
                self.log(
                    f"{_describe(item)} has spaces around its {label} {raw!r}: it was matched "
                    f"as {raw.strip()!r}, but orders carry the SKU with the spaces. Remove them "
                    "in BigCommerce.",
                    level=WARNING,
                    object_kind="variant",
                    object_id=item.variant_id,
                )
            if item.tracking == "none" and item.product_id not in reported_products:
                reported_products.add(item.product_id)
                self.totals.tracking_off_products += 1
                self.log(
                    f"BigCommerce product {item.product_id} ({item.product_name}) has inventory "
                    "tracking off: BigCommerce ignores the stock the hub pushes and shipments "
                    "cannot be confirmed. Turn on 'Track inventory' for it in BigCommerce.",
                    level=WARNING,
                    object_kind="product",
                    object_id=item.product_id,
                )

    def _match_items(self, items: list[BcItem]) -> None:
        options = self.options
        now = timezone.now()
        self._report_data_quality(items)
        keys = {item.key for item in items if item.key}
        self.totals.keys |= keys
        by_key = self._hub_products_by_key(keys)

        # Hub products to create (one per key), from the first variant that has the key.
        if options.create_missing:
            self._create_missing(items, by_key)

        # The product of each item, and the overwrite of existing hub products' data.
        chosen: dict[int, Product | None] = {}
        overwritten: dict[int, set[str]] = {}
        overwrite_source: dict[int, BcItem] = {}
        for item in items:
            product = None
            if item.key:
                candidates = by_key.get(item.key, [])
                if len(candidates) == 1:
                    product = candidates[0]
                elif len(candidates) > 1:
                    self.totals.unmatched += 1
                    self.log(
                        f"{_describe(item)}: {len(candidates)} hub products have "
                        f"{self.master_label} {item.key!r} "
                        f"({', '.join(sorted(p.sku for p in candidates)[:5])}); it was left "
                        f"unmatched. Make the {self.master_label} unique in the hub.",
                        level=WARNING,
                        object_kind="variant",
                        object_id=item.variant_id,
                    )
                else:
                    self.totals.unmatched += 1
                    self.log(
                        f"{_describe(item)}: no hub product has {self.master_label} "
                        f"{item.key!r}; it is not linked"
                        + (
                            " (creating hub products is off for this connection)."
                            if not options.create_missing
                            else "."
                        ),
                        level=WARNING,
                        object_kind="variant",
                        object_id=item.variant_id,
                    )
            chosen[item.variant_id] = product
            if (
                product is not None
                and options.overwrite
                and not getattr(product, "created_now", False)
                and product.pk not in overwrite_source
            ):
                overwrite_source[product.pk] = item
                changed = set()
                for name in options.overwrite_fields:
                    value = _hub_value(item, name)
                    if value is None or value == "":
                        continue  # BigCommerce has nothing: keep the hub's value
                    if getattr(product, name) != value:
                        setattr(product, name, value)
                        changed.add(name)
                if changed:
                    overwritten[product.pk] = changed
        if overwritten:
            products = [
                p for p in {p.pk: p for p in chosen.values() if p}.values() if p.pk in overwritten
            ]
            fields = sorted(set().union(*overwritten.values()))
            for product in products:
                product.updated_at = now
                self.log(
                    f"Hub product {product.sku}: {', '.join(sorted(overwritten[product.pk]))} "
                    "overwritten with BigCommerce data.",
                    level=INFO,
                    object_kind="product",
                    object_id=overwrite_source[product.pk].product_id,
                )
            Product.objects.bulk_update(products, [*fields, "updated_at"])
            self.totals.hub_overwritten += len(products)

        self._upsert_links(items, chosen, now)

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
        for chunk in _chunks(skus):
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
                    f"{_describe(item)}: a hub product for {self.master_label} {key!r} could "
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
                f"Hub product {product.sku} created from {_describe(item)}.",
                level=INFO,
                object_kind="variant",
                object_id=item.variant_id,
            )

    def _upsert_links(self, items: list[BcItem], chosen: dict, now) -> None:
        variant_ids = [item.variant_id for item in items]
        existing = {
            row[1]: row
            for row in ProductLink.objects.filter(
                connection=self.connection, bc_variant_id__in=variant_ids
            ).values_list("pk", "bc_variant_id", *LINK_FIELDS)
        }
        stamp = db_datetime(now)
        seen = db_datetime(self.seen_at) if self.seen_at is not None else None
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
                        self.connection.pk,
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
                self.totals.links_unchanged += 1
                continue
            if old_values[0] != product_id:
                matched = stamp if product else None
            else:
                matched = db_datetime(old_matched) if old_matched else None
            to_update.append((*values, matched, row[0]))
        if to_create:
            insert_rows(ProductLink, LINK_INSERT_COLUMNS, to_create)
            self.totals.links_created += len(to_create)
        if to_update:
            update_rows(ProductLink, LINK_UPDATE_COLUMNS, to_update)
            self.totals.links_updated += len(to_update)
        if seen is not None and existing:
            for chunk in _chunks(list(existing)):
                ProductLink.objects.filter(
                    connection=self.connection, bc_variant_id__in=chunk
                ).update(last_seen_at=self.seen_at)

    # -- after the pages -------------------------------------------------------------------

    def report_duplicates(self, *, keys: set[str] | None = None) -> int:
        """Warn about each master key several variants of the store share (all of the store,
        or only `keys`). Returns the number of duplicated keys."""
        links = ProductLink.objects.filter(connection=self.connection).exclude(master_key="")
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
            self.log(
                f"{self.master_label} {key!r} is used by {len(ids)} BigCommerce variants "
                f"({', '.join(map(str, ids[:10]))}{', …' if len(ids) > 10 else ''}): they all "
                "get the same hub product's stock (the store can sell it more than once) and "
                f"an order line cannot say which one it is. Give each a unique "
                f"{self.master_label} in BigCommerce.",
                level=WARNING,
                object_kind="variant",
                object_id=ids[0] if ids else "",
            )
        return len(duplicated)

    def remove_unseen(self) -> int:
        """After a complete full pass: links of variants BigCommerce no longer has."""
        stale = ProductLink.objects.filter(connection=self.connection).exclude(
            last_seen_at=self.seen_at
        )
        removed = 0
        while True:
            ids = list(stale.values_list("pk", flat=True)[:2000])
            if not ids:
                return removed
            removed += ProductLink.objects.filter(pk__in=ids).delete()[0]
