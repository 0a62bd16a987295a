"""End to end: the listings methods of the client against a running sandbox store, every
exchange checked against products_catalog.v3.yml and product-variants_catalog.v3.yml by the
`contract` fixture; request counts read from the sandbox's stats."""

from __future__ import annotations

import pytest

from connections.bigcommerce.client import BigCommerceClient
from connections.bigcommerce.ratelimit import LocalQuotaGate

pytestmark = pytest.mark.sandbox


@pytest.fixture
def client(sandbox, contract):
    bc = BigCommerceClient(
        store_hash=sandbox.store_hash,
        access_token=sandbox.token,
        api_url=sandbox.url,
        quota_gate=LocalQuotaGate(),
    )
    contract.attach(bc.session)
    yield bc
    bc.close()
    assert contract.exchanges > 0 and not contract.violations


def listing(n: int, **extra) -> dict:
    body = {
        "name": f"Hub product {n}",
        "type": "physical",
        "sku": f"HUB-{n}",
        "weight": 1.5,
        "price": 10.0 + n,
        "variants": [
            {
                "sku": f"HUB-{n}-{size}",
                "option_values": [{"option_display_name": "Size", "label": size}],
            }
            for size in ("S", "M")
        ],
    }
    body.update(extra)
    return body


def endpoints(sandbox) -> dict:
    return sandbox.stats()["by_store"][sandbox.store_hash]["endpoints"]


def test_a_published_listing_is_seen_by_product_match_reads(sandbox, client):
    categories = client.categories_ensure(names=["Apparel", "Hats"])
    brands = client.brands_ensure(names=["Common Good", "Acme"])
    assert categories["Apparel"] == 18 and brands["Common Good"] == 2
    payload = listing(
        1,
        categories=[categories["Hats"]],
        brand_id=brands["Acme"],
        custom_fields=[{"name": "Material", "value": "Wool"}],
        images=[{"image_url": "https://img.example.com/1.jpg"}],
    )
    outcome = client.listings.product_create(payload=payload, key="listing-1")
    assert outcome.ok and set(outcome.variant_ids) == {"HUB-1-S", "HUB-1-M"}
    seen = [p for page in client.iter_product_pages(ids=[outcome.product_id]) for p in page]
    assert {v["id"] for v in seen[0]["variants"]} == set(outcome.variant_ids.values())
    got = client.products_get(product_ids=[outcome.product_id])[0]
    assert got["custom_fields"][0]["value"] == "Wool" and got["images"]
    # found again, not created twice
    assert client.categories_ensure(names=["hats"]) == {"hats": categories["Hats"]}


def test_a_sync_batch_with_one_refused_product_updates_the_others(sandbox, client):
    made = [client.product_create(payload=listing(n)) for n in range(10)]
    sandbox.control(
        "POST", f"/stores/{sandbox.store_hash}/failing_skus", {"sku": "HUB-6", "on": "update"}
    )
    sandbox.reset_stats()
    items = [(f"L{n}", {"id": o.product_id, "price": 99.0}) for n, o in enumerate(made)]
    outcomes = client.products_update(items=items)
    assert [o.ok for o in outcomes] == [n != 6 for n in range(10)]
    assert outcomes[6].status == 422 and "HUB-6" in outcomes[6].error
    requests = endpoints(sandbox)["PUT /v3/catalog/products"]
    assert requests <= 1 + 2 * 4  # 10 items: the batch, then at most two halves a level
    prices = {
        p["sku"]: p["price"]
        for page in client.iter_product_pages(ids=[o.product_id for o in made])
        for p in page
    }
    assert prices["HUB-6"] == 16.0 and prices["HUB-5"] == 99.0


def test_hiding_a_listing_disables_all_its_variants_in_one_request(sandbox, client):
    made = client.product_create(payload=listing(1))
    sandbox.reset_stats()
    items = [
        (sku, {"id": vid, "purchasing_disabled": True}) for sku, vid in made.variant_ids.items()
    ]
    outcomes = client.variants_update(items=items)
    assert all(o.ok and o.product_id == made.product_id for o in outcomes)
    assert endpoints(sandbox) == {"PUT /v3/catalog/variants": 1}
    variants = client.products_get(product_ids=[made.product_id])[0]["variants"]
    assert all(v["purchasing_disabled"] for v in variants)


def test_a_refused_create_is_an_outcome_with_the_stores_message(sandbox, client):
    client.product_create(payload=listing(1))
    outcome = client.product_create(payload=listing(2, sku="HUB-1"), key="two")
    assert (outcome.ok, outcome.status, outcome.key) == (False, 409, "two")
    assert "The SKU 'HUB-1' is already in use." in outcome.error


def test_delisting_deletes_and_publishing_again_restores(sandbox, client):
    made = client.product_create(payload=listing(1))
    assert [o.ok for o in client.products_delete(product_ids=[made.product_id])] == [True]
    assert client.products_get(product_ids=[made.product_id]) == []
    again = client.product_create(payload=listing(1))
    assert again.ok and again.product_id != made.product_id


