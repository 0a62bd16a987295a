"""Order Import applies changes to orders the hub has: a cancellation frees the stock its lines
reserved, other edits follow the "update orders that already exist" setting; every exchange is
checked against the official OpenAPI specs (`contract`)."""

import pytest

from orders.models import Order, OrderLine
from tests.orders.helpers import (
    again,
    run_flow,
)

pytestmark = pytest.mark.usefixtures("enqueued")


def test_a_cancellation_frees_the_stock_its_lines_reserved(
    store, store_client, sandbox_settings, contract
):
    sandbox = sandbox_settings
    variant = int(next(iter(sandbox.inventory()["variants"])))
    order = sandbox.create_order(lines=[{"variant_id": variant, "quantity": 4}])
    run_flow(store, client=store_client)
    product = OrderLine.objects.get(order__bc_order_id=order["id"]).product
    product.refresh_from_db()
    reserved = product.reserved_by_orders
    assert reserved >= 4

    sandbox.patch_order(order["id"], status_id=5)
    again(store, sandbox, contract)

    product.refresh_from_db()
    assert product.reserved_by_orders == reserved - 4
    assert Order.objects.get(bc_order_id=order["id"]).hub_status == Order.HubStatus.CANCELLED


@pytest.mark.parametrize("update_existing", [False, True])
def test_edits_follow_the_update_existing_orders_setting(
    store, store_client, sandbox_settings, contract, update_existing
):
    sandbox = sandbox_settings
    store.update_existing_orders = update_existing
    store.save()
    variant = int(next(iter(sandbox.inventory()["variants"])))
    order = sandbox.create_order(lines=[{"variant_id": variant, "quantity": 1}])
    run_flow(store, client=store_client)
    line_id = OrderLine.objects.get(order__bc_order_id=order["id"]).bc_line_id

    sandbox.patch_order(
        order["id"],
        lines=[{"id": line_id, "variant_id": variant, "quantity": 3}],
        shipping_address={"street_1": "99 New Street"},
    )
    run = again(store, sandbox, contract)

    line = OrderLine.objects.get(order__bc_order_id=order["id"])
    messages = " ".join(run.log_entries.values_list("message", flat=True))
    assert f"line {line_id}" in messages and "quantity 1 → 3" in messages
    if update_existing:
        assert line.quantity == 3 and run.updated == 1
        assert (
            "99 New Street"
            in Order.objects.get(bc_order_id=order["id"]).addresses.get(kind="shipping").street_1
        )
    else:
        assert line.quantity == 1 and run.updated == 0
        assert "is off" in messages
