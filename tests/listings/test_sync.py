"""Sync Listings: only what changed, in batches, resumable after a crash."""

from decimal import Decimal

import pytest

from catalog.models import Product, ProductLink
from listings.kinds import PUBLISH_LISTINGS, SYNC_LISTINGS
from listings.models import Listing
from tests.listings.conftest import act, listing


@pytest.fixture
def many(tenant, shop, fake, run):
    products = [
        Product.objects.create(tenant=tenant, sku=f"P{i:03}", name=f"P {i}", price=Decimal(1))
        for i in range(25)
    ]
    act(shop, "publish", *products)
    run(shop, PUBLISH_LISTINGS)
    fake.calls.clear()
    return products


def _reprice(products, price):
    for product in products:
        product.price = Decimal(price)
        product.save()


def test_a_sync_right_after_publishing_sends_nothing(shop, fake, run, many):
    result = run(shop, SYNC_LISTINGS)
    assert result.status == "succeeded" and fake.calls == []


def test_sync_sends_only_changed_listings_ten_products_a_request(shop, fake, run, many):
    _reprice(many[:21], "2.50")
    result = run(shop, SYNC_LISTINGS)
    batches = fake.named("products_update")
    assert [len(b) for b in batches] == [10, 10, 1]
    assert all(payload["price"] == 2.5 for batch in batches for _, payload in batch)
    assert result.updated == 21
    assert run(shop, SYNC_LISTINGS).updated == 0  # nothing left to send


def test_a_changed_variant_sends_only_the_variants_fifty_a_request(shop, fake, run, tee):
    act(shop, "publish", tee)
    run(shop, PUBLISH_LISTINGS)
    fake.calls.clear()
    Product.objects.get(sku="TEE-S").save()  # saved, content unchanged: nothing sent
    run(shop, SYNC_LISTINGS)
    assert fake.calls == []
    variant = Product.objects.get(sku="TEE-S")
    variant.price = Decimal("14")
    variant.save()
    run(shop, SYNC_LISTINGS)
    assert fake.named("products_update") == []
    [batch] = fake.named("variants_update")
    assert {payload["price"] for _, payload in batch} == {12.5, 14.0}


def test_a_sync_that_crashed_resumes_with_the_listings_it_had_not_sent(
    shop, fake, run, many, monkeypatch
):
    from listings import syncing

    monkeypatch.setattr(syncing, "PAGE", 10)
    _reprice(many, "3")
    # The first page (10 products) goes, then the worker dies.
    fake.crash_after_requests = fake.stats.requests + 1
    crashed = run(shop, SYNC_LISTINGS)
    assert crashed.status == "failed"
    fake.crash_after_requests = None
    fake.calls.clear()
    resumed = run(shop, SYNC_LISTINGS)
    assert resumed.status == "succeeded"
    sent = [payload["id"] for batch in fake.named("products_update") for _, payload in batch]
    assert len(sent) == 15  # the 10 of the first page are not sent again
    assert {listing(shop, p).last_error for p in many} == {""}


def test_paused_listings_are_not_synced(shop, fake, run, many):
    act(shop, "pause", many[0])
    _reprice(many[:2], "9")
    run(shop, SYNC_LISTINGS)
    [batch] = fake.named("products_update")
    assert [payload["id"] for _, payload in batch] == [listing(shop, many[1]).bc_product_id]


def test_a_refused_update_is_that_listings_error(shop, fake, run, many):
    _reprice(many[:3], "4")
    fake.fail_skus = set()
    real = fake._refusal
    target = listing(shop, many[1]).bc_product_id
    fake._refusal = lambda payload: (
        "Price is invalid (422)." if payload.get("id") == target else real(payload)
    )
    result = run(shop, SYNC_LISTINGS)
    assert (result.updated, result.failed) == (2, 1)
    failed = listing(shop, many[1])
    assert failed.state == Listing.State.ERROR and "Price is invalid" in failed.last_error


def test_a_variant_added_to_the_group_is_created_on_the_store_product(shop, fake, run, tee):
    act(shop, "publish", tee)
    run(shop, PUBLISH_LISTINGS)
    fake.calls.clear()
    Product.objects.create(
        tenant=tee.tenant,
        sku="TEE-L",
        parent=tee,
        price=Decimal("13"),
        option_values=[{"option": "Size", "value": "L"}],
    )
    run(shop, SYNC_LISTINGS)
    [(product_id, payload)] = fake.named("variant_create")
    assert product_id == listing(shop, tee).bc_product_id
    assert payload["option_values"] == [{"option_display_name": "Size", "label": "L"}]
    assert ProductLink.objects.filter(connection=shop, product__sku="TEE-L").count() == 1
    fake.calls.clear()
    run(shop, SYNC_LISTINGS)
    assert fake.named("variant_create") == []


def test_a_new_variant_asks_for_its_missing_options_of_the_variant_option_type(
    shop, fake, run, tee
):
    shop.variant_option_type = "dropdown"
    shop.save()
    act(shop, "publish", tee)
    run(shop, PUBLISH_LISTINGS)
    Product.objects.create(
        tenant=tee.tenant,
        sku="TEE-L",
        parent=tee,
        price=Decimal("13"),
        option_values=[{"option": "Size", "value": "L"}],
    )
    run(shop, SYNC_LISTINGS)
    assert fake.new_option_types == {listing(shop, tee).bc_product_id: "dropdown"}
