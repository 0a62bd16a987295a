"""Orders the hub already has, seen again: edits, cancellations, shipments confirmed or
changed after shipment."""

from datetime import timedelta

from orders.models import Order, OrderError, OrderLine
from orders.services.import_filter import ImportFilter
from orders.services.shipments import shipment_create
from tests.orders.helpers import T0, address, importer, line, order_payload, reserved


def edited(order_id=101, **kwargs):
    kwargs.setdefault("modified", T0 + timedelta(hours=1))
    return order_payload(order_id, **kwargs)


def test_edits_update_the_hub_copy_when_enabled(connection, products, log):
    connection.update_existing_orders = True
    importer(connection).import_page(
        [order_payload(101, lines=[line(sku="SKU-1", quantity=1, line_id=1)])]
    )
    order = Order.objects.get()
    line_pk = order.lines.get().pk

    result = importer(connection, log).import_page(
        [
            edited(
                lines=[
                    line(sku="SKU-1", quantity=3, line_id=1),
                    line(sku="SKU-2", quantity=1, line_id=2),
                ],
                shipping=[{"id": 1, **address(street_1="2 Oak Avenue", zip="78702")}],
                status_id=9,
            )
        ]
    )

    assert result.updated == 1
    order.refresh_from_db()
    assert order.status_id == 9
    assert [(ln.bc_line_id, ln.quantity) for ln in order.lines.all()] == [(1, 3), (2, 1)]
    assert order.lines.get(bc_line_id=1).pk == line_pk  # updated in place
    assert order.addresses.get(kind="shipping").street_1 == "2 Oak Avenue"
    assert reserved(products["SKU-1"]) == 3 and reserved(products["SKU-2"]) == 1
    text = log.text()
    assert "line 1 (SKU-1) quantity 1 → 3" in text
    assert "line 2 added (SKU-2 × 1)" in text
    assert "shipping address changed (street_1, zip)" in text
    assert "status Awaiting Fulfillment → Awaiting Shipment" in text


def test_removed_lines_are_removed(connection, products):
    connection.update_existing_orders = True
    importer(connection).import_page(
        [order_payload(101, lines=[line(sku="SKU-1", line_id=1), line(sku="SKU-2", line_id=2)])]
    )
    importer(connection).import_page([edited(lines=[line(sku="SKU-1", line_id=1)])])
    assert list(OrderLine.objects.values_list("bc_line_id", flat=True)) == [1]
    assert reserved(products["SKU-2"]) == 0


def test_edits_are_logged_and_skipped_when_disabled(connection, products, log):
    importer(connection).import_page([order_payload(101, lines=[line(quantity=1, line_id=1)])])

    result = importer(connection, log).import_page([edited(lines=[line(quantity=5, line_id=1)])])

    assert (result.updated, result.skipped) == (0, 1)
    assert OrderLine.objects.get().quantity == 1
    assert "not applied because “Update orders that already exist” is off" in log.text()
    # Seen once is enough: the same version again is not logged again.
    log.clear()
    importer(connection, log).import_page([edited(lines=[line(quantity=5, line_id=1)])])
    assert not log


def test_a_cancellation_always_applies_and_frees_the_reservation(connection, products, log):
    importer(connection).import_page([order_payload(101, lines=[line(sku="SKU-1", quantity=2)])])
    assert reserved(products["SKU-1"]) == 2

    result = importer(connection, log).import_page([edited(status_id=5)])

    assert result.updated == 1
    order = Order.objects.get()
    assert order.hub_status == Order.HubStatus.CANCELLED and order.status_id == 5
    assert reserved(products["SKU-1"]) == 0
    assert "no longer reserve stock" in log.text()


def test_a_change_after_shipment_is_an_error_and_the_hub_keeps_its_copy(connection, products, log):
    connection.update_existing_orders = True
    importer(connection).import_page([order_payload(101, lines=[line(quantity=2, line_id=1)])])
    order = Order.objects.get()
    shipment_create(order=order, lines=[(order.lines.get().pk, 1)], tracking_number="1Z1")

    result = importer(connection, log).import_page([edited(lines=[line(quantity=5, line_id=1)])])
    assert result.failed == 1
    assert OrderLine.objects.get().quantity == 2
    error = OrderError.objects.get()
    assert (error.code, error.order) == ("changed_after_shipment", order)

    importer(connection, log).import_page(
        [edited(status_id=5, modified=T0 + timedelta(hours=2), lines=[line(quantity=5, line_id=1)])]
    )
    assert Order.objects.get().hub_status == Order.HubStatus.PARTIALLY_SHIPPED
    assert "cancelled in BigCommerce after the warehouse shipped" in log.text()


def test_bigcommerce_shipped_quantities_are_taken_and_confirm_the_status(connection, products):
    importer(connection).import_page([order_payload(101, lines=[line(quantity=2, line_id=1)])])
    order = Order.objects.get()
    shipment_create(order=order, tracking_number="1Z1")

    importer(connection).import_page(
        [edited(status_id=2, lines=[line(quantity=2, line_id=1, shipped=2)])]
    )

    order.refresh_from_db()
    assert (order.status_id, order.hub_status) == (2, Order.HubStatus.SHIPPED)
    assert not OrderError.objects.exists()


def test_an_order_partly_shipped_in_bigcommerce_reserves_only_the_rest(connection, products):
    flt = ImportFilter(status_ids=frozenset({3}))
    importer(connection, import_filter=flt).import_page(
        [order_payload(101, status_id=3, lines=[line(sku="SKU-1", quantity=5, shipped=2)])]
    )
    assert Order.objects.get().hub_status == Order.HubStatus.PARTIALLY_SHIPPED
    assert reserved(products["SKU-1"]) == 3


def test_a_forced_reimport_applies_even_with_updates_off(connection, products, log):
    importer(connection).import_page([order_payload(101, lines=[line(quantity=1, line_id=1)])])
    importer(connection).import_page([edited(lines=[line(quantity=4, line_id=1)])])
    assert OrderLine.objects.get().quantity == 1

    result = importer(connection, log).import_page(
        [edited(lines=[line(quantity=4, line_id=1)])], force=True
    )
    assert result.updated == 1 and OrderLine.objects.get().quantity == 4
