"""Order Update (hub -> BigCommerce): shipments the warehouse recorded become BigCommerce
shipments with tracking and carrier, one `POST /v2/orders/{id}/shipments` each (BigCommerce
then moves the order to 2 Shipped, or 3 Partially Shipped).

* Partial shipments go as they happen when the connection allows partial shipments; otherwise
  an order's shipments wait until the whole order has shipped, and then go one per hub
  shipment (Monta's behaviour).
* Never a duplicate: a shipment is marked before its POST and unmarked with the answer; one
  still marked (a crash, a timeout) is first looked for in BigCommerce by tracking number,
  address and items, and only posted if it is not there (the client does the same within one
  attempt when the outcome is unclear). A BigCommerce shipment another hub shipment of the
  order already holds is never taken (count-aware: two 1-unit shipments of one line with a
  blank tracking number are two shipments).
* A shipment BigCommerce refuses (order cancelled there meanwhile, more than is left to ship,
  unknown carrier, ...) becomes an order error with BigCommerce's message; the others go on.
"""

from __future__ import annotations

from collections import defaultdict

from connections.bigcommerce.errors import (
    AuthenticationError,
    BigCommerceError,
    NotFoundError,
    ValidationError,
)
from connections.bigcommerce.statuses import OrderStatus
from dataflows.models import LogEntry

from ..models import Order, Shipment
from ..selectors import shipments_pending
from ..services.shipments import (
    shipment_bc_payload,
    shipment_mark_attempt,
    shipment_mark_failed,
    shipment_mark_rejected,
    shipment_mark_sent,
)

# Passing failures (5xx, timeouts) in a row after which the run stops (BigCommerce is down:
# the next run resumes; every shipment not confirmed is looked for first).
MAX_PASSING_FAILURES = 3
PROGRESS_EVERY = 50


def run(ctx) -> None:
    connection = ctx.connection
    by_order: dict[int, list] = defaultdict(list)
    for shipment in shipments_pending(connection=connection):
        by_order[shipment.order_id].append(shipment)
    total = sum(len(s) for s in by_order.values())
    ctx.progress(done=0, total=total)
    done = passing_failures = 0
    for shipments in by_order.values():
        order: Order = shipments[0].order
        if not connection.allow_partial_shipments and order.hub_status != Order.HubStatus.SHIPPED:
            ctx.count(skipped=len(shipments))
            done += len(shipments)
            ctx.log(
                f"Order {order.bc_order_id}: {len(shipments)} shipment(s) wait until the whole "
                "order has shipped (partial shipments are off for this connection).",
                level=LogEntry.Level.DEBUG,
                object_kind="order",
                object_id=order.bc_order_id,
            )
            continue
        claimed = _claimed_ids(order)
        for shipment in shipments:
            outcome = _send(ctx, order, shipment, claimed)
            done += 1
            if outcome == "passing":
                passing_failures += 1
                if passing_failures >= MAX_PASSING_FAILURES:
                    raise BigCommerceError(
                        f"{passing_failures} shipments in a row could not be sent (BigCommerce "
                        "did not answer or failed); stopped, the next run resumes.",
                        hint="Shipments whose outcome is unknown are looked for in BigCommerce "
                        "before being sent again, so none is created twice.",
                    )
            else:
                passing_failures = 0
            if done % PROGRESS_EVERY == 0:
                ctx.progress(done=done)
        if order.hub_status in (Order.HubStatus.SHIPPED, Order.HubStatus.PARTIALLY_SHIPPED):
            status_id = (
                OrderStatus.SHIPPED
                if order.hub_status == Order.HubStatus.SHIPPED
                else OrderStatus.PARTIALLY_SHIPPED
            )
            if any(s.status == s.Status.SENT for s in shipments) and order.status_id != status_id:
                # What BigCommerce did on the POST; the next import confirms it.
                Order.objects.filter(pk=order.pk).update(
                    status_id=status_id, status_name=connection.status_label(status_id)
                )
    ctx.progress(done=done)


def _claimed_ids(order: Order) -> set[int]:
    """BigCommerce shipment ids the order's sent shipments hold: look-alike shipments (one
    line, blank or reused tracking number) must never be taken for one another."""
    return set(
        Shipment.objects.filter(order=order, bc_shipment_id__isnull=False).values_list(
            "bc_shipment_id", flat=True
        )
    )


def _send(ctx, order: Order, shipment, claimed: set[int]) -> str:
    payload = shipment_bc_payload(shipment=shipment)
    check_first = shipment.needs_check
    shipment_mark_attempt(shipment=shipment)
    tracking = shipment.tracking_number or "no tracking number"
    found = False
    try:
        answer = None
        if check_first:  # an earlier attempt may have created it
            answer = ctx.client.find_order_shipment(order.bc_order_id, payload, claimed=claimed)
            found = answer is not None
        if answer is None:
            answer = ctx.client.create_order_shipment(order.bc_order_id, payload, claimed=claimed)
    except AuthenticationError:
        raise
    except (ValidationError, NotFoundError) as exc:
        message = (
            f"BigCommerce refused shipment {shipment.pk} ({tracking}) of order "
            f"{order.bc_order_id}: {exc.message}"
        )
        shipment_mark_rejected(shipment=shipment, message=message)
        ctx.count(failed=1)
        ctx.log(
            message, level=LogEntry.Level.ERROR, object_kind="order", object_id=order.bc_order_id
        )
        return "rejected"
    except BigCommerceError as exc:
        shipment_mark_failed(shipment=shipment, message=str(exc), may_exist=True)
        ctx.count(failed=1)
        ctx.log(
            f"Shipment {shipment.pk} ({tracking}) of order {order.bc_order_id} not sent: {exc}",
            level=LogEntry.Level.ERROR,
            object_kind="order",
            object_id=order.bc_order_id,
        )
        return "passing"
    shipment_mark_sent(shipment=shipment, bc_shipment=answer)
    if shipment.bc_shipment_id:
        claimed.add(shipment.bc_shipment_id)
    ctx.count(created=1)
    ctx.log(
        f"Shipment {shipment.pk} of order {order.bc_order_id} sent ({tracking}"
        + (f", {shipment.tracking_carrier}" if shipment.tracking_carrier else "")
        + f"): BigCommerce shipment {shipment.bc_shipment_id}"
        + (" (an earlier attempt had created it: not posted again)" if found else "")
        + ".",
        object_kind="order",
        object_id=order.bc_order_id,
    )
    return "sent"
