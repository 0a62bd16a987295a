"""Catalog and inventory (v3) on the sandbox store."""

from __future__ import annotations

from datetime import datetime

import pytest

pytestmark = pytest.mark.sandbox


def all_products(sandbox, **params):
    out, page = [], 1
    while True:
        body = sandbox.get("/v3/catalog/products", page=page, limit=250, **params).json()
        out += body["data"]
        if page >= body["meta"]["pagination"]["total_pages"]:
            return out
        page += 1


def variant_of(sandbox, tracking):
    for p in all_products(sandbox, include="variants"):
        if p["inventory_tracking"] == tracking:
            return p, p["variants"][0]
    raise AssertionError(f"no product tracked by {tracking}")


def adjust(sandbox, items, reason="test"):
    return sandbox.api(
        "PUT", "/v3/inventory/adjustments/absolute", json={"reason": reason, "items": items}
    )


BAD_ITEMS = {
    "an unknown variant": {"location_id": 1, "variant_id": 999999, "quantity": 1},
    "an unknown product": {"location_id": 1, "product_id": 999999, "quantity": 1},
    "a negative quantity": {"location_id": 1, "variant_id": "GOOD", "quantity": -1},
    "an untracked product": {"location_id": 1, "product_id": "NONE", "quantity": 1},
    "an unknown location": {"location_id": 9, "variant_id": "GOOD", "quantity": 1},
}


def test_products_come_in_the_v3_envelope_with_pagination(sandbox):
    body = sandbox.get("/v3/catalog/products", limit=8, page=2).json()
    assert len(body["data"]) == 8
    assert body["meta"]["pagination"] == {
        "total": 20,
        "count": 8,
        "per_page": 8,
        "current_page": 2,
        "total_pages": 3,
        "links": {
            "previous": "?page=1&limit=8",
            "current": "?page=2&limit=8",
            "next": "?page=3&limit=8",
        },
    }


def test_the_last_product_page_has_no_next_link(sandbox):
    body = sandbox.get("/v3/catalog/products", limit=8, page=3).json()
    assert len(body["data"]) == 4
    assert "next" not in body["meta"]["pagination"]["links"]


@pytest.mark.no_contract  # asks for limit=1000, above the spec's maximum, on purpose
def test_product_limit_defaults_to_50_and_is_capped_at_250(sandbox):
    sandbox.reset(products=300, variants=1)
    assert len(sandbox.get("/v3/catalog/products").json()["data"]) == 50
    body = sandbox.get("/v3/catalog/products", limit=1000).json()
    assert len(body["data"]) == 250 and body["meta"]["pagination"]["per_page"] == 250


def test_include_variants_puts_each_products_variants_inline(sandbox):
    products = all_products(sandbox, include="variants")
    assert len(products) == 20
    for p in products:
        assert len(p["variants"]) == 3
        assert {v["product_id"] for v in p["variants"]} == {p["id"]}
        assert all(v["option_values"] for v in p["variants"])
    assert "variants" not in sandbox.get("/v3/catalog/products", limit=1).json()["data"][0]


def test_products_filter_by_id_in_and_sku(sandbox):
    products = all_products(sandbox)
    pick = [products[1]["id"], products[5]["id"]]
    got = sandbox.get("/v3/catalog/products", **{"id:in": ",".join(map(str, pick))}).json()
    assert [p["id"] for p in got["data"]] == pick
    by_sku = sandbox.get("/v3/catalog/products", sku=products[3]["sku"]).json()["data"]
    assert [p["id"] for p in by_sku] == [products[3]["id"]]


