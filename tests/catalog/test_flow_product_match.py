"""Product Match and Changed Product Match against the sandbox store, every exchange checked
against the official OpenAPI specs (the `contract` fixture, through `bc_client`)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.kinds import CHANGED_PRODUCT_MATCH, FULL_STOCK_UPDATE, PRODUCT_MATCH
from catalog.locks import store_lock_holder
from catalog.matching import PageMatcher
from catalog.models import Product, ProductImportSettings, ProductLink
from catalog.selectors import products_filter, readiness_links
from dataflows.models import Dataflow, LogEntry, Run
from tests.catalog.helpers import adjust, kind_of, sandbox_products, sandbox_variants

pytestmark = pytest.mark.sandbox

WARNING = LogEntry.Level.WARNING


def warnings_about(run, object_id) -> list[str]:
    return list(
        run.log_entries.filter(level=WARNING, object_id=str(object_id)).values_list(
            "message", flat=True
        )
    )


def set_options(connection, **settings):
    """The connection's product import settings."""
    ProductImportSettings.objects.update_or_create(connection=connection, defaults=settings)


# ----------------------------------------------------------------------------- matching


def test_every_variant_is_linked_by_sku_and_missing_hub_products_are_created(
    sandbox, store, run_flow, contract
):
    variants = sandbox_variants(sandbox)

    run = run_flow(store, PRODUCT_MATCH)

    assert run.status == Run.Status.SUCCEEDED, run.error_message
    assert run.api_requests == 1  # 20 products with their variants in one page
    assert contract.exchanges == 1 and contract.operations == ["GET /v3/catalog/products"]
    links = {link.bc_variant_id: link for link in ProductLink.objects.select_related("product")}
    assert len(links) == len(variants) == run.fetched == run.created
    for product, variant in variants:
        link = links[variant["id"]]
        assert link.bc_product_id == product["id"]
        assert link.bc_sku == variant["sku"]
        assert link.inventory_tracking == product["inventory_tracking"]
        assert link.is_simple_product is False
        if variant["sku"].strip():
            assert link.product.sku == variant["sku"].strip()
            assert link.matched_at is not None
        else:
            assert link.product is None
    hub_skus = set(Product.objects.values_list("sku", flat=True))
    assert hub_skus == {v["sku"].strip() for _, v in variants if v["sku"].strip()}
    created = Product.objects.get(sku=variants[0][1]["sku"])
    assert (
        created.name == f"{variants[0][0]['name']} - {variants[0][1]['option_values'][0]['label']}"
    )
    assert created.upc == variants[0][1]["upc"]
    assert created.price == Decimal(str(variants[0][1]["price"]))
    assert created.on_hand == 0  # stock belongs to the warehouse, never imported


def test_simple_products_are_matched_through_their_base_variant(sandbox, store, run_flow):
    sandbox.reset(products=12, variants=1)
    products = sandbox_products(sandbox)

    run = run_flow(store, PRODUCT_MATCH)

    assert run.status == Run.Status.SUCCEEDED, run.error_message
    for product in products:
        link = ProductLink.objects.get(bc_product_id=product["id"])
        assert link.is_simple_product is True
        assert link.bc_variant_id == product["base_variant_id"] == product["variants"][0]["id"]
        if product["sku"].strip():
            assert link.product.sku == product["sku"].strip()


@pytest.mark.parametrize("master", ["upc", "mpn"])
def test_variants_are_matched_by_the_connections_master_sku_field(sandbox, store, run_flow, master):
    store.master_sku_field = master
    store.save()
    set_options(store, import_mode="link_only")
    variants = sandbox_variants(sandbox)
    (_, first), (_, second) = variants[0], variants[4]
    # Hub SKUs unlike BigCommerce's: only the master field can match them.
    Product.objects.create(tenant=store.tenant, sku="WH-1", **{master: first[master]})
    Product.objects.create(tenant=store.tenant, sku="WH-2", **{master: f" {second[master]} "})
    Product.objects.filter(sku="WH-2").update(**{master: second[master]})  # stored stripped
    Product.objects.create(tenant=store.tenant, sku=first["sku"])  # same SKU, no UPC/MPN

    run = run_flow(store, PRODUCT_MATCH)

    assert run.status == Run.Status.SUCCEEDED, run.error_message
    assert ProductLink.objects.get(bc_variant_id=first["id"]).product.sku == "WH-1"
    assert ProductLink.objects.get(bc_variant_id=second["id"]).product.sku == "WH-2"
    assert ProductLink.objects.filter(product__isnull=False).count() == 2
    assert Product.objects.count() == 3  # link only: nothing created
    assert any("no hub product has" in m for m in warnings_about(run, variants[1][1]["id"]))


