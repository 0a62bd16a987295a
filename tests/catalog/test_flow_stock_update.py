"""Full and Changed Stock Update against the sandbox store: exact quantities checked in the
sandbox afterwards, rejected items isolated, a failed run re-run to convergence, and no overlap
with another bulk operation of the store. Every exchange is checked against the specs."""

import pytest
from django.utils import timezone

from catalog import stock_push
from catalog.kinds import (
    CHANGED_PRODUCT_MATCH,
    CHANGED_STOCK_UPDATE,
    FULL_STOCK_UPDATE,
    PRODUCT_MATCH,
)
from catalog.locks import StoreBulkLock, store_lock_holder
from catalog.models import Product, ProductLink
from connections.bigcommerce.client import BigCommerceClient
from connections.bigcommerce.ratelimit import LocalQuotaGate
from dataflows.models import LogEntry, Run
from tests.catalog.helpers import kind_of, sandbox_products

pytestmark = pytest.mark.sandbox

INVENTORY_PUT = "PUT /v3/inventory/adjustments/absolute"


@pytest.fixture
def matched(sandbox, store, run_flow):
    """The sandbox catalog matched (hub products created), with varied hub stock: on hand
    by product id, some manual reservations, one product reserved beyond its stock."""
    run = run_flow(store, PRODUCT_MATCH)
    assert run.status == Run.Status.SUCCEEDED, run.error_message
    for product in Product.objects.order_by("pk"):
        product.on_hand = product.pk * 3 % 40
        product.manual_reserved = 2 if product.pk % 5 == 0 else 0
        product.stock_set_at = timezone.now()  # the warehouse has sent its stock
        product.save()
    oversold = (
        Product.objects.filter(links__inventory_tracking="variant", on_hand__gt=0)
        .order_by("pk")
        .first()
    )
    oversold.manual_reserved = oversold.on_hand + 4  # available -4: pushed as 0
    oversold.save()
    return oversold


def expected_levels():
    """What the sandbox must hold: per variant (variant tracking), per product (product
    tracking: the sum of its linked variants' available stock, each at least 0)."""
    variants, products = {}, {}
    for link in ProductLink.objects.filter(product__isnull=False).select_related("product"):
        quantity = max(link.product.available, 0)
        if link.inventory_tracking == "variant":
            variants[str(link.bc_variant_id)] = quantity
        elif link.inventory_tracking == "product":
            products[str(link.bc_product_id)] = products.get(str(link.bc_product_id), 0) + quantity
    return variants, products


def assert_sandbox_holds_the_hubs_stock(sandbox):
    inventory = sandbox.inventory()
    variants, products = expected_levels()
    assert variants and products
    for variant_id, quantity in variants.items():
        assert inventory["variants"][variant_id]["inventory_level"] == quantity, variant_id
    for product_id, quantity in products.items():
        assert inventory["products"][product_id]["inventory_level"] == quantity, product_id


def pushable_items() -> int:
    """Items a full update sends: variants tracked by variant, products tracked by product."""
    linked = ProductLink.objects.filter(product__isnull=False)
    return (
        linked.filter(inventory_tracking="variant").count()
        + linked.filter(inventory_tracking="product").values("bc_product_id").distinct().count()
    )


def inventory_requests(sandbox) -> int:
    return sandbox.stats()["endpoints"].get(INVENTORY_PUT, 0)


# ----------------------------------------------------------------------------- full


