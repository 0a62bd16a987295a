"""A real Celery worker, with the Redis broker, executes a scheduled run end to end.

The worker runs in a thread of this process (celery.contrib.testing), so it sees the test
database (committed data: `transaction=True`) and the flow registered by the test. It is
skipped when Redis does not answer, unless HUB_REQUIRE_REAL_SERVICES=1 (CI), where that fails.
"""

import os
import uuid

import pytest
from celery import Celery
from celery import signals as celery_signals
from celery._state import get_current_app
from celery.contrib.testing.worker import start_worker
from django.db import connections

from connections.models import Connection
from dataflows.models import Dataflow, LogEntry, Run
from dataflows.registry import flow_specs
from dataflows.services import connection_synchronize, dataflows_create_for_connection
from dataflows.services.queueing import _enqueue_run as real_enqueue_run
from dataflows.tasks import dataflow_scheduled_run_task, run_execute_task

# A database number of its own, so other tests and a local demo are not disturbed.
BROKER_URL = os.environ.get("HUB_TEST_CELERY_REDIS_URL", "redis://127.0.0.1:6379/3")
RESULT_TIMEOUT_S = 30


def _redis_answers(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False


@pytest.fixture
def redis_broker_url():
    if not _redis_answers(BROKER_URL):
        message = f"Redis does not answer at {BROKER_URL}"
        if os.environ.get("HUB_REQUIRE_REAL_SERVICES") == "1":
            pytest.fail(f"{message}, and HUB_REQUIRE_REAL_SERVICES=1 requires it.")
        pytest.skip(f"{message} (set HUB_REQUIRE_REAL_SERVICES=1 to make this a failure)")
    return BROKER_URL


@pytest.fixture
def worker_app(redis_broker_url, monkeypatch):
    """A Celery app like the project's, on Redis, with a queue of its own; current while the
    test runs (the tasks' `.delay()` sends through it)."""
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping)

    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")
    previous = get_current_app()
    queue = f"hub-test-{uuid.uuid4().hex}"
    app = Celery("integrationhub-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=redis_broker_url,
        broker_transport_options={},
        result_backend=redis_broker_url,
        result_expires=300,
        task_always_eager=False,
        task_default_queue=queue,
        task_queues={queue: {"exchange": queue, "routing_key": queue}},
        task_routes=({"*": {"queue": queue}},),
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=False,
    )
    app.set_current()

    def close_worker_db_connections(**kwargs):
        connections.close_all()  # the worker thread's own connections

    celery_signals.task_postrun.connect(close_worker_db_connections, weak=False)
    try:
        yield app
    finally:
        celery_signals.task_postrun.disconnect(close_worker_db_connections)
        previous.set_current()
        previous.set_default()
        import redis

        client = redis.Redis.from_url(redis_broker_url)
        client.delete(queue)
        client.close()
        app.close()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_executes_a_scheduled_run_end_to_end(
    worker_app, connection, register_flow, fake_client, no_prerequisites
):
    def tiny_flow(ctx):
        ctx.client.get(2)
        ctx.count(fetched=2, created=1, skipped=1)
        ctx.log("order 100 imported", object_kind="order", object_id=100)
        ctx.progress(done=2, total=2)
        ctx.save_cursor({"date_modified": "2024-05-01T10:00:00+00:00"})

    register_flow("order_import", tiny_flow)
    dataflow = Dataflow.objects.get(connection=connection, kind="order_import")

    with start_worker(worker_app, pool="solo", perform_ping_check=True, shutdown_timeout=30):
        result = dataflow_scheduled_run_task.delay(dataflow.pk)
        run_id = result.get(timeout=RESULT_TIMEOUT_S)

    run = Run.objects.get(pk=run_id)
    assert run.trigger == Run.Trigger.SCHEDULE
    assert run.status == Run.Status.SUCCEEDED, run.error_message
    assert (run.fetched, run.created, run.skipped, run.api_requests) == (2, 1, 1, 2)
    assert run.started_at is not None and run.finished_at is not None
    assert LogEntry.objects.get(run=run).object_id == "100"
    dataflow.refresh_from_db()
    assert dataflow.cursor == {"date_modified": "2024-05-01T10:00:00+00:00"}
    assert dataflow.lease_run_id is None


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_executes_a_queued_run_and_reports_a_not_implemented_kind(
    worker_app, connection, unregister_flow, fake_client
):
    unregister_flow("order_update")
    dataflow = Dataflow.objects.get(connection=connection, kind="order_update")
    run = Run.objects.create(dataflow=dataflow, trigger=Run.Trigger.SYNCHRONIZE)

    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        status = run_execute_task.delay(run.pk).get(timeout=RESULT_TIMEOUT_S)

    assert status == Run.Status.FAILED
    run.refresh_from_db()
    assert "Order Update is not implemented yet" in run.error_message