def test_a_new_variant_is_added_with_its_option_value_created_first(sandbox, client):
    made = client.product_create(payload=listing(1))
    sandbox.reset_stats()
    payload = {
        "sku": "HUB-1-L",
        "price": 12.0,
        "option_values": [{"option_display_name": "Size", "label": "L"}],
    }
    outcome = client.listings.variant_create(product_id=made.product_id, payload=payload)
    assert outcome.ok and list(outcome.variant_ids) == ["HUB-1-L"]
    assert endpoints(sandbox) == {
        "GET /v3/catalog/products/{id}/options": 1,
        "POST /v3/catalog/products/{id}/options/{id}/values": 1,
        "POST /v3/catalog/products/{id}/variants": 1,
    }
    variants = client.products_get(product_ids=[made.product_id])[0]["variants"]
    assert [v["option_values"][0]["label"] for v in variants] == ["S", "M", "L"]
    # a new option (Color) is created with its value; a taken SKU is the item's refusal
    color = {
        "sku": "HUB-1-RED",
        "option_values": [{"option_display_name": "Color", "label": "Red"}],
    }
    assert client.variant_create(product_id=made.product_id, payload=color, option_type="swatch").ok
    options = sandbox.get(f"/v3/catalog/products/{made.product_id}/options").json()["data"]
    assert [(o["display_name"], o["type"]) for o in options] == [
        ("Size", "rectangles"),
        ("Color", "swatch"),
    ]
    again = client.variant_create(product_id=made.product_id, payload={**color, "sku": "HUB-1-L"})
    assert (again.ok, again.status) == (False, 409) and "HUB-1-L" in again.error


def test_a_variant_added_to_a_seeded_product_uses_its_existing_option(sandbox, client):
    product = next(client.iter_product_pages(ids=[101]))[0]
    label = product["variants"][0]["option_values"][0]
    payload = {
        "sku": "SB-101-NEW",
        "option_values": [{"option_display_name": label["option_display_name"], "label": "New"}],
    }
    outcome = client.variant_create(product_id=101, payload=payload)
    assert outcome.ok
    variants = next(client.iter_product_pages(ids=[101]))[0]["variants"]
    assert {v["option_values"][0]["option_id"] for v in variants} == {label["option_id"]}


def test_the_option_type_is_set_on_the_store_and_not_sent_again_when_it_matches(sandbox, client):
    made = client.product_create(payload=listing(1))
    sandbox.reset_stats()
    assert client.product_options_set_type(product_id=made.product_id, option_type="swatch").ok
    assert endpoints(sandbox) == {
        "GET /v3/catalog/products/{id}/options": 1,
        "PUT /v3/catalog/products/{id}/options/{id}": 1,
    }
    options = sandbox.get(f"/v3/catalog/products/{made.product_id}/options").json()["data"]
    assert [o["type"] for o in options] == ["swatch"]
    sandbox.reset_stats()
    assert client.product_options_set_type(product_id=made.product_id, option_type="swatch").ok
    assert endpoints(sandbox) == {"GET /v3/catalog/products/{id}/options": 1}


@pytest.mark.parametrize("kind", ["lost_response", "malformed"])
def test_a_create_whose_answer_is_lost_is_not_created_twice(sandbox, client, contract, kind):
    sandbox.force_fault(kind, method="POST", path="/v3/catalog/products")
    with contract.expect_violations():  # a truncated answer is off-contract on purpose
        outcome = client.product_create(payload=listing(1))
    assert outcome.ok and set(outcome.variant_ids) == {"HUB-1-S", "HUB-1-M"}
    listed = sandbox.get("/v3/catalog/products", sku="HUB-1").json()["data"]
    assert [p["id"] for p in listed] == [outcome.product_id]
    assert endpoints(sandbox)["POST /v3/catalog/products"] == 1


def test_a_create_repeated_after_its_answer_was_lost_answers_the_product_it_made(sandbox, client):
    # A worker killed mid-POST: the store made the product, the hub never heard of it.
    made = client.product_create(payload=listing(1))
    again = client.product_create(payload=listing(1), key="again")
    assert (again.ok, again.key, again.product_id) == (True, "again", made.product_id)
    assert again.variant_ids == made.variant_ids
    assert [p["id"] for p in sandbox.get("/v3/catalog/products", sku="HUB-1").json()["data"]] == [
        made.product_id
    ]
    # Another product that only shares the SKU is still the store's refusal.
    other = client.product_create(payload=listing(2, sku="HUB-1", variants=[]))
    assert (other.ok, other.status) == (False, 409)


def test_a_variant_added_again_after_its_answer_was_lost_answers_the_variant_it_made(
    sandbox, client
):
    made = client.product_create(payload=listing(1))
    other = client.product_create(payload=listing(2))
    payload = {"sku": "HUB-1-L", "option_values": [{"option_display_name": "Size", "label": "L"}]}
    first = client.variant_create(product_id=made.product_id, payload=payload)
    again = client.variant_create(product_id=made.product_id, payload=payload)
    assert again.ok and again.variant_ids == first.variant_ids
    variants = client.products_get(product_ids=[made.product_id])[0]["variants"]
    assert [v["sku"] for v in variants].count("HUB-1-L") == 1
    # The SKU on another product is still the store's refusal.
    elsewhere = client.variant_create(product_id=other.product_id, payload=payload)
    assert (elsewhere.ok, elsewhere.status) == (False, 409)
