"""One bad order never blocks the backlog: what the hub cannot store is cleaned (with a
warning) or becomes that order's error, the rest of its page imports, and later runs move on."""

import pytest
from django.db import DataError

from catalog.models import Product
from dataflows.models import LogEntry
from orders.models import Address, Order, OrderError
from tests.orders.helpers import (
    hub_ids,
    importer,
    line,
    make_store_connection,
    order_payload,
    run_flow,
)

pytestmark = pytest.mark.usefixtures("enqueued")


def _warnings(bc_order_id) -> str:
    return "\n".join(
        LogEntry.objects.filter(
            object_kind="order", object_id=str(bc_order_id), level="warning"
        ).values_list("message", flat=True)
    )


def test_bad_orders_among_good_ones_never_block_the_page_and_later_runs_move_on(
    sandbox_settings, store_client, contract, tenant
):
    sandbox = sandbox_settings
    sandbox.reset(orders=0)
    Product.objects.create(tenant=tenant, sku="GOOD-1")
    connection = make_store_connection(tenant, sandbox)
    good = [sandbox.create_order(lines=[{"sku": "GOOD-1", "quantity": 1}])["id"] for _ in range(40)]

    def bad(**body):
        return sandbox.create_order(lines=[{"sku": "GOOD-1", "quantity": 1}], **body)["id"]

    cleaned = {
        "nul": bad(customer_message="Leave at\x00the door"),
        "surrogate": bad(shipping_address={"first_name": "Jo\ud800hn"}),
        "surrogate_billing": bad(billing_address={"last_name": "Sm\udfffith"}),
    }
    long_fields = {
        "city": bad(shipping_address={"city": "C" * 101}),
        "zip": bad(shipping_address={"zip": "9" * 33}),
        "phone": bad(shipping_address={"phone": "5" * 65}),
        "name": bad(shipping_address={"first_name": "N" * 256}),
        "email": bad(billing_address={"email": "e" * 250 + "@x.io"}),
    }
    errors = {
        "price": sandbox.create_order(
            lines=[{"sku": "GOOD-1", "quantity": 1, "price_cents": 10**15}]
        )["id"],
        "quantity": sandbox.create_order(lines=[{"sku": "GOOD-1", "quantity": 3 * 10**9}])["id"],
    }
    good += [
        sandbox.create_order(lines=[{"sku": "GOOD-1", "quantity": 1}])["id"] for _ in range(35)
    ]

    run = run_flow(connection, client=store_client)

    imported = hub_ids(connection)
    assert set(good) <= imported and len(good) == 75
    assert set(cleaned.values()) | set(long_fields.values()) <= imported
    assert not set(errors.values()) & imported
    for key, bc_id in errors.items():
        error = OrderError.objects.get(connection=connection, bc_order_id=bc_id)
        assert error.code == OrderError.Code.UNREADABLE and error.resolved_at is None, key
        assert "larger than the hub can store" in error.message
        assert "Correct the order in BigCommerce" in error.message
    order = Order.objects.get(connection=connection, bc_order_id=cleaned["nul"])
    assert order.customer_message == "Leave atthe door"
    assert "\x00" not in str(order.raw)
    assert "NUL" in _warnings(cleaned["nul"]) and "customer_message" in _warnings(cleaned["nul"])
    shipping = Address.objects.get(order__bc_order_id=cleaned["surrogate"], kind="shipping")
    assert shipping.first_name == "Jo\ufffdhn"
    assert "broken Unicode" in _warnings(cleaned["surrogate"])
    city = Address.objects.get(order__bc_order_id=long_fields["city"], kind="shipping")
    assert city.city == "C" * 100
    for field, bc_id in long_fields.items():
        assert "more than the" in _warnings(bc_id), field
    full = Order.objects.get(connection=connection, bc_order_id=long_fields["city"]).raw
    assert "C" * 101 in str(full)  # the full text is kept
    assert run.status == "partial" and run.failed == 2

    later = sandbox.create_order(lines=[{"sku": "GOOD-1", "quantity": 1}])["id"]
    again = run_flow(connection, client=store_client)
    assert later in hub_ids(connection)
    assert again.status in ("succeeded", "partial")
    assert OrderError.objects.filter(connection=connection, resolved_at__isnull=True).count() == 2


def test_negative_line_quantities_are_an_order_error(store, log):
    payload = order_payload(9101, lines=[line(sku="SKU-1", quantity=-2)])
    Product.objects.create(tenant=store.tenant, sku="SKU-1")

    result = importer(store, log).import_page([payload])

    assert result.failed == 1 and not Order.objects.filter(bc_order_id=9101).exists()
    error = OrderError.objects.get(bc_order_id=9101)
    assert error.code == OrderError.Code.INVALID_QUANTITY
    assert "quantity -2" in error.message and "correct the quantity" in error.message


def test_zero_line_quantities_import_with_a_warning(store, log):
    Product.objects.create(tenant=store.tenant, sku="SKU-1")
    payload = order_payload(9102, lines=[line(sku="SKU-1", quantity=0), line(sku="SKU-1")])

    result = importer(store, log).import_page([payload])

    assert result.created == 1
    warnings = [m for level, _, m in log if level == "warning"]
    assert any("quantity 0" in m and "ships nothing" in m for m in warnings)


def test_an_order_that_fails_to_write_becomes_its_error_while_the_page_imports(
    store, log, monkeypatch
):
    Product.objects.create(tenant=store.tenant, sku="SKU-1")
    from orders.services import importer as module

    real = module.page_write

    def page_write(*, connection, page):
        if any(entry[1].bc_order_id == 9202 for entry in page.new):
            raise DataError("value too long for type character varying(100)")
        real(connection=connection, page=page)

    monkeypatch.setattr(module, "page_write", page_write)
    payloads = [order_payload(n, lines=[line(sku="SKU-1")]) for n in (9201, 9202, 9203)]

    result = importer(store, log).import_page(payloads)

    assert result.created == 2 and result.failed == 1
    assert set(Order.objects.values_list("bc_order_id", flat=True)) == {9201, 9203}
    error = OrderError.objects.get(bc_order_id=9202)
    assert "could not store order 9202" in error.message and "value too long" in error.message
    assert sum("9202 imported" in m for _, _, m in log) == 0
    assert sum("9201 imported" in m for _, _, m in log) == 1
