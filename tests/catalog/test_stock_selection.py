"""What the stock updates push: only items whose hub product's stock the warehouse has set
(the go-live trap: a first Full Stock Update must not set every store item to 0), and the
changed items found by one indexed query."""

import pytest
from django.db import connection as db_connection
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.test.utils import CaptureQueriesContext

from catalog.kinds import CHANGED_STOCK_UPDATE, FULL_STOCK_UPDATE, PRODUCT_MATCH
from catalog.models import Product, ProductLink
from catalog.services import stock_set_bulk
from catalog.stock_selection import changed_links, links_page, pushable_links
from dataflows.models import LogEntry, Run
from tests.catalog.helpers import adjust
from tests.catalog.test_stock_push import linked_catalog


@pytest.mark.sandbox
def test_the_first_full_update_after_go_live_leaves_items_without_warehouse_stock_alone(
    sandbox, store, run_flow, contract
):
    """Product Match created the hub products with 0 on hand; the warehouse has sent the stock
    of one of them only. Pushing the others would set the store's stock to 0."""
    assert run_flow(store, PRODUCT_MATCH).status == Run.Status.SUCCEEDED
    before = sandbox.inventory()
    link = ProductLink.objects.filter(inventory_tracking="variant", product__isnull=False).first()
    stock_set_bulk(tenant=store.tenant, items=[(link.product.sku, 7)])
    waiting = ProductLink.objects.filter(
        product__isnull=False, product__stock_set_at__isnull=True
    ).exclude(inventory_tracking="none")
    assert waiting.exists()

    run = run_flow(store, FULL_STOCK_UPDATE)

    assert run.status == Run.Status.SUCCEEDED, run.error_message
    after = sandbox.inventory()
    assert after["variants"][str(link.bc_variant_id)]["inventory_level"] == 7
    for other in waiting.filter(inventory_tracking="variant"):
        key = str(other.bc_variant_id)
        assert after["variants"][key] == before["variants"][key]  # not set to 0
    for other in waiting.filter(inventory_tracking="product"):
        key = str(other.bc_product_id)
        assert after["products"][key] == before["products"][key]
    assert not waiting.filter(last_pushed_quantity__isnull=False).exists()
    summary = run.log_entries.get(object_id="", message__contains="has not sent the stock")
    assert summary.level == LogEntry.Level.WARNING
    assert f"{waiting.count()} linked items are not pushed" in summary.message
    per_item = run.log_entries.filter(message__contains="not pushed, the warehouse has not sent")
    items = {(o.inventory_tracking, o.bc_product_id, o.bc_variant_id) for o in waiting}
    expected_items = {v for t, _, v in items if t == "variant"} | {
        p for t, p, _ in items if t == "product"
    }
    assert {int(e.object_id) for e in per_item} == expected_items
    assert f"stock never set by the warehouse, not pushed: {len(expected_items)}" in (
        run.log_entries.order_by("-pk").first().message
    )
    assert contract.violations == []


@pytest.mark.sandbox
def test_a_changed_update_pushes_a_product_once_the_warehouse_sets_its_stock_even_to_0(
    sandbox, store, run_flow
):
    run_flow(store, PRODUCT_MATCH)
    link = ProductLink.objects.filter(inventory_tracking="variant", product__isnull=False).first()
    adjust(sandbox, [{"location_id": 1, "variant_id": link.bc_variant_id, "quantity": 4}])

    first = run_flow(store, CHANGED_STOCK_UPDATE)
    stock_set_bulk(tenant=store.tenant, items=[(link.product.sku, 0)])  # 0 already in the hub
    second = run_flow(store, CHANGED_STOCK_UPDATE)

    assert first.api_requests == 0 and first.updated == 0
    summary = first.log_entries.get(message__contains="has not sent the stock")
    assert first.skipped >= ProductLink.objects.exclude(inventory_tracking="none").count() - 1
    assert "not pushed" in summary.message
    assert not first.log_entries.filter(message__contains="not pushed, the warehouse").exists()
    assert second.updated == 1
    inventory = sandbox.inventory()
    assert inventory["variants"][str(link.bc_variant_id)]["inventory_level"] == 0


def test_the_changed_items_are_found_by_one_query(connection):
    linked_catalog(connection, 300)
    ProductLink.objects.update(last_pushed_quantity=0)
    Product.objects.update(on_hand=0)
    Product.objects.filter(sku__in=["SKU-5", "SKU-250"]).update(on_hand=4)
    Product.objects.filter(sku="SKU-7").update(on_hand=0, manual_reserved=3)  # -3: still 0

    with CaptureQueriesContext(db_connection) as queries:
        rows = links_page(changed_links(connection=connection), after=None)

    assert [r["product__sku"] for r in rows] == ["SKU-5", "SKU-250"]
    assert len(queries.captured_queries) == 1
    sql = queries.captured_queries[0]["sql"].upper()
    assert "JOIN" in sql and "LIMIT" in sql


def test_products_whose_stock_the_warehouse_never_set_are_not_changed_items(connection):
    linked_catalog(connection, 4)
    Product.objects.filter(sku="SKU-2").update(stock_set_at=None, on_hand=5)

    rows = links_page(changed_links(connection=connection), after=None)

    assert "SKU-2" not in [r["product__sku"] for r in rows]
    assert len(rows) == 3  # never pushed: different from what BigCommerce has


@pytest.mark.skipif(db_connection.vendor != "sqlite", reason="counts SQLite's VM steps")
def test_the_stock_set_rule_costs_only_the_changed_links_not_every_link(connection):
    """The go-live rule is checked on the few changed links only: the page query takes (almost)
    the same SQLite VM steps as the comparison alone, whatever the catalog's size."""
    links = 300
    linked_catalog(connection, links)
    ProductLink.objects.update(last_pushed_quantity=0)
    Product.objects.update(on_hand=0)
    Product.objects.filter(sku__in=["SKU-5", "SKU-250"]).update(on_hand=4)
    comparison_only = (
        pushable_links(connection=connection)
        .annotate(hub_quantity=Greatest(F("product__available"), Value(0)))
        .exclude(last_pushed_quantity=F("hub_quantity"))
    )

    def vm_steps(queryset) -> int:
        db_connection.ensure_connection()
        steps = [0]

        def count():
            steps[0] += 1
            return 0

        db_connection.connection.set_progress_handler(count, 1)
        try:
            rows = links_page(queryset, after=None)
        finally:
            db_connection.connection.set_progress_handler(None, 1)
        assert [r["product__sku"] for r in rows] == ["SKU-5", "SKU-250"]
        return steps[0]

    extra = vm_steps(changed_links(connection=connection)) - vm_steps(comparison_only)

    assert extra < links  # checked per link it would be about 2 steps a link
