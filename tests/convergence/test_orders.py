"""Order Import and Order Update on a real worker, through faults, a killed or stopped worker,
a dropped database connection and a restarted Redis: each ends with every order imported once
and every shipment in BigCommerce once."""

import pytest

from dataflows.models import Dataflow, Run
from orders.flows import ORDER_IMPORT, ORDER_UPDATE
from orders.models import Order, OrderError, OrderLine, Shipment
from orders.services.shipments import shipment_create
from tests.convergence.harness import DISRUPTIONS, converge_through, served
from tests.orders.helpers import (
    client_for,
    error_ids,
    expected_ids,
    hub_ids,
    make_products_for_sandbox,
    make_store_connection,
    run_flow,
)

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]

ORDERS = 1200  # several pages of 250 (statuses 11 and 5 are imported)
SHIPMENTS = "POST /v2/orders/{id}/shipments"


@pytest.fixture
def store(sandbox_settings, tenant):
    sandbox_settings.reset(orders=ORDERS)
    make_products_for_sandbox(tenant, sandbox_settings)
    connection = make_store_connection(tenant, sandbox_settings)
    # The first Product Match has succeeded (Order Import waits for it on a new connection).
    Run.objects.create(
        dataflow=Dataflow.objects.get(connection=connection, kind="product_match"),
        trigger=Run.Trigger.MANUAL,
        status=Run.Status.SUCCEEDED,
    )
    return connection


def dataflow_of(connection, kind) -> Dataflow:
    return Dataflow.objects.select_related("connection").get(connection=connection, kind=kind)


def assert_every_order_once(connection, sandbox):
    wanted = expected_ids(sandbox)
    imported = hub_ids(connection)
    assert imported | error_ids(connection) == wanted
    assert not imported & error_ids(connection)
    # One row per order and per BigCommerce line: nothing written twice.
    orders = Order.objects.filter(connection=connection)
    assert orders.count() == len(imported)
    lines = OrderLine.objects.filter(order__connection=connection)
    assert lines.values("order_id", "bc_line_id").distinct().count() == lines.count()
    assert (
        OrderError.objects.filter(connection=connection, resolved_at__isnull=True)
        .values("bc_order_id", "code")
        .distinct()
        .count()
        == OrderError.objects.filter(connection=connection, resolved_at__isnull=True).count()
    )


@pytest.mark.parametrize("disruption", DISRUPTIONS)
def test_order_import_converges_to_every_order_once(store, sandbox_settings, hub, disruption):
    sandbox = sandbox_settings
    sandbox.configure(latency_ms=250)
    dataflow = dataflow_of(store, ORDER_IMPORT)

    runs = converge_through(
        hub,
        sandbox,
        dataflow,
        disruption,
        mid_run=lambda: served(sandbox).get("GET /v2/orders", 0) >= 2,
    )

    assert runs[-1].status == Run.Status.SUCCEEDED
    sandbox.configure(latency_ms=0)
    assert_every_order_once(store, sandbox)
    # Caught up: the next run imports nothing.
    (again,) = hub.run_until_succeeded(dataflow)
    assert (again.created, again.updated) == (0, 0)
    assert_every_order_once(store, sandbox)


@pytest.fixture
def shipped(store, sandbox_settings, contract):
    """Every awaiting-fulfilment order of the store imported, and a full shipment of each
    recorded in the hub (tracking numbers blank: nothing tells them apart but the hub)."""
    store.order_status_filter = [11]
    store.save()
    with contract.expect_violations():
        run = run_flow(store, client=client_for(sandbox_settings))
    assert run.status in (Run.Status.SUCCEEDED, Run.Status.PARTIAL)  # the seeded bad orders
    orders = list(Order.objects.filter(connection=store).order_by("bc_order_id")[:60])
    assert len(orders) >= 30
    return [shipment_create(order=order) for order in orders]


def assert_every_shipment_once(sandbox, shipments):
    for shipment in shipments:
        shipment.refresh_from_db()
        assert shipment.status == Shipment.Status.SENT, (shipment.pk, shipment.status)
        response = sandbox.get(f"/v2/orders/{shipment.order.bc_order_id}/shipments")
        in_bigcommerce = [] if response.status_code == 204 else response.json()
        assert [s["id"] for s in in_bigcommerce] == [shipment.bc_shipment_id], shipment.pk


@pytest.mark.parametrize("disruption", DISRUPTIONS)
def test_order_update_converges_to_every_shipment_once(
    shipped, store, sandbox_settings, hub, disruption
):
    sandbox = sandbox_settings
    sandbox.configure(latency_ms=150)
    sandbox.reset_stats()
    dataflow = dataflow_of(store, ORDER_UPDATE)

    runs = converge_through(
        hub, sandbox, dataflow, disruption, mid_run=lambda: served(sandbox).get(SHIPMENTS, 0) >= 5
    )

    assert runs[-1].status == Run.Status.SUCCEEDED
    sandbox.configure(latency_ms=0)  # the checks below read each order's shipments
    assert_every_shipment_once(sandbox, shipped)
    sandbox.reset_stats()
    (again,) = hub.run_until_succeeded(dataflow)
    assert served(sandbox).get(SHIPMENTS, 0) == 0
    assert again.created == 0
    assert_every_shipment_once(sandbox, shipped)
