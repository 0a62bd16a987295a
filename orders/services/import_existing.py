"""Planning the import of orders the hub already has: cancellations, edits (when "update
orders that already exist" is on or the import is forced), BigCommerce's confirmations of
shipments, and changes after the warehouse shipped (an error: the hub keeps its copy)."""

from __future__ import annotations

import json

from connections.bigcommerce.statuses import SHIPPED_STATUSES, OrderStatus

from ..models import Address, Order, OrderError
from ..normalize import ADDRESS_FIELDS, NormalizedOrder
from .checks import address_problems, hub_status_for, line_problems
from .import_plan import ERROR, INFO, ORDER_SCALARS, WARNING, ErrorState, Page


class ExistingOrderPlanner:
    """The part of OrderImporter that plans orders the hub has (a mixin of OrderImporter)."""

    def _plan_existing(
        self, order, current, page, result, resolver, *, lines, addresses, shipped, force
    ):
        bc_id = order.bc_order_id
        by_line = {line.bc_line_id: line for line in lines}
        was_cancelled = current.hub_status == Order.HubStatus.CANCELLED
        cancelling = order.status_id == OrderStatus.CANCELLED and not was_cancelled
        content_changed = order.content_hash != current.content_hash
        apply_edits = self.update_existing or force
        changes = describe_changes(current, lines, addresses, order, label=self._label)
        shipped = shipped or any(line.quantity_shipped for line in lines)

        # Bookkeeping: the version seen, whatever is applied.
        current.source_hash = order.source_hash
        current.date_modified = max(current.date_modified, order.date_modified)
        current.raw = order.raw if order.raw is not None else json.loads(order.raw_text)
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

        if shipped and (
            cancelling or (content_changed and order.status_id != OrderStatus.CANCELLED)
        ):
            what = "cancelled" if cancelling else "changed"
            text = (
                f"Order {bc_id} was {what} in BigCommerce after the warehouse shipped (part of) it"
                + (f": {'; '.join(changes)}" if changes and not cancelling else "")
                + ". The hub kept its copy; check the order with the merchant and the warehouse."
            )
            page.errors[bc_id] = ErrorState(
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
            page.errors[bc_id] = ErrorState(
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
                    page.errors[bc_id] = ErrorState(
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
            if was_cancelled and order.status_id != OrderStatus.CANCELLED:
                page.product_ids.update(line.product_id for line in lines if line.product_id)
            page.errors[bc_id] = ErrorState(
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
            for text in order.extra.get("warnings", ()):
                self.log(text, WARNING, bc_id)
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

    def _refresh_status(self, current: Order, lines, page: Page, *, cancelled: bool) -> None:
        before = current.hub_status
        current.hub_status = hub_status_for(
            cancelled=cancelled, lines=((ln.quantity, ln.quantity_shipped) for ln in lines)
        )
        if before != current.hub_status or any(ln in page.line_updates for ln in lines):
            page.product_ids.update(ln.product_id for ln in lines if ln.product_id)

    def _plan_content(self, order, current, page, resolver, lines, *, force) -> dict[str, str]:
        """Plan replacing the hub copy's lines and addresses with `order`'s; returns the
        problems (blocking ones mean: nothing planned)."""
        products, problems = line_problems(order, resolver)
        if order.status_id != OrderStatus.CANCELLED:
            problems.update(address_problems(order))
        elif not force:
            problems = {}
        if (
            any(code in OrderError.BLOCKING for code in problems)
            and order.status_id != OrderStatus.CANCELLED
        ):
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
            cancelled=order.status_id == OrderStatus.CANCELLED, lines=quantities
        )
        if order.email:
            page.customers[order.email] = order
            page.customer_orders.append((current, order.email))
        return {code: text for code, text in problems.items() if code not in OrderError.BLOCKING}


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