def test_a_full_update_makes_the_stores_stock_equal_the_hubs_available_stock(
    sandbox, store, run_flow, matched, contract
):
    before = sandbox.inventory()
    untracked = {
        str(p["id"]) for p in sandbox_products(sandbox) if p["inventory_tracking"] == "none"
    }
    sandbox.reset_stats()

    run = run_flow(store, FULL_STOCK_UPDATE)

    assert run.status == Run.Status.SUCCEEDED, run.error_message
    assert run.api_requests == 1 == inventory_requests(sandbox)
    assert_sandbox_holds_the_hubs_stock(sandbox)
    after = sandbox.inventory()
    for product_id in untracked:  # not pushed: BigCommerce would ignore it
        assert after["products"][product_id] == before["products"][product_id]
    tracking_off = ProductLink.objects.filter(product__isnull=False, inventory_tracking="none")
    assert run.skipped == tracking_off.count() > 0
    for link in tracking_off.select_related("product"):
        warning = run.log_entries.get(
            level=LogEntry.Level.WARNING, object_kind="product", object_id=link.bc_product_id
        )
        assert "inventory tracking is off" in warning.message
        assert f"{link.product.sku} (variant {link.bc_variant_id})" in warning.message
    oversold_variant = matched.links.get().bc_variant_id
    negative = run.log_entries.get(message__contains="pushed as 0", object_id=oversold_variant)
    assert matched.sku in negative.message and "-4" in negative.message
    assert contract.operations.count(INVENTORY_PUT) == 1 and contract.violations == []
    assert kind_of(store, FULL_STOCK_UPDATE).cursor.keys() == {"completed_at"}


def test_products_tracked_by_product_get_the_sum_of_their_variants_by_product_id(
    sandbox, store, run_flow, matched
):
    group = ProductLink.objects.filter(inventory_tracking="product", product__isnull=False)
    bc_product_id = group.first().bc_product_id
    Product.objects.filter(links__bc_product_id=bc_product_id).update(on_hand=5, manual_reserved=0)

    run_flow(store, FULL_STOCK_UPDATE)

    linked = group.filter(bc_product_id=bc_product_id).count()
    inventory = sandbox.inventory()
    assert inventory["products"][str(bc_product_id)]["inventory_level"] == 5 * linked
    for link in group.filter(bc_product_id=bc_product_id):
        assert (link.last_pushed_quantity, link.last_pushed_level) == (5, 5 * linked)


# ----------------------------------------------------------------------------- changed


def test_a_changed_update_pushes_only_what_differs_from_the_last_push(
    sandbox, store, run_flow, matched, contract
):
    run_flow(store, FULL_STOCK_UPDATE)
    links = ProductLink.objects.filter(inventory_tracking="variant", product__isnull=False)
    changed = [link.product for link in links.order_by("bc_variant_id")[:3]]
    for product in changed:
        product.on_hand += 10
        product.save()
    sandbox.reset_stats()

    run = run_flow(store, CHANGED_STOCK_UPDATE)

    assert run.status == Run.Status.SUCCEEDED, run.error_message
    assert (run.api_requests, inventory_requests(sandbox)) == (1, 1)
    assert run.updated == 3
    assert_sandbox_holds_the_hubs_stock(sandbox)
    for product in changed:
        assert run.log_entries.filter(message__contains=f"SKU {product.sku} ").exists()

    again = run_flow(store, CHANGED_STOCK_UPDATE)
    assert (again.api_requests, again.updated) == (0, 0)
    assert contract.violations == []


def test_a_quantity_changed_and_changed_back_is_not_sent(sandbox, store, run_flow, matched):
    run_flow(store, FULL_STOCK_UPDATE)
    product = (
        ProductLink.objects.filter(inventory_tracking="variant", product__isnull=False)
        .first()
        .product
    )
    product.on_hand += 6
    product.save()
    product.on_hand -= 6
    product.save()
    sandbox.reset_stats()

    run = run_flow(store, CHANGED_STOCK_UPDATE)

    assert (run.api_requests, run.updated) == (0, 0)
    assert inventory_requests(sandbox) == 0


def test_a_change_of_one_variant_of_a_product_tracked_by_product_resends_the_sum(
    sandbox, store, run_flow, matched
):
    run_flow(store, FULL_STOCK_UPDATE)
    link = ProductLink.objects.filter(
        inventory_tracking="product", product__isnull=False, is_simple_product=False
    ).first()
    Product.objects.filter(pk=link.product_id).update(on_hand=100, manual_reserved=0)

    run = run_flow(store, CHANGED_STOCK_UPDATE)

    assert run.updated == 1
    assert_sandbox_holds_the_hubs_stock(sandbox)


