"""Listings (v3 catalog writes): batches of the spec's size, a refused batch split to isolate
its bad items (at a cost of a few requests, counted here), one outcome per item with
BigCommerce's message, and transport failures raised as the driver's typed errors."""

from __future__ import annotations

import copy
import json
import math

import pytest
import responses
from responses import matchers

from connections.bigcommerce.client import AUTH_RETRIES
from connections.bigcommerce.errors import AuthenticationError, ServerError
from connections.bigcommerce.resources.listings import (
    DELETE_BATCH_SIZE,
    PRODUCTS_BATCH_SIZE,
    VARIANTS_BATCH_SIZE,
    ItemOutcome,
)
from tests.connections.bigcommerce.helpers import BASE, PRODUCTS, VARIANTS
from tests.contract.helpers import op

CATEGORIES = f"{BASE}/v3/catalog/categories"
BRANDS = f"{BASE}/v3/catalog/brands"
JSON = "application/json"


def product_body(pid: int, sku: str, variant_skus: tuple[str, ...] = ()) -> dict:
    """A product as BigCommerce answers it (from the spec's example), with variants."""
    product = copy.deepcopy(op("GET", "/v3/catalog/products").response_example(200)["data"][0])
    variant = op("GET", "/v3/catalog/variants").response_example(200)["data"][0]
    product.update(id=pid, sku=sku)
    product["variants"] = [
        {**copy.deepcopy(variant), "id": pid * 10 + n, "product_id": pid, "sku": vsku}
        for n, vsku in enumerate(variant_skus)
    ]
    return product


def listed(*products) -> dict:  # a page of GET /v3/catalog/products
    return {**op("GET", "/v3/catalog/products").response_example(200), "data": list(products)}


def variant_body(vid: int, sku: str, pid: int = 7) -> dict:
    variant = copy.deepcopy(op("GET", "/v3/catalog/variants").response_example(200)["data"][0])
    variant.update(id=vid, sku=sku, product_id=pid)
    return variant


def refusal(status: int, title: str, errors: dict | None = None) -> dict:
    return {"status": status, "title": title, "type": "/api-docs/errors", "errors": errors or {}}


def batch_answer(bad_skus: set[str], *, variants: bool = False):
    """A PUT batch endpoint refusing the whole batch when one payload's SKU is bad."""

    def answer(request):
        items = json.loads(request.body)
        bad = [i for i in items if i.get("sku") in bad_skus]
        if bad:
            body = refusal(
                422, "JSON data is missing or invalid", {"sku": f"SKU {bad[0]['sku']} is invalid"}
            )
            return 422, {}, json.dumps(body)
        if variants:
            data = [variant_body(i["id"], i["sku"]) for i in items]
        else:
            data = [product_body(i["id"], i["sku"]) for i in items]
        return 200, {}, json.dumps({"data": data, "meta": {}})

    return answer


def product_items(count: int, *, bad: tuple[int, ...] = ()) -> list[tuple[str, dict]]:
    return [
        (f"L{n}", {"id": 100 + n, "sku": f"BAD-{n}" if n in bad else f"SKU-{n}", "price": 9.5})
        for n in range(count)
    ]


def sent_batches(mocked) -> list[list[int]]:
    return [[item["id"] for item in json.loads(c.request.body)] for c in mocked.calls]


# ---------------------------------------------------------------------------- create


def test_a_product_is_created_with_its_variants_in_one_request(client, mocked):
    payload = {
        "name": "Linen shirt",
        "type": "physical",
        "sku": "SHIRT",
        "weight": 0.3,
        "price": 25.0,
        "categories": [18],
        "custom_fields": [{"name": "Material", "value": "Linen"}],
        "images": [{"image_url": "https://img.example.com/shirt.jpg", "is_thumbnail": True}],
        "variants": [
            {"sku": "SHIRT-S", "option_values": [{"option_display_name": "Size", "label": "S"}]},
            {"sku": "SHIRT-M", "option_values": [{"option_display_name": "Size", "label": "M"}]},
        ],
    }
    mocked.post(
        PRODUCTS,
        json={"data": product_body(501, "SHIRT", ("SHIRT-S", "SHIRT-M")), "meta": {}},
        match=[matchers.json_params_matcher(payload)],
    )
    outcome = client.listings.product_create(payload=payload, key="42")
    assert outcome == ItemOutcome(
        key="42",
        ok=True,
        product_id=501,
        variant_ids={"SHIRT-S": 5010, "SHIRT-M": 5011},
        status=200,
    )
    assert client.stats.by_endpoint["POST /v3/catalog/products"] == 1


