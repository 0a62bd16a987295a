"""Writing one planned page of an Order Import: customers, orders, lines and addresses in
bulk statements, then the order errors the page found, updated or resolved."""

from __future__ import annotations

from collections import defaultdict

from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone

from connections.models import Connection
from dataflows.bulk import upsert_rows

from ..models import Address, Order, OrderError, OrderLine
from ..normalize import ADDRESS_FIELDS
from .customers import customers_upsert
from .import_plan import (
    ADDRESS_COLUMNS,
    ADDRESS_MODEL_FIELDS,
    LINE_COLUMNS,
    ORDER_INSERT_COLUMNS,
    ORDER_UPDATE_FIELDS,
    ORDER_UPSERT_COLUMNS,
    ErrorState,
    Page,
)

try:  # the bulk upserts on PostgreSQL use psycopg's own cursor
    from psycopg import Error as _PsycopgError
except ImportError:  # pragma: no cover - SQLite-only installs
    _PsycopgError = DatabaseError

# What storing a value the checks let through can raise: the database refusing it, a value the
# driver cannot encode (UnicodeEncodeError is a ValueError), a decimal or int overflow.
WRITE_ERRORS = (DatabaseError, _PsycopgError, ValueError, ArithmeticError)


def unstorable_text(bc_order_id: int, exc: BaseException) -> str:
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return (
        f"The hub could not store order {bc_order_id} (the database answered: {reason}); it "
        "was not imported, the other orders of its page were. Retry this error after the "
        "order is corrected in BigCommerce; if it fails again, tell the hub's support."
    )


def page_write(*, connection: Connection, page: Page) -> None:
    """Write a planned page: customers, new and changed orders, their lines and addresses."""
    customers = customers_upsert(
        tenant_id=connection.tenant_id, orders=list(page.customers.values())
    )
    for order, email in page.customer_orders:
        order.customer_id = customers.get(email)
    now = timezone.now()
    if page.new:
        new_orders = [entry[1] for entry in page.new]
        for order in new_orders:
            order.imported_at = order.updated_at = now
        ids = dict(
            upsert_rows(
                Order,
                ORDER_INSERT_COLUMNS,
                [tuple(getattr(o, c) for c in ORDER_INSERT_COLUMNS) for o in new_orders],
                unique=("connection_id", "bc_order_id"),
                update=ORDER_UPSERT_COLUMNS,
                returning=("bc_order_id", "id"),
            )
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


def order_errors_apply(
    *,
    connection: Connection,
    states: dict[int, ErrorState],
    open_errors: dict[tuple[int, str], OrderError],
    ignored: set[tuple[int, str]],
) -> None:
    """Create, update or resolve the page's order errors. An error resolved by importing its
    order is linked to the order (it no longer reads "not imported")."""
    now = timezone.now()
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
                resolve[(state.note or "The order was imported.", order_id)].append(error.pk)
    if create:
        OrderError.objects.bulk_create(create)
    if update:
        OrderError.objects.bulk_update(
            update, ["message", "last_seen_at", "occurrences", "retry_requested_at", "order"]
        )
    for (note, order_id), pks in resolve.items():
        linked = {"order_id": order_id} if order_id else {}
        OrderError.objects.filter(pk__in=pks, resolved_at__isnull=True).update(
            **linked,
            resolved_at=now,
            resolution=OrderError.Resolution.RESOLVED,
            resolution_note=note,
            retry_requested_at=None,
        )
