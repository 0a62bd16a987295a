"""The listing flows against the sandbox store, every exchange checked against
products_catalog.v3.yml and product-variants_catalog.v3.yml: publish (one product of the
batch refused by the store), Product Match then sees the published product as linked, sync,
hide, unhide, delist."""

from decimal import Decimal

import pytest

from catalog.kinds import PRODUCT_MATCH
from catalog.models import Product, ProductLink
from listings.kinds import DELIST_LISTINGS, LISTING_VISIBILITY, PUBLISH_LISTINGS, SYNC_LISTINGS
from listings.models import Listing
from tests.listings.conftest import act, listing

pytestmark = pytest.mark.sandbox
State = Listing.State


def _sandbox_product(sandbox, product_id):
    return sandbox.get(
        f"/v3/catalog/products/{product_id}", include="variants,custom_fields"
    ).json()["data"]


def test_the_listing_flows_against_the_sandbox_store(sandbox, store, run_flow, contract, tenant):
    tee = Product.objects.create(
        tenant=tenant,
        sku="HUBTEE",
        name="Hub T-shirt",
        price=Decimal("12.5"),
        weight=Decimal("0.2"),
        brand="Hub Brand",
        categories=["Hub Shirts"],
        attributes=[{"name": "Material", "value": "Cotton"}],
    )
    for size in ("S", "M"):
        Product.objects.create(
            tenant=tenant,
            sku=f"HUBTEE-{size}",
            parent=tee,
            price=Decimal("12.5"),
            option_values=[{"option": "Size", "value": size}],
        )
    mug = Product.objects.create(tenant=tenant, sku="HUBMUG", name="Hub mug", price=8, weight=1)
    bad = Product.objects.create(tenant=tenant, sku="HUBBAD", name="Hub bad", price=1, weight=1)
    sandbox.control("POST", f"/stores/{sandbox.store_hash}/failing_skus", {"sku": "HUBBAD"})

    act(store, "publish", tee, mug, bad)
    run = run_flow(store, PUBLISH_LISTINGS)
    assert (run.created, run.failed) == (2, 1), run.error_message
    assert listing(store, bad).state == State.ERROR and listing(store, bad).last_error
    published = _sandbox_product(sandbox, listing(store, tee).bc_product_id)
    assert sorted(v["sku"] for v in published["variants"]) == ["HUBTEE-M", "HUBTEE-S"]
    assert published["custom_fields"][0]["value"] == "Cotton"

    # Product Match sees the published variants as the same links, not new ones.
    links = ProductLink.objects.filter(connection=store, product__sku__startswith="HUB").count()
    assert run_flow(store, PRODUCT_MATCH).status in ("succeeded", "partial")
    assert (
        ProductLink.objects.filter(connection=store, product__sku__startswith="HUB").count()
        == links
    )

    mug.price = Decimal("9.5")
    mug.save()
    assert run_flow(store, SYNC_LISTINGS).updated == 1
    assert _sandbox_product(sandbox, listing(store, mug).bc_product_id)["price"] == 9.5

    act(store, "hide", tee)
    run_flow(store, LISTING_VISIBILITY)
    hidden = _sandbox_product(sandbox, listing(store, tee).bc_product_id)
    assert hidden["is_visible"] is False
    assert all(v["purchasing_disabled"] for v in hidden["variants"])
    act(store, "unhide", tee)
    run_flow(store, LISTING_VISIBILITY)
    assert _sandbox_product(sandbox, listing(store, tee).bc_product_id)["is_visible"] is True

    gone = listing(store, mug).bc_product_id
    act(store, "delist", mug)
    run_flow(store, DELIST_LISTINGS)
    assert listing(store, mug).state == State.DELISTED
    assert sandbox.get(f"/v3/catalog/products/{gone}").status_code == 404
    assert not contract.violations


def _hoodie(tenant, sku):
    hoodie = Product.objects.create(tenant=tenant, sku=sku, name=f"Hub {sku}", price=20, weight=1)
    for size in ("S", "M"):
        Product.objects.create(
            tenant=tenant,
            sku=f"{sku}-{size}",
            parent=hoodie,
            price=20,
            option_values=[{"option": "Size", "value": size}],
        )
    return hoodie


def _option_requests(sandbox) -> dict:
    counts = sandbox.stats()["by_store"][sandbox.store_hash]["endpoints"]
    return {key: n for key, n in counts.items() if "/options" in key}


@pytest.mark.parametrize("option_type", ["dropdown", "radio_buttons"])
def test_a_published_products_options_have_the_connections_variant_option_type(
    sandbox, store, run_flow, contract, tenant, option_type
):
    store.variant_option_type = option_type
    store.save()
    hoodie = _hoodie(tenant, "HUBHOOD")
    act(store, "publish", hoodie)
    sandbox.reset_stats()
    run = run_flow(store, PUBLISH_LISTINGS)
    assert run.created == 1, run.error_message
    assert _option_requests(sandbox) == {
        "GET /v3/catalog/products/{id}/options": 1,
        "PUT /v3/catalog/products/{id}/options/{id}": 1,
    }
    pid = listing(store, hoodie).bc_product_id
    options = sandbox.get(f"/v3/catalog/products/{pid}/options").json()["data"]
    assert [(o["display_name"], o["type"]) for o in options] == [("Size", option_type)]
    assert not run.log_entries.filter(level="warning").exists()
    assert not contract.violations


def test_no_option_is_changed_when_bigcommerce_made_the_type_already(
    sandbox, store, run_flow, contract, tenant
):
    store.variant_option_type = "rectangles"  # what the store gives inline variants' options
    store.save()
    hoodie = _hoodie(tenant, "HUBHOOD")
    act(store, "publish", hoodie)
    sandbox.reset_stats()
    assert run_flow(store, PUBLISH_LISTINGS).created == 1
    assert _option_requests(sandbox) == {"GET /v3/catalog/products/{id}/options": 1}
    pid = listing(store, hoodie).bc_product_id
    options = sandbox.get(f"/v3/catalog/products/{pid}/options").json()["data"]
    assert [o["type"] for o in options] == ["rectangles"]
