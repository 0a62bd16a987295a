"""REST API of orders, shipments and order errors.

Every endpoint is tried by the owner (manager), an operator, a viewer (read only), a member
of another tenant (Healthchecks' `test_it_validates_ownership`: 404, never 403) and an
anonymous client."""

from datetime import UTC, datetime, timedelta

import pytest
from drf_spectacular.generators import SchemaGenerator

from catalog.models import Product
from orders.models import OrderError, OrderFetchRequest, Shipment
from orders.services.importer import OrderImporter
from orders.services.shipments import shipment_create
from tests.fixtures.tenants import api_client_for
from tests.orders.helpers import line, order_payload

T0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_queueing(queued):
    """Retries and re-imports queue an Order Import run: recorded, not sent."""
    return queued


@pytest.fixture
def orders(tenant, connection):
    for sku in ("SKU-1", "SKU-2"):
        Product.objects.create(tenant=tenant, sku=sku, on_hand=10)
    OrderImporter(connection=connection).import_page(
        [
            order_payload(
                101, lines=[line(sku="SKU-1", quantity=2, line_id=1), line(sku="SKU-2", line_id=2)]
            ),
            order_payload(102, status_id=5, created=T0 + timedelta(days=1)),
            order_payload(103, created=T0 + timedelta(days=2), lines=[line(sku="SKU-1")]),
            order_payload(104, lines=[line(sku="MISSING-1")]),
        ]
    )
    return {o.bc_order_id: o for o in connection.orders.all()}


@pytest.fixture
def other_orders(other_tenant, other_connection):
    Product.objects.create(tenant=other_tenant, sku="SKU-1")
    OrderImporter(connection=other_connection).import_page(
        [order_payload(101), order_payload(900, lines=[line(sku="NOPE")])]
    )
    return {o.bc_order_id: o for o in other_connection.orders.all()}


@pytest.fixture
def error(orders, connection):
    return OrderError.objects.get(connection=connection, bc_order_id=104)


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# ----------------------------------------------------------------------------- orders


def test_orders_list_only_the_users_tenants(manager, outsider, orders, other_orders):
    mine = results(api_client_for(manager).get("/api/v1/orders/"))
    assert sorted(o["bc_order_id"] for o in mine) == [101, 102, 103]
    theirs = results(api_client_for(outsider).get("/api/v1/orders/"))
    assert [o["bc_order_id"] for o in theirs] == [101]
    assert theirs[0]["id"] == other_orders[101].pk


def test_staff_sees_every_tenant(staff, orders, other_orders):
    assert len(results(api_client_for(staff).get("/api/v1/orders/"))) == 4


def test_an_order_in_the_list(manager, orders):
    (row,) = results(api_client_for(manager).get("/api/v1/orders/?bc_id=101"))
    assert row["status_label"] == "Awaiting Fulfillment" and row["hub_status"] == "open"
    assert (row["line_count"], row["shipment_count"], row["has_errors"]) == (2, 0, False)
    assert row["customer"]["email"] == "jane.doe@example.com"
    assert row["customer"]["kind"] == "person"
    assert "raw" not in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=5", [102]),
        ("hub_status=cancelled", [102]),
        ("hub_status=open", [101, 103]),
        ("created_after=2024-03-02T00:00:00Z", [102, 103]),
        ("created_before=2024-03-02T00:00:00Z", [101]),
        ("has_errors=false", [101, 102, 103]),
        ("bc_id=103", [103]),
        ("email=JANE.DOE@example.com", [101, 102, 103]),
    ],
)
def test_orders_filters(manager, orders, query, expected):
    rows = results(api_client_for(manager).get(f"/api/v1/orders/?{query}"))
    assert sorted(r["bc_order_id"] for r in rows) == expected


def test_orders_filter_by_connection_and_errors(manager, connection, orders, tenant):
    link_error = OrderError.objects.get(bc_order_id=104)
    link_error.order = orders[101]
    link_error.save()
    client = api_client_for(manager)
    assert [r["bc_order_id"] for r in results(client.get("/api/v1/orders/?has_errors=true"))] == [
        101
    ]
    assert results(client.get(f"/api/v1/orders/?connection={connection.pk + 1000}")) == []


def test_the_list_is_paginated_in_a_fixed_number_of_queries(
    manager, connection, orders, django_assert_max_num_queries
):
    client = api_client_for(manager)
    client.get("/api/v1/orders/")  # warm up (token, content types)
    with django_assert_max_num_queries(6):
        small = client.get("/api/v1/orders/").json()
    OrderImporter(connection=connection).import_page(
        [order_payload(i, lines=[line(sku="SKU-1"), line(sku="SKU-2")]) for i in range(200, 260)]
    )
    with django_assert_max_num_queries(6):
        big = client.get("/api/v1/orders/?page_size=20").json()
    assert small["count"] == 3 and big["count"] == 63 and len(big["results"]) == 20
    assert big["next"]


