"""Writes for the hub's catalog (keyword-only, typed, named <entity>_<action>).

Stock changes made in the hub (REST `stock/`, product edits, the admin) call
`products_stock_changed`, which, once the transaction commits, queues a Changed Stock Update
for every active connection linked to the changed products, debounced: one queued run per
dataflow at a time, started CATALOG_STOCK_PUSH_DEBOUNCE_S seconds later, so that a burst of
stock calls becomes one push and BigCommerce is not an hour behind the warehouse.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from connections.models import Connection, Tenant
from dataflows.bulk import db_datetime, update_rows
from dataflows.models import Dataflow, Run
from dataflows.services import run_queue

from .kinds import CHANGED_STOCK_UPDATE
from .link_writes import chunks
from .models import Product, ProductImportSettings, ProductLink

logger = logging.getLogger(__name__)

MAX_INT = 2_147_483_647
MAX_STOCK_ITEMS = 10_000
DEFAULT_DEBOUNCE_S = 30

PRODUCT_TEXT_FIELDS = {"sku": 255, "ean": 64, "upc": 64, "mpn": 255, "name": 500}
PRODUCT_FIELDS = (
    "sku",
    "ean",
    "upc",
    "mpn",
    "name",
    "description",
    "weight",
    "width",
    "height",
    "depth",
    "price",
    "on_hand",
    "manual_reserved",
)
STOCK_FIELDS = {"on_hand", "manual_reserved"}


# ----------------------------------------------------------------------------- the trigger


def _debounce_s() -> int:
    return int(getattr(settings, "CATALOG_STOCK_PUSH_DEBOUNCE_S", DEFAULT_DEBOUNCE_S))


def connections_linked_to(*, product_ids: Iterable[int]) -> set[int]:
    ids = sorted(set(product_ids))
    found: set[int] = set()
    for chunk in chunks(ids):
        found.update(
            ProductLink.objects.filter(product_id__in=chunk)
            .values_list("connection_id", flat=True)
            .distinct()
        )
    return found


def stock_push_queue(*, product_ids: Iterable[int]) -> list[Run]:
    """Queue debounced Changed Stock Updates for the active connections linked to these
    products whose Changed Stock Update is enabled (and not told otherwise by its option
    `push_on_stock_change: false`). Returns their runs (a waiting run is returned again)."""
    connection_ids = connections_linked_to(product_ids=product_ids)
    if not connection_ids:
        return []
    runs = []
    dataflows = (
        Dataflow.objects.filter(
            connection_id__in=connection_ids,
            connection__status=Connection.Status.ACTIVE,
            kind=CHANGED_STOCK_UPDATE,
            enabled=True,
        )
        .select_related("connection")
        .order_by("pk")
    )
    for dataflow in dataflows:
        if (dataflow.options or {}).get("push_on_stock_change", True) is False:
            continue
        # A run already waiting is reused: it will push this change too.
        runs.append(
            run_queue(dataflow=dataflow, trigger=Run.Trigger.STOCK_CHANGE, countdown=_debounce_s())
        )
    return runs


def products_stock_changed(*, product_ids: Iterable[int]) -> None:
    """Call after changing products' stock (on hand, reservations): once the transaction
    commits, their connections push the change soon (debounced). Safe to call often."""
    ids = list(set(product_ids))
    if not ids:
        return

    def queue():
        try:
            stock_push_queue(product_ids=ids)
        except Exception:  # the stock change is saved; the schedule pushes it anyway
            logger.exception("Queueing the Changed Stock Update after a stock change failed")

    transaction.on_commit(queue)


# ----------------------------------------------------------------------------- products


def _clean_product_values(values: dict) -> dict:
    cleaned = {}
    errors = {}
    for name, value in values.items():
        if name not in PRODUCT_FIELDS:
            raise TypeError(f"unknown product field {name!r}")
        if name in PRODUCT_TEXT_FIELDS or name == "description":
            value = "" if value is None else str(value)
            value = value.strip() if name != "description" else value
            limit = PRODUCT_TEXT_FIELDS.get(name)
            if limit and len(value) > limit:
                errors[name] = f"At most {limit} characters."
        elif name in ("on_hand", "manual_reserved"):
            if isinstance(value, bool) or not isinstance(value, int):
                errors[name] = "A whole number."
            elif not 0 <= value <= MAX_INT:
                errors[name] = f"A whole number from 0 to {MAX_INT}."
        elif value is not None and not isinstance(value, Decimal):
            value = Decimal(str(value))
        cleaned[name] = value
    if "sku" in cleaned and not cleaned["sku"]:
        errors["sku"] = "The SKU cannot be blank."
    if errors:
        raise ValidationError(errors)
    return cleaned


def product_create(*, tenant: Tenant, sku: str, **values) -> Product:
    cleaned = _clean_product_values({"sku": sku, **values})
    if "on_hand" in cleaned:
        cleaned["stock_set_at"] = timezone.now()
    try:
        with transaction.atomic():
            product = Product.objects.create(tenant=tenant, **cleaned)
    except IntegrityError:
        raise ValidationError(
            {"sku": f"A product with SKU '{cleaned['sku']}' already exists."}
        ) from None
    if product.stock_set_at or product.manual_reserved:
        products_stock_changed(product_ids=[product.pk])
    product.refresh_from_db(fields=["available"])
    return product


def product_update(*, product: Product, **values) -> Product:
    """Change a hub product; a stock change queues the push to its connections. Sending the
    on-hand stock marks it set by the warehouse, even unchanged (a first 0 is pushed too)."""
    cleaned = _clean_product_values(values)
    changed = [name for name, value in cleaned.items() if getattr(product, name) != value]
    if "on_hand" in cleaned and (product.stock_set_at is None or "on_hand" in changed):
        cleaned["stock_set_at"] = timezone.now()
        changed.append("stock_set_at")
    if not changed:
        return product
    for name in changed:
        setattr(product, name, cleaned[name])
    try:
        with transaction.atomic():
            product.save(update_fields=[*changed, "updated_at"])
    except IntegrityError:
        raise ValidationError(
            {"sku": f"A product with SKU '{cleaned.get('sku')}' already exists."}
        ) from None
    if (STOCK_FIELDS | {"stock_set_at"}) & set(changed):
        products_stock_changed(product_ids=[product.pk])
    product.refresh_from_db(fields=["available"])
    return product


# ----------------------------------------------------------------------------- stock (bulk)


@dataclass
class StockSetResult:
    received: int = 0
    updated: int = 0
    unchanged: int = 0
    unknown: list[str] = field(default_factory=list)
    applied: bool = True


class UnknownSkus(ValidationError):
    """Some SKUs are not hub products of the tenant (nothing was applied)."""

    def __init__(self, unknown: list[str]):
        self.unknown = unknown
        shown = ", ".join(repr(s) for s in unknown[:50])
        more = f" and {len(unknown) - 50} more" if len(unknown) > 50 else ""
        super().__init__(
            {
                "non_field_errors": [
                    f"{len(unknown)} SKU{'s are' if len(unknown) != 1 else ' is'} not in the "
                    f"hub's catalog: {shown}{more}. Nothing was applied: create the products "
                    "first, remove these items, or send on_unknown=skip to apply the others."
                ],
                "unknown_skus": list(unknown),
            }
        )


def stock_set_bulk(
    *, tenant: Tenant, items: list[tuple[str, int]], on_unknown: str = "reject"
) -> StockSetResult:
    """Set on-hand stock of many hub products at once, in one transaction.

    `items` are (SKU, on hand) pairs, SKUs stripped and unique (the input serializer checks).
    Unknown SKUs: with on_unknown="reject" nothing is applied (UnknownSkus); with "skip" the
    known ones are applied and the unknown reported. The products whose stock changed push it
    soon (debounced Changed Stock Update)."""
    if on_unknown not in ("reject", "skip"):
        raise ValueError("on_unknown is 'reject' or 'skip'")
    wanted = dict(items)
    result = StockSetResult(received=len(items))
    now = timezone.now()
    with transaction.atomic():
        found: dict[str, tuple[int, int, bool]] = {}
        for chunk in chunks(list(wanted)):
            for pk, sku, on_hand, stock_set_at in (
                Product.objects.select_for_update()
                .filter(tenant=tenant, sku__in=chunk)
                .values_list("pk", "sku", "on_hand", "stock_set_at")
            ):
                found[sku] = (pk, on_hand, stock_set_at is None)
        result.unknown = [sku for sku in wanted if sku not in found]
        if result.unknown and on_unknown == "reject":
            raise UnknownSkus(result.unknown)
        # A first stock counts as a change even when equal (a product created with 0 by
        # Product Match, set to 0 by the warehouse): from now on it is pushed.
        stamp = db_datetime(now)
        changes = [
            (wanted[sku], stamp, stamp, pk)
            for sku, (pk, on_hand, first) in found.items()
            if on_hand != wanted[sku] or first
        ]
        update_rows(Product, ["on_hand", "stock_set_at", "updated_at"], changes)
        result.updated = sum(1 for sku, (_, on_hand, _) in found.items() if on_hand != wanted[sku])
        result.unchanged = len(found) - result.updated
        products_stock_changed(product_ids=[row[-1] for row in changes])
    return result


def product_links_delete_for_connection(*, connection_id: int, batch_size: int = 2000) -> int:
    """The connection's product links, in batches (for deleting a big connection)."""
    deleted = 0
    while True:
        ids = list(
            ProductLink.objects.filter(connection_id=connection_id).values_list("pk", flat=True)[
                :batch_size
            ]
        )
        if not ids:
            return deleted
        deleted += ProductLink.objects.filter(pk__in=ids).delete()[0]


# ----------------------------------------------------------------------------- product import


def product_import_settings_update(
    *,
    connection: Connection,
    import_mode: str | None = None,
    overwrite_fields: list[str] | None = None,
) -> ProductImportSettings:
    """Save the connection's product import settings (created on first save); checked on
    save (ValidationError naming the field). They apply from the next Product Match."""
    with transaction.atomic():
        settings_, _ = ProductImportSettings.objects.select_for_update().get_or_create(
            connection=connection
        )
        if import_mode is not None:
            settings_.import_mode = import_mode
        if overwrite_fields is not None:
            settings_.overwrite_fields = overwrite_fields
        settings_.save()
    return settings_
