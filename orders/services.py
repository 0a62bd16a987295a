"""Writes of the orders app (keyword-only, typed, named <entity>_<action>).

The heart is `OrderImporter.import_page`: one transaction per page of (up to 250) BigCommerce
orders, with bulk statements only (about a dozen per page, whatever its size). Inside it the
connection's row is locked (`SELECT … FOR NO KEY UPDATE`), so that two writers of one
connection's orders (an overlapping run, a retry, a webhook) take turns and each decides
create / update / skip on the other's committed rows; the unique constraint on (connection,
BigCommerce order id) and the `INSERT … ON CONFLICT DO UPDATE` inserts make a duplicate
impossible even for a writer that skipped the lock.

Stock: `products_recount_reserved(product_ids=…)` is the one place that writes
`Product.reserved_by_orders` (open orders' unshipped quantities), with one aggregate UPDATE.
"""

from __future__ import annotations

import csv
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache, partial
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import Product, ProductLink
from connections.models import DEFAULT_ORDER_STATUS_FILTER, Connection

from .models import (
    Address,
    Customer,
    Order,
    OrderError,
    OrderFetchRequest,
    OrderLine,
    Shipment,
    ShipmentLine,
)
from .normalize import ADDRESS_FIELDS, NormalizedOrder, UnreadableOrder, normalize_order

logger = logging.getLogger(__name__)

CANCELLED = 5
SHIPPED_STATUSES = (2, 3)
# Countries whose addresses have no postal code (a blank zip is fine there).
NO_POSTAL_CODE_COUNTRIES = frozenset(
    "AE AG AN AO AW BF BI BJ BO BS BW BZ CD CF CG CI CK CM DJ DM ER FJ GA GD GH GM GN GQ GY HK "
    "KI KM KN KP LY ML MR MW NR NU QA RW SB SC SL SO SR ST SY TF TG TK TL TO TV UG VU YE ZW".split()
)
RESERVED_CHUNK = 500
DELETE_BATCH_SIZE = 2000
CARRIERS_CSV = (
    Path(__file__).resolve().parent.parent
    / "connections"
    / "bigcommerce"
    / "tracking_carrier_values.csv"
)

# A log callback: (message, level, BigCommerce order id). Flows pass one writing to the run log.
LogFn = Callable[[str, str, int | None], None]

INFO, WARNING, ERROR, DEBUG = "info", "warning", "error", "debug"


def _no_log(message: str, level: str, bc_order_id: int | None) -> None:
    logger.log(
        {"debug": logging.DEBUG, "warning": logging.WARNING, "error": logging.ERROR}.get(
            level, logging.INFO
        ),
        message,
    )


# ----------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class ImportFilter:
    """Which BigCommerce orders the connection imports (its order filter settings)."""

    status_ids: frozenset[int]
    min_order_id: int | None = None  # only ids greater than this
    created_from: datetime | None = None
    archived: bool = False

    def refusal(self, order: NormalizedOrder) -> str | None:
        """Why a new order is not imported, or None when it is."""
        if order.is_deleted and not self.archived:
            return "it is archived and archived orders are not imported"
        if order.status_id not in self.status_ids:
            return f"its status ({order.status_id}) is not among the statuses to import"
        if self.min_order_id is not None and order.bc_order_id <= self.min_order_id:
            return f"its id is not greater than {self.min_order_id}"
        if self.created_from is not None and order.date_created < self.created_from:
            return f"it was created before {self.created_from:%Y-%m-%d %H:%M}"
        return None


def created_within_days(options: dict | None) -> int | None:
    """The Order Import option "only orders created within the last X days" (blank = all)."""
    value = (options or {}).get("created_within_days")
    if value in (None, "", 0):
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        return None
    return days if days > 0 else None


def import_filter_for(
    *, connection: Connection, options: dict | None = None, now: datetime | None = None
) -> ImportFilter:
    created_from = connection.import_created_after
    days = created_within_days(options)
    if days:
        window = (now or timezone.now()) - timedelta(days=days)
        created_from = max(created_from, window) if created_from else window
    statuses = connection.order_status_filter or DEFAULT_ORDER_STATUS_FILTER
    return ImportFilter(
        status_ids=frozenset(int(s) for s in statuses),
        min_order_id=connection.import_min_order_id,
        created_from=created_from,
        archived=connection.import_archived_orders,
    )


# ----------------------------------------------------------------------------- checks


@dataclass
class _Resolver:
    """The page's hub products: by BigCommerce variant (ProductLink) and by SKU."""

    links: dict[int, tuple[int | None, str]]
    products: dict[str, int]

    @classmethod
    def for_orders(cls, connection: Connection, orders: Iterable[NormalizedOrder]) -> _Resolver:
        variant_ids, skus = set(), set()
        for order in orders:
            for line in order.lines:
                if line["bc_variant_id"]:
                    variant_ids.add(line["bc_variant_id"])
                if line["sku"]:
                    skus.add(line["sku"])
        links = {}
        if variant_ids:
            links = {
                variant: (product, tracking)
                for variant, product, tracking in ProductLink.objects.filter(
                    connection=connection, bc_variant_id__in=variant_ids
                ).values_list("bc_variant_id", "product_id", "inventory_tracking")
            }
        products = {}
        if skus:
            products = dict(
                Product.objects.filter(tenant_id=connection.tenant_id, sku__in=skus).values_list(
                    "sku", "pk"
                )
            )
        return cls(links=links, products=products)

    def resolve(self, line: dict) -> tuple[int | None, str | None, str]:
        """(hub product id, problem code, problem text) of one line."""
        label = f"line {line['bc_line_id']}" + (f" “{line['name']}”" if line["name"] else "")
        link = self.links.get(line["bc_variant_id"]) if line["bc_variant_id"] else None
        if link is not None and link[0] is not None:
            product_id, tracking = link
            if tracking == ProductLink.Tracking.NONE:
                return (
                    product_id,
                    OrderError.Code.TRACKING_OFF,
                    f"{label} (SKU “{line['sku']}”): inventory tracking is off for this product "
                    "in BigCommerce, so its stock is not kept there and the shipment cannot be "
                    "confirmed by stock; turn on “Track inventory” for it",
                )
            return product_id, None, ""
        if not line["sku"]:
            return (
                None,
                OrderError.Code.MISSING_SKU,
                f"{label} has no SKU in BigCommerce; give the product (or variant) a SKU",
            )
        product_id = self.products.get(line["sku"])
        if product_id is None:
            padded = (
                " (note the spaces around it in BigCommerce)"
                if (line["raw_sku"] != line["sku"])
                else ""
            )
            return (
                None,
                OrderError.Code.UNKNOWN_SKU,
                f"{label}: SKU “{line['sku']}”{padded} is not a hub product; create it in the "
                "hub or correct the SKU in BigCommerce",
            )
        return product_id, None, ""


