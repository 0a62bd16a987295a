"""Order Import end to end against the sandbox store: requests per order, the incremental cursor,
resuming a stopped run, races with webhooks; every exchange is checked against the official
OpenAPI specs (`contract`)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from connections.bigcommerce.client import BigCommerceClient
from connections.bigcommerce.ratelimit import LocalQuotaGate
from dataflows.models import Dataflow, Run
from dataflows.services import run_execute, run_queue
from orders.flows import ORDER_IMPORT
from orders.models import Order, OrderError, OrderFetchRequest, OrderLine
from orders.services.fetch_requests import orders_fetch_request
from orders.services.importer import OrderImporter
from tests.orders.helpers import (
    again,
    client_for,
    error_ids,
    expected_ids,
    floor,
    hub_ids,
    requests_served,
    run_flow,
)

pytestmark = pytest.mark.usefixtures("enqueued")


def test_the_first_run_imports_the_filters_orders_by_id_one_request_per_250(
    store, store_client, sandbox_settings, contract
):
    sandbox = sandbox_settings
    sandbox.reset(orders=900)
    expected = expected_ids(sandbox)
    least = floor(sandbox)
    sandbox.reset_stats()

    run = run_flow(store, client=store_client)

    assert hub_ids(store) | error_ids(store) == expected
    assert hub_ids(store) and not hub_ids(store) & error_ids(store)
    assert run.status == Run.Status.PARTIAL  # the seeded legacy SKUs
    assert run.created == len(hub_ids(store)) and run.failed == len(error_ids(store))
    # One request per 250 orders, plus one to learn where the incremental cursor starts.
    assert run.api_requests == store_client.stats.requests <= least + 2
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
    store, store_client, sandbox_settings, contract
):
    run_flow(store, client=store_client)
    before = dict(Order.objects.values_list("pk", "updated_at"))

    run = again(store, sandbox_settings, contract)

    assert run.api_requests == 1
    assert (run.created, run.updated, run.failed) == (0, 0, 0)
    assert run.status == Run.Status.SUCCEEDED
    assert dict(Order.objects.values_list("pk", "updated_at")) == before


def test_new_and_changed_orders_come_with_the_next_run(
    store, store_client, sandbox_settings, contract
):
    sandbox = sandbox_settings
    run_flow(store, client=store_client)
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
    store_client,
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
        first = run_flow(store, client=store_client)
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
    store, store_client, sandbox_settings, contract
):
    sandbox = sandbox_settings
    sandbox.reset(orders=5)
    run_flow(store, client=store_client)
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
    store, store_client, sandbox_settings, monkeypatch
):
    sandbox_settings.reset(orders=20)

    def fail(**kwargs):
        raise RuntimeError("the database went away")

    # Fails after the page was planned and its orders logged as imported.
    monkeypatch.setattr("orders.services.importer.order_errors_apply", fail)

    run = run_flow(store, client=store_client)

    assert run.status == Run.Status.FAILED
    assert not Order.objects.filter(connection=store).exists()
    messages = list(run.log_entries.values_list("message", flat=True))
    assert not [m for m in messages if " imported" in m], messages


@pytest.mark.skipif(db_connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_a_backfill_keeps_the_planner_statistics_of_orders_current_as_it_writes(
    store, store_client, sandbox_settings, monkeypatch
):
    """Before its statistics know of the new connection, PostgreSQL looks a page's order ids
    up by walking every order of the connection: the backfill analyzes as the table grows."""
    monkeypatch.setattr("orders.flows.order_import.ANALYZE_AFTER_ROWS", 250)
    sandbox_settings.reset(orders=900)

    with CaptureQueriesContext(db_connection) as queries:
        run_flow(store, client=store_client)

    analyzed = [q["sql"] for q in queries if q["sql"].startswith("ANALYZE")]
    assert analyzed[:2] == ['ANALYZE "orders_order"', 'ANALYZE "orders_customer"']


def test_the_next_status_is_asked_for_while_the_last_page_of_the_one_before_is_written(
    store, store_client, sandbox_settings, monkeypatch
):
    sandbox_settings.reset(orders=900)
    first, second = sorted(store.order_status_filter)[:2]
    last_of_first = max(o["id"] for o in sandbox_settings.get_all_orders(status_id=first))
    second_asked = threading.Event()
    listing, import_page = store_client.iter_order_pages, OrderImporter.import_page

    def iter_order_pages(**kwargs):
        if kwargs.get("status_id") == second:
            second_asked.set()
        return listing(**kwargs)

    def writing(self, page, **kwargs):
        if last_of_first in getattr(page, "orders", ()):
            assert second_asked.wait(10), "the next status waited for the last page's write"
        return import_page(self, page, **kwargs)

    monkeypatch.setattr(store_client, "iter_order_pages", iter_order_pages)
    monkeypatch.setattr(OrderImporter, "import_page", writing)

    run = run_flow(store, client=store_client)

    assert run.status in (Run.Status.SUCCEEDED, Run.Status.PARTIAL) and second_asked.is_set()
