"""Publish, Sync, Hide/Unhide and Delist Listings on a real worker, through faults, a killed or
stopped worker, a dropped database connection and a restarted Redis: each ends with every
listing's product in the store exactly once and as the hub has it, and the listings' states
right."""

from collections import Counter
from decimal import Decimal

import pytest

from catalog.models import Product, ProductLink
from dataflows.models import Dataflow, LogEntry, Run
from listings.kinds import DELIST_LISTINGS, LISTING_VISIBILITY, PUBLISH_LISTINGS, SYNC_LISTINGS
from listings.models import Listing
from listings.payloads import content_hash, update_content
from listings.services import listings_act
from listings.store_links import options_for, variants_of
from tests.catalog.helpers import sandbox_products, store  # noqa: F401
from tests.convergence.harness import DISRUPTIONS, converge_through, served

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]

State = Listing.State
SIMPLE, GROUPS = 24, 8  # 32 listings, 8 of them variant groups of S and M
PRODUCT_POSTS = "POST /v3/catalog/products"


def dataflow_of(connection, kind) -> Dataflow:
    return Dataflow.objects.select_related("connection").get(connection=connection, kind=kind)


@pytest.fixture
def catalog(tenant):
    """The hub products to list: simple ones and variant groups (parents first)."""
    parents = []
    for n in range(SIMPLE):
        parents.append(
            Product.objects.create(
                tenant=tenant, sku=f"CV-{n:02}", name=f"Convergence {n:02}", price=10 + n, weight=1
            )
        )
    for n in range(GROUPS):
        parent = Product.objects.create(
            tenant=tenant,
            sku=f"CVG-{n:02}",
            name=f"Convergence group {n:02}",
            price=Decimal("20"),
            weight=1,
            brand="Convergence",
            categories=["Convergence"],
        )
        for size in ("S", "M"):
            Product.objects.create(
                tenant=tenant,
                sku=f"CVG-{n:02}-{size}",
                parent=parent,
                price=Decimal("20"),
                option_values=[{"option": "Size", "value": size}],
            )
        parents.append(parent)
    return parents


def act(connection, action, products):
    listings_act(connection=connection, action=action, product_ids=[p.pk for p in products])


def ours(sandbox) -> list[dict]:
    return [p for p in sandbox_products(sandbox) if p["sku"].startswith("CV")]


def writes(sandbox) -> dict:
    return {k: n for k, n in served(sandbox).items() if not k.startswith("GET ")}


@pytest.fixture
def published(store, catalog, hub, sandbox_settings):  # noqa: F811
    """Every listing published, fault-free, before the flow under test."""
    act(store, "publish", catalog)
    hub.run_until_succeeded(dataflow_of(store, PUBLISH_LISTINGS))
    sandbox_settings.reset_stats()
    return catalog


def assert_on_the_store_once(connection, sandbox, products, *, states):
    """Each product is one store product (its variants once each), linked once, its listing
    in the state asked, with no error, and the store's fields equal to the hub's."""
    on_store = ours(sandbox)
    by_sku = {p["sku"]: p for p in on_store}
    counts = Counter(p["sku"] for p in on_store)
    assert {sku: n for sku, n in counts.items() if n != 1} == {}
    variant_skus = Counter(v["sku"] for p in on_store for v in p["variants"])
    assert {sku: n for sku, n in variant_skus.items() if n != 1} == {}
    opts = options_for(connection)
    for product in products:
        listing = Listing.objects.get(connection=connection, product=product)
        assert (listing.state, listing.pending, listing.last_error) == (
            states[product.sku],
            "",
            "",
        ), product.sku
        store_product = by_sku[product.sku]
        assert listing.bc_product_id == store_product["id"], product.sku
        assert (store_product["name"], store_product["price"]) == (
            product.name,
            float(product.price),
        )
        variants = variants_of(product)
        if variants:
            got = {v["sku"]: v for v in store_product["variants"]}
            assert set(got) == {v.sku for v in variants}, product.sku
            assert [got[v.sku]["price"] for v in variants] == [float(v.price) for v in variants]
        # What the listing says the store was given is what the hub has now.
        product_part, variant_parts, _ = update_content(product, variants, opts)
        assert listing.content_hash == content_hash(product_part, variant_parts), product.sku
        links = ProductLink.objects.filter(
            connection=connection, bc_product_id=listing.bc_product_id
        )
        store_ids = {v["id"] for v in store_product["variants"]}
        linked = list(links.values_list("bc_variant_id", flat=True))
        assert sorted(linked) == sorted(store_ids), product.sku
    assert not LogEntry.objects.filter(
        run__dataflow__connection=connection, object_kind="listing", level=LogEntry.Level.ERROR
    ).exists()


def assert_a_further_run_writes_nothing(hub, sandbox, dataflow):
    sandbox.reset_stats()
    (again,) = hub.run_until_succeeded(dataflow)
    assert writes(sandbox) == {}
    assert (again.created, again.updated, again.failed) == (0, 0, 0)


@pytest.mark.parametrize("disruption", DISRUPTIONS)
def test_publish_listings_converges_to_each_product_created_once(
    store,  # noqa: F811
    catalog,
    sandbox_settings,
    hub,
    disruption,
):
    sandbox = sandbox_settings
    sandbox.configure(latency_ms=100)
    act(store, "publish", catalog)
    dataflow = dataflow_of(store, PUBLISH_LISTINGS)

    runs = converge_through(
        hub,
        sandbox,
        dataflow,
        disruption,
        mid_run=lambda: served(sandbox).get(PRODUCT_POSTS, 0) >= 8,
    )

    assert runs[-1].status == Run.Status.SUCCEEDED
    sandbox.configure(latency_ms=0)
    assert_on_the_store_once(store, sandbox, catalog, states={p.sku: State.LIVE for p in catalog})
    assert_a_further_run_writes_nothing(hub, sandbox, dataflow)


