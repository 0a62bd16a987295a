"""Order Update end to end against the sandbox store: hub shipments become BigCommerce
shipments, one POST each, never twice; every exchange checked against the official specs."""

import pytest

from dataflows.models import Run
from orders.flows import ORDER_UPDATE
from orders.models import Order, OrderError, Shipment
from orders.services.errors import order_errors_retry
from orders.services.shipments import shipment_create
from tests.orders.helpers import (
    client_for,
    run_flow,
)

pytestmark = pytest.mark.usefixtures("enqueued")

SHIPMENTS = "POST /v2/orders/{id}/shipments"


def served(sandbox):
    return sandbox.stats()["by_store"].get(sandbox.store_hash, {}).get("endpoints", {})


def new_orders(store, sandbox, contract, *quantities_per_order):
    """Orders placed in the store (lines of the given quantities) and imported."""
    variants = [int(v) for v in sandbox.inventory()["variants"]][:4]
    ids = [
        sandbox.create_order(
            lines=[{"variant_id": variants[i], "quantity": q} for i, q in enumerate(quantities)]
        )["id"]
        for quantities in quantities_per_order
    ]
    store.order_status_filter = [11]
    store.save()
    run_flow(store, client=client_for(sandbox, contract))
    return [Order.objects.get(connection=store, bc_order_id=i) for i in ids]


def update(store, sandbox, contract):
    sandbox.reset_stats()
    return run_flow(store, ORDER_UPDATE, client=client_for(sandbox, contract))


def bc_order(sandbox, order):
    return sandbox.get(f"/v2/orders/{order.bc_order_id}").json()


def bc_shipments(sandbox, order):
    response = sandbox.get(f"/v2/orders/{order.bc_order_id}/shipments")
    return [] if response.status_code == 204 else response.json()


def test_a_full_shipment_is_one_post_and_ships_the_order(store, sandbox_settings, contract):
    sandbox = sandbox_settings
    (order,) = new_orders(store, sandbox, contract, (2, 1))
    shipment = shipment_create(order=order, tracking_number="1Z999AA1", tracking_carrier="ups")

    run = update(store, sandbox, contract)

    assert (run.status, run.created, run.api_requests) == (Run.Status.SUCCEEDED, 1, 1)
    assert served(sandbox) == {SHIPMENTS: 1}
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.SENT and shipment.bc_shipment_id
    assert not shipment.needs_check
    assert bc_order(sandbox, order)["status_id"] == 2
    (sent,) = bc_shipments(sandbox, order)
    assert (sent["tracking_number"], sent["tracking_carrier"]) == ("1Z999AA1", "ups")
    assert sorted((i["order_product_id"], i["quantity"]) for i in sent["items"]) == sorted(
        order.lines.values_list("bc_line_id", "quantity")
    )
    order.refresh_from_db()
    assert order.status_id == 2


def test_without_partial_shipments_the_hub_waits_for_the_whole_order(
    store, sandbox_settings, contract
):
    sandbox = sandbox_settings
    (order,) = new_orders(store, sandbox, contract, (2, 1))
    first, second = order.lines.order_by("bc_line_id")
    shipment_create(order=order, lines=[(first.pk, 2)], tracking_number="PART-1")

    run = update(store, sandbox, contract)
    assert (run.api_requests, run.skipped) == (0, 1)
    assert bc_order(sandbox, order)["status_id"] == 11

    shipment_create(order=order, lines=[(second.pk, 1)], tracking_number="PART-2")
    run = update(store, sandbox, contract)

    assert (run.api_requests, run.created) == (2, 2)  # one POST per hub shipment
    assert {s["tracking_number"] for s in bc_shipments(sandbox, order)} == {"PART-1", "PART-2"}
    assert bc_order(sandbox, order)["status_id"] == 2


def test_with_partial_shipments_each_goes_as_it_happens(store, sandbox_settings, contract):
    sandbox = sandbox_settings
    store.allow_partial_shipments = True
    store.save()
    (order,) = new_orders(store, sandbox, contract, (2, 1))
    first, second = order.lines.order_by("bc_line_id")

    shipment_create(order=order, lines=[(first.pk, 1)], tracking_number="P1")
    assert update(store, sandbox, contract).api_requests == 1
    assert bc_order(sandbox, order)["status_id"] == 3
    assert Order.objects.get(pk=order.pk).status_id == 3

    shipment_create(order=order, tracking_number="P2")  # everything still open
    assert update(store, sandbox, contract).api_requests == 1
    assert bc_order(sandbox, order)["status_id"] == 2


