"""Running one run to its end: the flow's outcomes, beat's tick (dataflows.services.execution)."""

import pytest

from connections.bigcommerce.errors import AuthenticationError, ServerError
from connections.models import Connection
from dataflows import services
from dataflows.models import Dataflow, LogEntry, Run
from tests.dataflows.helpers import hold_lease, queued_run, succeed

pytestmark = pytest.mark.usefixtures("no_prerequisites")


def test_a_successful_run_records_counts_requests_and_logs(
    order_import, register_flow, fake_client
):
    fake_client.stats.requests = 40  # spent before this run
    register_flow("order_import", succeed)

    run = services.run_execute(run_id=queued_run(order_import).pk)

    run.refresh_from_db()
    assert run.status == Run.Status.SUCCEEDED
    assert (run.fetched, run.created, run.updated, run.skipped, run.failed) == (3, 2, 1, 0, 0)
    assert run.api_requests == 2
    assert run.progress_done == 3 and run.progress_total == 3
    assert run.error_message == ""
    assert run.started_at <= run.finished_at
    assert all(
        value.tzinfo is not None for value in (run.queued_at, run.started_at, run.finished_at)
    )
    entry = run.log_entries.get()
    assert (entry.object_kind, entry.object_id, entry.message) == ("order", "7", "order 7 imported")


def test_a_kind_without_a_flow_fails_clearly_as_not_implemented_yet(
    order_import, unregister_flow, fake_client
):
    unregister_flow("order_import")
    run = services.run_execute(run_id=queued_run(order_import).pk)
    run.refresh_from_db()
    assert run.status == Run.Status.FAILED
    assert run.error_message.startswith("Order Import is not implemented yet")
    assert run.finished_at is not None
    order_import.refresh_from_db()
    assert order_import.lease_run_id is None


def test_a_flow_raising_a_bigcommerce_error_fails_the_run_with_its_message(
    order_import, register_flow, fake_client
):
    def flow(ctx):
        ctx.count(fetched=5)
        raise AuthenticationError("BigCommerce refused the access token (401).", hint="Fix it.")

    register_flow("order_import", flow)
    run = services.run_execute(run_id=queued_run(order_import).pk)

    run.refresh_from_db()
    assert run.status == Run.Status.FAILED
    assert run.error_message == "BigCommerce refused the access token (401). Fix it."
    assert run.fetched == 5  # what it did before failing is kept
    assert run.log_entries.filter(level=LogEntry.Level.ERROR).count() == 1
    order_import.refresh_from_db()
    assert order_import.lease_run_id is None


def test_a_flow_raising_any_exception_fails_the_run_and_releases_the_lease(
    order_import, register_flow, fake_client
):
    def flow(ctx):
        raise KeyError("line_items")

    register_flow("order_import", flow)
    run = services.run_execute(run_id=queued_run(order_import).pk)

    run.refresh_from_db()
    assert run.status == Run.Status.FAILED
    assert run.error_message == "Internal error: KeyError: 'line_items'"
    order_import.refresh_from_db()
    assert order_import.lease_run_id is None and order_import.lease_expires_at is None


def test_a_flow_that_records_failures_ends_partial(order_import, register_flow, fake_client):
    def flow(ctx):
        ctx.count(fetched=2, created=1, failed=1)
        ctx.log("order 9: no lines", level=LogEntry.Level.ERROR, object_kind="order", object_id=9)

    register_flow("order_import", flow)
    run = services.run_execute(run_id=queued_run(order_import).pk)
    run.refresh_from_db()
    assert run.status == Run.Status.PARTIAL
    assert run.failed == 1 and run.created == 1


def test_a_client_that_cannot_be_set_up_fails_the_run(order_import, register_flow, monkeypatch):
    def no_client(*, connection):
        raise ValueError("access_token is empty: set the connection's access token")

    monkeypatch.setattr("connections.services.bigcommerce_client_for", no_client)
    register_flow("order_import", succeed)
    run = services.run_execute(run_id=queued_run(order_import).pk)
    assert run.status == Run.Status.FAILED
    assert "client could not be set up" in run.error_message
    assert "access_token is empty" in run.error_message
    order_import.refresh_from_db()
    assert order_import.lease_run_id is None