def test_the_errors_list_is_a_fixed_number_of_queries(
    manager, connection, orders, django_assert_max_num_queries
):
    OrderImporter(connection=connection).import_page(
        [order_payload(i, lines=[line(sku=f"NOPE-{i}")]) for i in range(300, 340)]
    )
    client = api_client_for(manager)
    client.get("/api/v1/order-errors/")
    with django_assert_max_num_queries(5):
        data = client.get("/api/v1/order-errors/").json()
    assert data["count"] == 41


def test_an_orders_detail(manager, orders):
    order = orders[101]
    shipment_create(order=order, lines=[(order.lines.get(bc_line_id=1).pk, 1)])

    data = api_client_for(manager).get(f"/api/v1/orders/{order.pk}/").json()

    assert [(ln["sku"], ln["quantity"], ln["quantity_open"]) for ln in data["lines"]] == [
        ("SKU-1", 2, 1),
        ("SKU-2", 1, 1),
    ]
    assert {a["kind"] for a in data["addresses"]} == {"billing", "shipping"}
    assert data["shipments"][0]["lines"][0]["order_product_id"] == 1
    assert data["hub_status"] == "partially_shipped" and data["errors"] == []


def test_reimport_asks_the_next_import_for_the_order(operator, orders, no_queueing):
    response = api_client_for(operator).post(f"/api/v1/orders/{orders[101].pk}/reimport/")
    assert response.status_code == 202
    assert OrderFetchRequest.objects.get().bc_order_id == 101


# ----------------------------------------------------------------------------- shipments


def shipments_url(order):
    return f"/api/v1/orders/{order.pk}/shipments/"


def test_the_warehouse_records_a_shipment(operator, orders):
    order = orders[101]
    first = order.lines.get(bc_line_id=1)
    response = api_client_for(operator).post(
        shipments_url(order),
        {
            "tracking_number": "1Z999",
            "tracking_carrier": "ups",
            "lines": [{"line": first.pk, "quantity": 2}, {"order_product_id": 2, "quantity": 1}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "pending" and data["tracking_carrier"] == "ups"
    assert sorted((ln["order_product_id"], ln["quantity"]) for ln in data["lines"]) == [
        (1, 2),
        (2, 1),
    ]
    listed = api_client_for(operator).get(shipments_url(order)).json()
    assert [s["id"] for s in listed] == [data["id"]]


def test_without_lines_everything_open_is_shipped(operator, orders):
    response = api_client_for(operator).post(shipments_url(orders[101]), {}, format="json")
    assert response.status_code == 201
    assert sum(ln["quantity"] for ln in response.json()["lines"]) == 3


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"lines": [{"line": 999999, "quantity": 1}]}, "lines", "is not a line of order 101"),
        ({"lines": [{"order_product_id": 77, "quantity": 1}]}, "lines", "Order product 77"),
        ({"lines": [{"order_product_id": 1, "quantity": 3}]}, "lines", "more than the 2"),
        ({"lines": [{"order_product_id": 1, "quantity": 0}]}, "lines", "greater than or equal"),
        ({"lines": [{"quantity": 1}]}, "lines", "either `line` or `order_product_id`"),
        ({"tracking_carrier": "pigeon"}, "tracking_carrier", "not a BigCommerce tracking"),
        ({"tracking_number": "x" * 51}, "tracking_number", "no more than 50"),
    ],
)
def test_a_shipment_is_refused_with_a_clear_400(operator, orders, body, field, text):
    response = api_client_for(operator).post(shipments_url(orders[101]), body, format="json")
    assert response.status_code == 400
    assert text in str(response.json()[field])
    assert not Shipment.objects.exists()


def test_a_line_of_another_order_is_refused(operator, orders):
    other_line = orders[103].lines.get()
    response = api_client_for(operator).post(
        shipments_url(orders[101]),
        {"lines": [{"line": other_line.pk, "quantity": 1}]},
        format="json",
    )
    assert response.status_code == 400 and "is not a line of order 101" in str(response.json())


def test_a_cancelled_order_cannot_be_shipped(operator, orders):
    response = api_client_for(operator).post(shipments_url(orders[102]), {}, format="json")
    assert response.status_code == 400
    assert "cancelled" in response.json()["non_field_errors"][0]


# ----------------------------------------------------------------------------- errors


def test_order_errors_of_the_users_tenants_only(manager, outsider, error, other_orders):
    mine = results(api_client_for(manager).get("/api/v1/order-errors/"))
    assert [(e["bc_order_id"], e["code"], e["state"]) for e in mine] == [
        (104, "unknown_sku", "open")
    ]
    theirs = results(api_client_for(outsider).get("/api/v1/order-errors/"))
    assert [e["bc_order_id"] for e in theirs] == [900]


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("code=unknown_sku", 1),
        ("code=invalid_address", 0),
        ("resolved=false", 1),
        ("resolved=true", 0),
        ("state=open", 1),
        ("state=ignored", 0),
        ("bc_order_id=104", 1),
    ],
)
def test_order_errors_filters(manager, error, query, count):
    assert len(results(api_client_for(manager).get(f"/api/v1/order-errors/?{query}"))) == count