# ----------------------------------------------------------------------------- SYNCHRONIZE


@pytest.fixture
def busy_worker_app(tmp_path, monkeypatch):
    """A Celery app like the demo's: Redis when CELERY_BROKER_URL names it, else the
    filesystem broker in a directory of this test; every task to one queue of its own."""
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping)

    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")
    # The engine sends for real in this test (conftest records sends by default).
    monkeypatch.setattr("dataflows.services._enqueue_run", real_enqueue_run)
    broker = os.environ.get("CELERY_BROKER_URL", "")
    options = {}
    if not broker.startswith("redis"):
        broker = "filesystem://"
        folder = tmp_path / "broker"
        folder.mkdir()
        # A short poll: the demo's 1 s would make each hand-over wait for the next poll.
        options = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(tmp_path / "control"),
            "polling_interval": 0.02,
        }
    previous = get_current_app()
    queue = f"hub-test-{uuid.uuid4().hex}"
    app = Celery("integrationhub-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=broker,
        broker_transport_options=options,
        result_backend="cache+memory://",
        task_always_eager=False,
        task_default_queue=queue,
        task_queues={queue: {"exchange": queue, "routing_key": queue}},
        task_routes=({"*": {"queue": queue}},),
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=False,
    )
    app.set_current()

    def close_worker_db_connections(**kwargs):
        connections.close_all()

    celery_signals.task_postrun.connect(close_worker_db_connections, weak=False)
    try:
        yield app
    finally:
        celery_signals.task_postrun.disconnect(close_worker_db_connections)
        previous.set_current()
        previous.set_default()
        app.close()


def _wait_until_no_run_is_pending(deadline_s: float) -> None:
    """Every run has ended (the worker is asynchronous: look at the runs, bounded)."""
    import threading
    import time

    end = time.monotonic() + deadline_s
    pending = Run.objects.filter(status__in=(Run.Status.QUEUED, Run.Status.RUNNING))
    while pending.exists():
        assert time.monotonic() < end, list(pending.values("pk", "dataflow__kind", "status"))
        threading.Event().wait(0.2)


@pytest.mark.sandbox
@pytest.mark.django_db(transaction=True)
def test_synchronize_runs_every_dataflow_of_a_connection_at_once_and_all_succeed(
    busy_worker_app, sandbox_settings, tenant, settings
):
    # The stock push that Product Match's new links cause starts without its usual debounce.
    settings.CATALOG_STOCK_PUSH_DEBOUNCE_S = 0
    connection = Connection.objects.create(
        tenant=tenant,
        name="Sandbox store",
        store_hash=sandbox_settings.store_hash,
        access_token=sandbox_settings.token,
    )
    dataflows_create_for_connection(connection=connection)
    Dataflow.objects.filter(connection=connection).update(enabled=True)

    with start_worker(
        busy_worker_app,
        pool="threads",
        concurrency=4,
        perform_ping_check=False,
        shutdown_timeout=60,
    ):
        runs = connection_synchronize(connection=connection)
        _wait_until_no_run_is_pending(deadline_s=180)

    assert len(runs) == len(flow_specs())
    outcome = {
        run.dataflow.kind: (run.status, run.error_message)
        for run in Run.objects.select_related("dataflow")
    }
    assert len(outcome) == len(flow_specs())
    # Partial: some records legitimately fail (e.g. an order of a product the store lacks);
    # never failed, never "database is locked".
    assert {status for status, _ in outcome.values()} <= {"succeeded", "partial"}, outcome
    # Order Import waited for the connection's first Product Match.
    product_match = Run.objects.get(dataflow__kind="product_match")
    order_import = Run.objects.get(dataflow__kind="order_import")
    assert order_import.started_at >= product_match.finished_at
