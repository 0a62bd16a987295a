"""The orders screens with Django's test client: every page and action as the tenant's
manager, operator, viewer, a manager of another tenant (404) and anonymous (log-in page)."""

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Product
from dataflows.models import Dataflow, LogEntry, Run
from orders.flows import ORDER_IMPORT
from orders.models import Order, OrderError, OrderFetchRequest
from orders.services.importer import OrderImporter
from orders.services.shipments import shipment_create
from tests.fixtures.tenants import make_connection
from tests.orders.helpers import address, line, order_payload


@pytest.fixture(autouse=True)
def no_queueing(queued):
    return queued


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def orders(tenant, connection):
    Product.objects.create(tenant=tenant, sku="SKU-1")
    dataflow = Dataflow.objects.get(connection=connection, kind=ORDER_IMPORT)
    run = Run.objects.create(dataflow=dataflow, trigger=Run.Trigger.MANUAL)

    def log(message, level, bc_order_id):
        LogEntry.objects.create(
            run=run, level=level, object_kind="order", object_id=bc_order_id, message=message
        )

    OrderImporter(connection=connection, log=log).import_page(
        [
            order_payload(101, lines=[line(sku="SKU-1", quantity=2, name="Blue mug")]),
            order_payload(102, lines=[line(sku="GHOST-1")]),
        ]
    )
    return {o.bc_order_id: o for o in connection.orders.all()}


@pytest.fixture
def error(orders):
    return OrderError.objects.get(bc_order_id=102)


