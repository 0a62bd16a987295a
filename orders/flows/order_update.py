"""Order Update (hub -> BigCommerce): shipments the warehouse recorded become BigCommerce
shipments with tracking and carrier, one `POST /v2/orders/{id}/shipments` each (BigCommerce
then moves the order to 2 Shipped, or 3 Partially Shipped).

* Partial shipments go as they happen when the connection allows partial shipments; otherwise
  an order's shipments wait until the whole order has shipped, and then go one per hub
  shipment (Monta's behaviour).
* Concurrent up to the store's quota: several orders' shipments are in flight at once (see
  `shipment_sender`), never two of one order (each order's go one after another, so
  BigCommerce sees them in the hub's order and the look-up below stays exact).
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

from collections import defaultdict, deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field

from connections.bigcommerce.errors import (
    AuthenticationError,
    BigCommerceError,
    NotFoundError,
    ValidationError,
)
from connections.bigcommerce.statuses import OrderStatus
from dataflows.database import db_connection_drop_if_busy
from dataflows.models import LogEntry

from ..models import Order, Shipment
from ..selectors import PendingShipment, shipments_pending
from ..services.shipments import (
    shipment_bc_payload_pending,
    shipment_mark_failed,
    shipment_mark_rejected,
    shipments_mark_attempt,
    shipments_mark_sent,
)
from .shipment_sender import Sent, ShipmentSender, order_update_concurrency

# Passing failures (5xx, timeouts) in a row after which the run stops (BigCommerce is down:
# the next run resumes; every shipment not confirmed is looked for first).
MAX_PASSING_FAILURES = 3
PROGRESS_EVERY = 50


@dataclass
class OrderWork:
    order_id: int
    bc_order_id: int
    hub_status: str
    status_id: int
    shipments: deque
    claimed: set[int] = field(default_factory=set)  # BigCommerce ids its shipments hold
    sent_any: bool = False


def run(ctx) -> None:
    OrderUpdateRun(ctx).run()


class OrderUpdateRun:
    def __init__(self, ctx):
        self.ctx = ctx
        self.connection = ctx.connection
        self.queue: deque[OrderWork] = deque()
        self.done = 0
        self.passing_failures = 0
        self.stop: BaseException | None = None
        self.sent: list[tuple[int, int | None]] = []
        self.finished: list[OrderWork] = []

    def run(self) -> None:
        ctx = self.ctx
        by_order: dict[int, list[PendingShipment]] = defaultdict(list)
        for shipment in shipments_pending(connection=self.connection):
            by_order[shipment.order_id].append(shipment)
        ctx.progress(done=0, total=sum(len(s) for s in by_order.values()))
        for shipments in by_order.values():
            first = shipments[0]
            if (
                not self.connection.allow_partial_shipments
                and first.order_hub_status != Order.HubStatus.SHIPPED
            ):
                ctx.count(skipped=len(shipments))
                self.done += len(shipments)
                ctx.log(
                    f"Order {first.bc_order_id}: {len(shipments)} shipment(s) wait until the "
                    "whole order has shipped (partial shipments are off for this connection).",
                    level=LogEntry.Level.DEBUG,
                    object_kind="order",
                    object_id=first.bc_order_id,
                )
                continue
            self.queue.append(
                OrderWork(
                    first.order_id,
                    first.bc_order_id,
                    first.order_hub_status,
                    first.order_status_id,
                    deque(shipments),
                )
            )
        claimed = _claimed_ids(connection=self.connection)
        for work in self.queue:
            work.claimed = claimed.get(work.order_id, set())
        try:
            self._send_all()
        finally:
            db_connection_drop_if_busy()  # a SIGTERM may have landed mid-query
            self._flush()
        ctx.progress(done=self.done)
        if self.stop is not None:
            raise self.stop

    def _send_all(self) -> None:
        in_flight: dict[Future, tuple[OrderWork, PendingShipment]] = {}
        with ShipmentSender(self.ctx.client, workers=order_update_concurrency()) as sender:
            while in_flight or (self.queue and self.stop is None):
                batch = []
                while (
                    self.stop is None
                    and self.queue
                    and len(in_flight) + len(batch) < (sender.workers)
                ):
                    work = self.queue.popleft()
                    batch.append((work, work.shipments.popleft()))
                if batch:
                    checks = [shipment.needs_check for _, shipment in batch]
                    payloads = [shipment_bc_payload_pending(shipment=s) for _, s in batch]
                    shipments_mark_attempt(shipments=[shipment for _, shipment in batch])
                    for (work, shipment), check, payload in zip(
                        batch, checks, payloads, strict=True
                    ):
                        future = sender.submit(
                            order_id=work.bc_order_id,
                            payload=payload,
                            check_first=check,
                            claimed=work.claimed,
                        )
                        in_flight[future] = (work, shipment)
                completed, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in completed:
                    work, shipment = in_flight.pop(future)
                    sent = future.result()
                    sender.absorb(sent)
                    self._record(work, shipment, sent)
                    if work.shipments:
                        self.queue.append(work)
                    else:
                        self.finished.append(work)
                    self.done += 1
                    if self.done % PROGRESS_EVERY == 0:
                        self._flush()
                        self.ctx.progress(done=self.done)

    def _record(self, work: OrderWork, shipment: PendingShipment, sent: Sent) -> None:
        ctx, bc_order_id = self.ctx, work.bc_order_id
        tracking = shipment.tracking_number or "no tracking number"
        exc = sent.error
        if exc is None:
            self.passing_failures = 0
            shipment.bc_shipment_id = int(sent.answer.get("id") or 0) or None
            if shipment.bc_shipment_id:
                work.claimed.add(shipment.bc_shipment_id)
            work.sent_any = True
            self.sent.append((shipment.pk, shipment.bc_shipment_id))
            ctx.count(created=1)
            ctx.log(
                f"Shipment {shipment.pk} of order {bc_order_id} sent ({tracking}"
                + (f", {shipment.tracking_carrier}" if shipment.tracking_carrier else "")
                + f"): BigCommerce shipment {shipment.bc_shipment_id}"
                + (" (an earlier attempt had created it: not posted again)" if sent.found else "")
                + ".",
                object_kind="order",
                object_id=bc_order_id,
            )
        elif isinstance(exc, AuthenticationError) or not isinstance(exc, BigCommerceError):
            # The store refuses the hub (or the hub failed): no point sending the others. The
            # shipment stays marked, so it is looked for before being posted again.
            if self.stop is None:
                self.stop = exc
        elif isinstance(exc, (ValidationError, NotFoundError)):
            message = (
                f"BigCommerce refused shipment {shipment.pk} ({tracking}) of order "
                f"{bc_order_id}: {exc.message}"
            )
            shipment_mark_rejected(shipment=_model(shipment), message=message)
            ctx.count(failed=1)
            ctx.log(
                message,
                level=LogEntry.Level.ERROR,
                object_kind="order",
                object_id=bc_order_id,
            )
        else:
            shipment_mark_failed(shipment=_model(shipment), message=str(exc), may_exist=True)
            ctx.count(failed=1)
            ctx.log(
                f"Shipment {shipment.pk} ({tracking}) of order {bc_order_id} not sent: {exc}",
                level=LogEntry.Level.ERROR,
                object_kind="order",
                object_id=bc_order_id,
            )
            self.passing_failures += 1
            if self.passing_failures >= MAX_PASSING_FAILURES and self.stop is None:
                self.stop = BigCommerceError(
                    f"{self.passing_failures} shipments in a row could not be sent (BigCommerce "
                    "did not answer or failed); stopped, the next run resumes.",
                    hint="Shipments whose outcome is unknown are looked for in BigCommerce "
                    "before being sent again, so none is created twice.",
                )

    def _flush(self) -> None:
        """Save the shipments sent since the last flush (until then they stay marked: a crash
        makes the next run look for them first) and the status BigCommerce gave their orders
        (the next import confirms it)."""
        shipments_mark_sent(sent=self.sent)
        self.sent = []
        by_status: dict[int, list[int]] = defaultdict(list)
        for work in self.finished:
            if not work.sent_any or work.hub_status not in (
                Order.HubStatus.SHIPPED,
                Order.HubStatus.PARTIALLY_SHIPPED,
            ):
                continue
            status_id = (
                OrderStatus.SHIPPED
                if work.hub_status == Order.HubStatus.SHIPPED
                else OrderStatus.PARTIALLY_SHIPPED
            )
            if work.status_id != status_id:
                by_status[int(status_id)].append(work.order_id)
        self.finished = []
        for status_id, pks in by_status.items():
            Order.objects.filter(pk__in=pks).update(
                status_id=status_id, status_name=self.connection.status_label(status_id)
            )


def _model(shipment: PendingShipment) -> Shipment:
    return Shipment.objects.select_related("order").get(pk=shipment.pk)


def _claimed_ids(*, connection) -> dict[int, set[int]]:
    """Per order with shipments to send, the BigCommerce shipment ids its sent shipments hold:
    look-alike shipments (one line, blank or reused tracking number) must never be taken for
    one another."""
    claimed: dict[int, set[int]] = defaultdict(set)
    pending = Shipment.objects.filter(
        order__connection=connection, status=Shipment.Status.PENDING
    ).values("order_id")
    rows = Shipment.objects.filter(order_id__in=pending, bc_shipment_id__isnull=False)
    for order_id, bc_id in rows.values_list("order_id", "bc_shipment_id"):
        claimed[order_id].add(bc_id)
    return claimed