def test_retry_one(operator, error, no_queueing, connection):
    response = api_client_for(operator).post(f"/api/v1/order-errors/{error.pk}/retry/")
    assert response.status_code == 202
    assert response.json()["state"] == "retrying"
    assert OrderFetchRequest.objects.get().bc_order_id == 104


def test_retry_of_a_resolved_error_is_a_400(operator, error):
    api_client_for(operator).post(
        f"/api/v1/order-errors/{error.pk}/ignore/", {"reason": "x"}, format="json"
    )
    response = api_client_for(operator).post(f"/api/v1/order-errors/{error.pk}/retry/")
    assert response.status_code == 400 and "ignored already" in str(response.json())


def test_ignore_needs_a_reason_and_records_it(operator, error):
    client = api_client_for(operator)
    assert client.post(f"/api/v1/order-errors/{error.pk}/ignore/", {}).status_code == 400
    response = client.post(
        f"/api/v1/order-errors/{error.pk}/ignore/", {"reason": "Custom item"}, format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["state"], data["resolution_note"]) == ("ignored", "Custom item")
    assert not results(client.get("/api/v1/order-errors/?state=open"))


def test_bulk_retry_and_ignore(operator, connection, orders, error):
    OrderImporter(connection=connection).import_page(
        [order_payload(105, lines=[line(sku="NOPE-2")])]
    )
    client = api_client_for(operator)
    ids = list(OrderError.objects.values_list("pk", flat=True))

    response = client.post("/api/v1/order-errors/retry/", {"ids": ids}, format="json")
    assert response.status_code == 202 and response.json() == {"count": 2}
    assert OrderFetchRequest.objects.count() == 2

    response = client.post(
        "/api/v1/order-errors/ignore/",
        {"connection": connection.pk, "code": "unknown_sku", "reason": "Engravings"},
        format="json",
    )
    assert response.json() == {"count": 2}
    assert not OrderError.objects.filter(resolved_at__isnull=True).exists()
    assert client.post("/api/v1/order-errors/retry/", {}, format="json").status_code == 400


# ----------------------------------------------------------------------------- ownership


def endpoints(orders, error):
    order = orders[101]
    return [
        ("get", f"/api/v1/orders/{order.pk}/", None),
        ("post", f"/api/v1/orders/{order.pk}/reimport/", None),
        ("get", shipments_url(order), None),
        ("post", shipments_url(order), {}),
        ("get", f"/api/v1/order-errors/{error.pk}/", None),
        ("post", f"/api/v1/order-errors/{error.pk}/retry/", None),
        ("post", f"/api/v1/order-errors/{error.pk}/ignore/", {"reason": "x"}),
        ("post", "/api/v1/order-errors/retry/", {"ids": [error.pk]}),
        ("post", "/api/v1/order-errors/ignore/", {"ids": [error.pk], "reason": "x"}),
        ("post", "/api/v1/order-errors/retry/", {"connection": order.connection_id}),
    ]


def test_it_validates_ownership(outsider, orders, error):
    client = api_client_for(outsider)
    for method, url, body in endpoints(orders, error):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    assert not Shipment.objects.exists() and not OrderFetchRequest.objects.exists()
    assert OrderError.objects.get().is_open


def test_a_viewer_reads_but_changes_nothing(viewer, orders, error):
    client = api_client_for(viewer)
    for method, url, body in endpoints(orders, error):
        response = getattr(client, method)(url, body, format="json")
        expected = 200 if method == "get" else 403
        assert response.status_code == expected, (method, url, response.status_code)
    assert not Shipment.objects.exists() and not OrderFetchRequest.objects.exists()


def test_anonymous_clients_are_refused(orders, error):
    client = api_client_for(None)
    for method, url, body in endpoints(orders, error):
        assert getattr(client, method)(url, body, format="json").status_code == 401
    assert client.get("/api/v1/orders/").status_code == 401


def test_the_schema_documents_the_orders_endpoints():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path, methods in {
        "/api/v1/orders/": {"get"},
        "/api/v1/orders/{id}/": {"get"},
        "/api/v1/orders/{id}/shipments/": {"get", "post"},
        "/api/v1/orders/{id}/reimport/": {"post"},
        "/api/v1/order-errors/": {"get"},
        "/api/v1/order-errors/{id}/retry/": {"post"},
        "/api/v1/order-errors/{id}/ignore/": {"post"},
        "/api/v1/order-errors/retry/": {"post"},
        "/api/v1/order-errors/ignore/": {"post"},
    }.items():
        assert methods <= set(paths[path]), path