def test_a_rejected_shipment_becomes_an_order_error_and_the_others_go_on(
    store, sandbox_settings, contract
):
    sandbox = sandbox_settings
    cancelled, fine = new_orders(store, sandbox, contract, (1,), (1,))
    sandbox.patch_order(cancelled.bc_order_id, status_id=5)  # cancelled in the store meanwhile
    rejected = shipment_create(order=cancelled, tracking_number="REJ-1")
    sent = shipment_create(order=fine, tracking_number="OK-1")

    # A 422 with BigCommerce's error body is an answer the contract allows on any operation.
    run = update(store, sandbox, contract)

    assert run.status == Run.Status.PARTIAL and (run.created, run.failed) == (1, 1)
    rejected.refresh_from_db()
    sent.refresh_from_db()
    assert (rejected.status, sent.status) == (Shipment.Status.REJECTED, Shipment.Status.SENT)
    error = OrderError.objects.get(shipment=rejected)
    assert error.code == "shipment_rejected" and error.order == cancelled
    assert "cancelled" in error.message and f"order {cancelled.bc_order_id}" in error.message

    # Nothing is sent again by itself; a retry after the cause is fixed sends it once.
    assert update(store, sandbox, contract).api_requests == 0
    sandbox.patch_order(cancelled.bc_order_id, status_id=11)
    order_errors_retry(errors=[error])
    run = update(store, sandbox, contract)

    assert served(sandbox) == {SHIPMENTS: 1}
    rejected.refresh_from_db()
    error.refresh_from_db()
    assert rejected.status == Shipment.Status.SENT and error.resolved_at
    assert [s["tracking_number"] for s in bc_shipments(sandbox, cancelled)] == ["REJ-1"]


def test_a_lost_answer_after_bigcommerce_created_the_shipment_does_not_create_a_second(
    store, sandbox_settings, contract
):
    sandbox = sandbox_settings
    (order,) = new_orders(store, sandbox, contract, (1,))
    shipment = shipment_create(order=order, tracking_number="LOST-1", tracking_carrier="ups")
    sandbox.force_fault("lost_response", method="POST", path="/v2/orders/{id}/shipments")

    with contract.expect_violations():
        run = update(store, sandbox, contract)

    assert run.status == Run.Status.SUCCEEDED
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.SENT
    (only,) = bc_shipments(sandbox, order)
    assert shipment.bc_shipment_id == only["id"]
    assert served(sandbox)[SHIPMENTS] == 1


def test_a_shipment_maybe_created_before_a_crash_is_looked_for_before_posting(
    store, sandbox_settings, contract
):
    sandbox = sandbox_settings
    (order,) = new_orders(store, sandbox, contract, (1,))
    shipment = shipment_create(order=order, tracking_number="CRASH-1")
    line = order.lines.get()
    # The worker posted, BigCommerce created it, the worker died before saving the answer.
    created = sandbox.api(
        "POST",
        f"/v2/orders/{order.bc_order_id}/shipments",
        json={
            "order_address_id": line.bc_address_id,
            "items": [{"order_product_id": line.bc_line_id, "quantity": 1}],
            "tracking_number": "CRASH-1",
        },
    ).json()
    Shipment.objects.filter(pk=shipment.pk).update(needs_check=True, attempts=1)

    run = update(store, sandbox, contract)

    shipment.refresh_from_db()
    assert (shipment.status, shipment.bc_shipment_id) == (Shipment.Status.SENT, created["id"])
    assert served(sandbox) == {"GET /v2/orders/{id}/shipments": 1}
    assert len(bc_shipments(sandbox, order)) == 1
    assert run.log_entries.filter(message__contains="not posted again").exists()


def test_requests_per_shipment_is_one_and_the_next_import_confirms(
    store, sandbox_settings, contract
):
    sandbox = sandbox_settings
    orders = new_orders(store, sandbox, contract, *[(1, 2)] * 6)
    for n, order in enumerate(orders):
        shipment_create(order=order, tracking_number=f"BULK-{n}", tracking_carrier="fedex")

    run = update(store, sandbox, contract)

    assert run.api_requests == run.created == len(orders)
    assert served(sandbox) == {SHIPMENTS: len(orders)}
    store.update_existing_orders = True
    store.save()
    imported = run_flow(store, client=client_for(sandbox, contract))
    assert imported.failed == 0
    assert not OrderError.objects.filter(order__in=orders).exists()
    assert set(
        Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status_id", "hub_status")
    ) == {(2, "shipped")}