def test_matching_by_sku_ignores_other_hub_products_with_the_same_upc(sandbox, store, run_flow):
    set_options(store, import_mode="link_only")
    (_, variant) = sandbox_variants(sandbox)[0]
    Product.objects.create(tenant=store.tenant, sku="OTHER", upc=variant["upc"])
    Product.objects.create(tenant=store.tenant, sku=variant["sku"])

    run_flow(store, PRODUCT_MATCH)

    assert ProductLink.objects.get(bc_variant_id=variant["id"]).product.sku == variant["sku"]


# ----------------------------------------------------------------------------- product info


def hub_edited_product(tenant, sku):
    return Product.objects.create(
        tenant=tenant,
        sku=sku,
        name="Hub name",
        description="Written in the hub",
        price=Decimal("1.0000"),
        weight=Decimal("9.0000"),
        on_hand=7,
    )


def test_create_only_links_existing_hub_products_without_overwriting_them(sandbox, store, run_flow):
    (_, variant) = sandbox_variants(sandbox)[0]
    product = hub_edited_product(store.tenant, variant["sku"])

    run = run_flow(store, PRODUCT_MATCH)

    product.refresh_from_db()
    assert (product.name, product.description, product.price, product.weight) == (
        "Hub name",
        "Written in the hub",
        Decimal("1.0000"),
        Decimal("9.0000"),
    )
    assert product.on_hand == 7
    assert ProductLink.objects.get(bc_variant_id=variant["id"]).product == product
    assert run.status == Run.Status.SUCCEEDED


def test_create_and_overwrite_overwrites_only_the_chosen_fields(sandbox, store, run_flow):
    (bc_product, variant) = sandbox_variants(sandbox)[0]
    product = hub_edited_product(store.tenant, variant["sku"])
    set_options(store, import_mode="create_and_overwrite", overwrite_fields=["name", "price"])

    run = run_flow(store, PRODUCT_MATCH)

    product.refresh_from_db()
    assert product.name.startswith(bc_product["name"])
    assert product.price == Decimal(str(variant["price"]))
    assert product.description == "Written in the hub"  # not among the allowed fields
    assert product.weight == Decimal("9.0000")
    assert product.on_hand == 7  # stock is never imported
    assert run.log_entries.filter(message__contains="name, price overwritten").exists()


def test_the_description_is_kept_by_default_and_overwritten_only_when_allowed(
    sandbox, store, run_flow
):
    (bc_product, variant) = sandbox_variants(sandbox)[0]
    product = hub_edited_product(store.tenant, variant["sku"])
    set_options(store, import_mode="create_and_overwrite")  # the default fields

    run_flow(store, PRODUCT_MATCH)
    product.refresh_from_db()
    assert product.description == "Written in the hub"
    assert product.weight == Decimal(str(variant["calculated_weight"])).quantize(Decimal("0.0001"))

    set_options(store, import_mode="create_and_overwrite", overwrite_fields=["name", "description"])
    run_flow(store, PRODUCT_MATCH)
    product.refresh_from_db()
    assert product.description == bc_product["description"]


def test_link_only_reports_the_bigcommerce_skus_without_a_hub_product(sandbox, store, run_flow):
    set_options(store, import_mode="link_only")
    variants = sandbox_variants(sandbox)

    run = run_flow(store, PRODUCT_MATCH)

    assert Product.objects.count() == 0
    with_sku = [v for _, v in variants if v["sku"].strip()]
    for variant in with_sku:
        assert any("creating hub products is off" in m for m in warnings_about(run, variant["id"]))
    unmatched = readiness_links(connection=store, section="unmatched")
    assert unmatched.count() == len(with_sku)


def test_invalid_options_fail_the_run_with_a_message_saying_how_to_fix_them(
    sandbox, store, run_flow
):
    set_options(store, import_mode="link_only")
    # A row written around the checks (an old migration, SQL by hand).
    ProductImportSettings.objects.filter(connection=store).update(import_mode="create_everything")

    run = run_flow(store, PRODUCT_MATCH)

    assert run.status == Run.Status.FAILED
    assert "Import mode 'create_everything' is not known" in run.error_message
    assert "Catalog readiness tab" in run.error_message
    assert ProductLink.objects.count() == 0