def test_a_refused_product_is_an_outcome_with_bigcommerces_message_not_an_error(client, mocked):
    mocked.post(
        PRODUCTS,
        status=409,
        json=refusal(
            409,
            "The product name is a duplicate",
            {"name": "A product with the name Linen shirt already exists"},
        ),
    )
    mocked.get(PRODUCTS, json=listed(product_body(79, "S")))  # the SKU, another name
    outcome = client.product_create(
        payload={"name": "Linen shirt", "type": "physical", "weight": 1, "price": 1, "sku": "S"}
    )
    assert not outcome.ok and outcome.status == 409 and outcome.key == "S"
    assert outcome.error == (
        "The product name is a duplicate; name: A product with the name Linen shirt already exists"
    )


def test_an_unclear_create_looks_the_sku_up_instead_of_creating_the_product_twice(client, mocked):
    mocked.post(PRODUCTS, status=500, json=refusal(500, "Internal Server Error"))
    mocked.get(
        PRODUCTS,
        json=listed(product_body(77, "SHIRT", ("SHIRT-S",))),
        match=[matchers.query_param_matcher({"sku": "SHIRT", "include": "variants"})],
    )
    payload = {"name": "Shirt", "type": "physical", "weight": 1, "price": 1, "sku": "SHIRT"}
    outcome = client.product_create(payload=payload)
    assert outcome.ok and outcome.product_id == 77 and outcome.variant_ids == {"SHIRT-S": 770}
    assert client.stats.by_endpoint["POST /v3/catalog/products"] == 1


def test_an_unclear_create_of_an_absent_product_is_posted_again(client, mocked):
    mocked.post(PRODUCTS, status=503, body="<html>Service Unavailable</html>")
    mocked.post(PRODUCTS, json={"data": product_body(78, "SHIRT"), "meta": {}})
    mocked.get(PRODUCTS, json=listed())
    payload = {"name": "Shirt", "type": "physical", "weight": 1, "price": 1, "sku": "SHIRT"}
    assert client.product_create(payload=payload).product_id == 78
    assert client.stats.by_endpoint["POST /v3/catalog/products"] == 2


# ---------------------------------------------------------------------------- batches


def test_products_are_updated_ten_a_request_with_one_outcome_each_in_order(client, mocked):
    mocked.add_callback(responses.PUT, PRODUCTS, batch_answer(set()), content_type=JSON)
    items = product_items(25)
    outcomes = client.products_update(items=items)
    assert [len(b) for b in sent_batches(mocked)] == [PRODUCTS_BATCH_SIZE] * 2 + [5]
    assert [o.key for o in outcomes] == [key for key, _ in items]
    assert all(o.ok and o.status == 200 for o in outcomes)
    assert [o.product_id for o in outcomes] == [100 + n for n in range(25)]


def test_a_batch_with_one_bad_product_is_split_to_isolate_it(client, mocked):
    mocked.add_callback(responses.PUT, PRODUCTS, batch_answer({"BAD-7"}), content_type=JSON)
    outcomes = client.products_update(items=product_items(10, bad=(7,)))
    # the refused 10, then halves: 5 (ok), so the other 5 holds the refusal and is split
    # without being sent whole: 2 (ok), so the other 3 is split: 1 (refused), 2 (ok).
    assert sent_batches(mocked) == [
        list(range(100, 110)),
        [100, 101, 102, 103, 104],
        [105, 106],
        [107],
        [108, 109],
    ]
    bad = outcomes[7]
    assert not bad.ok and bad.status == 422 and bad.product_id == 107
    assert bad.error == "JSON data is missing or invalid; sku: SKU BAD-7 is invalid"
    assert all(o.ok for n, o in enumerate(outcomes) if n != 7)


@pytest.mark.parametrize("bad", range(10))
def test_isolating_one_bad_product_in_ten_costs_about_log2_ten_extra_requests(client, mocked, bad):
    mocked.add_callback(responses.PUT, PRODUCTS, batch_answer({f"BAD-{bad}"}), content_type=JSON)
    outcomes = client.products_update(items=product_items(10, bad=(bad,)))
    extra = len(mocked.calls) - 1
    # 1 + log2(10) = 4.3 at best (every first half goes through), 2 * log2(10) at worst.
    assert math.floor(math.log2(10)) <= extra <= 2 * math.ceil(math.log2(10))
    assert [o.ok for o in outcomes] == [n != bad for n in range(10)]


