"""Shipments the warehouse records."""

import pytest
from django.core.exceptions import ValidationError

from connections.bigcommerce.carriers import carrier_code
from orders.models import Address, Order
from orders.services.shipments import shipment_bc_payload, shipment_create
from tests.orders.helpers import address, importer, line, order_payload, reserved


@pytest.fixture
def open_order(connection, products):
    importer(connection).import_page(
        [
            order_payload(
                101, lines=[line(sku="SKU-1", quantity=2, line_id=1), line(sku="SKU-2", line_id=2)]
            )
        ]
    )
    return Order.objects.get()


def test_a_shipment_ships_open_quantities_and_releases_the_reservation(open_order, products):
    first = open_order.lines.get(bc_line_id=1)
    shipment = shipment_create(
        order=open_order, lines=[(first.pk, 2)], tracking_number=" 1Z999 ", tracking_carrier="UPS"
    )
    assert (shipment.tracking_number, shipment.tracking_carrier) == ("1Z999", "ups")
    assert shipment.bc_address_id == 1
    assert reserved(products["SKU-1"]) == 0
    open_order.refresh_from_db()
    assert open_order.hub_status == Order.HubStatus.PARTIALLY_SHIPPED

    shipment_create(order=open_order)  # the rest
    open_order.refresh_from_db()
    assert open_order.hub_status == Order.HubStatus.SHIPPED


@pytest.mark.parametrize(
    ("lines", "field", "text"),
    [
        ([(999999, 1)], "lines", "is not a line of order 101"),
        (["first:3"], "lines", "3 is more than the 2 still open"),
        (["first:0"], "lines", "at least 1"),
        ([], "lines", "at least one line"),
    ],
)
def test_a_shipment_is_validated(open_order, lines, field, text):
    first = open_order.lines.get(bc_line_id=1).pk
    lines = [(first, int(x.split(":")[1])) if isinstance(x, str) else x for x in lines]
    with pytest.raises(ValidationError) as caught:
        shipment_create(order=open_order, lines=lines)
    assert text in " ".join(caught.value.message_dict[field])
    assert not open_order.shipments.exists()


def test_a_cancelled_or_fully_shipped_order_cannot_be_shipped(open_order, connection):
    shipment_create(order=open_order)
    with pytest.raises(ValidationError, match="nothing left to ship"):
        shipment_create(order=open_order)
    Order.objects.filter(pk=open_order.pk).update(hub_status=Order.HubStatus.CANCELLED)
    with pytest.raises(ValidationError, match="cancelled"):
        shipment_create(order=open_order)


def test_lines_to_two_addresses_need_two_shipments(connection, products):
    shipping = [{"id": 1, **address()}, {"id": 2, **address(city="Denver")}]
    importer(connection).import_page(
        [order_payload(101, shipping=shipping, lines=[line(address_id=1), line(address_id=2)])]
    )
    order = Order.objects.get()
    with pytest.raises(ValidationError, match="different shipping addresses"):
        shipment_create(order=order)
    assert {a.bc_address_id for a in Address.objects.filter(kind="shipping")} == {1, 2}


def test_carriers_are_bigcommerce_codes():
    assert carrier_code("ups") == "ups"
    assert carrier_code("PostNL Domestic") == "postnl"
    assert carrier_code("USPS") == "usps"
    assert carrier_code("") == ""
    with pytest.raises(ValueError, match="not a BigCommerce tracking carrier"):
        carrier_code("pigeon-post")


def test_a_shipment_becomes_the_body_bigcommerce_takes(open_order):
    first = open_order.lines.get(bc_line_id=1)
    shipment = shipment_create(
        order=open_order,
        lines=[(first.pk, 2)],
        tracking_number="1Z999",
        tracking_carrier="ups",
        comments="Left at the door",
    )
    assert shipment_bc_payload(shipment=shipment) == {
        "order_address_id": 1,
        "items": [{"order_product_id": 1, "quantity": 2}],
        "tracking_number": "1Z999",
        "tracking_carrier": "ups",
        "comments": "Left at the door",
    }
