"""Order Update against a failing BigCommerce: shipments that look alike (blank or reused
tracking number, same line, same quantity) are never taken for one another, and each fault
kind the sandbox injects leaves every shipment sent exactly once."""

import pytest

from dataflows.models import Run
from orders.models import Shipment
from orders.services.shipments import shipment_create
from tests.orders.test_flow_order_update import bc_shipments, new_orders, served, update

pytestmark = pytest.mark.usefixtures("enqueued")

SHIPMENTS_PATH = "/v2/orders/{id}/shipments"
POSTS = "POST /v2/orders/{id}/shipments"


def one_unit_shipments(order, tracking_number, count):
    line = order.lines.get()
    return [
        shipment_create(order=order, lines=[(line.pk, 1)], tracking_number=tracking_number)
        for _ in range(count)
    ]


@pytest.mark.parametrize(
    "tracking_number, fault",
    [("", "500"), ("", "timeout"), ("REUSED-1", "500"), ("REUSED-1", "timeout")],
)
def test_a_failed_post_of_a_look_alike_shipment_does_not_claim_the_one_sent_before(
    store, sandbox_settings, contract, tracking_number, fault
):
    sandbox = sandbox_settings
    store.allow_partial_shipments = True
    store.save()
    (order,) = new_orders(store, sandbox, contract, (2,))
    (first,) = one_unit_shipments(order, tracking_number, 1)
    assert update(store, sandbox, contract).created == 1
    (second,) = one_unit_shipments(order, tracking_number, 1)
    # The POST fails and creates nothing; the "was it created after all?" listing shows the
    # first shipment, which looks exactly like the second.
    sandbox.force_fault(fault, method="POST", path=SHIPMENTS_PATH, hang_ms=0)

    with contract.expect_violations():
        run = update(store, sandbox, contract)

    assert run.status == Run.Status.SUCCEEDED
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == Shipment.Status.SENT
    in_bigcommerce = bc_shipments(sandbox, order)
    assert len(in_bigcommerce) == 2
    assert {first.bc_shipment_id, second.bc_shipment_id} == {s["id"] for s in in_bigcommerce}
    assert served(sandbox)[POSTS] == 2  # the failed one, then the one that worked


def test_look_alike_shipments_left_unconfirmed_each_claim_their_own_bigcommerce_shipment(
    store, sandbox_settings, contract
):
    sandbox = sandbox_settings
    (order,) = new_orders(store, sandbox, contract, (3,))
    shipments = one_unit_shipments(order, "", 3)
    line = order.lines.get()
    # A worker posted two of them, BigCommerce created both, the worker died before saving.
    for _ in range(2):
        sandbox.api(
            "POST",
            f"/v2/orders/{order.bc_order_id}/shipments",
            json={
                "order_address_id": line.bc_address_id,
                "items": [{"order_product_id": line.bc_line_id, "quantity": 1}],
                "tracking_number": "",
            },
        )
    Shipment.objects.filter(pk__in=[s.pk for s in shipments]).update(needs_check=True, attempts=1)

    run = update(store, sandbox, contract)

    assert run.status == Run.Status.SUCCEEDED
    ids = set(Shipment.objects.filter(order=order).values_list("bc_shipment_id", flat=True))
    in_bigcommerce = bc_shipments(sandbox, order)
    assert len(in_bigcommerce) == 3 and ids == {s["id"] for s in in_bigcommerce}
    assert served(sandbox)[POSTS] == 1