def test_two_bad_products_each_get_their_own_outcome(client, mocked):
    mocked.add_callback(
        responses.PUT, PRODUCTS, batch_answer({"BAD-2", "BAD-8"}), content_type=JSON
    )
    outcomes = client.products_update(items=product_items(10, bad=(2, 8)))
    assert [o.ok for o in outcomes] == [n not in (2, 8) for n in range(10)]
    assert "SKU BAD-8 is invalid" in outcomes[8].error
    assert len(mocked.calls) <= 1 + 2 * 2 * math.ceil(math.log2(10))


def test_variants_go_fifty_a_request_and_batch_errors_are_readable(client, mocked):
    def answer(request):
        items = json.loads(request.body)
        if any(i["id"] == 1110 for i in items):
            body = {
                "batch_errors": [
                    {
                        "status": 422,
                        "title": "Variant is invalid",
                        "type": "/api-docs/errors",
                        "errors": {"price": "price must be at least 0"},
                    }
                ]
            }
            return 422, {}, json.dumps(body)
        data = [variant_body(i["id"], i["sku"]) for i in items]
        return 200, {}, json.dumps({"data": data, "meta": {}})

    mocked.add_callback(responses.PUT, VARIANTS, answer, content_type=JSON)
    items = [(f"V{n}", {"id": 1000 + n, "sku": f"V-{n}", "price": 3.0}) for n in range(120)]
    outcomes = client.variants_update(items=items)
    assert [len(json.loads(c.request.body)) for c in mocked.calls][:3] == [
        VARIANTS_BATCH_SIZE,
        VARIANTS_BATCH_SIZE,
        20,
    ]
    refused = outcomes[110]
    assert not refused.ok and refused.status == 422
    assert refused.error == "Variant is invalid; price: price must be at least 0"
    assert outcomes[0].variant_ids == {"V-0": 1000} and outcomes[0].product_id == 7
    assert sum(o.ok for o in outcomes) == 119


def test_a_refused_token_stops_the_run_with_the_typed_error(client, mocked):
    mocked.put(PRODUCTS, status=401, json={"status": 401, "title": "Unauthorized"})
    with pytest.raises(AuthenticationError) as info:
        client.products_update(items=product_items(3))
    assert "access token" in str(info.value)
    assert len(mocked.calls) == 1 + AUTH_RETRIES  # asked again as a whole, never split


def test_server_errors_are_retried_then_raised_not_split(client, mocked):
    mocked.put(PRODUCTS, status=500, json=refusal(500, "Internal Server Error"))
    with pytest.raises(ServerError):
        client.products_update(items=product_items(10))
    assert len(mocked.calls) == client.max_retries + 1  # retried as a whole, never split


def test_batch_requests_share_the_stores_quota_and_wait_out_a_429(client, mocked, fake):
    mocked.put(
        PRODUCTS,
        status=429,
        headers={"X-Rate-Limit-Time-Reset-Ms": "1500", "X-Rate-Limit-Requests-Left": "0"},
        json={"status": 429, "title": "Too many requests"},
    )
    mocked.add_callback(responses.PUT, PRODUCTS, batch_answer(set()), content_type=JSON)
    outcomes = client.products_update(items=product_items(4))
    assert all(o.ok for o in outcomes)
    assert client.stats.http_429 == 1 and client.stats.requests == 2
    assert sum(fake.sleeps) >= 1.5


# ---------------------------------------------------------------------------- delete


def test_products_are_deleted_250_ids_a_request(client, mocked):
    mocked.delete(PRODUCTS, status=204)
    outcomes = client.products_delete(product_ids=range(1, 601))
    sizes = [len(c.request.params["id:in"].split(",")) for c in mocked.calls]
    assert sizes == [DELETE_BATCH_SIZE, DELETE_BATCH_SIZE, 100]
    assert [o.key for o in outcomes][:2] == ["1", "2"] and all(o.ok for o in outcomes)


# ---------------------------------------------------------------------------- categories, brands


def named_page(records: list[dict]) -> dict:
    meta = {"pagination": {"total": len(records), "count": len(records), "per_page": 250}}
    meta["pagination"].update(current_page=1, total_pages=1)
    return {"data": records, "meta": meta}