def test_invalid_overlap_fails_the_changed_match_with_a_message(sandbox, store, run_flow):
    kind_of(store, CHANGED_PRODUCT_MATCH)
    Dataflow.objects.filter(connection=store, kind=CHANGED_PRODUCT_MATCH).update(
        options={"overlap_seconds": -1}
    )

    run = run_flow(store, CHANGED_PRODUCT_MATCH)

    assert run.status == Run.Status.FAILED
    assert "overlap_seconds must be a whole number from 0 to 86400" in run.error_message


# ----------------------------------------------------------------------------- readiness


def test_each_kind_of_bad_data_is_a_warning_and_a_readiness_entry(sandbox, store, run_flow):
    variants = sandbox_variants(sandbox)
    blank = next(v for _, v in variants if not v["sku"])
    padded = next(v for _, v in variants if v["sku"] and v["sku"] != v["sku"].strip())
    counts = {}
    for _, v in variants:
        counts.setdefault(v["sku"].strip(), []).append(v)
    duplicated = next(vs for sku, vs in counts.items() if sku and len(vs) > 1)
    untracked = next(p for p, _ in variants if p["inventory_tracking"] == "none")

    run = run_flow(store, PRODUCT_MATCH)

    assert run.status == Run.Status.SUCCEEDED
    assert any("has no SKU" in m for m in warnings_about(run, blank["id"]))
    assert any("spaces around its SKU" in m for m in warnings_about(run, padded["id"]))
    assert any(
        f"SKU {duplicated[0]['sku'].strip()!r} is used by {len(duplicated)}" in m
        for m in warnings_about(run, duplicated[0]["id"])
    )
    assert any("inventory tracking off" in m for m in warnings_about(run, untracked["id"]))

    def section(name):
        return set(
            readiness_links(connection=store, section=name).values_list("bc_variant_id", flat=True)
        )

    assert blank["id"] in section("no_key")
    assert padded["id"] in section("padded")
    assert {v["id"] for v in duplicated} <= section("duplicates")
    assert {v["id"] for v in untracked["variants"]} <= section("tracking_off")
    summary = run.log_entries.order_by("-id").first()
    assert summary.level == WARNING and "Readiness:" in summary.message


def test_a_second_run_changes_nothing_and_drops_links_of_deleted_variants(sandbox, store, run_flow):
    first = run_flow(store, PRODUCT_MATCH)
    gone = ProductLink.objects.create(
        connection=store, bc_product_id=999, bc_variant_id=999999, bc_sku="GONE"
    )

    second = run_flow(store, PRODUCT_MATCH)

    assert (second.created, second.updated, second.skipped) == (0, 0, first.created)
    assert not ProductLink.objects.filter(pk=gone.pk).exists()
    assert ProductLink.objects.count() == first.created
    skus = {v["sku"].strip() for _, v in sandbox_variants(sandbox)} - {""}
    assert Product.objects.count() == len(skus)  # one per SKU; none for the blank one


def test_product_match_records_bigcommerce_levels_so_drift_shows(sandbox, store, run_flow):
    run_flow(store, PRODUCT_MATCH)
    Product.objects.update(on_hand=11, stock_set_at=timezone.now())
    run_flow(store, FULL_STOCK_UPDATE)
    link = ProductLink.objects.filter(inventory_tracking="variant", product__isnull=False).first()
    assert not products_filter(queryset=Product.objects.all(), filters={"show": "drift"}).exists()

    adjust(sandbox, [{"location_id": 1, "variant_id": link.bc_variant_id, "quantity": 3}])
    run_flow(store, PRODUCT_MATCH)

    link.refresh_from_db()
    assert (link.bc_inventory_level, link.last_pushed_level) == (3, 11)
    drifting = products_filter(queryset=Product.objects.all(), filters={"show": "drift"})
    assert list(drifting) == [link.product]