@pytest.mark.parametrize("disruption", DISRUPTIONS)
def test_sync_listings_converges_to_the_hubs_fields_sent_once(
    published,
    store,  # noqa: F811
    sandbox_settings,
    hub,
    disruption,
):
    sandbox = sandbox_settings
    for product in published:
        product.name = f"{product.name} (renamed)"
        product.price += 1
        product.save()
        for variant in product.variants.all():
            variant.price += 2
            variant.save()
        if product.sku.startswith("CVG-"):  # a size added in the hub: one new store variant
            Product.objects.create(
                tenant=product.tenant,
                sku=f"{product.sku}-L",
                parent=product,
                price=Decimal("25"),
                option_values=[{"option": "Size", "value": "L"}],
            )
    sandbox.configure(latency_ms=120)
    dataflow = dataflow_of(store, SYNC_LISTINGS)

    runs = converge_through(
        hub,
        sandbox,
        dataflow,
        disruption,
        mid_run=lambda: served(sandbox).get("POST /v3/catalog/products/{id}/variants", 0) >= 2,
    )

    assert runs[-1].status == Run.Status.SUCCEEDED
    sandbox.configure(latency_ms=0)
    for product in published:
        product.refresh_from_db()
    assert_on_the_store_once(
        store, sandbox, published, states={p.sku: State.LIVE for p in published}
    )
    assert_a_further_run_writes_nothing(hub, sandbox, dataflow)


@pytest.mark.parametrize("disruption", DISRUPTIONS)
def test_listing_visibility_converges_to_hidden_and_visible_as_asked(
    published,
    store,  # noqa: F811
    sandbox_settings,
    hub,
    disruption,
):
    sandbox = sandbox_settings
    dataflow = dataflow_of(store, LISTING_VISIBILITY)
    to_hide, to_unhide = published[::2], published[1::2]
    act(store, "hide", to_unhide)
    hub.run_until_succeeded(dataflow)
    act(store, "hide", to_hide)
    act(store, "unhide", to_unhide)
    sandbox.reset_stats()
    sandbox.configure(latency_ms=250)

    runs = converge_through(
        hub,
        sandbox,
        dataflow,
        disruption,
        mid_run=lambda: served(sandbox).get("PUT /v3/catalog/products", 0) >= 1,
    )

    assert runs[-1].status == Run.Status.SUCCEEDED
    sandbox.configure(latency_ms=0)
    hidden = {p.sku for p in to_hide}
    assert_on_the_store_once(
        store,
        sandbox,
        published,
        states={p.sku: State.HIDDEN if p.sku in hidden else State.LIVE for p in published},
    )
    for product in ours(sandbox):
        hide = product["sku"] in hidden
        assert (product["is_visible"], product["availability"]) == (
            not hide,
            "disabled" if hide else "available",
        ), product["sku"]
        assert {
            v["purchasing_disabled"] for v in product["variants"] if len(product["variants"]) > 1
        } <= {hide}
    assert_a_further_run_writes_nothing(hub, sandbox, dataflow)


@pytest.mark.parametrize("disruption", DISRUPTIONS)
def test_delist_listings_converges_to_the_products_gone(
    published,
    store,  # noqa: F811
    sandbox_settings,
    hub,
    disruption,
):
    sandbox = sandbox_settings
    kept, gone = published[:4], published[4:]
    # More than a page of 50 goes: the run deletes in two requests, and is mid-run between.
    more = [
        Product.objects.create(
            tenant=store.tenant,
            sku=f"CVX-{n:02}",
            name=f"Convergence extra {n:02}",
            price=5,
            weight=1,
        )
        for n in range(30)
    ]
    act(store, "publish", more)
    hub.run_until_succeeded(dataflow_of(store, PUBLISH_LISTINGS))
    gone += more
    gone_ids = [Listing.objects.get(connection=store, product=p).bc_product_id for p in gone]
    act(store, "delist", gone)
    sandbox.reset_stats()
    sandbox.configure(latency_ms=400)
    dataflow = dataflow_of(store, DELIST_LISTINGS)

    runs = converge_through(
        hub,
        sandbox,
        dataflow,
        disruption,
        mid_run=lambda: served(sandbox).get("DELETE /v3/catalog/products", 0) >= 1,
    )

    assert runs[-1].status == Run.Status.SUCCEEDED
    sandbox.configure(latency_ms=0)
    assert_on_the_store_once(store, sandbox, kept, states={p.sku: State.LIVE for p in kept})
    assert {p["sku"] for p in ours(sandbox)} == {p.sku for p in kept}
    for product, bc_id in zip(gone, gone_ids, strict=True):
        listing = Listing.objects.get(connection=store, product=product)
        assert (listing.state, listing.pending, listing.bc_product_id) == (State.DELISTED, "", None)
        assert not ProductLink.objects.filter(connection=store, bc_product_id=bc_id).exists()
    assert not LogEntry.objects.filter(
        run__dataflow__connection=store, object_kind="listing", level=LogEntry.Level.ERROR
    ).exists()
    assert_a_further_run_writes_nothing(hub, sandbox, dataflow)
