"""The sandbox's control API: health, reset, stats, config, faults, stores, orders made and
changed by tests, stock.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import pytest

pytestmark = pytest.mark.sandbox


def test_health_answers_ok(sandbox):
    assert sandbox.control("GET", "/health").json() == {"ok": True}


def test_reset_reseeds_with_overrides_and_answers_the_config(sandbox):
    config = sandbox.reset(orders=30, products=4, variants=2, quota=7)
    assert (config["orders"], config["products"], config["variants"], config["quota"]) == (
        30,
        4,
        2,
        7,
    )
    assert len(sandbox.get_all_orders()) + len(sandbox.get_all_orders(is_deleted="true")) == 30
    assert sandbox.get("/v3/catalog/variants").json()["meta"]["pagination"]["total"] == 8


def test_reset_without_a_body_goes_back_to_the_start_up_options(sandbox):
    sandbox.reset(orders=30)
    config = sandbox.control("POST", "/reset").json()
    assert config["orders"] == 120 and config["quota"] == 100000


def test_reset_forgets_mutations_stats_and_faults(sandbox):
    sandbox.api("DELETE", "/v2/orders/101")
    sandbox.force_fault("500", count=5)
    sandbox.reset()
    assert sandbox.get("/v2/orders/101").json()["is_deleted"] is False
    assert sandbox.stats()["requests"] == 1
    assert sandbox.control("GET", "/faults").json()["pending"] == []


def test_stats_count_requests_per_store_and_endpoint(sandbox):
    sandbox.get("/v2/orders")
    sandbox.get("/v2/orders/101")
    sandbox.get("/v2/orders/102/products")
    sandbox.api("GET", "/v2/orders", store_hash=sandbox.other_store_hash, token=sandbox.other_token)
    stats = sandbox.stats()
    assert stats["requests"] == 4
    mine = stats["by_store"][sandbox.store_hash]
    assert mine["requests"] == 3
    assert mine["endpoints"] == {
        "GET /v2/orders": 1,
        "GET /v2/orders/{id}": 1,
        "GET /v2/orders/{id}/products": 1,
    }
    assert stats["endpoints"]["GET /v2/orders"] == 2
    assert stats["status_codes"]["200"] == 4
    assert stats["cpu_ms"]["GET /v2/orders"]["n"] == 2
    sandbox.reset_stats()
    assert sandbox.stats()["requests"] == 0


def test_config_changes_runtime_settings(sandbox):
    config = sandbox.configure(
        quota=9, window_ms=1000, latency_ms=0, fault_rate=0.0, fault_hang_ms=50
    )
    assert (config["quota"], config["window_ms"], config["fault_hang_ms"]) == (9, 1000, 50)
    assert sandbox.control("GET", "/config").json()["quota"] == 9
    assert sandbox.control("POST", "/config", {"fault_rate": 2}).status_code == 400


def test_an_unknown_fault_kind_is_refused(sandbox):
    assert sandbox.control("POST", "/faults", {"kind": "boom"}).status_code == 400


def test_the_stores_are_listed(sandbox):
    stores = sandbox.control("GET", "/stores").json()["stores"]
    assert [s["hash"] for s in stores] == [sandbox.store_hash, sandbox.other_store_hash]
    assert stores[0]["orders"] == 120 and stores[0]["variants"] == 60


def test_a_created_order_is_served_by_the_api(sandbox):
    variant = sandbox.get("/v3/catalog/variants", limit=1).json()["data"][0]
    created = sandbox.create_order(
        status_id=11,
        customer_id=0,
        email="guest@example.com",
        lines=[
            {"variant_id": variant["id"], "quantity": 3},
            {"sku": "NOT-IN-CATALOG", "quantity": 1},
        ],
        shipping_address={"company": "Acme Pty Ltd"},
    )
    order = sandbox.get(
        f"/v2/orders/{created['id']}",
        include="consignments.line_items",
        consignment_structure="object",
    ).json()
    shipping = order["consignments"]["shipping"][0]
    assert order["customer_id"] == 0 and order["status_id"] == 11
    assert shipping["company"] == "Acme Pty Ltd"
    lines = shipping["line_items"]
    assert (lines[0]["variant_id"], lines[0]["sku"], lines[0]["quantity"]) == (
        variant["id"],
        variant["sku"],
        3,
    )
    assert (lines[1]["product_id"], lines[1]["sku"]) == (0, "NOT-IN-CATALOG")
    newest = sandbox.get("/v2/orders", sort="id:desc", limit=1).json()[0]
    assert newest["id"] == created["id"]


def test_an_order_created_without_a_body_gets_random_catalog_lines(sandbox):
    created = sandbox.create_order()
    assert created["status_id"] == 11
    assert created["consignments"]["shipping"][0]["line_items"]


def test_patching_an_order_moves_date_modified(sandbox):
    before = sandbox.get("/v2/orders/101").json()
    after = sandbox.patch_order(101, status_id=5, shipping_address={"city": "Springfield"})
    assert after["status_id"] == 5
    assert after["consignments"]["shipping"][0]["city"] == "Springfield"
    assert parsedate_to_datetime(after["date_modified"]) > parsedate_to_datetime(
        before["date_modified"]
    )
    found = sandbox.get_all_orders(min_date_modified=after["date_modified"])
    assert [o["id"] for o in found] == [101]


def test_patching_can_set_date_modified_and_archive(sandbox):
    after = sandbox.patch_order(102, is_deleted=True, date_modified="2030-01-01T00:00:00Z")
    assert after["is_deleted"] is True
    assert after["date_modified"] == "Tue, 01 Jan 2030 00:00:00 +0000"


def test_patching_lines_replaces_them(sandbox):
    variant = sandbox.get("/v3/catalog/variants", limit=2).json()["data"][1]
    after = sandbox.patch_order(103, lines=[{"variant_id": variant["id"], "quantity": 4}])
    lines = after["consignments"]["shipping"][0]["line_items"]
    assert [(li["variant_id"], li["quantity"]) for li in lines] == [(variant["id"], 4)]


def test_control_errors_name_the_problem(sandbox):
    assert sandbox.control("PATCH", "/stores/demo01/orders/999999", {}).status_code == 404
    assert sandbox.control("POST", "/stores/nostore/orders", {}).status_code == 404
    r = sandbox.control("POST", "/stores/demo01/orders", {"lines": [{"variant_id": -5}]})
    assert r.status_code == 400 and "variant_id" in r.json()["error"]
    assert sandbox.control("GET", "/nothing").status_code == 404


def test_inventory_gives_stock_per_product_and_variant(sandbox):
    inv = sandbox.inventory()
    products = sandbox.get("/v3/catalog/products", include="variants", limit=250).json()["data"]
    for p in products:
        assert inv["products"][str(p["id"])]["inventory_level"] == p["inventory_level"]
        assert inv["products"][str(p["id"])]["inventory_tracking"] == p["inventory_tracking"]
        for v in p["variants"]:
            assert inv["variants"][str(v["id"])]["inventory_level"] == v["inventory_level"]