def test_categories_are_found_by_name_and_the_missing_ones_created_at_the_top(client, mocked):
    mocked.get(
        CATEGORIES,
        json=named_page([{"id": 18, "name": "Shirts", "parent_id": 0}]),
        match=[matchers.query_param_matcher({"parent_id": "0", "limit": "250", "page": "1"})],
    )
    mocked.post(
        CATEGORIES,
        json={"data": {"id": 31, "name": "Hats", "parent_id": 0}, "meta": {}},
        match=[matchers.json_params_matcher({"name": "Hats", "parent_id": 0})],
    )
    assert client.categories_ensure(names=["shirts ", "Hats", "Shirts"]) == {
        "shirts ": 18,
        "Hats": 31,
        "Shirts": 18,
    }
    assert len(mocked.calls) == 2


def test_a_brand_created_meanwhile_is_found_again_after_the_conflict(client, mocked):
    mocked.get(BRANDS, json=named_page([]))
    mocked.post(BRANDS, status=409, json=refusal(409, "Brand name is a duplicate"))
    mocked.get(
        BRANDS,
        json=named_page([{"id": 5, "name": "Acme"}]),
        match=[matchers.query_param_matcher({"name": "Acme", "limit": "250", "page": "1"})],
    )
    assert client.brands_ensure(names=["Acme"]) == {"Acme": 5}


def test_a_product_gone_from_the_store_is_isolated_with_its_404(client, mocked):
    def answer(request):
        items = json.loads(request.body)
        if any(i["id"] == 103 for i in items):
            return 404, {}, json.dumps({"status": 404, "title": "Product 103 was not found."})
        data = [product_body(i["id"], i["sku"]) for i in items]
        return 200, {}, json.dumps({"data": data, "meta": {}})

    mocked.add_callback(responses.PUT, PRODUCTS, answer, content_type=JSON)
    outcomes = client.products_update(items=product_items(6))
    gone = outcomes[3]
    assert (gone.ok, gone.status, gone.product_id) == (False, 404, 103)
    assert gone.error == "Product 103 was not found."
    assert sum(o.ok for o in outcomes) == 5


def test_a_batch_too_large_for_the_store_is_halved(client, mocked):
    def answer(request):
        items = json.loads(request.body)
        if len(items) > 4:
            body = refusal(413, "The maximum items allowed in the array is 4.")
            return 413, {}, json.dumps(body)
        data = [product_body(i["id"], i["sku"]) for i in items]
        return 200, {}, json.dumps({"data": data, "meta": {}})

    mocked.add_callback(responses.PUT, PRODUCTS, answer, content_type=JSON)
    outcomes = client.products_update(items=product_items(10))
    assert all(o.ok for o in outcomes)
    assert [len(b) for b in sent_batches(mocked)] == [10, 5, 2, 3, 5, 2, 3]


def test_a_refused_delete_is_split_to_the_refused_id(client, mocked):
    def answer(request):
        ids = request.params["id:in"].split(",")
        if "3" in ids:
            return 422, {}, json.dumps(refusal(422, "Product 3 cannot be deleted"))
        return 204, {}, ""

    mocked.add_callback(responses.DELETE, PRODUCTS, answer, content_type=JSON)
    outcomes = client.products_delete(product_ids=[1, 2, 3, 4])
    assert [o.ok for o in outcomes] == [True, True, False, True]
    assert outcomes[2].error == "Product 3 cannot be deleted" and outcomes[2].product_id == 3


def test_a_new_variant_reuses_the_products_option_and_creates_only_the_missing_value(
    client, mocked
):
    options = f"{PRODUCTS}/7/options"
    size = {"id": 70, "product_id": 7, "display_name": "Size", "type": "rectangles"}
    size["option_values"] = [{"id": 700, "label": "S"}]
    mocked.get(options, json=named_page([size]))
    mocked.post(
        f"{options}/70/values",
        json={"data": {"id": 701, "label": "M"}, "meta": {}},
        match=[matchers.json_params_matcher({"label": "M", "sort_order": 1})],
    )
    sent = {
        "sku": "SHIRT-M",
        "product_id": 7,
        "option_values": [
            {"id": 701, "option_id": 70, "option_display_name": "Size", "label": "M"}
        ],
    }
    mocked.post(
        f"{PRODUCTS}/7/variants",
        json={"data": variant_body(71, "SHIRT-M"), "meta": {}},
        match=[matchers.json_params_matcher(sent)],
    )
    payload = {"sku": "SHIRT-M", "option_values": [{"option_display_name": "size", "label": "M"}]}
    outcome = client.variant_create(product_id=7, payload=payload, key="v-m")
    assert outcome == ItemOutcome(
        key="v-m", ok=True, product_id=7, variant_ids={"SHIRT-M": 71}, status=200
    )
    assert len(mocked.calls) == 3
