"""The dataflow lease: runs of one dataflow never overlap, and abandoned runs are recovered
(dataflows.services.claims)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.db import connections
from django.utils import timezone

from dataflows import services
from dataflows.models import Dataflow, Run
from dataflows.services.recording import finish
from tests.dataflows.helpers import LEASE, dataflow_of, hold_lease, queued_run, succeed
from tests.fixtures.tenants import make_connection

pytestmark = pytest.mark.usefixtures("no_prerequisites")


def test_two_claims_of_one_dataflow_have_one_winner(order_import):
    first, second = queued_run(order_import), queued_run(order_import)
    assert services._claim(run=first, lease_seconds=LEASE) is True
    assert services._claim(run=second, lease_seconds=LEASE) is False
    # Not even the holder claims twice (a task delivered twice must not run twice).
    assert services._claim(run=first, lease_seconds=LEASE) is False
    order_import.refresh_from_db()
    assert order_import.lease_run_id == first.pk


def test_an_expired_lease_can_be_claimed_by_another_run(order_import):
    first, second = queued_run(order_import), queued_run(order_import)
    assert services._claim(run=first, lease_seconds=LEASE)
    assert not services._claim(run=second, lease_seconds=LEASE)
    Dataflow.objects.filter(pk=order_import.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert services._claim(run=second, lease_seconds=LEASE)


def test_a_run_refused_because_another_runs_stays_queued_and_is_handed_over_when_it_ends(
    order_import, register_flow, fake_client, enqueued, django_capture_on_commit_callbacks
):
    register_flow("order_import", succeed)
    holder = hold_lease(order_import)
    waiting = queued_run(order_import)

    result = services.run_execute(run_id=waiting.pk)

    assert result.status == Run.Status.QUEUED
    waiting.refresh_from_db()
    assert waiting.status == Run.Status.QUEUED and waiting.started_at is None
    # The holder ends (here: as run_execute's end would) and hands over to the waiting run.
    with django_capture_on_commit_callbacks(execute=True):
        finish(holder, Run.Status.SUCCEEDED, "", ctx=None)
    assert enqueued == [waiting.pk]
    assert services.run_execute(run_id=waiting.pk).status == Run.Status.SUCCEEDED


def test_a_foreground_run_refused_because_another_runs_fails_saying_why(
    order_import, register_flow, fake_client
):
    calls_made = []
    register_flow("order_import", lambda ctx: calls_made.append(ctx.run.pk))
    holder = hold_lease(order_import)

    run = services.dataflow_run_foreground(dataflow=order_import)

    assert run.status == Run.Status.FAILED
    assert f"run {holder.pk} of this dataflow is still running" in run.error_message
    assert "never overlap" in run.error_message
    assert calls_made == []
    order_import.refresh_from_db()
    assert order_import.lease_run_id == holder.pk  # the holder keeps its lease


def test_a_task_delivered_twice_runs_the_flow_once(order_import, register_flow, fake_client):
    calls = []
    register_flow("order_import", lambda ctx: calls.append(ctx.run.pk))
    run = queued_run(order_import)

    assert services.run_execute(run_id=run.pk).status == Run.Status.SUCCEEDED
    assert services.run_execute(run_id=run.pk).status == Run.Status.SUCCEEDED
    assert calls == [run.pk]


def test_the_lease_is_released_when_a_run_ends(order_import, register_flow, fake_client):
    register_flow("order_import", succeed)
    run = services.run_execute(run_id=queued_run(order_import).pk)
    assert run.status == Run.Status.SUCCEEDED
    order_import.refresh_from_db()
    assert order_import.lease_run_id is None and order_import.lease_expires_at is None


def test_progress_renews_the_lease(order_import, register_flow, fake_client):
    seen = {}

    def flow(ctx):
        Dataflow.objects.filter(pk=ctx.dataflow.pk).update(
            lease_expires_at=timezone.now() + timedelta(seconds=5)
        )
        ctx.progress(done=1)
        seen["expires"] = Dataflow.objects.get(pk=ctx.dataflow.pk).lease_expires_at

    register_flow("order_import", flow)
    services.run_execute(run_id=queued_run(order_import).pk)
    assert seen["expires"] > timezone.now() + timedelta(seconds=LEASE - 10)


def test_a_run_that_lost_its_lease_stops_at_its_next_progress(
    order_import, register_flow, fake_client
):
    after = []

    def flow(ctx):
        # Taken for abandoned meanwhile: another run holds the lease now.
        other = queued_run(ctx.dataflow)
        Dataflow.objects.filter(pk=ctx.dataflow.pk).update(lease_run=other)
        ctx.progress(done=1)
        after.append("went on")

    register_flow("order_import", flow)
    run = services.run_execute(run_id=queued_run(order_import).pk)
    assert run.status == Run.Status.FAILED
    assert "lost the lease" in run.error_message
    assert after == []


def test_a_run_that_lost_its_lease_cannot_save_its_cursor(order_import, register_flow, fake_client):
    def flow(ctx):
        ctx.save_cursor({"date_modified": "2024-01-01T00:00:00+00:00"})
        Dataflow.objects.filter(pk=ctx.dataflow.pk).update(lease_run=None)
        ctx.save_cursor({"date_modified": "2024-02-01T00:00:00+00:00"})

    register_flow("order_import", flow)
    run = services.run_execute(run_id=queued_run(order_import).pk)
    assert run.status == Run.Status.FAILED
    order_import.refresh_from_db()
    assert order_import.cursor == {"date_modified": "2024-01-01T00:00:00+00:00"}


# ----------------------------------------------------------------------------- recovery


def test_a_run_whose_worker_died_is_recovered_once_its_lease_expired(order_import):
    dead = hold_lease(order_import, expires_in_s=LEASE)

    assert services.runs_recover_abandoned() == 0
    dead.refresh_from_db()
    assert dead.status == Run.Status.RUNNING

    Dataflow.objects.filter(pk=order_import.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert services.runs_recover_abandoned() == 1
    dead.refresh_from_db()
    assert dead.status == Run.Status.FAILED
    assert "stopped" in dead.error_message and "resumes" in dead.error_message
    assert dead.finished_at is not None and dead.finished_at.tzinfo is not None
    order_import.refresh_from_db()
    assert order_import.lease_run_id is None


def test_the_next_run_recovers_an_abandoned_run_and_starts(
    order_import, register_flow, fake_client
):
    register_flow("order_import", succeed)
    dead = hold_lease(order_import, expires_in_s=-1)  # the worker died a lease ago

    run = services.run_execute(run_id=queued_run(order_import).pk)

    assert run.status == Run.Status.SUCCEEDED
    dead.refresh_from_db()
    assert dead.status == Run.Status.FAILED


def test_a_running_run_that_holds_no_lease_is_recovered(order_import):
    orphan = Run.objects.create(
        dataflow=order_import, trigger=Run.Trigger.SCHEDULE, status=Run.Status.RUNNING
    )
    assert services.runs_recover_abandoned(dataflow_id=order_import.pk) == 1
    orphan.refresh_from_db()
    assert orphan.status == Run.Status.FAILED


# ----------------------------------------------------------------------------- real races


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_have_one_winner(tenant):
    """Two threads, two database connections, one conditional UPDATE each."""
    if db_connection.vendor != "postgresql":
        pytest.skip("needs a database with concurrent writers (PostgreSQL)")
    dataflow = dataflow_of(make_connection(tenant, store_hash="race01"))
    runs = [queued_run(dataflow), queued_run(dataflow)]
    barrier = threading.Barrier(len(runs), timeout=10)
    results = {}

    def claim(run):
        try:
            barrier.wait()
            results[run.pk] = services._claim(run=run, lease_seconds=LEASE)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(results.values()) == [False, True]
    winner = next(pk for pk, won in results.items() if won)
    assert Dataflow.objects.get(pk=dataflow.pk).lease_run_id == winner


@pytest.mark.django_db(transaction=True)
def test_a_run_started_while_another_is_working_does_not_overlap_it(
    tenant, register_flow, fake_client, enqueued
):
    """Worker A is inside its flow; worker B gets a run of the same dataflow: B must not start
    it, and A hands it over when it ends. (The threads take turns writing, so this runs on
    SQLite too.)"""
    dataflow = dataflow_of(make_connection(tenant, store_hash="race02"))
    a_inside, b_done = threading.Event(), threading.Event()
    inside = []

    def flow(ctx):
        inside.append(ctx.run.pk)
        a_inside.set()
        assert b_done.wait(timeout=20), "worker B never came back"
        ctx.progress(done=1)

    register_flow("order_import", flow)
    run_a, run_b = queued_run(dataflow), queued_run(dataflow)
    outcome = {}

    def worker(run):
        try:
            outcome[run.pk] = services.run_execute(run_id=run.pk).status
        finally:
            connections.close_all()

    thread_a = threading.Thread(target=worker, args=(run_a,))
    thread_a.start()
    assert a_inside.wait(timeout=20)
    thread_b = threading.Thread(target=worker, args=(run_b,))
    thread_b.start()
    thread_b.join(timeout=20)
    b_done.set()
    thread_a.join(timeout=20)

    assert outcome == {run_a.pk: Run.Status.SUCCEEDED, run_b.pk: Run.Status.QUEUED}
    assert inside == [run_a.pk]
    assert enqueued == [run_b.pk]  # handed over
    assert services.run_execute(run_id=run_b.pk).status == Run.Status.SUCCEEDED
