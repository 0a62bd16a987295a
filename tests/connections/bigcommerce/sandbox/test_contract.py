"""Every answer of the sandbox store validates against the official BigCommerce specs."""

from __future__ import annotations

import pytest

from tests.connections.bigcommerce.sandbox.helpers import CONSIGNMENTS

pytestmark = pytest.mark.sandbox


@pytest.fixture
def checked(sandbox, contract):
    """The sandbox, with every store API exchange validated by the contract checker."""
    sandbox.reset(orders=300, products=40)
    contract.attach(sandbox.session)
    yield sandbox
    assert contract.exchanges > 0


def test_order_reads_match_the_orders_spec(checked):
    sb = checked
    sb.get("/v2/store")
    sb.get("/v2/time")
    sb.get("/v2/order_statuses")
    sb.get("/v2/order_statuses/11")
    for params in (
        {},
        {"limit": 250},
        {"limit": 250, "page": 2, **CONSIGNMENTS},
        {"include": "consignments", "consignment_structure": "object"},
        {"include": "fees"},
        {"is_deleted": "true"},
        {"status_id": 2},
        {"sort": "date_modified:desc", "min_date_modified": "2024-02-01"},
        {"min_id": 999999},
    ):
        sb.get("/v2/orders", **params)
    sb.get("/v2/orders/count")
    sb.get("/v2/orders/count", status_id=11)
    for order_id in (100, 101, 150):
        sb.get(f"/v2/orders/{order_id}")
        sb.get(f"/v2/orders/{order_id}", **CONSIGNMENTS)
        sb.get(f"/v2/orders/{order_id}/products")
        sb.get(f"/v2/orders/{order_id}/shipping_addresses")
        sb.get(f"/v2/orders/{order_id}/shipments")
    shipped = sb.get("/v2/orders", status_id=2, limit=1).json()[0]
    sb.get(f"/v2/orders/{shipped['id']}/shipments")
    assert sb.get("/v2/orders/999999").status_code == 404


def test_order_writes_match_the_orders_spec(checked):
    sb = checked
    order = sb.get("/v2/orders", status_id=11, limit=1, **CONSIGNMENTS).json()[0]
    cons = order["consignments"]["shipping"][0]
    r = sb.api(
        "POST",
        f"/v2/orders/{order['id']}/shipments",
        json={
            "order_address_id": cons["id"],
            "tracking_number": "1Z1",
            "tracking_carrier": "ups",
            "comments": "c",
            "items": [
                {"order_product_id": li["id"], "quantity": li["quantity"]}
                for li in cons["line_items"]
            ],
        },
    )
    assert r.status_code == 201
    assert sb.api("PUT", f"/v2/orders/{order['id']}", json={"status_id": 10}).status_code == 200
    assert sb.api("DELETE", f"/v2/orders/{order['id']}").status_code == 204


def test_catalog_and_inventory_match_their_specs(checked):
    sb = checked
    sb.get("/v3/catalog/products")
    sb.get("/v3/catalog/products", include="variants", limit=250)
    sb.get("/v3/catalog/products", include="variants,options", limit=5, page=2)
    sb.get("/v3/catalog/products", **{"id:in": "100,101", "date_modified:min": "2023-01-01"})
    sb.get("/v3/catalog/products/100", include="variants")
    assert sb.get("/v3/catalog/products/999999").status_code == 404
    sb.get("/v3/catalog/products/100/variants")
    sb.get("/v3/catalog/variants", limit=250)
    sb.get("/v3/inventory/locations")
    inv = sb.inventory()
    tracked = next(
        int(v)
        for v, info in inv["variants"].items()
        if inv["products"][str(info["product_id"])]["inventory_tracking"] == "variant"
    )
    ok = sb.api(
        "PUT",
        "/v3/inventory/adjustments/absolute",
        json={
            "reason": "count",
            "items": [{"location_id": 1, "variant_id": tracked, "quantity": 5}],
        },
    )
    bad = sb.api(
        "PUT",
        "/v3/inventory/adjustments/absolute",
        json={"reason": "count", "items": [{"location_id": 1, "variant_id": 1, "quantity": 5}]},
    )
    assert (ok.status_code, bad.status_code) == (200, 422)


def test_webhooks_match_the_webhooks_spec(checked):
    sb = checked
    created = sb.api(
        "POST",
        "/v3/hooks",
        json={
            "scope": "store/order/updated",
            "destination": "https://hub.example.com/hooks",
            "is_active": True,
            "headers": {"X-Secret": "s"},
        },
    ).json()["data"]
    sb.get("/v3/hooks")
    sb.get(f"/v3/hooks/{created['id']}")
    sb.api("PUT", f"/v3/hooks/{created['id']}", json={"is_active": False})
    sb.api("DELETE", f"/v3/hooks/{created['id']}")
    assert sb.get(f"/v3/hooks/{created['id']}").status_code == 404
    invalid = sb.api(
        "POST",
        "/v3/hooks",
        json={"scope": "store/order/created", "destination": "http://insecure.example.com"},
    )
    assert invalid.status_code == 422


def test_consignments_without_object_structure_break_the_spec(sandbox, contract):
    """BigCommerce's legacy array form is undocumented: clients must ask for objects."""
    contract.attach(sandbox.session)
    with contract.expect_violations() as violations:
        sandbox.get("/v2/orders/101", include="consignments.line_items")
    assert len(violations) == 1