def test_product_match_holds_the_stores_bulk_lock_while_it_works(store, run_flow, monkeypatch):
    seen = []
    real = PageMatcher.match_page

    def match_page(self, products):
        holder = store_lock_holder(store_hash=store.store_hash)
        seen.append(holder.label if holder else None)
        return real(self, products)

    monkeypatch.setattr(PageMatcher, "match_page", match_page)

    run = run_flow(store, PRODUCT_MATCH)

    assert seen == [f"Product Match of connection 'Sandbox store' (run {run.pk})"]
    assert store_lock_holder(store_hash=store.store_hash) is None


def test_pages_are_fetched_ahead_and_a_failing_fetch_fails_the_run(
    sandbox, store, run_flow, bc_client
):
    sandbox.reset(products=600, variants=1)

    def pages(**kwargs):
        yield from bc_client._iter_v3_pages(
            "/v3/catalog/products", {"include": "variants"}, limit=250
        )
        raise RuntimeError("the store went away")

    bc_client.iter_product_pages = pages

    run = run_flow(store, PRODUCT_MATCH)

    assert run.status == Run.Status.FAILED
    assert "the store went away" in run.error_message
    assert run.fetched == 600  # the pages before the failure were matched
    assert not ProductLink.objects.filter(last_seen_at__isnull=True).exists()


# ----------------------------------------------------------------------------- changed


def test_changed_product_match_reads_only_products_modified_since_the_cursor(
    sandbox, store, run_flow, contract
):
    products = sandbox_products(sandbox)
    first = run_flow(store, CHANGED_PRODUCT_MATCH)
    assert first.status == Run.Status.SUCCEEDED, first.error_message
    assert first.fetched == sum(len(p["variants"]) for p in products)  # no cursor: everything
    highest = max(datetime.fromisoformat(p["date_modified"]) for p in products)
    cursor = kind_of(store, CHANGED_PRODUCT_MATCH).cursor
    # The highest date_modified processed, not the run's start time.
    assert datetime.fromisoformat(cursor["date_modified"]) == highest

    touched = next(p for p in products if p["inventory_tracking"] == "variant")
    variant = touched["variants"][0]
    adjust(sandbox, [{"location_id": 1, "variant_id": variant["id"], "quantity": 77}])
    second = run_flow(store, CHANGED_PRODUCT_MATCH)

    assert second.status == Run.Status.SUCCEEDED, second.error_message
    assert second.api_requests == 1
    assert second.fetched == len(touched["variants"])
    assert ProductLink.objects.get(bc_variant_id=variant["id"]).bc_inventory_level == 77
    later = datetime.fromisoformat(kind_of(store, CHANGED_PRODUCT_MATCH).cursor["date_modified"])
    assert highest < later <= timezone.now()
    assert contract.violations == []


def test_changed_product_match_rereads_the_overlap_window(sandbox, store, run_flow):
    products = sandbox_products(sandbox)
    newest = max(products, key=lambda p: p["date_modified"])
    stamp = datetime.fromisoformat(newest["date_modified"])
    flow = kind_of(store, CHANGED_PRODUCT_MATCH)
    flow.cursor = {"date_modified": stamp.isoformat()}
    flow.options = {"overlap_seconds": 0}
    flow.save()

    run = run_flow(store, CHANGED_PRODUCT_MATCH)

    # Nothing changed since: only the products at the cursor's second are read again.
    at_stamp = [p for p in products if p["date_modified"] == newest["date_modified"]]
    assert run.fetched == sum(len(p["variants"]) for p in at_stamp)
    assert kind_of(store, CHANGED_PRODUCT_MATCH).cursor["date_modified"] == stamp.isoformat()

    flow.cursor = {"date_modified": (stamp + timedelta(hours=12)).isoformat()}
    flow.options = {"overlap_seconds": 20 * 3600}
    flow.save()
    run = run_flow(store, CHANGED_PRODUCT_MATCH)
    assert run.fetched >= sum(len(p["variants"]) for p in at_stamp)
    # The cursor never goes back.
    cursor = kind_of(store, CHANGED_PRODUCT_MATCH).cursor
    assert cursor["date_modified"] == (stamp + timedelta(hours=12)).isoformat()


def test_changed_product_match_uses_the_product_match_import_settings(sandbox, store, run_flow):
    set_options(store, import_mode="link_only")

    run = run_flow(store, CHANGED_PRODUCT_MATCH)

    assert run.status == Run.Status.SUCCEEDED
    assert Product.objects.count() == 0
    assert ProductLink.objects.count() == run.fetched > 0