def test_the_run_closes_the_client_it_made(order_import, register_flow, fake_client):
    register_flow("order_import", succeed)
    services.run_execute(run_id=queued_run(order_import).pk)
    assert fake_client.closed is True


def test_a_queued_run_of_a_connection_disabled_meanwhile_does_not_start(
    order_import, register_flow, fake_client
):
    register_flow("order_import", succeed)
    run = queued_run(order_import)
    Connection.objects.filter(pk=order_import.connection_id).update(
        status=Connection.Status.INACTIVE
    )
    run = services.run_execute(run_id=run.pk)
    assert run.status == Run.Status.FAILED
    assert "Not started" in run.error_message and "inactive" in run.error_message


def test_an_interrupted_run_is_recorded_as_failed_and_the_interrupt_goes_on(
    order_import, register_flow, fake_client
):
    def flow(ctx):
        raise KeyboardInterrupt

    register_flow("order_import", flow)
    run = queued_run(order_import)
    with pytest.raises(KeyboardInterrupt):
        services.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == Run.Status.FAILED
    assert run.error_message == "Interrupted: KeyboardInterrupt"
    order_import.refresh_from_db()
    assert order_import.lease_run_id is None


def test_a_server_error_message_lands_on_the_run_and_in_its_log(
    order_import, register_flow, fake_client
):
    def flow(ctx):
        raise ServerError("BigCommerce failed on GET /v2/orders (502).")

    register_flow("order_import", flow)
    run = services.run_execute(run_id=queued_run(order_import).pk)
    assert run.error_message.startswith("BigCommerce failed on GET /v2/orders (502).")
    assert run.log_entries.get().message == run.error_message


def test_the_scheduled_tick_runs_the_dataflow(order_import, register_flow, fake_client):
    register_flow("order_import", succeed)
    run = services.dataflow_run_scheduled(dataflow_id=order_import.pk)
    assert run.trigger == Run.Trigger.SCHEDULE
    assert run.status == Run.Status.SUCCEEDED


def test_the_scheduled_tick_does_nothing_for_a_disabled_dataflow_or_connection(
    order_import, register_flow, fake_client
):
    register_flow("order_import", succeed)
    Dataflow.objects.filter(pk=order_import.pk).update(enabled=False)
    assert services.dataflow_run_scheduled(dataflow_id=order_import.pk) is None
    Dataflow.objects.filter(pk=order_import.pk).update(enabled=True)
    Connection.objects.filter(pk=order_import.connection_id).update(
        status=Connection.Status.INACTIVE
    )
    assert services.dataflow_run_scheduled(dataflow_id=order_import.pk) is None
    assert services.dataflow_run_scheduled(dataflow_id=0) is None
    assert not Run.objects.exists()


def test_the_scheduled_tick_is_skipped_while_a_run_is_going(
    order_import, register_flow, fake_client
):
    register_flow("order_import", succeed)
    holder = hold_lease(order_import)
    assert services.dataflow_run_scheduled(dataflow_id=order_import.pk) is None
    assert list(Run.objects.values_list("pk", flat=True)) == [holder.pk]


def test_the_scheduled_tick_runs_a_run_that_was_waiting(order_import, register_flow, fake_client):
    register_flow("order_import", succeed)
    waiting = queued_run(order_import, trigger=Run.Trigger.SYNCHRONIZE)
    run = services.dataflow_run_scheduled(dataflow_id=order_import.pk)
    assert run.pk == waiting.pk
    assert run.status == Run.Status.SUCCEEDED
    assert Run.objects.count() == 1


def test_a_token_that_cannot_be_decrypted_fails_the_run_with_the_reason(
    order_import, register_flow, settings
):
    from connections.fields import _fernet

    register_flow("order_import", succeed)
    run = queued_run(order_import)
    settings.FIELD_ENCRYPTION_KEYS = ["MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE="]
    _fernet.cache_clear()
    try:
        run = services.run_execute(run_id=run.pk)
    finally:
        _fernet.cache_clear()
    assert run.status == Run.Status.FAILED
    assert "client could not be set up" in run.error_message
    assert "cannot be decrypted" in run.error_message


