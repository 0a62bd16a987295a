"""Order Import turns the orders it cannot import into order errors with the right code while the
others import, and a retried error resolves once its cause is fixed; every exchange is checked
against the official OpenAPI specs (`contract`)."""

import pytest

from catalog.models import Product, ProductLink
from dataflows.models import LogEntry
from orders.models import OrderError, OrderFetchRequest
from orders.services.errors import order_errors_retry
from tests.orders.helpers import (
    again,
    hub_ids,
    link,
    run_flow,
)

pytestmark = pytest.mark.usefixtures("enqueued")


def test_bad_orders_get_the_right_error_codes_while_the_others_import(
    store, store_client, sandbox_settings, contract, tenant
):
    sandbox = sandbox_settings
    variants = sandbox.inventory()["variants"]
    good_variant, off_variant = (int(v) for v in list(variants)[:2])
    off_product = Product.objects.create(tenant=tenant, sku="TRACKING-OFF-1")
    link(store, off_product, variant_id=off_variant, tracking=ProductLink.Tracking.NONE)
    good = sandbox.create_order(lines=[{"variant_id": good_variant, "quantity": 1}])
    unknown = sandbox.create_order(lines=[{"sku": "NOT-IN-HUB-1", "quantity": 1}])
    blank = sandbox.create_order(lines=[{"sku": "", "name": "Gift wrap", "quantity": 1}])
    bad_address = sandbox.create_order(
        lines=[{"variant_id": good_variant, "quantity": 1}],
        shipping_address={"zip": "", "country": "", "country_iso2": ""},
    )
    off = sandbox.create_order(lines=[{"variant_id": off_variant, "quantity": 1}])

    run_flow(store, client=store_client)

    codes = {
        (e.bc_order_id, e.code)
        for e in OrderError.objects.filter(
            bc_order_id__in=[unknown["id"], blank["id"], bad_address["id"], off["id"]]
        )
    }
    assert codes == {
        (unknown["id"], "unknown_sku"),
        (blank["id"], "missing_sku"),
        (bad_address["id"], "invalid_address"),
        (off["id"], "tracking_off"),
    }
    assert {good["id"], off["id"]} <= hub_ids(store)
    assert not {unknown["id"], blank["id"], bad_address["id"]} & hub_ids(store)
    log = LogEntry.objects.filter(object_kind="order", object_id=str(unknown["id"]))
    assert log.filter(level="error", message__contains="NOT-IN-HUB-1").exists()


def test_a_retried_error_resolves_once_its_cause_is_fixed(
    store, store_client, sandbox_settings, contract, tenant
):
    sandbox = sandbox_settings
    unknown = sandbox.create_order(lines=[{"sku": "LATE-SKU-1", "quantity": 1}])
    run_flow(store, client=store_client)
    error = OrderError.objects.get(bc_order_id=unknown["id"])

    Product.objects.create(tenant=tenant, sku="LATE-SKU-1")
    order_errors_retry(errors=[error])
    run = again(store, sandbox, contract)

    error.refresh_from_db()
    assert error.resolved_at and error.resolution == "resolved"
    assert unknown["id"] in hub_ids(store)
    assert run.api_requests == 2  # the order by id, the incremental listing
    assert not OrderFetchRequest.objects.exists()
