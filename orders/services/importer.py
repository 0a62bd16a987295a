"""The Order Import's heart: `OrderImporter.import_page`, one transaction per page of (up to
250) BigCommerce orders, with bulk statements only (about a dozen per page, whatever its size).

Inside it the connection's row is locked (`SELECT … FOR NO KEY UPDATE`), so that two writers
of one connection's orders (an overlapping run, a retry, a webhook) take turns and each decides
create / update / skip on the other's committed rows; the unique constraint on (connection,
BigCommerce order id) and the `INSERT … ON CONFLICT DO UPDATE` inserts make a duplicate
impossible even for a writer that skipped the lock."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from connections.bigcommerce.statuses import OrderStatus
from connections.models import Connection
from dataflows.bulk import JsonText

from ..models import Address, Order, OrderError, OrderLine, Shipment
from ..normalize import NormalizedOrder, NormalizedPage, normalize_page
from .checks import ProductResolver, address_problems, hub_status_for, line_problems
from .import_existing import ExistingOrderPlanner
from .import_filter import ImportFilter, import_filter_for
from .import_plan import (
    ERROR,
    INFO,
    ORDER_SCALARS,
    WARNING,
    ErrorState,
    LogFn,
    NewOrder,
    Page,
    PageResult,
)
from .import_writer import WRITE_ERRORS, order_errors_apply, page_write, unstorable_text
from .reservations import products_recount_reserved

logger = logging.getLogger(__name__)


def _no_log(message: str, level: str, bc_order_id: int | None) -> None:
    logger.log(
        {"debug": logging.DEBUG, "warning": logging.WARNING, "error": logging.ERROR}.get(
            level, logging.INFO
        ),
        message,
    )


class OrderImporter(ExistingOrderPlanner):
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

    def import_page(
        self, payloads: Iterable[dict] | NormalizedPage, *, force: bool = False
    ) -> PageResult:
        """Import a page of BigCommerce orders, or a page `normalize_page` made of them (e.g.
        in a thread while the page before was written)."""
        page = payloads if isinstance(payloads, NormalizedPage) else normalize_page(payloads)
        result = PageResult()
        orders, unreadable = page.orders, page.unreadable
        for text, bc_id in page.failures:
            result.failed += 1
            result.unreadable += 1
            self.log(text, ERROR, bc_id)
        if not orders and not unreadable:
            return result
        try:
            return result.add(self._write(orders, unreadable, force=force))
        except WRITE_ERRORS:
            if not orders:
                raise
            logger.warning("Order page of %s orders failed to write", len(orders), exc_info=True)
        # Something in the page could not be stored: each order on its own, so that one bad
        # order is an error and the others import.
        if unreadable:
            result.add(self._write({}, unreadable, force=force))
        for bc_id, order in orders.items():
            try:
                result.add(self._write({bc_id: order}, {}, force=force))
            except WRITE_ERRORS as exc:
                text = unstorable_text(bc_id, exc)
                self.log(text, ERROR, bc_id)
                result.failed += 1
                result.unreadable += 1
                result.add(self._write({}, {bc_id: text}, force=force))
        return result

    def _write(
        self,
        orders: dict[int, NormalizedOrder],
        unreadable: dict[int, str],
        *,
        force: bool,
    ) -> PageResult:
        """Plan and write in one savepoint; the log entries are passed on once it committed."""
        result, entries = PageResult(), []
        log, self.log = self.log, lambda *entry: entries.append(entry)
        try:
            with transaction.atomic():
                self._lock()
                self._import(orders, result, force=force, unreadable=unreadable)
        finally:
            self.log = log
        for entry in entries:
            log(*entry)
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

    def _import(
        self,
        orders,
        result: PageResult,
        *,
        force: bool,
        unreadable: dict[int, str],
    ):
        connection = self.connection
        ids = list(orders)
        # No ORDER BY (the model's default): with it SQLite walks every order of the connection
        # by date instead of looking up the page's ids, a cost that grows with the store.
        existing = {
            o.bc_order_id: o
            for o in Order.objects.filter(connection=connection, bc_order_id__any_of=ids)
            .defer("raw")
            .order_by()
        }
        open_errors, ignored = self._errors_of([*ids, *unreadable])
        page = Page()
        for bc_id, text in unreadable.items():
            if bc_id not in orders:
                page.errors[bc_id] = ErrorState(
                    None, (OrderError.Code.UNREADABLE,), {OrderError.Code.UNREADABLE: text}, ""
                )
        resolver = ProductResolver.for_orders(connection, orders.values())
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
        page_write(connection=connection, page=page)
        order_errors_apply(
            connection=connection, states=page.errors, open_errors=open_errors, ignored=ignored
        )
        products_recount_reserved(product_ids=page.product_ids, added=page.added)

    def _errors_of(self, ids) -> tuple[dict[tuple[int, str], OrderError], set[tuple[int, str]]]:
        # A look-up by id: sorting by the model's order is wasted work.
        rows = (
            OrderError.objects.filter(
                connection=self.connection, bc_order_id__any_of=ids, shipment__isnull=True
            )
            .filter(Q(resolved_at__isnull=True) | Q(resolution=OrderError.Resolution.IGNORED))
            .order_by()
        )
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
                page.errors[bc_id] = ErrorState(
                    None, OrderError.IMPORT_CODES, {}, f"Not imported any more: {refusal}."
                )
                self.log(f"Order {bc_id} not imported: {refusal}.", INFO, bc_id)
            return
        cancelled = order.status_id == OrderStatus.CANCELLED
        products, problems = line_problems(order, resolver)
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
            page.errors[bc_id] = ErrorState(
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
        new = NewOrder(
            tenant_id=self.connection.tenant_id,
            connection_id=self.connection.pk,
            customer_id=None,
            bc_order_id=bc_id,
            hub_status=hub_status_for(cancelled=cancelled, lines=quantities),
            is_archived=order.is_deleted,
            date_created=order.date_created,
            date_modified=order.date_modified,
            raw=JsonText(order.raw_text) if order.raw_text else order.raw,
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
        page.errors[bc_id] = ErrorState(
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
        for text in order.extra.get("warnings", ()):
            self.log(text, WARNING, bc_id)