def address_problems(order: NormalizedOrder) -> dict[str, str]:
    if not order.shipping:
        why = (
            "it is a pickup order" if order.has_pickups else "BigCommerce sent no shipping address"
        )
        return {OrderError.Code.MISSING_SHIPPING_ADDRESS: f"No shipping address: {why}."}
    problems = []
    for address in order.shipping:
        missing = []
        if not (address["country_iso2"] or address["country"]):
            missing.append("country")
        if not address["zip"] and address["country_iso2"] not in NO_POSTAL_CODE_COUNTRIES:
            missing.append("postal code")
        if not address["street_1"]:
            missing.append("street")
        if missing:
            problems.append(
                f"shipping address {address['bc_address_id']} has no {' and no '.join(missing)}"
            )
    if problems:
        return {
            OrderError.Code.INVALID_ADDRESS: "Invalid address: "
            + "; ".join(problems)
            + ". Correct it in BigCommerce."
        }
    return {}


def _line_problems(
    order: NormalizedOrder, resolver: _Resolver
) -> tuple[list[int | None], dict[str, str]]:
    products: list[int | None] = []
    found: dict[str, list[str]] = defaultdict(list)
    for line in order.lines:
        product_id, code, text = resolver.resolve(line)
        products.append(product_id)
        if code:
            found[code].append(text)
    if not order.lines and order.shipping:
        found[OrderError.Code.MISSING_SKU].append("the order has no physical lines to ship")
    return products, {code: _sentence("; ".join(texts)) for code, texts in found.items()}


def _sentence(text: str) -> str:
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def hub_status_for(*, cancelled: bool, lines: Iterable[tuple[int, int]]) -> str:
    """From (quantity, quantity shipped) pairs."""
    if cancelled:
        return Order.HubStatus.CANCELLED
    total = shipped = 0
    for quantity, quantity_shipped in lines:
        total += quantity
        shipped += min(quantity, quantity_shipped)
    if total and shipped >= total:
        return Order.HubStatus.SHIPPED
    if shipped:
        return Order.HubStatus.PARTIALLY_SHIPPED
    return Order.HubStatus.OPEN


# ----------------------------------------------------------------------------- importing

ORDER_SCALARS = (
    "status_id",
    "status_name",
    "email",
    "bc_customer_id",
    "date_shipped",
    "currency_code",
    "subtotal_ex_tax",
    "subtotal_inc_tax",
    "shipping_cost_inc_tax",
    "total_tax",
    "total_ex_tax",
    "total_inc_tax",
    "items_total",
    "payment_method",
    "payment_status",
    "customer_message",
    "staff_notes",
    "order_source",
)
ORDER_UPDATE_FIELDS = (
    *ORDER_SCALARS,
    "customer",
    "hub_status",
    "is_archived",
    "date_modified",
    "raw",
    "source_hash",
    "content_hash",
    "updated_at",
)
LINE_FIELDS = (
    "bc_product_id",
    "bc_variant_id",
    "bc_address_id",
    "sku",
    "name",
    "options",
    "quantity",
    "quantity_shipped",
    "price_ex_tax",
    "price_inc_tax",
    "total_inc_tax",
    "product",
)
ADDRESS_MODEL_FIELDS = (*ADDRESS_FIELDS, "shipping_method")
ORDER_INSERT_COLUMNS = (
    "tenant_id",
    "connection_id",
    "customer_id",
    "bc_order_id",
    *ORDER_SCALARS,
    "hub_status",
    "is_archived",
    "date_created",
    "date_modified",
    "raw",
    "source_hash",
    "content_hash",
    "imported_at",
    "updated_at",
)
ORDER_UPSERT_COLUMNS = tuple(
    c
    for c in ORDER_INSERT_COLUMNS
    if c not in ("tenant_id", "connection_id", "bc_order_id") and c != "imported_at"
)
LINE_COLUMNS = (
    "order_id",
    "bc_line_id",
    *(f"{f}_id" if f == "product" else f for f in LINE_FIELDS),
)
ADDRESS_COLUMNS = ("order_id", "kind", "bc_address_id", *ADDRESS_MODEL_FIELDS)
# Column types whose Python values go to the database as they are.
_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "TextField",
    }
)


def upsert_rows(model, columns, rows, *, unique, update) -> None:
    """`INSERT … ON CONFLICT (unique) DO UPDATE SET …` of many rows in one `executemany`.

    What `bulk_create(update_conflicts=True)` does, without building a model instance and
    compiling SQL per row and field (that is most of the time of a page of 250 orders): plain
    values pass as they are, the others (dates, decimals, JSON) through their field's own
    database preparation. `columns` are attnames, `rows` tuples in that order."""
    if not rows:
        return
    db = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(c) for c in columns]  # attnames work too
    prepare = [_preparer(f, db) for f in fields]
    if any(prepare):
        rows = [
            tuple(v if p is None else p(v) for v, p in zip(row, prepare, strict=True))
            for row in rows
        ]
    quote = db.ops.quote_name
    names = [f.column for f in fields]
    by_attname = {f.attname: f.column for f in fields}
    head = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(n) for n in names)}) VALUES "
    )
    tail = (
        f" ON CONFLICT ({', '.join(quote(by_attname[c]) for c in unique)}) DO UPDATE SET "
        + ", ".join(f"{quote(by_attname[c])} = EXCLUDED.{quote(by_attname[c])}" for c in update)
    )
    one = f"({', '.join(['%s'] * len(names))})"
    sql = head + one + tail
    if db.vendor == "postgresql":
        # Django's psycopg cursors bind on the client (the values are quoted into the SQL
        # text in Python); a server-binding cursor sends them apart, pipelined.
        import psycopg

        db.ensure_connection()
        with psycopg.Cursor(db.connection) as cursor:
            cursor.executemany(sql, rows)
        return
    with db.cursor() as cursor:
        cursor.executemany(sql, rows)


def _preparer(field, db):
    kind = field.get_internal_type()
    if kind in _PLAIN_TYPES:
        return None
    if kind == "DecimalField":  # values are Decimals already
        return partial(
            db.ops.adapt_decimalfield_value,
            max_digits=field.max_digits,
            decimal_places=field.decimal_places,
        )
    if kind == "DateTimeField":  # values are aware datetimes already
        return db.ops.adapt_datetimefield_value
    if kind == "JSONField" and field.encoder is None and db.vendor in ("sqlite", "postgresql"):
        # JSON text (the column's type casts it on PostgreSQL): compact, and once.
        return _json_text
    return partial(_prep, field, db)


