"""What keeps an order from importing cleanly: unknown or missing SKUs, addresses, tracking."""

from catalog.models import ProductLink
from orders.models import Order, OrderError, OrderLine
from tests.orders.helpers import address, importer, line, link, order_payload


def test_bad_orders_become_errors_and_the_others_import(connection, products, log):
    payloads = [
        order_payload(101, lines=[line(sku="UNKNOWN-9", line_id=31)]),
        order_payload(102, lines=[line(sku="  ", line_id=32, name="Mystery")]),
        order_payload(103, shipping=[]),
        order_payload(104, shipping=[{"id": 1, **address(zip="", country="", country_iso2="")}]),
        order_payload(105, shipping=[{"id": 1, **address(street_1="")}]),
        order_payload(106),
    ]

    result = importer(connection, log).import_page(payloads)

    assert (result.created, result.failed) == (1, 5)
    assert list(Order.objects.values_list("bc_order_id", flat=True)) == [106]
    codes = dict(OrderError.objects.values_list("bc_order_id", "code"))
    assert codes == {
        101: "unknown_sku",
        102: "missing_sku",
        103: "missing_shipping_address",
        104: "invalid_address",
        105: "invalid_address",
    }
    errors = {e.bc_order_id: e for e in OrderError.objects.all()}
    assert "UNKNOWN-9" in errors[101].message and "Line 31" in errors[101].message
    assert "no country and no postal code" in errors[104].message
    assert "no street" in errors[105].message
    assert all(e.order is None and e.is_open for e in errors.values())


def test_a_blank_postal_code_is_fine_where_there_are_none(connection, products):
    shipping = [{"id": 1, **address(zip="", country="Hong Kong", country_iso2="HK")}]
    importer(connection).import_page([order_payload(101, shipping=shipping)])
    assert Order.objects.exists() and not OrderError.objects.exists()


def test_a_line_linked_by_variant_needs_no_sku_match(connection, products):
    link(connection, products["SKU-3"], variant_id=7001)
    importer(connection).import_page(
        [order_payload(101, lines=[line(sku="", variant_id=7001, product_id=700)])]
    )
    assert OrderLine.objects.get().product == products["SKU-3"]


def test_inventory_tracking_off_is_reported_on_an_imported_order(connection, products, log):
    link(connection, products["SKU-1"], variant_id=7001, tracking=ProductLink.Tracking.NONE)
    importer(connection, log).import_page(
        [order_payload(101, lines=[line(sku="SKU-1", variant_id=7001)])]
    )
    order = Order.objects.get()
    error = OrderError.objects.get()
    assert (error.code, error.order) == (OrderError.Code.TRACKING_OFF, order)
    assert "inventory tracking is off" in error.message
