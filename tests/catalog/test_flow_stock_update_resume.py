"""Full Stock Update resuming after a stopped run: nothing it held back is left behind."""

import pytest

from catalog import stock_push
from catalog.kinds import FULL_STOCK_UPDATE
from catalog.models import ProductLink
from dataflows.models import Run
from tests.catalog.test_flow_stock_update import (  # noqa: F401 - matched is a fixture
    FailingAfter,
    assert_sandbox_holds_the_hubs_stock,
    matched,
)

pytestmark = pytest.mark.sandbox


@pytest.mark.usefixtures("matched")
def test_a_full_update_stopped_mid_push_resumes_before_the_items_it_held_back(
    sandbox, store, run_flow, contract, monkeypatch
):
    """Items whose last push was rejected wait for a batch of their own (at the end); the
    batches sent meanwhile must not move the resume position past them."""
    monkeypatch.setattr(stock_push, "BATCH_ITEMS", 10)
    held_back = (  # the first item of the walk
        ProductLink.objects.filter(product__isnull=False)
        .exclude(inventory_tracking="none")
        .order_by("bc_product_id", "bc_variant_id")
        .first()
    )
    ProductLink.objects.filter(pk=held_back.pk).update(push_error="Rejected by BigCommerce")

    failed = run_flow(store, FULL_STOCK_UPDATE, client=FailingAfter(sandbox, contract, 3))

    assert failed.status == Run.Status.FAILED and failed.updated == 20
    again = run_flow(store, FULL_STOCK_UPDATE)
    assert again.status == Run.Status.SUCCEEDED, again.error_message
    assert again.log_entries.filter(message__startswith="Resuming after").exists()
    held_back.refresh_from_db()
    assert held_back.push_error == ""
    assert held_back.last_pushed_quantity == max(held_back.product.available, 0)
    assert_sandbox_holds_the_hubs_stock(sandbox)
