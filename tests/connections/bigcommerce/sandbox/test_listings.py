"""The sandbox's catalog writes (listings) over HTTP: BigCommerce's validation and batch limits,
all-or-nothing batches, written products seen by the catalog reads, forced SKU failures and
per-endpoint request counts. Every valid exchange is checked against the specs (autouse)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.sandbox


def shirt(**extra) -> dict:
    body = {
        "name": "Linen Shirt",
        "type": "physical",
        "sku": "SHIRT",
        "weight": 0.3,
        "price": 25.0,
        "categories": [18],
        "brand_id": 1,
        "custom_fields": [{"name": "Material", "value": "Linen"}],
        "images": [{"image_url": "https://img.example.com/shirt.jpg", "is_thumbnail": True}],
        "variants": [
            {"sku": "SHIRT-S", "option_values": [{"option_display_name": "Size", "label": "S"}]},
            {
                "sku": "SHIRT-M",
                "price": 27.0,
                "option_values": [{"option_display_name": "Size", "label": "M"}],
            },
        ],
    }
    body.update(extra)
    return body


def create(sandbox, body) -> dict:
    r = sandbox.api("POST", "/v3/catalog/products", json=body)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def refused(r, status: int) -> dict:
    assert r.status_code == status, r.text
    return r.json()


def test_a_created_product_is_seen_by_the_catalog_reads(sandbox):
    made = create(sandbox, shirt())
    assert [v["sku"] for v in made["variants"]] == ["SHIRT-S", "SHIRT-M"]
    assert made["custom_fields"][0]["name"] == "Material"
    assert made["images"][0]["image_url"] == "https://img.example.com/shirt.jpg"
    listed = sandbox.get("/v3/catalog/products", sku="SHIRT", include="variants").json()["data"]
    assert [p["id"] for p in listed] == [made["id"]]
    assert [v["price"] for v in listed[0]["variants"]] == [25.0, 27.0]
    variant = sandbox.get("/v3/catalog/variants", sku="SHIRT-M").json()["data"][0]
    assert variant["product_id"] == made["id"]
    assert variant["option_values"][0]["label"] == "M"


def test_a_product_without_variants_gets_its_base_variant(sandbox):
    made = create(sandbox, shirt(variants=[], sku="MUG", name="Mug"))
    assert [v["sku"] for v in made["variants"]] == ["MUG"]
    assert made["base_variant_id"] == made["variants"][0]["id"]


@pytest.mark.no_contract  # deliberately invalid requests
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"price": None}, "price"),
        ({"weight": None}, "weight"),
        ({"type": None}, "type"),
        ({"name": "x" * 251}, "name"),
        ({"custom_fields": [{"name": "Material", "value": "v" * 251}]}, "custom_fields.0.value"),
        ({"custom_fields": [{"name": "n" * 251, "value": "v"}]}, "custom_fields.0.name"),
        ({"images": [{"image_url": "shirt.jpg"}]}, "images.0.image_url"),
        ({"variants": [{"sku": "SHIRT-S"}]}, "variants.0.option_values"),
    ],
)
def test_an_invalid_product_is_refused_with_422_naming_the_field(sandbox, change, field):
    body = shirt()
    for key, val in change.items():
        if val is None:
            del body[key]
        else:
            body[key] = val
    err = refused(sandbox.api("POST", "/v3/catalog/products", json=body), 422)
    assert field in err["errors"] and err["status"] == 422 and err["title"]
    assert sandbox.get("/v3/catalog/products", sku="SHIRT").json()["data"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sku": "SB-100"}, "sku"),  # a seeded product's SKU
        ({"variants": [], "sku": "SB-101-M"}, "sku"),  # a seeded variant's SKU
        ({"categories": [999]}, "categories"),
        ({"brand_id": 999}, "brand_id"),
    ],
)
def test_a_conflicting_product_is_refused_with_409(sandbox, change, field):
    err = refused(sandbox.api("POST", "/v3/catalog/products", json=shirt(**change)), 409)
    assert field in err["errors"]


def test_a_duplicate_product_name_is_refused_with_409(sandbox):
    create(sandbox, shirt())
    body = shirt(sku="OTHER", variants=[])
    err = refused(sandbox.api("POST", "/v3/catalog/products", json=body), 409)
    assert "Linen Shirt" in err["errors"]["name"]


def test_products_are_updated_in_batches_of_ten(sandbox):
    items = [{"id": pid, "price": 10.0 + n} for n, pid in enumerate(range(100, 110))]
    r = sandbox.api("PUT", "/v3/catalog/products", json=items)
    assert r.status_code == 200, r.text
    assert [p["price"] for p in r.json()["data"]] == [10.0 + n for n in range(10)]


@pytest.mark.no_contract  # batches over the spec's limits, on purpose
def test_batches_over_the_limits_are_refused_with_413(sandbox):
    products = [{"id": pid, "price": 1.0} for pid in range(100, 111)]
    err = refused(sandbox.api("PUT", "/v3/catalog/products", json=products), 413)
    assert "maximum items allowed in the array is 10" in err["title"]
    err = refused(sandbox.api("PUT", "/v3/catalog/variants", json=[{"id": 1000}] * 51), 413)
    assert "50" in err["title"]


def test_a_batch_with_one_bad_product_changes_nothing(sandbox):
    before = sandbox.get("/v3/catalog/products", id=100).json()["data"][0]["price"]
    items = [{"id": 100, "price": 1.0}, {"id": 101, "sku": "SB-102"}]
    err = refused(sandbox.api("PUT", "/v3/catalog/products", json=items), 409)
    assert "1.sku" in err["errors"]
    assert sandbox.get("/v3/catalog/products", id=100).json()["data"][0]["price"] == before
    assert refused(sandbox.api("PUT", "/v3/catalog/products", json=[{"id": 9999}]), 404)


def test_an_update_writes_the_fields_the_reads_show(sandbox):
    made = create(sandbox, shirt())
    item = {
        "id": made["id"],
        "name": "Linen Shirt II",
        "description": "<p>Now in linen.</p>",
        "is_visible": False,
        "availability": "disabled",
        "custom_fields": [{"name": "Material", "value": "Flax"}, {"name": "Fit", "value": "Slim"}],
    }
    assert sandbox.api("PUT", "/v3/catalog/products", json=[item]).status_code == 200
    got = sandbox.get(f"/v3/catalog/products/{made['id']}", include="custom_fields").json()["data"]
    assert (got["name"], got["description"], got["is_visible"], got["availability"]) == (
        "Linen Shirt II",
        "<p>Now in linen.</p>",
        False,
        "disabled",
    )
    assert [(f["name"], f["value"]) for f in got["custom_fields"]] == [
        ("Material", "Flax"),
        ("Fit", "Slim"),
    ]


def test_variants_are_updated_in_batches_of_fifty_and_refusals_are_batch_errors(sandbox):
    made = create(sandbox, shirt())
    ids = [v["id"] for v in made["variants"]]
    r = sandbox.api(
        "PUT",
        "/v3/catalog/variants",
        json=[{"id": i, "purchasing_disabled": True, "price": 30.0} for i in ids],
    )
    assert r.status_code == 200, r.text
    assert all(v["purchasing_disabled"] and v["price"] == 30.0 for v in r.json()["data"])
    err = refused(sandbox.api("PUT", "/v3/catalog/variants", json=[{"id": 424242}]), 422)
    assert "0.id" in err["batch_errors"][0]["errors"]


def test_products_are_deleted_by_id_in_with_their_variants(sandbox):
    made = create(sandbox, shirt())
    r = sandbox.api("DELETE", "/v3/catalog/products", params={"id:in": f"{made['id']},100"})
    assert r.status_code == 204
    assert (
        sandbox.get("/v3/catalog/products", **{"id:in": f"{made['id']},100"}).json()["data"] == []
    )
    assert sandbox.get("/v3/catalog/variants", sku="SHIRT-S").json()["data"] == []
    # the SKU is free again: publishing again restores the listing
    assert create(sandbox, shirt())["id"] != made["id"]


@pytest.mark.no_contract  # a DELETE without a filter is off-contract on purpose
def test_a_delete_needs_a_filter_and_at_most_250_ids(sandbox):
    refused(sandbox.api("DELETE", "/v3/catalog/products"), 422)
    ids = ",".join(str(i) for i in range(1, 252))
    refused(sandbox.api("DELETE", "/v3/catalog/products", params={"id:in": ids}), 413)
    assert len(sandbox.get("/v3/catalog/products", limit=250).json()["data"]) == 20


def test_categories_and_brands_are_found_by_name_and_created(sandbox):
    cats = sandbox.get("/v3/catalog/categories", name="Apparel", parent_id=0).json()["data"]
    assert [c["id"] for c in cats] == [18]
    r = sandbox.api("POST", "/v3/catalog/categories", json={"name": "Hats", "parent_id": 0})
    assert r.status_code == 200 and r.json()["data"]["parent_id"] == 0
    again = sandbox.api("POST", "/v3/catalog/categories", json={"name": "hats", "parent_id": 0})
    assert again.status_code == 409
    brand = sandbox.api("POST", "/v3/catalog/brands", json={"name": "Acme"}).json()["data"]
    assert sandbox.get("/v3/catalog/brands", name="Acme").json()["data"][0]["id"] == brand["id"]
    assert create(sandbox, shirt(brand_id=brand["id"], categories=[r.json()["data"]["id"]]))


@pytest.mark.no_contract  # deliberately invalid requests
def test_a_category_needs_a_name_and_a_parent(sandbox):
    err = refused(sandbox.api("POST", "/v3/catalog/categories", json={"name": "Hats"}), 422)
    assert "parent_id" in err["errors"]
    refused(sandbox.api("POST", "/v3/catalog/brands", json={"name": ""}), 422)


def test_the_control_api_makes_a_sku_fail_on_create_or_update(sandbox):
    path = f"/stores/{sandbox.store_hash}/failing_skus"
    r = sandbox.control("POST", path, {"sku": "SHIRT-M", "on": "create", "message": "No!"})
    assert r.status_code == 200 and "SHIRT-M" in r.json()["failing_skus"]
    err = refused(sandbox.api("POST", "/v3/catalog/products", json=shirt()), 422)
    assert err["title"] == "No!" and err["errors"] == {"sku": "SHIRT-M"}
    sandbox.control("POST", path, {"skus": ["SHIRT-M"], "on": ["update"]})
    made = create(sandbox, shirt())
    item = [{"id": made["id"], "price": 1.0}]
    refused(sandbox.api("PUT", "/v3/catalog/products", json=item), 422)
    assert sandbox.control("DELETE", path, {}).json() == {"failing_skus": {}}
    assert sandbox.api("PUT", "/v3/catalog/products", json=item).status_code == 200
    assert sandbox.control("POST", path, {"sku": "X", "on": "delete"}).status_code == 400


def test_the_stats_count_the_listing_requests_per_endpoint(sandbox):
    sandbox.reset_stats()
    create(sandbox, shirt())
    for _ in range(3):
        sandbox.api("PUT", "/v3/catalog/products", json=[{"id": 100, "price": 2.0}])
    endpoints = sandbox.stats()["by_store"][sandbox.store_hash]["endpoints"]
    assert endpoints["POST /v3/catalog/products"] == 1
    assert endpoints["PUT /v3/catalog/products"] == 3


def test_a_variant_is_added_from_option_values_that_exist_on_the_product(sandbox):
    made = create(sandbox, shirt())
    base = f"/v3/catalog/products/{made['id']}"
    options = sandbox.get(f"{base}/options").json()["data"]
    assert [(o["display_name"], [v["label"] for v in o["option_values"]]) for o in options] == [
        ("Size", ["S", "M"])
    ]
    size = options[0]
    r = sandbox.api(
        "POST", f"{base}/options/{size['id']}/values", json={"label": "L", "sort_order": 2}
    )
    assert r.status_code == 200, r.text
    value = r.json()["data"]
    body = {
        "product_id": made["id"],
        "sku": "SHIRT-L",
        "option_values": [
            {
                "id": value["id"],
                "option_id": size["id"],
                "option_display_name": "Size",
                "label": "L",
            }
        ],
    }
    r = sandbox.api("POST", f"{base}/variants", json=body)
    assert r.status_code == 200, r.text
    assert (
        sandbox.get("/v3/catalog/variants", sku="SHIRT-L").json()["data"][0]["product_id"]
        == made["id"]
    )
    # the same option values again, or a SKU in use: 409
    refused(sandbox.api("POST", f"{base}/variants", json={**body, "sku": "SHIRT-L2"}), 409)
    refused(sandbox.api("POST", f"{base}/variants", json={**body, "sku": "SHIRT-S"}), 409)
    # a new option
    r = sandbox.api(
        "POST",
        f"{base}/options",
        json={
            "display_name": "Color",
            "type": "swatch",
            "option_values": [{"label": "Red", "sort_order": 0}],
        },
    )
    assert r.status_code == 200 and r.json()["data"]["option_values"][0]["label"] == "Red"
    color = {
        "display_name": "color",
        "type": "swatch",
        "option_values": [{"label": "Blue", "sort_order": 0}],
    }
    refused(sandbox.api("POST", f"{base}/options", json=color), 409)  # the name is taken


@pytest.mark.no_contract  # deliberately invalid requests
def test_a_variant_with_an_unknown_option_value_is_refused_with_422(sandbox):
    made = create(sandbox, shirt())
    base = f"/v3/catalog/products/{made['id']}"
    body = {"sku": "SHIRT-XL", "option_values": [{"id": 1, "option_id": 2}]}
    err = refused(sandbox.api("POST", f"{base}/variants", json=body), 422)
    assert "option_values.0" in err["errors"]
    err = refused(sandbox.api("POST", f"{base}/options", json={"display_name": "Fit"}), 422)
    assert {"type", "option_values"} <= set(err["errors"])
    opt_id = sandbox.get(f"{base}/options").json()["data"][0]["id"]
    err = refused(sandbox.api("POST", f"{base}/options/{opt_id}/values", json={"label": "XL"}), 422)
    assert "sort_order" in err["errors"]
    refused(
        sandbox.api("POST", f"{base}/options/424242/values", json={"label": "XL", "sort_order": 1}),
        404,
    )


def test_an_options_type_is_changed_by_a_put_and_its_values_stay(sandbox):
    made = create(sandbox, shirt())
    base = f"/v3/catalog/products/{made['id']}/options"
    size = sandbox.get(base).json()["data"][0]
    assert size["type"] == "rectangles"  # what the inline variants made
    body = {"product_id": made["id"], "display_name": "Size", "type": "dropdown"}
    r = sandbox.api("PUT", f"{base}/{size['id']}", json=body)
    assert r.status_code == 200, r.text
    [after] = sandbox.get(base).json()["data"]
    assert (after["type"], [v["label"] for v in after["option_values"]]) == ("dropdown", ["S", "M"])


@pytest.mark.no_contract  # deliberately invalid requests
def test_an_unknown_option_type_is_refused_with_422_naming_the_field(sandbox):
    made = create(sandbox, shirt())
    base = f"/v3/catalog/products/{made['id']}/options"
    oid = sandbox.get(base).json()["data"][0]["id"]
    body = {"product_id": made["id"], "display_name": "Size", "type": "tiles"}
    err = refused(sandbox.api("PUT", f"{base}/{oid}", json=body), 422)
    assert "radio_buttons" in err["errors"]["type"]
    err = refused(sandbox.api("PUT", f"{base}/{oid}", json={"type": "dropdown"}), 422)
    assert {"product_id", "display_name"} <= set(err["errors"])
    refused(sandbox.api("PUT", f"{base}/424242", json={**body, "type": "dropdown"}), 404)
    assert sandbox.get(base).json()["data"][0]["type"] == "rectangles"