def test_a_changed_update_reports_items_with_tracking_off(sandbox, store, run_flow, matched):
    run = run_flow(store, CHANGED_STOCK_UPDATE)

    off = ProductLink.objects.filter(product__isnull=False, inventory_tracking="none").count()
    assert run.skipped == off > 0
    assert run.log_entries.filter(
        level=LogEntry.Level.WARNING, message__startswith=f"{off} linked items have inventory"
    ).exists()


# ----------------------------------------------------------------------------- rejections


def mix_up_tracking(link: ProductLink) -> None:
    """The hub believes a product-tracked item is tracked by variant: BigCommerce answers 422
    for it (pushing by variant id)."""
    ProductLink.objects.filter(pk=link.pk).update(inventory_tracking="variant")


def test_a_batch_with_one_bad_item_pushes_the_rest_and_logs_the_bad_one(
    sandbox, store, run_flow, matched, contract
):
    bad = ProductLink.objects.filter(
        inventory_tracking="product", product__isnull=False, is_simple_product=False
    ).first()
    mix_up_tracking(bad)
    sandbox.reset_stats()

    run = run_flow(store, FULL_STOCK_UPDATE)

    assert run.status == Run.Status.PARTIAL
    assert run.failed == 1
    # The rejected batch, then the batch without the item BigCommerce named.
    assert inventory_requests(sandbox) == run.api_requests == 2
    error = run.log_entries.get(level=LogEntry.Level.ERROR)
    assert error.object_id == str(bad.bc_variant_id)
    assert "tracked by product" in error.message
    bad.refresh_from_db()
    assert "tracked by product" in bad.push_error and bad.last_pushed_quantity is None
    ProductLink.objects.filter(pk=bad.pk).update(inventory_tracking="product")
    # Everything else went through.
    pushed = ProductLink.objects.filter(last_pushed_quantity__isnull=False)
    assert (
        pushed.count()
        == ProductLink.objects.filter(product__isnull=False)
        .exclude(inventory_tracking="none")
        .exclude(pk=bad.pk)
        .count()
    )
    assert contract.violations == []


def test_an_item_whose_push_failed_is_sent_again_by_the_next_changed_update(
    sandbox, store, run_flow, matched
):
    bad = ProductLink.objects.filter(
        inventory_tracking="product", product__isnull=False, is_simple_product=False
    ).first()
    mix_up_tracking(bad)
    run_flow(store, FULL_STOCK_UPDATE)
    ProductLink.objects.filter(pk=bad.pk).update(inventory_tracking="product")  # fixed

    run = run_flow(store, CHANGED_STOCK_UPDATE)

    assert run.status == Run.Status.SUCCEEDED
    assert run.updated == 1 and run.api_requests == 1
    bad.refresh_from_db()
    assert bad.push_error == "" and bad.last_pushed_quantity == max(bad.product.available, 0)
    assert_sandbox_holds_the_hubs_stock(sandbox)


# ----------------------------------------------------------------------------- failures


class FailingAfter(BigCommerceClient):
    """A sandbox client whose inventory PUTs fail (503, not retried) from the n-th on."""

    def __init__(self, sandbox, contract, fail_from: int):
        super().__init__(
            store_hash=sandbox.store_hash,
            access_token=sandbox.token,
            api_url=sandbox.url,
            quota_gate=LocalQuotaGate(),
            max_retries=0,
        )
        contract.attach(self.session)
        self.sandbox = sandbox
        self.puts = 0
        self.fail_from = fail_from

    def set_inventory_absolute(self, items, *, reason=None):
        self.puts += 1
        if self.puts >= self.fail_from:
            self.sandbox.force_fault("503", path="/v3/inventory/adjustments/absolute")
        return super().set_inventory_absolute(items, reason=reason)


