"""The orders table fits its page at common desktop widths, its ERRORS column visible. Set
ORDERS_SCREENSHOTS=DIR to keep a screenshot per width."""

import os

import pytest

from catalog.models import Product
from orders.services.importer import OrderImporter
from tests.orders.helpers import address, line, order_payload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def long_orders(tenant, connection):
    Product.objects.create(tenant=tenant, sku="SKU-1")
    connection.name = "Northwind Traders International Webshop"
    connection.save()
    billing = address(
        company="Smith & Sons Wholesale Distribution Partners Ltd",
        email="procurement.department.longname@smith-and-sons-wholesale.example.com",
    )
    OrderImporter(connection=connection).import_page(
        [
            order_payload(
                100 + i,
                billing=billing,
                lines=[line(sku="SKU-1", line_id=i, name="Blue mug")],
                email=billing["email"],
            )
            for i in range(5)
        ]
    )


@pytest.mark.parametrize("width", [1440, 1920])
def test_the_orders_table_fits_the_page_with_its_errors_column(
    page, live_server, login, manager, long_orders, width
):
    page.set_viewport_size({"width": width, "height": 900})
    login("alice")
    page.goto(f"{live_server.url}/orders/")
    if os.environ.get("ORDERS_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["ORDERS_SCREENSHOTS"], f"orders-{width}.png"),
            full_page=True,
        )
    wrap = page.locator(".table-wrap").first
    scroll_width, client_width = wrap.evaluate("e => [e.scrollWidth, e.clientWidth]")
    errors = page.locator("table.orders thead th").last.bounding_box()
    card = page.locator(".card").first.bounding_box()

    assert scroll_width <= client_width, f"the table is {scroll_width} px wide in {client_width}"
    assert errors["x"] + errors["width"] <= card["x"] + card["width"] + 1
