"""Publish, Hide/Unhide and Delist Listings against a fake of the driver's ListingsAPI: each
state change, a batch with one invalid product, a publish meeting Product Match's links."""

from catalog.models import Product, ProductLink
from listings.kinds import DELIST_LISTINGS, LISTING_VISIBILITY, PUBLISH_LISTINGS
from listings.models import Listing
from tests.listings.conftest import act, listing

State = Listing.State


def test_publishing_creates_the_product_with_its_variants_inline_and_links_each_variant(
    shop, fake, run, tee
):
    act(shop, "publish", tee)
    assert listing(shop, tee).pending == "publish"
    result = run(shop, PUBLISH_LISTINGS)
    assert result.status == "succeeded", result.error_message
    [payload] = fake.named("product_create")
    assert payload["name"] == "T-shirt" and payload["type"] == "physical"
    assert [v["option_values"] for v in payload["variants"]] == [
        [{"option_display_name": "Size", "label": "M"}],
        [{"option_display_name": "Size", "label": "S"}],
    ]
    assert payload["categories"] == [fake.categories["Shirts"]]
    assert payload["brand_id"] == fake.brands["Acme"]
    assert payload["custom_fields"] == [{"name": "Material", "value": "Cotton"}]
    assert payload["images"] == [
        {"image_url": "https://img.example.com/tee.jpg", "is_thumbnail": True}
    ]
    published = listing(shop, tee)
    assert published.state == State.LIVE and published.bc_product_id and not published.pending
    links = ProductLink.objects.filter(connection=shop, bc_product_id=published.bc_product_id)
    assert sorted(link.product.sku for link in links) == ["TEE-M", "TEE-S"]


def test_a_batch_with_one_invalid_product_fails_only_that_listing(
    shop, fake, run, tee, mug, tenant
):
    bad = Product.objects.create(tenant=tenant, sku="BAD", name="Bad", price=1)
    fake.fail_skus = {"BAD"}
    act(shop, "publish", tee, mug, bad)
    result = run(shop, PUBLISH_LISTINGS)
    assert (result.created, result.failed) == (2, 1)
    failed = listing(shop, bad)
    assert failed.state == State.ERROR and "SKU BAD is refused" in failed.last_error
    assert listing(shop, mug).state == State.LIVE and listing(shop, tee).state == State.LIVE


def test_a_variant_without_option_values_is_that_listings_error_with_what_to_do(
    shop, fake, run, tee
):
    Product.objects.filter(sku="TEE-M").update(option_values=[])
    act(shop, "publish", tee)
    run(shop, PUBLISH_LISTINGS)
    assert "no option values" in listing(shop, tee).last_error
    assert fake.named("product_create") == []


def test_pause_and_unpause_are_the_hubs_and_unpause_queues_a_full_sync(shop, fake, run, mug):
    act(shop, "publish", mug)
    run(shop, PUBLISH_LISTINGS)
    act(shop, "pause", mug)
    assert listing(shop, mug).state == State.PAUSED
    act(shop, "unpause", mug)
    unpaused = listing(shop, mug)
    assert unpaused.state == State.LIVE and unpaused.content_hash == ""
    assert shop.dataflows.get(kind="sync_listings").runs.filter(status="queued").exists()


def test_hide_and_unhide_change_the_product_and_all_its_variants_together(shop, fake, run, tee):
    act(shop, "publish", tee)
    run(shop, PUBLISH_LISTINGS)
    act(shop, "hide", tee)
    run(shop, LISTING_VISIBILITY)
    [products] = fake.named("products_update")
    assert products[0][1]["is_visible"] is False and products[0][1]["availability"] == "disabled"
    [variants] = fake.named("variants_update")
    assert len(variants) == 2 and all(p["purchasing_disabled"] for _, p in variants)
    assert listing(shop, tee).state == State.HIDDEN
    act(shop, "unhide", tee)
    run(shop, LISTING_VISIBILITY)
    assert listing(shop, tee).state == State.LIVE
    assert fake.named("products_update")[-1][0][1]["is_visible"] is True
    assert not any(p["purchasing_disabled"] for _, p in fake.named("variants_update")[-1])


def test_delist_removes_the_product_and_its_links_and_publishing_restores_it(shop, fake, run, mug):
    act(shop, "publish", mug)
    run(shop, PUBLISH_LISTINGS)
    first = listing(shop, mug).bc_product_id
    act(shop, "delist", mug)
    run(shop, DELIST_LISTINGS)
    delisted = listing(shop, mug)
    assert delisted.state == State.DELISTED and delisted.bc_product_id is None
    assert fake.named("products_delete") == [[first]]
    assert not ProductLink.objects.filter(connection=shop).exists()
    act(shop, "publish", mug)
    run(shop, PUBLISH_LISTINGS)
    restored = listing(shop, mug)
    assert restored.state == State.LIVE and restored.bc_product_id not in (None, first)
    assert ProductLink.objects.filter(connection=shop, product=mug).count() == 1


def test_actions_that_do_not_apply_leave_the_listing_alone(shop, mug):
    message = act(shop, "hide", mug)
    assert "0 listings" in message and "left alone" in message
    assert not Listing.objects.exists()


def test_publishing_a_product_product_match_linked_adopts_it_instead_of_a_duplicate(
    shop, fake, run, mug
):
    ProductLink.objects.create(
        connection=shop,
        product=mug,
        bc_product_id=77,
        bc_variant_id=78,
        bc_sku="MUG",
        is_simple_product=True,
    )
    act(shop, "publish", mug)
    run(shop, PUBLISH_LISTINGS)
    assert fake.named("product_create") == []
    adopted = listing(shop, mug)
    assert adopted.bc_product_id == 77 and adopted.state == State.LIVE
    assert [item[1]["id"] for item in fake.named("products_update")[0]] == [77]
    assert ProductLink.objects.filter(connection=shop).count() == 1


def test_a_product_match_that_links_the_published_variants_first_leaves_one_link_each(
    shop, fake, run, tee, monkeypatch
):
    """The race: Product Match sees the new store product and links its variants between the
    create and the listing's link writes. The links are upserted per variant: one each."""
    from listings import runs

    real = runs.links_write

    def racing(*, listing, variants, variant_ids):
        for sku, vid in variant_ids.items():
            ProductLink.objects.create(
                connection=shop,
                product=Product.objects.get(sku=sku),
                bc_product_id=listing.bc_product_id,
                bc_variant_id=vid,
                bc_sku=sku,
            )
        real(listing=listing, variants=variants, variant_ids=variant_ids)

    monkeypatch.setattr(runs, "links_write", racing)
    act(shop, "publish", tee)
    assert run(shop, PUBLISH_LISTINGS).status == "succeeded"
    assert ProductLink.objects.filter(connection=shop).count() == 2