@pytest.mark.parametrize("kind", [FULL_STOCK_UPDATE, CHANGED_STOCK_UPDATE])
def test_a_run_failing_mid_push_then_run_again_converges(
    sandbox, store, run_flow, matched, contract, monkeypatch, kind
):
    monkeypatch.setattr(stock_push, "BATCH_ITEMS", 10)
    client = FailingAfter(sandbox, contract, fail_from=3)

    failed = run_flow(store, kind, client=client)

    assert failed.status == Run.Status.FAILED
    assert "503" in failed.error_message
    assert failed.updated == 20  # two batches of 10 went through before the failure
    assert ProductLink.objects.filter(last_pushed_quantity__isnull=False).count() >= 20

    again = run_flow(store, kind)

    assert again.status == Run.Status.SUCCEEDED, again.error_message
    assert_sandbox_holds_the_hubs_stock(sandbox)
    pushable = (
        ProductLink.objects.filter(product__isnull=False).exclude(inventory_tracking="none").count()
    )
    assert ProductLink.objects.filter(last_pushed_quantity__isnull=False).count() == pushable
    # Nothing pushed twice: the second run carried on where the first stopped.
    assert failed.updated + again.updated == pushable_items()
    if kind == FULL_STOCK_UPDATE:
        assert again.log_entries.filter(message__startswith="Resuming after").exists()
    assert run_flow(store, CHANGED_STOCK_UPDATE).api_requests == 0


# ----------------------------------------------------------------------------- the store lock


def test_a_stock_push_does_not_start_while_another_bulk_operation_holds_the_store(
    sandbox, store, run_flow, matched, settings
):
    settings.CATALOG_STORE_LOCK_WAIT_S = 0
    other = StoreBulkLock(store.store_hash, label="Product Match of connection 'Other' (run 9)")
    assert other.try_acquire()
    sandbox.reset_stats()

    run = run_flow(store, FULL_STOCK_UPDATE)

    assert run.status == Run.Status.FAILED
    assert "busy with 'Product Match of connection 'Other' (run 9)'" in run.error_message
    assert inventory_requests(sandbox) == 0
    assert ProductLink.objects.filter(last_pushed_quantity__isnull=False).count() == 0

    other.release()
    run = run_flow(store, FULL_STOCK_UPDATE)
    assert run.status == Run.Status.SUCCEEDED
    assert store_lock_holder(store_hash=store.store_hash) is None


def test_the_push_holds_the_store_so_a_product_match_waits(
    sandbox, store, run_flow, matched, settings, monkeypatch
):
    settings.CATALOG_STORE_LOCK_WAIT_S = 0
    outcomes = []
    real = stock_push.StockPusher._after_batch

    def after_batch_try_a_match(self, batch, save_position):
        # A Product Match of the same store starting in the middle of the push finds the
        # store busy.
        outcomes.append(run_flow(store, PRODUCT_MATCH))
        return real(self, batch, save_position)

    monkeypatch.setattr(stock_push.StockPusher, "_after_batch", after_batch_try_a_match)

    push = run_flow(store, FULL_STOCK_UPDATE)

    assert push.status == Run.Status.SUCCEEDED
    assert [run.status for run in outcomes] == [Run.Status.FAILED]
    assert "Full Stock Update of connection 'Sandbox store'" in outcomes[0].error_message


def test_synchronize_matches_the_catalog_and_leaves_the_store_with_the_hubs_stock(
    sandbox, store, bc_client, django_capture_on_commit_callbacks
):
    """SYNCHRONIZE queues every enabled dataflow; a worker runs them (here: the catalog ones,
    Product Match first). Afterwards the store's stock is the hub's available stock."""
    from dataflows.services import connection_synchronize, run_execute

    with django_capture_on_commit_callbacks(execute=False):
        runs = connection_synchronize(connection=store)
    by_kind = {run.dataflow.kind: run for run in runs}
    assert CHANGED_PRODUCT_MATCH not in by_kind  # not enabled by default

    match = run_execute(run_id=by_kind[PRODUCT_MATCH].pk, client=bc_client)
    Product.objects.update(on_hand=9, stock_set_at=timezone.now())  # the warehouse's stock
    full = run_execute(run_id=by_kind[FULL_STOCK_UPDATE].pk, client=bc_client)
    changed = run_execute(run_id=by_kind[CHANGED_STOCK_UPDATE].pk, client=bc_client)

    assert [match.status, full.status, changed.status] == [Run.Status.SUCCEEDED] * 3
    assert changed.api_requests == 0  # the full update pushed everything already
    assert_sandbox_holds_the_hubs_stock(sandbox)