def _json_text(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _prep(field, db, value):
    return field.get_db_prep_save(value, db)


class _NewOrder:
    """An order about to be inserted: its column values (cheaper than a model instance)."""

    __slots__ = ("pk", *ORDER_INSERT_COLUMNS)

    def __init__(self, **values):
        self.pk = None
        for name, value in values.items():
            setattr(self, name, value)


@dataclass
class PageResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    unreadable: int = 0


@dataclass
class _ErrorState:
    order: Order | None
    evaluated: tuple[str, ...]
    present: dict[str, str]
    note: str


@dataclass
class _Page:
    # (BigCommerce's version, the hub order, hub product per line, shipped quantities the
    # hub's lines had by BigCommerce line id)
    new: list[tuple[NormalizedOrder, Order, list[int | None], dict]] = field(default_factory=list)
    changed: list[Order] = field(default_factory=list)
    content: list[tuple[NormalizedOrder, Order, list[int | None], dict]] = field(
        default_factory=list
    )
    line_updates: list[OrderLine] = field(default_factory=list)
    customers: dict[str, NormalizedOrder] = field(default_factory=dict)
    customer_orders: list[tuple[Order, str]] = field(default_factory=list)
    errors: dict[int, _ErrorState] = field(default_factory=dict)
    product_ids: set[int] = field(default_factory=set)  # to recount
    added: Counter = field(default_factory=Counter)  # reserved by new orders' lines


class OrderImporter:
    """Imports pages of BigCommerce orders into the hub for one connection.

    `force` (a retry, "re-import this order", a webhook) re-applies an order the hub already
    has even when nothing changed and "update orders that already exist" is off."""

    def __init__(
        self,
        *,
        connection: Connection,
        import_filter: ImportFilter | None = None,
        log: LogFn | None = None,
        update_existing: bool | None = None,
    ):
        self.connection = connection
        self.filter = import_filter or import_filter_for(connection=connection)
        self.log = log if log is not None else _no_log
        self.update_existing = (
            connection.update_existing_orders if update_existing is None else update_existing
        )

    # -- entry point

    def import_page(self, payloads: Iterable[dict], *, force: bool = False) -> PageResult:
        result = PageResult()
        orders: dict[int, NormalizedOrder] = {}
        unreadable: dict[int, str] = {}
        for payload in payloads:
            try:
                order = normalize_order(payload)
            except UnreadableOrder as exc:
                bc_id = payload.get("id") if isinstance(payload, dict) else None
                text = (
                    f"BigCommerce sent order {bc_id} in a form the hub cannot read ({exc}); it "
                    "was not imported. Retry it once the store answers normally."
                )
                result.failed += 1
                result.unreadable += 1
                self.log(text, ERROR, bc_id if isinstance(bc_id, int) else None)
                if isinstance(bc_id, int) and bc_id > 0:
                    unreadable[bc_id] = text
                continue
            seen = orders.get(order.bc_order_id)
            if seen is None or order.date_modified >= seen.date_modified:
                orders[order.bc_order_id] = order
        if not orders and not unreadable:
            return result
        with transaction.atomic():
            self._lock()
            self._import(orders, result, force=force, unreadable=unreadable)
        return result

    def _lock(self) -> None:
        # Writers of one connection's orders take turns (no-op on SQLite, which serializes
        # writes itself).
        list(
            Connection.objects.select_for_update(no_key=True)
            .filter(pk=self.connection.pk)
            .values_list("pk", flat=True)
        )

    # -- planning

    def _import(self, orders, result: PageResult, *, force: bool, unreadable: dict[int, str]):
        connection = self.connection
        ids = list(orders)
        existing = {
            o.bc_order_id: o
            for o in Order.objects.filter(connection=connection, bc_order_id__in=ids).defer("raw")
        }
        open_errors, ignored = self._errors_of([*ids, *unreadable])
        page = _Page()
        for bc_id, text in unreadable.items():
            if bc_id not in orders:
                page.errors[bc_id] = _ErrorState(
                    None, (OrderError.Code.UNREADABLE,), {OrderError.Code.UNREADABLE: text}, ""
                )
        resolver = _Resolver.for_orders(connection, orders.values())
        changed = [
            (orders[bc_id], order)
            for bc_id, order in existing.items()
            if force
            or (
                orders[bc_id].source_hash != order.source_hash
                and orders[bc_id].date_modified >= order.date_modified
            )
        ]
        old_lines, old_addresses, shipped = self._load_existing([o for _, o in changed])
        for bc_id, order in orders.items():
            current = existing.get(bc_id)
            if current is None:
                self._plan_new(order, page, result, resolver, open_errors, ignored, force=force)
        for order, current in changed:
            self._plan_existing(
                order,
                current,
                page,
                result,
                resolver,
                lines=old_lines.get(current.pk, []),
                addresses=old_addresses.get(current.pk, []),
                shipped=current.pk in shipped,
                force=force,
            )
        result.skipped += len(existing) - len(changed)
        self._write(page)
        self._apply_errors(page.errors, open_errors, ignored)
        products_recount_reserved(product_ids=page.product_ids, added=page.added)

    def _errors_of(self, ids) -> tuple[dict[tuple[int, str], OrderError], set[tuple[int, str]]]:
        rows = OrderError.objects.filter(
            connection=self.connection, bc_order_id__in=ids, shipment__isnull=True
        ).filter(Q(resolved_at__isnull=True) | Q(resolution=OrderError.Resolution.IGNORED))
        open_errors, ignored = {}, set()
        for error in rows:
            key = (error.bc_order_id, error.code)
            if error.resolved_at is None:
                open_errors[key] = error
            else:
                ignored.add(key)
        return open_errors, ignored

    def _load_existing(self, orders: list[Order]):
        lines, addresses, shipped = defaultdict(list), defaultdict(list), set()
        if orders:
            pks = [o.pk for o in orders]
            for line in OrderLine.objects.filter(order_id__in=pks):
                lines[line.order_id].append(line)
            for address in Address.objects.filter(order_id__in=pks):
                addresses[address.order_id].append(address)
            shipped = set(
                Shipment.objects.filter(order_id__in=pks).values_list("order_id", flat=True)
            )
        return lines, addresses, shipped

    def _label(self, status_id: int) -> str:
        return self.connection.status_label(status_id)

    def _plan_new(self, order, page, result, resolver, open_errors, ignored, *, force):
        bc_id = order.bc_order_id
        had_errors = any(key[0] == bc_id for key in open_errors)
        refusal = self.filter.refusal(order)
        if refusal is None and order.is_digital:
            refusal = "it is a digital order: there is nothing to ship"
        if refusal is not None:
            result.skipped += 1
            if had_errors or force:
                page.errors[bc_id] = _ErrorState(
                    None, OrderError.IMPORT_CODES, {}, f"Not imported any more: {refusal}."
                )
                self.log(f"Order {bc_id} not imported: {refusal}.", INFO, bc_id)
            return
        cancelled = order.status_id == CANCELLED
        products, problems = _line_problems(order, resolver)
        if not cancelled:
            problems.update(address_problems(order))
        blocking = {
            code: text
            for code, text in problems.items()
            if code in OrderError.BLOCKING and not cancelled
        }
        if blocking:
            unchanged = all(
                (bc_id, code) in ignored
                or (
                    (bc_id, code) in open_errors
                    and open_errors[(bc_id, code)].message == text
                    and open_errors[(bc_id, code)].retry_requested_at is None
                )
                for code, text in problems.items()
            )
            if unchanged and not force:
                result.skipped += 1  # already reported as it is
                return
            result.failed += 1
            page.errors[bc_id] = _ErrorState(
                None, OrderError.IMPORT_CODES, problems, "No longer found when checked again."
            )
            all_ignored = all((bc_id, code) in ignored for code in blocking)
            self.log(
                f"Order {bc_id} not imported: {' '.join(blocking.values())}"
                + (" (the error is ignored)" if all_ignored else ""),
                INFO if all_ignored else ERROR,
                bc_id,
            )
            return
        quantities = [(line["quantity"], line["quantity_shipped"]) for line in order.lines]
        new = _NewOrder(
            tenant_id=self.connection.tenant_id,
            connection_id=self.connection.pk,
            customer_id=None,
            bc_order_id=bc_id,
            hub_status=hub_status_for(cancelled=cancelled, lines=quantities),
            is_archived=order.is_deleted,
            date_created=order.date_created,
            date_modified=order.date_modified,
            raw=order.raw,
            source_hash=order.source_hash,
            content_hash=order.content_hash,
            **{name: getattr(order, name) for name in ORDER_SCALARS},
        )
        page.new.append((order, new, products, {}))
        if order.email:
            page.customers[order.email] = order
            page.customer_orders.append((new, order.email))
        if new.hub_status in Order.RESERVING:
            for line, product_id in zip(order.lines, products, strict=True):
                if product_id and line["quantity"] > line["quantity_shipped"]:
                    page.added[product_id] += line["quantity"] - line["quantity_shipped"]
        warnings = {code: text for code, text in problems.items() if code not in blocking}
        page.errors[bc_id] = _ErrorState(
            new, OrderError.IMPORT_CODES, {} if cancelled else warnings, f"Order {bc_id} imported."
        )
        result.created += 1
        where = (
            ", ".join(filter(None, (order.shipping[0]["city"], order.shipping[0]["country_iso2"])))
            if order.shipping
            else ""
        )
        self.log(
            f"Order {bc_id} imported: {len(order.lines)} line(s), {self._label(order.status_id)}"
            + (f", ship to {where}" if where else "")
            + (", cancelled (reserves no stock)" if cancelled else "")
            + ".",
            INFO,
            bc_id,
        )
        for code, text in warnings.items():
            if not cancelled and (bc_id, code) not in ignored:
                self.log(f"Order {bc_id}: {text}", WARNING, bc_id)

    def _plan_existing(
        self, order, current, page, result, resolver, *, lines, addresses, shipped, force
    ):
        bc_id = order.bc_order_id
        by_line = {line.bc_line_id: line for line in lines}
        was_cancelled = current.hub_status == Order.HubStatus.CANCELLED
        cancelling = order.status_id == CANCELLED and not was_cancelled
        content_changed = order.content_hash != current.content_hash
        apply_edits = self.update_existing or force
        changes = describe_changes(current, lines, addresses, order, label=self._label)
        shipped = shipped or any(line.quantity_shipped for line in lines)

        # Bookkeeping: the version seen, whatever is applied.
        current.source_hash = order.source_hash
        current.date_modified = max(current.date_modified, order.date_modified)
        current.raw = order.raw
        current.is_archived = order.is_deleted
        page.changed.append(current)

        # BigCommerce's shipped quantities are facts (e.g. the shipments Order Update sent).
        confirmed = False
        for incoming in order.lines:
            line = by_line.get(incoming["bc_line_id"])
            if line is not None and incoming["quantity_shipped"] > line.quantity_shipped:
                line.quantity_shipped = min(line.quantity, incoming["quantity_shipped"])
                page.line_updates.append(line)
                confirmed = True

        if shipped and (cancelling or (content_changed and order.status_id != CANCELLED)):
            what = "cancelled" if cancelling else "changed"
            text = (
                f"Order {bc_id} was {what} in BigCommerce after the warehouse shipped (part of) it"
                + (f": {'; '.join(changes)}" if changes and not cancelling else "")
                + ". The hub kept its copy; check the order with the merchant and the warehouse."
            )
            page.errors[bc_id] = _ErrorState(
                current,
                (OrderError.Code.CHANGED_AFTER_SHIPMENT,),
                {OrderError.Code.CHANGED_AFTER_SHIPMENT: text},
                "",
            )
            self._refresh_status(current, lines, page, cancelled=was_cancelled)
            result.failed += 1
            self.log(text, ERROR, bc_id)
            return

        if cancelling:
            self._apply_scalars(current, order)
            if content_changed and apply_edits:
                self._plan_content(order, current, page, resolver, lines, force=True)
            page.product_ids.update(line.product_id for line in lines if line.product_id)
            current.hub_status = Order.HubStatus.CANCELLED
            page.errors[bc_id] = _ErrorState(
                current, OrderError.IMPORT_CODES, {}, f"Order {bc_id} was cancelled."
            )
            result.updated += 1
            self.log(
                f"Order {bc_id} cancelled in BigCommerce: marked cancelled; its lines no longer "
                "reserve stock.",
                WARNING,
                bc_id,
            )
            return

        status_changed = order.status_id != current.status_id
        edited = content_changed or status_changed or bool(changes)
        shipment_confirmation = (
            status_changed
            and not content_changed
            and order.status_id in SHIPPED_STATUSES
            and (shipped or confirmed)
        )
        if apply_edits and (edited or force):
            if content_changed or force:
                problems = self._plan_content(order, current, page, resolver, lines, force=force)
                blocking = {c: t for c, t in problems.items() if c in OrderError.BLOCKING}
                if blocking:
                    page.errors[bc_id] = _ErrorState(
                        current, OrderError.IMPORT_CODES, problems, "No longer found."
                    )
                    self._refresh_status(current, lines, page, cancelled=was_cancelled)
                    result.failed += 1
                    self.log(
                        f"Order {bc_id} changed in BigCommerce but the change was not applied: "
                        + " ".join(blocking.values()),
                        ERROR,
                        bc_id,
                    )
                    return
                warnings = problems
            else:
                warnings = {}
            self._apply_scalars(current, order)
            if was_cancelled and order.status_id != CANCELLED:
                page.product_ids.update(line.product_id for line in lines if line.product_id)
            page.errors[bc_id] = _ErrorState(
                current, OrderError.IMPORT_CODES, warnings, f"Order {bc_id} imported again."
            )
            if not content_changed:
                self._refresh_status(current, lines, page, cancelled=False)
            result.updated += 1
            self.log(
                f"Order {bc_id} updated: {'; '.join(changes)}."
                if changes
                else f"Order {bc_id} imported again (no changes).",
                INFO,
                bc_id,
            )
            for text in warnings.values():
                self.log(f"Order {bc_id}: {text}", WARNING, bc_id)
            return

        if shipment_confirmation:
            current.status_id, current.status_name = order.status_id, order.status_name
            current.date_shipped = order.date_shipped
            self._refresh_status(current, lines, page, cancelled=was_cancelled)
            result.updated += 1
            self.log(
                f"Order {bc_id}: BigCommerce confirms the shipment "
                f"({self._label(order.status_id)}).",
                INFO,
                bc_id,
            )
            return

        self._refresh_status(current, lines, page, cancelled=was_cancelled)
        result.skipped += 1
        if edited:
            self.log(
                f"Order {bc_id} changed in BigCommerce ({'; '.join(changes) or 'details'}); "
                "not applied because “Update orders that already exist” is off.",
                WARNING,
                bc_id,
            )

    def _apply_scalars(self, current: Order, order: NormalizedOrder) -> None:
        for name in ORDER_SCALARS:
            setattr(current, name, getattr(order, name))

    def _refresh_status(self, current: Order, lines, page: _Page, *, cancelled: bool) -> None:
        before = current.hub_status
        current.hub_status = hub_status_for(
            cancelled=cancelled, lines=((ln.quantity, ln.quantity_shipped) for ln in lines)
        )
        if before != current.hub_status or any(ln in page.line_updates for ln in lines):
            page.product_ids.update(ln.product_id for ln in lines if ln.product_id)

    def _plan_content(self, order, current, page, resolver, lines, *, force) -> dict[str, str]:
        """Plan replacing the hub copy's lines and addresses with `order`'s; returns the
        problems (blocking ones mean: nothing planned)."""
        products, problems = _line_problems(order, resolver)
        if order.status_id != CANCELLED:
            problems.update(address_problems(order))
        elif not force:
            problems = {}
        if any(code in OrderError.BLOCKING for code in problems) and order.status_id != CANCELLED:
            return problems
        shipped = {line.bc_line_id: line.quantity_shipped for line in lines}
        page.content.append((order, current, products, shipped))
        current.content_hash = order.content_hash
        page.product_ids.update(line.product_id for line in lines if line.product_id)
        page.product_ids.update(p for p in products if p)
        quantities = [
            (line["quantity"], max(line["quantity_shipped"], shipped.get(line["bc_line_id"], 0)))
            for line in order.lines
        ]
        current.hub_status = hub_status_for(
            cancelled=order.status_id == CANCELLED, lines=quantities
        )
        if order.email:
            page.customers[order.email] = order
            page.customer_orders.append((current, order.email))
        return {code: text for code, text in problems.items() if code not in OrderError.BLOCKING}

    # -- writing

    def _write(self, page: _Page) -> None:
        customers = customers_upsert(
            tenant_id=self.connection.tenant_id, orders=list(page.customers.values())
        )
        for order, email in page.customer_orders:
            order.customer_id = customers.get(email)
        now = timezone.now()
        if page.new:
            new_orders = [entry[1] for entry in page.new]
            for order in new_orders:
                order.imported_at = order.updated_at = now
            upsert_rows(
                Order,
                ORDER_INSERT_COLUMNS,
                [tuple(getattr(o, c) for c in ORDER_INSERT_COLUMNS) for o in new_orders],
                unique=("connection_id", "bc_order_id"),
                update=ORDER_UPSERT_COLUMNS,
            )
            ids = dict(
                Order.objects.filter(
                    connection=self.connection, bc_order_id__in=[o.bc_order_id for o in new_orders]
                ).values_list("bc_order_id", "pk")
            )
            for order in new_orders:
                order.pk = ids[order.bc_order_id]
        if page.changed:
            for order in page.changed:
                order.updated_at = now
            Order.objects.bulk_update(page.changed, ORDER_UPDATE_FIELDS)
        lines, addresses = [], []
        kept_lines: dict[int, set[int]] = {}
        kept_addresses: dict[int, set[int]] = {}
        for normalized, order, products, shipped_before in [*page.new, *page.content]:
            order_id = order.pk
            for line, product_id in zip(normalized.lines, products, strict=True):
                shipped = max(line["quantity_shipped"], shipped_before.get(line["bc_line_id"], 0))
                lines.append(
                    (
                        order_id,
                        line["bc_line_id"],
                        line["bc_product_id"],
                        line["bc_variant_id"],
                        line["bc_address_id"],
                        line["sku"],
                        line["name"],
                        line["options"],
                        line["quantity"],
                        min(line["quantity"], shipped),
                        line["price_ex_tax"],
                        line["price_inc_tax"],
                        line["total_inc_tax"],
                        product_id,
                    )
                )
            kept_lines[order_id] = {line["bc_line_id"] for line in normalized.lines}
            billing = normalized.billing
            addresses.append((order_id, "billing", 0, *(billing[n] for n in ADDRESS_FIELDS), ""))
            for shipping in normalized.shipping:
                addresses.append(
                    (
                        order_id,
                        "shipping",
                        shipping["bc_address_id"],
                        *(shipping[n] for n in ADDRESS_MODEL_FIELDS),
                    )
                )
            kept_addresses[order_id] = {s["bc_address_id"] for s in normalized.shipping}
        content_pks = [entry[1].pk for entry in page.content]
        if content_pks:
            stale = Q()
            for pk, kept in kept_lines.items():
                if pk in content_pks:
                    stale |= Q(order_id=pk) & ~Q(bc_line_id__in=kept)
            OrderLine.objects.filter(stale).delete()
            stale = Q()
            for pk, kept in kept_addresses.items():
                if pk in content_pks:
                    stale |= Q(order_id=pk, kind=Address.Kind.SHIPPING) & ~Q(bc_address_id__in=kept)
            Address.objects.filter(stale).delete()
        content_line_keys = {
            (entry[1].pk, line["bc_line_id"]) for entry in page.content for line in entry[0].lines
        }
        updates = [
            line
            for line in page.line_updates
            if (line.order_id, line.bc_line_id) not in content_line_keys
        ]
        if updates:
            OrderLine.objects.bulk_update(updates, ["quantity_shipped"])
        if lines:
            upsert_rows(
                OrderLine,
                LINE_COLUMNS,
                lines,
                unique=("order_id", "bc_line_id"),
                update=LINE_COLUMNS[2:],
            )
        if addresses:
            upsert_rows(
                Address,
                ADDRESS_COLUMNS,
                addresses,
                unique=("order_id", "kind", "bc_address_id"),
                update=ADDRESS_COLUMNS[3:],
            )

    def _apply_errors(self, states, open_errors, ignored) -> None:
        now = timezone.now()
        connection = self.connection
        create, update, resolve = [], [], defaultdict(list)
        for bc_id, state in states.items():
            order_id = state.order.pk if state.order is not None else None
            for code in state.evaluated:
                error = open_errors.get((bc_id, code))
                text = state.present.get(code)
                if text is not None:
                    if error is not None:
                        error.message = text
                        error.last_seen_at = now
                        error.occurrences += 1
                        error.retry_requested_at = None
                        error.order_id = order_id or error.order_id
                        update.append(error)
                    elif (bc_id, code) not in ignored:
                        create.append(
                            OrderError(
                                connection=connection,
                                order_id=order_id,
                                bc_order_id=bc_id,
                                code=code,
                                message=text,
                                first_seen_at=now,
                                last_seen_at=now,
                            )
                        )
                elif error is not None:
                    resolve[state.note or "The order was imported."].append(error.pk)
        if create:
            OrderError.objects.bulk_create(create)
        if update:
            OrderError.objects.bulk_update(
                update, ["message", "last_seen_at", "occurrences", "retry_requested_at", "order"]
            )
        for note, pks in resolve.items():
            OrderError.objects.filter(pk__in=pks, resolved_at__isnull=True).update(
                resolved_at=now,
                resolution=OrderError.Resolution.RESOLVED,
                resolution_note=note,
                retry_requested_at=None,
            )


def describe_changes(current: Order, lines, addresses, order: NormalizedOrder, *, label):
    """Human-readable differences between the hub's copy and a BigCommerce version."""
    changes = []
    if order.status_id != current.status_id:
        changes.append(f"status {label(current.status_id)} → {label(order.status_id)}")
    if order.content_hash != current.content_hash:
        old = {line.bc_line_id: line for line in lines}
        new = {line["bc_line_id"]: line for line in order.lines}
        for bc_line_id, line in new.items():
            before = old.get(bc_line_id)
            if before is None:
                changes.append(f"line {bc_line_id} added ({line['sku']} × {line['quantity']})")
                continue
            if before.sku != line["sku"]:
                changes.append(f"line {bc_line_id} SKU {before.sku} → {line['sku']}")
            if before.quantity != line["quantity"]:
                changes.append(
                    f"line {bc_line_id} ({line['sku']}) quantity {before.quantity} → "
                    f"{line['quantity']}"
                )
        for bc_line_id, line in old.items():
            if bc_line_id not in new:
                changes.append(f"line {bc_line_id} removed ({line.sku} × {line.quantity})")
        old_shipping = {a.bc_address_id: a for a in addresses if a.kind == Address.Kind.SHIPPING}
        for shipping in order.shipping:
            before = old_shipping.get(shipping["bc_address_id"])
            if before is None:
                changes.append(f"shipping address {shipping['bc_address_id']} added")
                continue
            fields = [n for n in ADDRESS_FIELDS if getattr(before, n) != shipping[n]]
            if fields:
                changes.append(f"shipping address changed ({', '.join(fields)})")
        billing = next((a for a in addresses if a.kind == Address.Kind.BILLING), None)
        if billing is not None:
            fields = [n for n in ADDRESS_FIELDS if getattr(billing, n) != order.billing[n]]
            if fields:
                changes.append(f"billing address changed ({', '.join(fields)})")
    if order.customer_message != current.customer_message:
        changes.append("customer message changed")
    return changes


CUSTOMER_FIELDS = ("kind", "company", "first_name", "last_name", "phone", "bc_customer_id")


def customers_upsert(*, tenant_id: int, orders: list[NormalizedOrder]) -> dict[str, int]:
    """Customer ids by e-mail for the orders' buyers, created or brought up to date."""
    if not orders:
        return {}
    emails = {order.email for order in orders if order.email}
    existing = {c.email: c for c in Customer.objects.filter(tenant_id=tenant_id, email__in=emails)}
    ids = {email: customer.pk for email, customer in existing.items()}
    changed = []
    now = timezone.now()
    for order in orders:
        billing = order.billing
        company = billing["company"][:255]
        before = existing.get(order.email)
        wanted = {
            "kind": (Customer.Kind.COMPANY if company else Customer.Kind.PERSON).value,
            "company": company,
            "first_name": billing["first_name"][:255],
            "last_name": billing["last_name"][:255],
            "phone": billing["phone"][:64],
            "bc_customer_id": order.bc_customer_id or (before.bc_customer_id if before else None),
        }
        if before is not None and not company and before.kind == Customer.Kind.COMPANY:
            # A company that once ordered with its company name stays a company customer.
            wanted["kind"], wanted["company"] = before.kind, before.company
        if before is not None and all(getattr(before, k) == v for k, v in wanted.items()):
            continue
        changed.append((tenant_id, order.email, *wanted.values(), now, now))
    if changed:
        columns = ("tenant_id", "email", *CUSTOMER_FIELDS, "created_at", "updated_at")
        upsert_rows(
            Customer,
            columns,
            changed,
            unique=("tenant_id", "email"),
            update=(*CUSTOMER_FIELDS, "updated_at"),
        )
        ids.update(
            Customer.objects.filter(
                tenant_id=tenant_id, email__in=[row[1] for row in changed]
            ).values_list("email", "pk")
        )
    return ids


# ----------------------------------------------------------------------------- stock


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
            Product.objects.filter(pk__in=chunk).update(
                reserved_by_orders=Coalesce(Subquery(open_quantity, output_field=IntegerField()), 0)
            )
            after = Product.objects.filter(pk__in=chunk).values_list("pk", "reserved_by_orders")
            changed.extend(pk for pk, reserved in after if before.get(pk) != reserved)
        increments = sorted(added)
        if increments:
            db = connections[router.db_for_write(Product)]
            quote = db.ops.quote_name
            column = quote(Product._meta.get_field("reserved_by_orders").column)
            sql = (
                f"UPDATE {quote(Product._meta.db_table)} SET {column} = {column} + %s "
                f"WHERE {quote(Product._meta.pk.column)} = %s"
            )
            for start in range(0, len(increments), RESERVED_CHUNK):
                chunk = increments[start : start + RESERVED_CHUNK]
                list(_lock_products(chunk).values_list("pk", flat=True))
                with db.cursor() as cursor:
                    cursor.executemany(sql, [(added[pk], pk) for pk in chunk])
                changed.extend(chunk)
        if changed:
            _stock_changed(changed)
    return len(changed)


def _lock_products(ids: list[int]):
    return Product.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")


def _stock_changed(product_ids: list[int]) -> None:
    """Tell the catalog (its Changed Stock Update pushes soon after the commit)."""
    try:
        from catalog.services import products_stock_changed
    except ImportError:  # pragma: no cover - a catalog app without the hook
        return
    products_stock_changed(product_ids=product_ids)


# ----------------------------------------------------------------------------- requests


def orders_fetch_request(
    *, connection: Connection, bc_order_ids: Iterable[int], reason: str, queue: bool = True
) -> int:
    """Ask the next Order Import run to fetch these orders again by id (a retry, a re-import,
    or a webhook: the hub never trusts a webhook body, it re-fetches). Asking twice for an
    order is asking once. Queues an Order Import run (after commit) unless `queue` is False.
    Returns how many orders were asked for."""
    ids = sorted({int(i) for i in bc_order_ids if int(i) > 0})
    if not ids:
        return 0
    OrderFetchRequest.objects.bulk_create(
        [OrderFetchRequest(connection=connection, bc_order_id=i, reason=reason) for i in ids],
        ignore_conflicts=True,
    )
    if queue:
        transaction.on_commit(partial(_queue, connection.pk, "order_import"))
    return len(ids)


def _queue(connection_id: int, kind: str) -> None:
    """Queue a run of the connection's dataflow of `kind` (a waiting run is reused)."""
    from dataflows.models import Dataflow, Run
    from dataflows.services import run_queue

    dataflow = (
        Dataflow.objects.select_related("connection")
        .filter(connection_id=connection_id, kind=kind)
        .first()
    )
    if dataflow is None or not dataflow.connection.is_active:
        return
    try:
        run_queue(dataflow=dataflow, trigger=Run.Trigger.RETRY)
    except ValidationError:
        logger.info("%s of connection %s not queued", kind, connection_id, exc_info=True)


def order_reimport(*, order: Order) -> None:
    """ "Re-import this order": fetch it again in the next Order Import run and apply it."""
    if order.connection.status == Connection.Status.DELETING:
        raise ValidationError("The order's connection is being deleted.")
    orders_fetch_request(
        connection=order.connection,
        bc_order_ids=[order.bc_order_id],
        reason=OrderFetchRequest.Reason.REIMPORT,
    )


def order_errors_retry(*, errors: Iterable[OrderError]) -> int:
    """Retry open errors after their cause was fixed: import errors fetch their order again
    in the next Order Import run; a rejected shipment is sent again by the next Order Update.
    Returns how many errors will be retried."""
    errors = [e for e in errors if e.resolved_at is None]
    if not errors:
        return 0
    now = timezone.now()
    by_connection: dict[int, tuple[Connection, set[int]]] = {}
    shipments = []
    for error in errors:
        if error.connection.status == Connection.Status.DELETING:
            continue
        if error.code == OrderError.Code.SHIPMENT_REJECTED and error.shipment_id:
            shipments.append(error.shipment_id)
        else:
            by_connection.setdefault(error.connection_id, (error.connection, set()))[1].add(
                error.bc_order_id
            )
    with transaction.atomic():
        OrderError.objects.filter(pk__in=[e.pk for e in errors], resolved_at__isnull=True).update(
            retry_requested_at=now
        )
        if shipments:
            # A refusal is a clear answer (nothing was created): no need to look first.
            Shipment.objects.filter(pk__in=shipments, status=Shipment.Status.REJECTED).update(
                status=Shipment.Status.PENDING
            )
            for connection_id in {
                e.connection_id for e in errors if e.shipment_id in set(shipments)
            }:
                transaction.on_commit(partial(_queue_update, connection_id))
        for connection, ids in by_connection.values():
            orders_fetch_request(
                connection=connection, bc_order_ids=ids, reason=OrderFetchRequest.Reason.RETRY
            )
    return len(errors)


def _queue_update(connection_id: int) -> None:
    _queue(connection_id, "order_update")


def order_errors_ignore(*, errors: Iterable[OrderError], reason: str, user=None) -> int:
    """Ignore open errors, with the reason recorded: they no longer count as errors, and the
    same problem of the same order is not reported again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the error is ignored."})
    if len(reason) > 1000:
        raise ValidationError({"reason": "Keep the reason under 1000 characters."})
    pks = [e.pk for e in errors if e.resolved_at is None]
    if not pks:
        return 0
    return OrderError.objects.filter(pk__in=pks, resolved_at__isnull=True).update(
        resolved_at=timezone.now(),
        resolution=OrderError.Resolution.IGNORED,
        resolution_note=reason,
        resolved_by=user,
        retry_requested_at=None,
    )


# ----------------------------------------------------------------------------- shipments


@lru_cache(maxsize=1)
def tracking_carriers() -> dict[str, str]:
    """BigCommerce's tracking carrier codes -> company names (tracking_carrier_values.csv)."""
    carriers = {}
    with open(CARRIERS_CSV, newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        next(rows, None)
        for row in rows:
            if len(row) > 1 and row[1].strip():
                carriers[row[1].strip()] = row[0].strip()
    return carriers


def carrier_code(value: str) -> str:
    """A carrier code from a code or a company name (case-insensitive); ValueError if none."""
    value = (value or "").strip()
    if not value:
        return ""
    carriers = tracking_carriers()
    if value in carriers:
        return value
    lowered = value.lower()
    for code, name in carriers.items():
        if code.lower() == lowered or name.lower() == lowered:
            return code
    raise ValueError(
        f"“{value}” is not a BigCommerce tracking carrier; use one of its carrier codes, e.g. "
        "ups, fedex, usps, dhl, postnl (connections/bigcommerce/"
        "tracking_carrier_values.csv lists them all)."
    )


def shipment_create(
    *,
    order: Order,
    lines: list[tuple[int, int]] | None = None,
    tracking_number: str = "",
    tracking_carrier: str = "",
    shipping_method: str = "",
    comments: str = "",
    user=None,
) -> Shipment:
    """Record a shipment the warehouse sent: `lines` are (hub order line id, quantity), or
    None for every open quantity. Checks that the lines belong to the order, go to one
    shipping address and are not shipped more than is open; Order Update then reports it."""
    errors: dict[str, list[str]] = defaultdict(list)
    try:
        tracking_carrier = carrier_code(tracking_carrier)
    except ValueError as exc:
        errors["tracking_carrier"].append(str(exc))
    tracking_number = (tracking_number or "").strip()
    if len(tracking_number) > 50:
        errors["tracking_number"].append("BigCommerce takes at most 50 characters.")
    with transaction.atomic():
        locked = Order.objects.select_for_update().select_related("connection").get(pk=order.pk)
        if locked.connection.status == Connection.Status.DELETING:
            errors["non_field_errors"].append("The order's connection is being deleted.")
        if locked.hub_status == Order.HubStatus.CANCELLED:
            errors["non_field_errors"].append(
                f"Order {locked.bc_order_id} is cancelled: it must not be shipped."
            )
        own = {line.pk: line for line in OrderLine.objects.filter(order=locked)}
        if lines is None:
            wanted = [(pk, line.quantity_open) for pk, line in own.items() if line.quantity_open]
            if not wanted and not errors["non_field_errors"]:
                errors["lines"].append(f"Order {locked.bc_order_id} has nothing left to ship.")
        else:
            wanted = []
            totals: dict[int, int] = defaultdict(int)
            for pk, quantity in lines:
                if pk not in own:
                    errors["lines"].append(
                        f"Line {pk} is not a line of order {locked.bc_order_id}."
                    )
                elif quantity < 1:
                    errors["lines"].append(f"Line {pk}: ship a quantity of at least 1.")
                else:
                    totals[pk] += quantity
            if not lines:
                errors["lines"].append("Name at least one line to ship.")
            for pk, quantity in totals.items():
                line = own[pk]
                if quantity > line.quantity_open:
                    errors["lines"].append(
                        f"Line {pk} ({line.sku}): {quantity} is more than the "
                        f"{line.quantity_open} still open (ordered {line.quantity}, shipped "
                        f"{line.quantity_shipped})."
                    )
                wanted.append((pk, quantity))
        addresses = {own[pk].bc_address_id for pk, _ in wanted if pk in own}
        if len(addresses) > 1:
            errors["lines"].append(
                "These lines go to different shipping addresses: record one shipment per address."
            )
        if any(errors.values()):
            raise ValidationError({k: v for k, v in errors.items() if v})
        shipment = Shipment.objects.create(
            order=locked,
            bc_address_id=addresses.pop() if addresses else 0,
            tracking_number=tracking_number,
            tracking_carrier=tracking_carrier,
            shipping_method=(shipping_method or "").strip()[:250],
            comments=comments or "",
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        ShipmentLine.objects.bulk_create(
            [ShipmentLine(shipment=shipment, order_line_id=pk, quantity=q) for pk, q in wanted]
        )
        for pk, quantity in wanted:
            own[pk].quantity_shipped += quantity
        OrderLine.objects.bulk_update([own[pk] for pk, _ in wanted], ["quantity_shipped"])
        locked.hub_status = hub_status_for(
            cancelled=False, lines=((ln.quantity, ln.quantity_shipped) for ln in own.values())
        )
        locked.save(update_fields=["hub_status", "updated_at"])
        products_recount_reserved(product_ids=(ln.product_id for ln in own.values()))
    order.hub_status = locked.hub_status
    return shipment


def shipment_payload(shipment: Shipment) -> dict:
    """The body of `POST /v2/orders/{id}/shipments` for a hub shipment."""
    payload = {
        "order_address_id": shipment.bc_address_id,
        "items": [
            {"order_product_id": line.order_line.bc_line_id, "quantity": line.quantity}
            for line in shipment.lines.all()
        ],
        "tracking_number": shipment.tracking_number,
    }
    if shipment.tracking_carrier:
        payload["tracking_carrier"] = shipment.tracking_carrier
    if shipment.shipping_method:
        payload["shipping_method"] = shipment.shipping_method
    if shipment.comments:
        payload["comments"] = shipment.comments
    return payload


def shipment_mark_attempt(*, shipment: Shipment) -> None:
    """Before a POST: from now on the shipment may exist in BigCommerce (looked for first)."""
    Shipment.objects.filter(pk=shipment.pk).update(needs_check=True, attempts=F("attempts") + 1)
    shipment.needs_check = True
    shipment.attempts += 1


def shipment_mark_sent(*, shipment: Shipment, bc_shipment: dict) -> None:
    now = timezone.now()
    with transaction.atomic():
        shipment.status = Shipment.Status.SENT
        shipment.bc_shipment_id = int(bc_shipment.get("id") or 0) or None
        shipment.sent_at = now
        shipment.needs_check = False
        shipment.last_error = ""
        shipment.save(
            update_fields=["status", "bc_shipment_id", "sent_at", "needs_check", "last_error"]
        )
        OrderError.objects.filter(shipment=shipment, resolved_at__isnull=True).update(
            resolved_at=now,
            resolution=OrderError.Resolution.RESOLVED,
            resolution_note="The shipment was sent to BigCommerce.",
            retry_requested_at=None,
        )


def shipment_mark_rejected(*, shipment: Shipment, message: str) -> OrderError:
    """BigCommerce refused the shipment: an order error with its message (one open error per
    shipment); the shipment waits for a retry."""
    now = timezone.now()
    order = shipment.order
    with transaction.atomic():
        shipment.status = Shipment.Status.REJECTED
        shipment.needs_check = False
        shipment.last_error = message
        shipment.save(update_fields=["status", "needs_check", "last_error"])
        error = OrderError.objects.filter(
            shipment=shipment, code=OrderError.Code.SHIPMENT_REJECTED, resolved_at__isnull=True
        ).first()
        if error is None:
            return OrderError.objects.create(
                connection_id=order.connection_id,
                order=order,
                shipment=shipment,
                bc_order_id=order.bc_order_id,
                code=OrderError.Code.SHIPMENT_REJECTED,
                message=message,
                first_seen_at=now,
                last_seen_at=now,
            )
        error.message = message
        error.last_seen_at = now
        error.occurrences += 1
        error.retry_requested_at = None
        error.save(update_fields=["message", "last_seen_at", "occurrences", "retry_requested_at"])
        return error


def shipment_mark_failed(*, shipment: Shipment, message: str, may_exist: bool) -> None:
    """An attempt whose outcome is unknown or that failed for a passing reason: it stays to
    send, and is looked for in BigCommerce first when it may exist there."""
    shipment.last_error = message
    shipment.needs_check = may_exist
    Shipment.objects.filter(pk=shipment.pk).update(last_error=message, needs_check=may_exist)


# ----------------------------------------------------------------------------- deleting


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