def test_the_orders_page_lists_the_current_tenants_orders(manager, orders, other_connection):
    response = client_for(manager).get(reverse("orders"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "#101" in html and "Awaiting Fulfillment" in html
    assert "Order errors (1 open)" in html
    assert 'class="current">Orders</a>' in html


def test_the_orders_page_filters(manager, orders, connection):
    client = client_for(manager)
    assert "#101" not in client.get(reverse("orders") + "?hub_status=cancelled").content.decode()
    assert "#101" in client.get(reverse("orders") + "?q=101").content.decode()
    html = client.get(reverse("orders") + "?q=nobody@example.com").content.decode()
    assert "#101" not in html and "No orders" in html


def test_an_orders_page_shows_lines_addresses_shipments_and_its_log(manager, orders):
    order = orders[101]
    shipment_create(order=order, tracking_number="1Z-TRACK", tracking_carrier="ups")

    html = client_for(manager).get(reverse("order-detail", args=[order.pk])).content.decode()

    assert "Order #101" in html and "Blue mug" in html and "SKU-1" in html
    assert "1 Main Street" in html and "1Z-TRACK" in html
    assert "Order 101 imported" in html  # the run log entry that touched it
    assert "Re-import this order" in html
    assert "wait" in html.lower() or "go to BigCommerce once" in html


def test_reimport_from_the_order_page(operator, orders):
    order = orders[101]
    response = client_for(operator).post(reverse("order-reimport", args=[order.pk]))
    assert response.status_code == 302
    assert OrderFetchRequest.objects.get().bc_order_id == 101
    html = client_for(operator).get(reverse("order-detail", args=[order.pk])).content.decode()
    assert "will be fetched again" in html


def test_the_errors_page_retries_and_ignores(operator, error):
    client = client_for(operator)
    html = client.get(reverse("order-errors")).content.decode()
    assert "GHOST-1" in html and "not imported" in html

    response = client.post(reverse("order-error-action", args=["retry"]), {"ids": [error.pk]})
    assert response.status_code == 302
    assert OrderFetchRequest.objects.get().bc_order_id == 102

    response = client.post(reverse("order-error-action", args=["ignore"]), {"ids": [error.pk]})
    error.refresh_from_db()
    assert error.is_open  # no reason given: refused
    client.post(
        reverse("order-error-action", args=["ignore"]),
        {"ids": [error.pk], "reason": "Discontinued, refunded"},
    )
    error.refresh_from_db()
    assert (error.resolution, error.resolution_note) == ("ignored", "Discontinued, refunded")
    assert "GHOST-1" in client.get(reverse("order-errors") + "?state=ignored").content.decode()
    assert "GHOST-1" not in client.get(reverse("order-errors")).content.decode()


def test_the_connection_page_has_an_orders_tab_with_the_error_count(manager, connection, orders):
    html = client_for(manager).get(reverse("connection-orders", args=[connection.pk]))
    html = html.content.decode()
    assert "#101" in html and 'aria-current="page">Orders' in html
    assert "1 open order error" in html
    general = client_for(manager).get(reverse("connection-detail", args=[connection.pk]))
    assert 'title="Open order errors" data-live-part>1</span>' in general.content.decode()


def pages(orders, error, connection):
    order = orders[101]
    return [
        ("get", reverse("order-detail", args=[order.pk]), {}),
        ("post", reverse("order-reimport", args=[order.pk]), {}),
        ("post", reverse("order-error-action", args=["retry"]), {"ids": [error.pk]}),
        (
            "post",
            reverse("order-error-action", args=["ignore"]),
            {"ids": [error.pk], "reason": "x"},
        ),
        ("get", reverse("connection-orders", args=[connection.pk]), {}),
    ]


def test_it_validates_ownership(outsider, orders, error, connection):
    client = client_for(outsider)
    for method, url, data in pages(orders, error, connection):
        assert getattr(client, method)(url, data).status_code == 404, url
    assert "#101" not in client.get(reverse("orders")).content.decode()
    assert "GHOST-1" not in client.get(reverse("order-errors")).content.decode()
    assert not OrderFetchRequest.objects.exists() and error.is_open


def test_a_viewer_sees_everything_and_changes_nothing(viewer, orders, error, connection):
    client = client_for(viewer)
    for method, url, data in pages(orders, error, connection):
        expected = 200 if method == "get" else 403
        assert getattr(client, method)(url, data).status_code == expected, url
    html = client.get(reverse("order-detail", args=[orders[101].pk])).content.decode()
    assert "Re-import this order" not in html
    assert "RETRY" not in client.get(reverse("order-errors")).content.decode()
    assert not OrderFetchRequest.objects.exists()


def test_anonymous_users_go_to_the_log_in_page(orders, error, connection):
    client = client_for(None)
    for method, url, data in [
        *pages(orders, error, connection),
        ("get", reverse("orders"), {}),
        ("get", reverse("order-errors"), {}),
    ]:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


def test_an_order_of_another_of_my_tenants_switches_to_it(manager, other_tenant, staff):
    from connections.models import Membership

    Membership.objects.create(tenant=other_tenant, user=manager, role=Membership.Role.VIEWER)
    other = make_connection(other_tenant, name="Other", store_hash="zzz999")
    OrderImporter(connection=other).import_page([order_payload(700, status_id=5)])
    order = other.orders.get()
    client = client_for(manager)

    assert client.get(reverse("order-detail", args=[order.pk])).status_code == 200
    assert "#700" in client.get(reverse("orders")).content.decode()


def test_a_shipped_order_shows_its_shipments_and_bigcommerces_ship_date(manager, orders):
    order = orders[101]
    url = reverse("order-detail", args=[order.pk])
    assert "Not shipped yet" in client_for(manager).get(url).content.decode()

    shipment = shipment_create(order=order, tracking_number="1Z-TRACK")
    html = client_for(manager).get(url).content.decode()
    shipped = html.split("data-shipped>", 1)[1].split("</dd>", 1)[0]
    assert f"Shipment #{shipment.pk}" in shipped and "—" not in shipped

    Order.objects.filter(pk=order.pk).update(date_shipped=datetime(2024, 3, 2, 9, 30, tzinfo=UTC))
    html = client_for(manager).get(url).content.decode()
    assert "02/03/2024 09:30" in html.split("data-shipped>", 1)[1].split("</dd>", 1)[0]


def test_the_status_filter_uses_the_stores_labels_with_the_id(manager, orders, connection):
    connection.order_status_labels = {"11": "To pack"}
    connection.save()
    html = client_for(manager).get(reverse("connection-orders", args=[connection.pk]))
    html = html.content.decode()
    assert '<option value="11">11 · To pack</option>' in html
    assert "Awaiting Fulfillment" not in html  # neither in the filter nor in the table
    assert "To pack" in html.split("<tbody>", 1)[1]


@pytest.mark.parametrize("search", ["#123", "Smith & Sons"])
def test_the_pages_links_keep_the_search_encoded(manager, connection, search, monkeypatch):
    monkeypatch.setattr("orders.views.ORDERS_PER_PAGE", 1)
    Product.objects.create(tenant=connection.tenant, sku="SKU-1")
    company = {"company": "#123 Trading" if search == "#123" else "Smith & Sons"}
    OrderImporter(connection=connection).import_page(
        [
            order_payload(123, billing=address(**company)),
            order_payload(124, billing=address(**company)),
        ]
    )
    client = client_for(manager)

    first = client.get(reverse("orders"), {"q": search}).content.decode()

    encoded = urlencode({"q": search, "page": 2})
    assert f'href="?{encoded.replace("&", "&amp;")}"' in first
    second = client.get(reverse("orders") + "?" + encoded).content.decode()
    assert "Page 2 of 2" in second
    assert f'value="{search.replace("&", "&amp;")}"' in second  # the whole search, not split
