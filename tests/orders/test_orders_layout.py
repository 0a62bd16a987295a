"""The orders table fits its page at common desktop widths (a real browser: Debian's chromium;
skipped without it). Set ORDERS_SCREENSHOTS=DIR to keep a screenshot per width."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from catalog.models import Product
from orders.services.importer import OrderImporter
from tests.orders.helpers import address, line, order_payload

CHROMIUM = Path(os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing"),
    pytest.mark.django_db(transaction=True),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
    live_server, manager, long_orders, width
):
    client = Client()
    client.force_login(manager)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": 900})
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
            )
            page = context.new_page()
            page.goto(f"{live_server.url}/orders/")
            if os.environ.get("ORDERS_SCREENSHOTS"):
                page.screenshot(
                    path=os.path.join(os.environ["ORDERS_SCREENSHOTS"], f"orders-{width}.png"),
                    full_page=True,
                )
            wrap = page.locator(".table-wrap").first
            sizes = wrap.evaluate("e => [e.scrollWidth, e.clientWidth]")
            errors = page.locator("table.orders thead th").last.bounding_box()
            card = page.locator(".card").first.bounding_box()
        finally:
            browser.close()
    assert sizes[0] <= sizes[1], f"the table is {sizes[0]} px wide in {sizes[1]} px"
    assert errors["x"] + errors["width"] <= card["x"] + card["width"] + 1
