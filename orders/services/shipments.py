"""Shipments the warehouse records, and what Order Update learns when it sends them."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from connections.bigcommerce.carriers import carrier_code
from connections.bigcommerce.shipments import shipment_payload
from connections.models import Connection
from dataflows.bulk import db_datetime, update_rows

from ..models import Order, OrderError, OrderLine, Shipment, ShipmentLine
from ..selectors import PendingShipment
from .checks import hub_status_for
from .reservations import products_recount_reserved


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


def shipment_bc_payload(*, shipment: Shipment) -> dict:
    """The body of `POST /v2/orders/{id}/shipments` for a hub shipment (the driver builds it)."""
    return shipment_payload(
        order_address_id=shipment.bc_address_id,
        items=[(line.order_line.bc_line_id, line.quantity) for line in shipment.lines.all()],
        tracking_number=shipment.tracking_number,
        carrier_code=shipment.tracking_carrier,
        shipping_method=shipment.shipping_method,
        comments=shipment.comments,
    )


def shipment_mark_attempt(*, shipment: Shipment) -> None:
    """Before a POST: from now on the shipment may exist in BigCommerce (looked for first)."""
    Shipment.objects.filter(pk=shipment.pk).update(needs_check=True, attempts=F("attempts") + 1)
    shipment.needs_check = True
    shipment.attempts += 1


def shipment_bc_payload_pending(*, shipment: PendingShipment) -> dict:
    """`shipment_bc_payload` of a shipment Order Update loaded as plain values."""
    return shipment_payload(
        order_address_id=shipment.bc_address_id,
        items=shipment.items,
        tracking_number=shipment.tracking_number,
        carrier_code=shipment.tracking_carrier,
        shipping_method=shipment.shipping_method,
        comments=shipment.comments,
    )


def shipments_mark_attempt(*, shipments: list[PendingShipment]) -> None:
    """`shipment_mark_attempt` for several shipments in one statement (before their POSTs; a
    run's shipments are its own: two runs of one dataflow never overlap)."""
    for shipment in shipments:
        shipment.needs_check = True
        shipment.attempts += 1
    update_rows(
        Shipment, ("needs_check", "attempts"), ((True, s.attempts, s.pk) for s in shipments)
    )


def shipments_mark_sent(*, sent: list[tuple[int, int | None]]) -> None:
    """`shipment_mark_sent` for several shipments, (hub id, BigCommerce shipment id) each, in
    one transaction."""
    if not sent:
        return
    now = timezone.now()
    at = db_datetime(now)
    with transaction.atomic():
        update_rows(
            Shipment,
            ("status", "bc_shipment_id", "sent_at", "needs_check", "last_error"),
            ((Shipment.Status.SENT.value, bc_id, at, False, "", pk) for pk, bc_id in sent),
        )
        OrderError.objects.filter(
            shipment_id__in=[pk for pk, _ in sent], resolved_at__isnull=True
        ).update(
            resolved_at=now,
            resolution=OrderError.Resolution.RESOLVED,
            resolution_note="The shipment was sent to BigCommerce.",
            retry_requested_at=None,
        )


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
