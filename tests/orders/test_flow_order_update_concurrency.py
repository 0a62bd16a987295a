"""Order Update sends several orders' shipments at once (up to its concurrency, paced by the
store's quota), never two of one order at once, never one twice, and a run that dies midway
leaves every shipment it may have posted marked to be looked for first."""

import threading
from collections import Counter, defaultdict

import pytest

from connections.bigcommerce.client import ClientStats
from connections.bigcommerce.shipments import shipment_matches
from dataflows.models import Run
from orders.flows import ORDER_UPDATE
from orders.models import Shipment
from orders.services.shipments import shipment_create
from tests.orders.helpers import run_flow
from tests.orders.test_flow_order_update import bc_shipments, new_orders, served, update

pytestmark = pytest.mark.usefixtures("enqueued")


class Crash(BaseException):
    """The worker process dies (nothing after it runs)."""


class FakeStore:
    """BigCommerce's shipments, shared by every client of the store; records who was in
    flight at once."""

    def __init__(self, *, together=2, crash_after=None):
        self.lock = threading.Lock()
        self.shipments = defaultdict(list)
        self.next_id = 1
        self.in_flight = Counter()
        self.most_per_order = 0
        self.most_at_once = 0
        self.posts = 0
        self.crash_after = crash_after
        # The first `together` POSTs wait for one another: a sender that sends one at a time
        # breaks the barrier (its timeout is only a bound, it never paces the test).
        self.barrier = threading.Barrier(together, timeout=30) if together > 1 else None

    def create(self, order_id, payload):
        with self.lock:
            self.in_flight[order_id] += 1
            self.most_per_order = max(self.most_per_order, self.in_flight[order_id])
            self.most_at_once = max(self.most_at_once, sum(self.in_flight.values()))
            self.posts += 1
            first_ones = self.barrier is not None and self.posts <= self.barrier.parties
        try:
            if first_ones:
                self.barrier.wait()
            with self.lock:
                created = {"id": self.next_id, "order_id": order_id, **payload}
                self.next_id += 1
                self.shipments[order_id].append(created)
                if self.crash_after is not None and self.posts > self.crash_after:
                    raise Crash()  # created in BigCommerce, the answer never saved
            return created
        finally:
            with self.lock:
                self.in_flight[order_id] -= 1


class FakeClient:
    def __init__(self, store):
        self.store = store
        self.stats = ClientStats()

    def sibling(self):
        return FakeClient(self.store)

    def close(self):
        pass

    def find_order_shipment(self, order_id, payload, *, claimed=()):
        self.stats.requests += 1
        with self.store.lock:
            for existing in self.store.shipments[order_id]:
                if existing["id"] not in claimed and shipment_matches(existing, payload):
                    return existing
        return None

    def create_order_shipment(self, order_id, payload, *, check_first=False, claimed=()):
        self.stats.requests += 1
        return self.store.create(order_id, payload)


def shipments_for(orders, per_order):
    made = []
    for n, order in enumerate(orders):
        line = order.lines.get()
        made += [
            shipment_create(order=order, lines=[(line.pk, 1)], tracking_number=f"C{n}-{k}")
            for k in range(per_order)
        ]
    return made


def test_orders_go_concurrently_and_one_orders_shipments_one_after_another(
    store, sandbox_settings, contract, settings
):
    settings.ORDER_UPDATE_CONCURRENCY = 4
    orders = new_orders(store, sandbox_settings, contract, *[(3,)] * 6)
    made = shipments_for(orders, 3)
    bc = FakeStore(together=4)

    run = run_flow(store, ORDER_UPDATE, client=FakeClient(bc))

    assert run.status == Run.Status.SUCCEEDED
    assert (run.created, run.api_requests) == (18, 18)  # the threads' requests are counted
    assert bc.most_at_once == 4 and bc.most_per_order == 1
    for order in orders:
        sent = Shipment.objects.filter(order=order).order_by("pk")
        in_bc = bc.shipments[order.bc_order_id]
        # BigCommerce got the order's shipments in the hub's order, each once.
        assert [s["tracking_number"] for s in in_bc] == [s.tracking_number for s in sent]
        assert [s.bc_shipment_id for s in sent] == [s["id"] for s in in_bc]
    assert all(
        s.status == Shipment.Status.SENT
        for s in Shipment.objects.filter(pk__in=[s.pk for s in made])
    )


def test_a_run_that_dies_midway_sends_nothing_twice_when_the_next_one_resumes(
    store, sandbox_settings, contract, settings
):
    settings.ORDER_UPDATE_CONCURRENCY = 3
    orders = new_orders(store, sandbox_settings, contract, *[(2,)] * 5)
    shipments_for(orders, 2)
    bc = FakeStore(together=1, crash_after=4)

    with pytest.raises(Crash):
        run_flow(store, ORDER_UPDATE, client=FakeClient(bc))

    created = sum(len(s) for s in bc.shipments.values())
    unconfirmed = Shipment.objects.filter(status=Shipment.Status.PENDING, needs_check=True)
    # Every shipment BigCommerce has is either saved as sent or marked to be looked for.
    saved = Shipment.objects.filter(status=Shipment.Status.SENT).count()
    assert created > saved and unconfirmed.count() >= created - saved

    bc.crash_after = None
    run = run_flow(store, ORDER_UPDATE, client=FakeClient(bc))

    assert run.status == Run.Status.SUCCEEDED
    assert sum(len(s) for s in bc.shipments.values()) == 10
    for order in orders:
        ids = Shipment.objects.filter(order=order).values_list("bc_shipment_id", flat=True)
        assert sorted(ids) == sorted(s["id"] for s in bc.shipments[order.bc_order_id])


def test_passing_failures_in_a_row_stop_the_run_after_the_shipments_in_flight(
    store, sandbox_settings, contract, settings
):
    settings.ORDER_UPDATE_CONCURRENCY = 2
    orders = new_orders(store, sandbox_settings, contract, *[(1,)] * 6)
    shipments_for(orders, 1)
    sandbox_settings.force_fault("503", count=100, method="POST", path="/v2/orders/{id}/shipments")
    sandbox_settings.force_fault("503", count=100, method="GET", path="/v2/orders/{id}/shipments")

    with contract.expect_violations():
        run = update(store, sandbox_settings, contract)

    assert run.status == Run.Status.FAILED
    assert "in a row could not be sent" in run.error_message
    assert served(sandbox_settings)["POST /v2/orders/{id}/shipments"] <= 4  # 3, + one in flight
    sandbox_settings.control("DELETE", "/faults")
    assert not any(bc_shipments(sandbox_settings, o) for o in orders)
    assert Shipment.objects.filter(needs_check=True).count() == run.failed


def test_the_sandbox_store_gets_every_shipment_once_from_concurrent_senders(
    store, sandbox_settings, contract, settings
):
    settings.ORDER_UPDATE_CONCURRENCY = 5
    orders = new_orders(store, sandbox_settings, contract, *[(2,)] * 8)
    shipments_for(orders, 2)

    run = update(store, sandbox_settings, contract)

    assert (run.status, run.created, run.api_requests) == (Run.Status.SUCCEEDED, 16, 16)
    assert served(sandbox_settings) == {"POST /v2/orders/{id}/shipments": 16}
    for order in orders:
        hub = Shipment.objects.filter(order=order).values_list("tracking_number", flat=True)
        in_bc = [s["tracking_number"] for s in bc_shipments(sandbox_settings, order)]
        assert sorted(in_bc) == sorted(hub)
