"""Order Import end to end against the sandbox store; every exchange is checked against the
official OpenAPI specs (`contract`)."""

import math
from datetime import UTC, datetime, timedelta

import pytest

from catalog.models import Product, ProductLink
from connections.bigcommerce.client import BigCommerceClient
from connections.bigcommerce.ratelimit import LocalQuotaGate
from dataflows.models import Dataflow, LogEntry, Run
from dataflows.services import run_execute, run_queue
from orders.flows import ORDER_IMPORT
from orders.models import Order, OrderError, OrderFetchRequest, OrderLine
from orders.services.errors import order_errors_retry
from orders.services.fetch_requests import orders_fetch_request
from orders.services.importer import OrderImporter
from tests.orders.helpers import (
    client_for,
    link,
    make_products_for_sandbox,
    make_store_connection,
    run_flow,
)

pytestmark = pytest.mark.usefixtures("enqueued")

PAGE = 250


@pytest.fixture
def store(sandbox_settings, tenant):
    make_products_for_sandbox(tenant, sandbox_settings)
    return make_store_connection(tenant, sandbox_settings)


@pytest.fixture
def client(sandbox_settings, contract):
    c = client_for(sandbox_settings, contract)
    yield c
    c.close()


def expected_ids(sandbox, statuses=(11, 5), **params):
    return {o["id"] for s in statuses for o in sandbox.get_all_orders(status_id=s, **params)}


def hub_ids(connection):
    return set(Order.objects.filter(connection=connection).values_list("bc_order_id", flat=True))


def error_ids(connection, open_only=True):
    errors = OrderError.objects.filter(connection=connection)
    if open_only:
        errors = errors.filter(resolved_at__isnull=True)
    return set(errors.values_list("bc_order_id", flat=True))


def floor(sandbox, statuses=(11, 5), **params):
    return sum(
        math.ceil(max(1, len(sandbox.get_all_orders(status_id=s, **params))) / PAGE)
        for s in statuses
    )


def requests_served(sandbox):
    return sandbox.stats()["by_store"].get(sandbox.store_hash, {}).get("endpoints", {})


def again(store, sandbox, contract, **kwargs):
    return run_flow(store, client=client_for(sandbox, contract), **kwargs)


def test_the_first_run_imports_the_filters_orders_by_id_one_request_per_250(
    store, client, sandbox_settings, contract
):
    sandbox = sandbox_settings
    sandbox.reset(orders=900)
    expected = expected_ids(sandbox)
    least = floor(sandbox)
    sandbox.reset_stats()

    run = run_flow(store, client=client)

    assert hub_ids(store) | error_ids(store) == expected
    assert hub_ids(store) and not hub_ids(store) & error_ids(store)
    assert run.status == Run.Status.PARTIAL  # the seeded legacy SKUs
    assert run.created == len(hub_ids(store)) and run.failed == len(error_ids(store))
    # One request per 250 orders, plus one to learn where the incremental cursor starts.
    assert run.api_requests == client.stats.requests <= least + 2
    assert requests_served(sandbox) == {"GET /v2/orders": run.api_requests}
    assert contract.exchanges == run.api_requests
    assert set(OrderError.objects.values_list("code", flat=True)) <= {"unknown_sku", "missing_sku"}
    for order in Order.objects.filter(connection=store).prefetch_related("lines", "addresses"):
        assert order.lines.all()
        if order.hub_status != Order.HubStatus.CANCELLED:  # a cancelled one ships nothing
            assert all(line.product_id for line in order.lines.all())
        assert {a.kind for a in order.addresses.all()} == {"billing", "shipping"}
    cancelled = {o["id"] for o in sandbox.get_all_orders(status_id=5)} & hub_ids(store)
    assert cancelled and all(
        o.hub_status == Order.HubStatus.CANCELLED
        for o in Order.objects.filter(bc_order_id__in=cancelled)
    )
    cursor = Dataflow.objects.get(connection=store, kind=ORDER_IMPORT).cursor
    assert cursor["modified_since"] and cursor["listings"]["11"]["done"]


def test_a_second_run_with_nothing_changed_makes_one_request_and_writes_nothing(
    store, client, sandbox_settings, contract
):
    run_flow(store, client=client)
    before = dict(Order.objects.values_list("pk", "updated_at"))

    run = again(store, sandbox_settings, contract)

    assert run.api_requests == 1
    assert (run.created, run.updated, run.failed) == (0, 0, 0)
    assert run.status == Run.Status.SUCCEEDED
    assert dict(Order.objects.values_list("pk", "updated_at")) == before


