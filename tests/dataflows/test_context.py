"""What a running flow sees: counters, log, lease (dataflows.context)."""

import threading
import time

import pytest

from dataflows import services
from dataflows.context import LeaseLost, RunContext
from dataflows.models import Dataflow, Run
from dataflows.stopping import Interrupted
from tests.dataflows.helpers import LEASE, dataflow_of, queued_run

pytestmark = pytest.mark.usefixtures("no_prerequisites")


def test_the_context_refuses_an_unknown_counter(order_import, fake_client):
    run = queued_run(order_import)
    ctx = RunContext(run=run, dataflow=order_import, client=fake_client, lease_seconds=LEASE)
    with pytest.raises(ValueError, match="Unknown run counter"):
        ctx.count(imported=1)


def test_the_context_writes_log_entries_in_batches(order_import, fake_client, monkeypatch):
    monkeypatch.setattr("dataflows.context.LOG_BATCH", 3)
    run = queued_run(order_import)
    ctx = RunContext(run=run, dataflow=order_import, client=fake_client, lease_seconds=LEASE)
    for n in range(4):
        ctx.log(f"entry {n}")
    assert run.log_entries.count() == 3
    ctx.flush_logs()
    assert run.log_entries.count() == 4


def test_entries_written_just_before_a_sigterm_are_not_written_again(
    order_import, fake_client, monkeypatch
):
    """SIGTERM between the INSERT and the bookkeeping: the run's end flushes what is left,
    and the entries already written must not be in the log twice."""
    from dataflows import context

    real = context.insert_rows

    def insert_then_interrupted(*args, **kwargs):
        real(*args, **kwargs)
        raise Interrupted("SIGTERM")

    run = queued_run(order_import)
    ctx = RunContext(run=run, dataflow=order_import, client=fake_client, lease_seconds=LEASE)
    ctx.log("page 1 matched")
    monkeypatch.setattr(context, "insert_rows", insert_then_interrupted)
    with pytest.raises(Interrupted):
        ctx.flush_logs()
    monkeypatch.setattr(context, "insert_rows", real)
    ctx.flush_logs()  # the run's end

    assert list(run.log_entries.values_list("message", flat=True)) == ["page 1 matched"]


def test_entries_whose_insert_failed_are_written_by_the_next_flush(
    order_import, fake_client, monkeypatch
):
    from django.db import OperationalError

    from dataflows import context

    real = context.insert_rows
    run = queued_run(order_import)
    ctx = RunContext(run=run, dataflow=order_import, client=fake_client, lease_seconds=LEASE)
    ctx.log("kept")

    def dropped(*args, **kwargs):
        raise OperationalError("the connection was dropped")

    monkeypatch.setattr(context, "insert_rows", dropped)
    with pytest.raises(OperationalError):
        ctx.flush_logs()
    monkeypatch.setattr(context, "insert_rows", real)
    ctx.flush_logs()

    assert list(run.log_entries.values_list("message", flat=True)) == ["kept"]


def test_a_heartbeat_without_the_lease_raises_lease_lost(order_import, fake_client):
    run = queued_run(order_import)
    assert services._claim(run=run, lease_seconds=LEASE)
    ctx = RunContext(run=run, dataflow=order_import, client=fake_client, lease_seconds=LEASE)
    ctx.heartbeat()
    services._release(run=run)
    ctx.heartbeat()  # throttled: at most every third of the lease
    with pytest.raises(LeaseLost, match="lost the lease"):
        ctx.heartbeat(force=True)


def test_a_rolled_back_atomic_block_drops_its_log_entries_and_counts(order_import, fake_client):
    run = queued_run(order_import)
    ctx = RunContext(run=run, dataflow=order_import, client=fake_client, lease_seconds=LEASE)
    ctx.count(fetched=1)
    ctx.log("page 1 fetched")

    with pytest.raises(RuntimeError), ctx.atomic():
        ctx.count(created=20)
        for n in range(20):
            ctx.log(f"Order {600 + n} imported")
        raise RuntimeError("the order's customer failed to save")

    with ctx.atomic():
        ctx.count(created=1)
        ctx.log("Order 700 imported")
    ctx.flush_logs()

    assert (run.fetched, run.created) == (1, 1)
    assert list(run.log_entries.order_by("pk").values_list("message", flat=True)) == [
        "page 1 fetched",
        "Order 700 imported",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_renews_the_lease_while_the_flow_is_stuck_in_one_long_call(
    connection, register_flow, fake_client, settings
):
    """The flow never calls progress(): only the heartbeat thread can move the lease on."""
    settings.DATAFLOW_LEASE_SECONDS = 3  # a beat every second
    seen = {}

    def stuck(ctx):
        lease = Dataflow.objects.filter(pk=ctx.dataflow.pk).values_list(
            "lease_expires_at", flat=True
        )
        seen["first"] = lease.get()
        end = time.monotonic() + 20  # a bound only: it returns once the lease moved on
        while lease.get() == seen["first"] and time.monotonic() < end:
            threading.Event().wait(0.05)  # "one long call", looking at the row meanwhile
        seen["later"] = lease.get()

    register_flow("order_import", stuck)
    run = services.run_execute(run_id=queued_run(dataflow_of(connection)).pk)

    assert run.status == Run.Status.SUCCEEDED, run.error_message
    assert seen["later"] > seen["first"]


def test_a_heartbeat_that_failed_beats_again_on_a_new_database_connection(monkeypatch):
    """A dropped connection (failover, a restarted pooler) must not fail every later beat."""
    from django.db import OperationalError

    from dataflows.context import Heartbeat

    closed, renewed = [], threading.Event()
    answers = iter([OperationalError("server closed the connection unexpectedly")])

    class Context:
        lease_seconds = 3  # a beat every second
        run = Run(pk=1)
        _keep_alive = []

        def renew_lease(self):
            answer = next(answers, True)
            if isinstance(answer, Exception):
                raise answer
            renewed.set()
            return closed == ["after the failure"]  # False (lease lost) without a reconnect

    class Connection:
        def close(self):
            closed.append("after the failure" if not renewed.is_set() else "at the end")

    monkeypatch.setattr("dataflows.context.db_connection", Connection())
    beat = Heartbeat(Context())
    beat.start()
    assert renewed.wait(timeout=10)
    beat.stop()

    assert not beat.lost
    assert closed == ["after the failure", "at the end"]