# ----------------------------------------------------------------------------- waits_for


@pytest.fixture
def order_import_after_product_match(order_import, register_flow):
    """Order Import waits for the connection's first Product Match; returns what it ran."""
    Dataflow.objects.filter(connection=order_import.connection, kind="product_match").update(
        enabled=True
    )
    ran = []
    register_flow("order_import", lambda ctx: ran.append(ctx.run.pk), waits_for=("product_match",))
    return ran


def wait_for_product_match(order_import, enqueued, capture) -> tuple[Run, Run]:
    """An automatic Order Import that finds no Product Match yet: it queues one and waits."""
    with capture(execute=True):
        waiting = services.run_execute(run_id=queued_run(order_import).pk)
    assert waiting.status == Run.Status.QUEUED
    prerequisite = Run.objects.get(dataflow__kind="product_match")
    assert f"Waiting for the first Product Match of this connection (run {prerequisite.pk})" in (
        waiting.log_entries.get().message
    )
    assert enqueued.countdowns[waiting.pk] == 30  # the safety net
    enqueued.clear()
    return waiting, prerequisite


def test_a_run_waiting_for_its_prerequisite_starts_as_soon_as_it_succeeded(
    order_import,
    order_import_after_product_match,
    register_flow,
    fake_client,
    enqueued,
    django_capture_on_commit_callbacks,
):
    register_flow("product_match", succeed)
    waiting, prerequisite = wait_for_product_match(
        order_import, enqueued, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.run_execute(run_id=prerequisite.pk).status == Run.Status.SUCCEEDED
    assert enqueued == [waiting.pk]

    assert services.run_execute(run_id=waiting.pk).status == Run.Status.SUCCEEDED
    assert order_import_after_product_match == [waiting.pk]


def test_a_run_waiting_for_a_prerequisite_that_failed_does_not_start_and_says_why(
    order_import,
    order_import_after_product_match,
    register_flow,
    fake_client,
    enqueued,
    django_capture_on_commit_callbacks,
):
    def failing(ctx):
        raise ServerError("BigCommerce failed on GET /v3/catalog/products (503).")

    register_flow("product_match", failing)
    waiting, prerequisite = wait_for_product_match(
        order_import, enqueued, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.run_execute(run_id=prerequisite.pk).status == Run.Status.FAILED
    assert enqueued == [waiting.pk]  # told at once, not after its countdown

    run = services.run_execute(run_id=waiting.pk)

    assert run.status == Run.Status.FAILED
    assert order_import_after_product_match == []
    assert "Order Import waits for a first successful Product Match on this connection" in (
        run.error_message
    )
    assert f"its last run ({prerequisite.pk}) failed: fix that and synchronize again" in (
        run.error_message
    )


def test_a_runs_requests_wait_for_the_stores_quota_in_its_flows_priority_class(
    order_import, register_flow, monkeypatch
):
    from connections.bigcommerce.client import BigCommerceClient
    from connections.bigcommerce.ratelimit import LocalQuotaGate

    client = BigCommerceClient(store_hash="prio1", access_token="t", quota_gate=LocalQuotaGate())
    monkeypatch.setattr("connections.services.bigcommerce_client_for", lambda *, connection: client)
    seen = []
    register_flow("order_import", lambda ctx: seen.append(ctx.client.quota_priority), priority=1)
    services.run_execute(run_id=queued_run(order_import).pk)
    register_flow("order_import", lambda ctx: seen.append(ctx.client.quota_priority), priority=4)
    services.run_execute(run_id=queued_run(order_import).pk)
    assert seen == [1, 4]


def test_every_flow_has_its_quota_class_orders_shipments_stock_catalog():
    from dataflows.registry import flow_spec

    classes = {
        kind: flow_spec(kind).priority
        for kind in ("order_import", "order_update", "full_stock_update", "product_match")
    }
    assert classes["order_import"] < classes["order_update"] < classes["full_stock_update"]
    assert classes["full_stock_update"] < classes["product_match"]