def test_products_filter_by_date_modified_min(sandbox):
    products = all_products(sandbox)
    dates = sorted(datetime.fromisoformat(p["date_modified"]) for p in products)
    pivot = dates[len(dates) // 2]
    got = all_products(sandbox, **{"date_modified:min": pivot.isoformat()})
    assert {p["id"] for p in got} == {
        p["id"] for p in products if datetime.fromisoformat(p["date_modified"]) >= pivot
    }


def test_one_product_is_served_in_a_data_envelope(sandbox):
    product = all_products(sandbox)[0]
    body = sandbox.get(f"/v3/catalog/products/{product['id']}", include="variants").json()
    assert body["data"]["id"] == product["id"]
    assert len(body["data"]["variants"]) == 3
    r = sandbox.get("/v3/catalog/products/999999")
    assert r.status_code == 404 and r.json()["status"] == 404


def test_variants_list_across_products_with_paging_and_filters(sandbox):
    body = sandbox.get("/v3/catalog/variants", limit=25, page=3).json()
    assert body["meta"]["pagination"]["total"] == 60
    assert len(body["data"]) == 10
    everything = sandbox.get("/v3/catalog/variants", limit=250).json()["data"]
    target = next(v for v in everything if v["sku"].strip() == v["sku"] and v["sku"])
    got = sandbox.get("/v3/catalog/variants", sku=target["sku"]).json()["data"]
    assert target["id"] in [v["id"] for v in got]
    got = sandbox.get("/v3/catalog/variants", **{"product_id:in": target["product_id"]}).json()
    assert {v["product_id"] for v in got["data"]} == {target["product_id"]}


def test_the_catalog_serves_blank_duplicate_and_padded_skus(sandbox):
    skus = [v["sku"] for v in sandbox.get("/v3/catalog/variants", limit=250).json()["data"]]
    assert "" in skus
    assert any(s != s.strip() for s in skus)
    assert len(set(skus)) < len(skus)


def test_locations_list_the_default_location(sandbox):
    body = sandbox.get("/v3/inventory/locations").json()
    assert [loc["id"] for loc in body["data"]] == [1]
    assert body["data"][0]["enabled"] is True


def test_an_absolute_adjustment_sets_the_variant_stock_and_moves_date_modified(sandbox):
    product, variant = variant_of(sandbox, "variant")
    r = adjust(sandbox, [{"location_id": 1, "variant_id": variant["id"], "quantity": 42}])
    assert r.status_code == 200
    assert r.json()["transaction_id"]
    after = sandbox.get(f"/v3/catalog/products/{product['id']}", include="variants").json()
    after = after["data"]
    got = next(v for v in after["variants"] if v["id"] == variant["id"])
    assert got["inventory_level"] == 42
    assert after["inventory_level"] == sum(v["inventory_level"] for v in after["variants"])
    assert after["date_modified"] > product["date_modified"]
    assert sandbox.inventory()["variants"][str(variant["id"])]["inventory_level"] == 42
    newer = all_products(sandbox, **{"date_modified:min": after["date_modified"]})
    assert [p["id"] for p in newer] == [product["id"]]


def test_a_product_tracked_by_product_is_adjusted_by_product_id(sandbox):
    product, variant = variant_of(sandbox, "product")
    r = adjust(sandbox, [{"location_id": 1, "product_id": product["id"], "quantity": 7}])
    assert r.status_code == 200
    body = sandbox.get(f"/v3/catalog/products/{product['id']}").json()["data"]
    assert body["inventory_level"] == 7
    r = adjust(sandbox, [{"location_id": 1, "variant_id": variant["id"], "quantity": 7}])
    assert r.status_code == 422
    assert "tracked by product" in r.json()["title"]


def test_an_adjustment_by_sku_finds_the_variant(sandbox):
    product, variant = variant_of(sandbox, "variant")
    r = adjust(sandbox, [{"location_id": 1, "sku": variant["sku"], "quantity": 3}])
    assert r.status_code == 200
    assert sandbox.inventory()["variants"][str(variant["id"])]["inventory_level"] == 3


@pytest.mark.parametrize("bad", sorted(BAD_ITEMS))
def test_one_bad_item_fails_the_whole_batch(sandbox, bad):
    _, good = variant_of(sandbox, "variant")
    untracked, _ = variant_of(sandbox, "none")
    before = sandbox.inventory()
    item = {
        k: {"GOOD": good["id"], "NONE": untracked["id"]}.get(v, v)
        for k, v in BAD_ITEMS[bad].items()
    }
    r = adjust(sandbox, [{"location_id": 1, "variant_id": good["id"], "quantity": 55}, item])
    assert r.status_code == 422
    assert r.headers["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 422 and body["title"] and "items.1" in body["errors"]
    assert sandbox.inventory() == before


@pytest.mark.no_contract  # sends 2001 items, above the spec's maxItems, on purpose
def test_more_than_2000_items_is_422(sandbox):
    _, variant = variant_of(sandbox, "variant")
    items = [{"location_id": 1, "variant_id": variant["id"], "quantity": 1}] * 2001
    assert adjust(sandbox, items).status_code == 422
    assert adjust(sandbox, items[:2000]).status_code == 200


@pytest.mark.no_contract  # sends a body without its required items on purpose
def test_an_adjustment_without_items_is_422(sandbox):
    assert adjust(sandbox, []).status_code == 422
    r = sandbox.api("PUT", "/v3/inventory/adjustments/absolute", json={"reason": "x"})
    assert r.status_code == 422