def test_new_and_changed_orders_come_with_the_next_run(store, client, sandbox_settings, contract):
    sandbox = sandbox_settings
    run_flow(store, client=client)
    variant = next(iter(sandbox.inventory()["variants"]))
    new = sandbox.create_order(lines=[{"variant_id": int(variant), "quantity": 2}])
    old = next(iter(Order.objects.filter(connection=store, hub_status="open")))
    sandbox.patch_order(old.bc_order_id, status_id=5)

    run = again(store, sandbox, contract)

    assert run.api_requests == 1
    assert (run.created, run.updated) == (1, 1)
    assert Order.objects.get(bc_order_id=new["id"]).lines.get().quantity == 2
    old.refresh_from_db()
    assert old.hub_status == Order.HubStatus.CANCELLED


def test_every_filter_is_applied(store, client, sandbox_settings, contract):
    sandbox = sandbox_settings
    sandbox.reset(orders=400)
    all_9 = sandbox.get_all_orders(status_id=9)
    created = sorted(
        datetime.strptime(o["date_created"], "%a, %d %b %Y %H:%M:%S %z") for o in all_9
    )
    after = created[len(created) // 3]
    min_id = sorted(o["id"] for o in all_9)[len(all_9) // 4]
    store.order_status_filter = [9]
    store.import_min_order_id = min_id
    store.import_created_after = after
    store.save()

    run_flow(store, client=client)

    expected = {
        o["id"]
        for o in all_9
        if o["id"] > min_id
        and datetime.strptime(o["date_created"], "%a, %d %b %Y %H:%M:%S %z") >= after
    }
    assert expected and hub_ids(store) | error_ids(store) == expected


def test_only_orders_created_within_the_last_days_when_set(
    store, client, sandbox_settings, contract
):
    sandbox = sandbox_settings
    Dataflow.objects.filter(connection=store, kind=ORDER_IMPORT).update(
        options={"created_within_days": 7}
    )
    variant = int(next(iter(sandbox.inventory()["variants"])))
    recent = sandbox.create_order(lines=[{"variant_id": variant, "quantity": 1}])

    run_flow(store, client=client)

    assert hub_ids(store) == {recent["id"]}  # the seeded orders are from 2024


def test_archived_orders_only_when_enabled(store, client, sandbox_settings, contract):
    sandbox = sandbox_settings
    sandbox.reset(orders=600)
    archived = expected_ids(sandbox, is_deleted="true")
    assert archived

    run_flow(store, client=client)
    assert not (hub_ids(store) | error_ids(store)) & archived

    store.import_archived_orders = True
    store.save()
    again(store, sandbox, contract)

    assert (hub_ids(store) | error_ids(store)) >= archived
    assert all(o.is_archived for o in Order.objects.filter(bc_order_id__in=archived))


def test_setting_changes_apply_from_the_next_run_without_losing_orders(
    store, client, sandbox_settings, contract
):
    sandbox = sandbox_settings
    sandbox.reset(orders=400)
    store.order_status_filter = [11]
    store.import_min_order_id = 300
    store.save()
    run_flow(store, client=client)
    assert hub_ids(store) | error_ids(store) == expected_ids(sandbox, [11], min_id=301)

    # A status added and the min id lowered: those orders come, though none changed.
    store.order_status_filter = [11, 9]
    store.import_min_order_id = None
    store.save()
    again(store, sandbox, contract)
    assert hub_ids(store) | error_ids(store) == expected_ids(sandbox, [11, 9])

    # A status removed, an order of it placed meanwhile (modified long ago), the status put
    # back: the order is not lost.
    store.order_status_filter = [11]
    store.save()
    again(store, sandbox, contract)
    variant = int(next(iter(sandbox.inventory()["variants"])))
    late = sandbox.create_order(
        status_id=9,
        lines=[{"variant_id": variant, "quantity": 1}],
        date_created="2024-02-01T00:00:00Z",
        date_modified="2024-02-01T00:00:00Z",
    )
    again(store, sandbox, contract)
    assert late["id"] not in hub_ids(store)
    store.order_status_filter = [11, 9]
    store.save()
    again(store, sandbox, contract)
    assert late["id"] in hub_ids(store)


def test_a_cancellation_frees_the_stock_its_lines_reserved(
    store, client, sandbox_settings, contract
):
    sandbox = sandbox_settings
    variant = int(next(iter(sandbox.inventory()["variants"])))
    order = sandbox.create_order(lines=[{"variant_id": variant, "quantity": 4}])
    run_flow(store, client=client)
    product = OrderLine.objects.get(order__bc_order_id=order["id"]).product
    product.refresh_from_db()
    reserved = product.reserved_by_orders
    assert reserved >= 4

    sandbox.patch_order(order["id"], status_id=5)
    again(store, sandbox, contract)

    product.refresh_from_db()
    assert product.reserved_by_orders == reserved - 4
    assert Order.objects.get(bc_order_id=order["id"]).hub_status == Order.HubStatus.CANCELLED


@pytest.mark.parametrize("update_existing", [False, True])
def test_edits_follow_the_update_existing_orders_setting(
    store, client, sandbox_settings, contract, update_existing
):
    sandbox = sandbox_settings
    store.update_existing_orders = update_existing
    store.save()
    variant = int(next(iter(sandbox.inventory()["variants"])))
    order = sandbox.create_order(lines=[{"variant_id": variant, "quantity": 1}])
    run_flow(store, client=client)
    line_id = OrderLine.objects.get(order__bc_order_id=order["id"]).bc_line_id

    sandbox.patch_order(
        order["id"],
        lines=[{"id": line_id, "variant_id": variant, "quantity": 3}],
        shipping_address={"street_1": "99 New Street"},
    )
    run = again(store, sandbox, contract)

    line = OrderLine.objects.get(order__bc_order_id=order["id"])
    messages = " ".join(run.log_entries.values_list("message", flat=True))
    assert f"line {line_id}" in messages and "quantity 1 → 3" in messages
    if update_existing:
        assert line.quantity == 3 and run.updated == 1
        assert (
            "99 New Street"
            in Order.objects.get(bc_order_id=order["id"]).addresses.get(kind="shipping").street_1
        )
    else:
        assert line.quantity == 1 and run.updated == 0
        assert "is off" in messages


def test_a_run_killed_between_pages_is_finished_by_the_next_exactly_once(
    store, sandbox_settings, contract, monkeypatch
):
    sandbox = sandbox_settings
    sandbox.reset(orders=1400)
    expected = expected_ids(sandbox)
    monkeypatch.setattr("connections.bigcommerce.client.BACKOFF_BASE_S", 0.0)

    class Dying(BigCommerceClient):
        pages = 0

        def iter_order_pages(self, **kwargs):
            Dying.pages += 1
            if Dying.pages == 3:  # the probe, the first page, then the server goes away
                sandbox.force_fault("500", count=20, path="/v2/orders")
            return super().iter_order_pages(**kwargs)

    dying = Dying(
        store_hash=sandbox.store_hash,
        access_token=sandbox.token,
        api_url=sandbox.url,
        quota_gate=LocalQuotaGate(),
        sleep=lambda s: None,
    )
    contract.attach(dying.session)
    with contract.expect_violations():
        first = run_flow(store, client=dying)
    assert first.status == Run.Status.FAILED
    assert 0 < len(hub_ids(store) | error_ids(store)) < len(expected)
    sandbox.control("DELETE", "/faults")

    second = again(store, sandbox, contract)

    assert hub_ids(store) | error_ids(store) == expected
    assert first.created + second.created == len(hub_ids(store))
    assert OrderLine.objects.values("order", "bc_line_id").distinct().count() == (
        OrderLine.objects.count()
    )


def test_a_webhook_during_a_run_waits_for_it_and_never_duplicates(
    store,
    client,
    sandbox_settings,
    contract,
    enqueued,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    sandbox = sandbox_settings
    sandbox.reset(orders=700)
    dataflow = Dataflow.objects.get(connection=store, kind=ORDER_IMPORT)
    target = max(expected_ids(sandbox, [11]))
    variant = int(next(iter(sandbox.inventory()["variants"])))
    triggered = []
    import_page = OrderImporter.import_page

    def racing(self, payloads, *, force=False):
        if not triggered:
            # Mid-run, between pages: the order changes in the store and its webhook arrives.
            sandbox.patch_order(target, lines=[{"variant_id": variant, "quantity": 2}])
            orders_fetch_request(connection=store, bc_order_ids=[target], reason="webhook")
            triggered.append(run_queue(dataflow=dataflow, trigger=Run.Trigger.WEBHOOK))
        return import_page(self, payloads, force=force)

    monkeypatch.setattr(OrderImporter, "import_page", racing)
    store.update_existing_orders = True
    store.save()

    with django_capture_on_commit_callbacks(execute=True):
        first = run_flow(store, client=client)
    webhook_run = triggered[0]
    webhook_run.refresh_from_db()
    assert webhook_run.status == Run.Status.QUEUED  # it waited: runs never overlap
    assert set(enqueued) == {webhook_run.pk}  # handed over when the first finished

    second = run_execute(run_id=webhook_run.pk, client=client_for(sandbox, contract))

    assert first.status in (Run.Status.SUCCEEDED, Run.Status.PARTIAL)
    assert second.status == Run.Status.SUCCEEDED
    assert Order.objects.filter(bc_order_id=target).count() == 1
    assert Order.objects.get(bc_order_id=target).lines.get().quantity == 2
    assert not OrderFetchRequest.objects.exists()
    assert "GET /v2/orders/{id}" in requests_served(sandbox)


def test_bad_orders_get_the_right_error_codes_while_the_others_import(
    store, client, sandbox_settings, contract, tenant
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

    run_flow(store, client=client)

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
    store, client, sandbox_settings, contract, tenant
):
    sandbox = sandbox_settings
    unknown = sandbox.create_order(lines=[{"sku": "LATE-SKU-1", "quantity": 1}])
    run_flow(store, client=client)
    error = OrderError.objects.get(bc_order_id=unknown["id"])

    Product.objects.create(tenant=tenant, sku="LATE-SKU-1")
    order_errors_retry(errors=[error])
    run = again(store, sandbox, contract)

    error.refresh_from_db()
    assert error.resolved_at and error.resolution == "resolved"
    assert unknown["id"] in hub_ids(store)
    assert run.api_requests == 2  # the order by id, the incremental listing
    assert not OrderFetchRequest.objects.exists()


def test_orders_without_inline_line_items_are_completed_from_their_sub_resources(
    store, sandbox_settings, contract
):
    sandbox = sandbox_settings

    class Legacy(BigCommerceClient):
        """A store that does not honour `include=consignments.line_items`."""

        def iter_order_pages(self, **kwargs):
            for page in super().iter_order_pages(**kwargs):
                for order in page:
                    order["consignments"] = {"url": "x", "resource": "/orders/1/consignments"}
                yield page

    legacy = Legacy(
        store_hash=sandbox.store_hash,
        access_token=sandbox.token,
        api_url=sandbox.url,
        quota_gate=LocalQuotaGate(),
    )
    contract.attach(legacy.session)
    store.order_status_filter = [5]
    store.save()

    run = run_flow(store, client=legacy)

    orders = len(expected_ids(sandbox, [5]))
    assert run.api_requests == 2 + 2 * orders
    assert Order.objects.count() == orders
    assert OrderLine.objects.count() > 0
    assert run.log_entries.filter(message__contains="without inline line items").exists()


def test_the_incremental_listing_pages_past_many_orders_changed_in_one_second(
    store, client, sandbox_settings, contract
):
    sandbox = sandbox_settings
    sandbox.reset(orders=5)
    run_flow(store, client=client)
    variant = int(next(iter(sandbox.inventory()["variants"])))
    same_second = (datetime.now(UTC) + timedelta(seconds=30)).replace(microsecond=0)
    stamp = same_second.isoformat()
    created = [
        sandbox.create_order(lines=[{"variant_id": variant, "quantity": 1}], date_modified=stamp)[
            "id"
        ]
        for _ in range(260)
    ]

    run = again(store, sandbox, contract)

    assert set(created) <= hub_ids(store)
    assert run.created == 260


def test_a_page_rolled_back_leaves_no_imported_entries_in_the_log(
    store, client, sandbox_settings, monkeypatch
):
    sandbox_settings.reset(orders=20)

    def fail(**kwargs):
        raise RuntimeError("the database went away")

    # Fails after the page was planned and its orders logged as imported.
    monkeypatch.setattr("orders.services.importer.order_errors_apply", fail)

    run = run_flow(store, client=client)

    assert run.status == Run.Status.FAILED
    assert not Order.objects.filter(connection=store).exists()
    messages = list(run.log_entries.values_list("message", flat=True))
    assert not [m for m in messages if " imported" in m], messages
