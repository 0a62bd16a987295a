"""The dataflow engine: schedules, queueing, the lease (no overlapping runs), recovery of
abandoned runs, running flows, retention."""

import json
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection as db_connection
from django.db import connections
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from connections.bigcommerce.errors import AuthenticationError, ServerError
from connections.models import Connection
from connections.services import connection_set_active
from dataflows import services
from dataflows.context import LeaseLost, RunContext
from dataflows.models import Dataflow, Kind, LogEntry, Run
from dataflows.services.recording import finish
from tests.fixtures.tenants import make_connection

pytestmark = pytest.mark.usefixtures("no_prerequisites")

LEASE = settings.DATAFLOW_LEASE_SECONDS


def dataflow_of(connection, kind=Kind.ORDER_IMPORT) -> Dataflow:
    return Dataflow.objects.select_related("connection").get(connection=connection, kind=kind)


def queued_run(dataflow, trigger=Run.Trigger.SYNCHRONIZE) -> Run:
    return Run.objects.create(dataflow=dataflow, trigger=trigger)


def hold_lease(dataflow, *, expires_in_s=LEASE, started_s_ago=60) -> Run:
    """A run that is RUNNING and holds the lease, as a live (or dead) worker leaves it."""
    now = timezone.now()
    run = Run.objects.create(
        dataflow=dataflow,
        trigger=Run.Trigger.SCHEDULE,
        status=Run.Status.RUNNING,
        started_at=now - timedelta(seconds=started_s_ago),
    )
    Dataflow.objects.filter(pk=dataflow.pk).update(
        lease_run=run, lease_expires_at=now + timedelta(seconds=expires_in_s)
    )
    return run


def succeed(ctx):
    ctx.client.get(2)
    ctx.count(fetched=3, created=2, updated=1)
    ctx.log("order 7 imported", object_kind="order", object_id=7)
    ctx.progress(done=3, total=3)


@pytest.fixture
def order_import(connection):
    return dataflow_of(connection)


# ----------------------------------------------------------------------------- schedules


def test_a_new_connection_gets_a_dataflow_per_kind_with_schedules_for_the_enabled_ones(
    connection,
):
    dataflows = {d.kind: d for d in connection.dataflows.select_related("periodic_task")}
    assert set(dataflows) == set(Kind.values)
    assert dataflows[Kind.CHANGED_PRODUCT_MATCH].enabled is False
    assert dataflows[Kind.CHANGED_PRODUCT_MATCH].periodic_task is None
    order_import = dataflows[Kind.ORDER_IMPORT]
    task = order_import.periodic_task
    assert task.enabled
    assert task.task == services.SCHEDULED_TASK
    assert json.loads(task.args) == [order_import.pk]
    assert task.interval.every == 300
    assert dataflows[Kind.FULL_STOCK_UPDATE].periodic_task.interval.every == 24 * 3600


def test_creating_the_dataflows_twice_changes_nothing(connection):
    services.dataflows_create_for_connection(connection=connection)
    assert connection.dataflows.count() == len(Kind)
    assert PeriodicTask.objects.filter(name__startswith="dataflow-").count() == len(Kind) - 1


def test_disabling_a_connection_stops_its_schedules_and_enabling_restores_them(connection):
    connection_set_active(connection=connection, active=False)
    assert not PeriodicTask.objects.filter(name__startswith="dataflow-", enabled=True).exists()

    connection_set_active(connection=connection, active=True)
    enabled = PeriodicTask.objects.filter(name__startswith="dataflow-", enabled=True)
    assert enabled.count() == len(Kind) - 1  # all but Changed Product Match


def test_disabling_a_connection_cancels_runs_not_started_but_lets_running_ones_finish(
    connection, order_import, register_flow, fake_client
):
    running = hold_lease(order_import)
    waiting = queued_run(dataflow_of(connection, Kind.ORDER_UPDATE))

    connection_set_active(connection=connection, active=False)

    waiting.refresh_from_db()
    assert waiting.status == Run.Status.FAILED
    assert "connection was disabled" in waiting.error_message
    running.refresh_from_db()
    assert running.status == Run.Status.RUNNING
    order_import.refresh_from_db()
    assert order_import.lease_run_id == running.pk


def test_disabling_a_dataflow_turns_its_schedule_off_and_enabling_turns_it_on(order_import):
    services.dataflow_update(dataflow=order_import, enabled=False)
    assert PeriodicTask.objects.get(pk=order_import.periodic_task_id).enabled is False

    services.dataflow_update(dataflow=order_import, enabled=True)
    assert PeriodicTask.objects.get(pk=order_import.periodic_task_id).enabled is True


def test_enabling_a_dataflow_that_never_had_a_schedule_creates_one(connection):
    dataflow = dataflow_of(connection, Kind.CHANGED_PRODUCT_MATCH)
    services.dataflow_update(dataflow=dataflow, enabled=True)
    dataflow.refresh_from_db()
    assert dataflow.periodic_task.enabled
    assert dataflow.periodic_task.interval.every == 3600


def test_enabling_a_dataflow_of_an_inactive_connection_keeps_its_schedule_off(order_import):
    connection_set_active(connection=order_import.connection, active=False)
    order_import.refresh_from_db()
    services.dataflow_update(dataflow=order_import, enabled=True)
    assert PeriodicTask.objects.get(pk=order_import.periodic_task_id).enabled is False


def test_editing_the_interval_updates_the_periodic_task(order_import):
    services.dataflow_update(dataflow=order_import, interval_seconds=900)
    task = PeriodicTask.objects.select_related("interval").get(pk=order_import.periodic_task_id)
    assert task.interval.every == 900
    assert task.interval.period == "seconds"


@pytest.mark.parametrize("seconds", [0, 59, 32 * 24 * 3600])
def test_an_interval_out_of_bounds_is_refused(order_import, seconds):
    with pytest.raises(ValidationError) as exc:
        services.dataflow_update(dataflow=order_import, interval_seconds=seconds)
    assert "interval_seconds" in exc.value.message_dict
    order_import.refresh_from_db()
    assert order_import.interval_seconds == 300


def test_updating_a_dataflow_never_touches_the_lease_of_its_running_run(order_import):
    stale = dataflow_of(order_import.connection)  # loaded before the run took the lease
    running = hold_lease(order_import)
    services.dataflow_update(dataflow=stale, interval_seconds=600, options={"days": 3})
    order_import.refresh_from_db()
    assert order_import.lease_run_id == running.pk
    assert order_import.options == {"days": 3}


# ----------------------------------------------------------------------------- queueing


def test_synchronize_queues_only_the_enabled_dataflows(
    connection, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        runs = services.connection_synchronize(connection=connection)
    kinds = {run.dataflow.kind for run in runs}
    assert kinds == set(Kind.values) - {Kind.CHANGED_PRODUCT_MATCH}
    assert all(run.trigger == Run.Trigger.SYNCHRONIZE for run in runs)
    assert all(run.status == Run.Status.QUEUED for run in runs)
    assert sorted(enqueued) == sorted(run.pk for run in runs)


def test_synchronize_refuses_an_inactive_connection(connection):
    connection_set_active(connection=connection, active=False)
    with pytest.raises(ValidationError, match="enable it"):
        services.connection_synchronize(connection=connection)
    assert not Run.objects.exists()


def test_synchronize_refuses_a_connection_without_enabled_dataflows(connection):
    connection.dataflows.update(enabled=False)
    with pytest.raises(ValidationError, match="no enabled dataflow"):
        services.connection_synchronize(connection=connection)


def test_tasks_are_sent_only_after_the_transaction_commits(
    order_import, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.run_queue(dataflow=order_import, trigger=Run.Trigger.MANUAL)
    assert enqueued == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert enqueued == [run.pk]


def test_queueing_reuses_a_run_that_is_already_queued(
    order_import, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.run_queue(dataflow=order_import, trigger=Run.Trigger.SYNCHRONIZE)
        second = services.run_queue(dataflow=order_import, trigger=Run.Trigger.MANUAL)
    assert second.pk == first.pk
    assert Run.objects.filter(dataflow=order_import).count() == 1
    # Nothing runs, so its task is sent again (a lost message must not block the dataflow).
    assert enqueued == [first.pk, first.pk]


def test_queueing_while_a_run_is_going_waits_for_it_without_sending_a_task(
    order_import, enqueued, django_capture_on_commit_callbacks
):
    hold_lease(order_import)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_queue(dataflow=order_import, trigger=Run.Trigger.SYNCHRONIZE)
    assert run.status == Run.Status.QUEUED
    assert enqueued == []


def test_queueing_refuses_an_inactive_connection(order_import):
    connection_set_active(connection=order_import.connection, active=False)
    order_import.refresh_from_db()
    with pytest.raises(ValidationError, match="inactive"):
        services.run_queue(dataflow=order_import, trigger=Run.Trigger.MANUAL)


# ----------------------------------------------------------------------------- the lease


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
    register_flow(Kind.ORDER_IMPORT, succeed)
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
    register_flow(Kind.ORDER_IMPORT, lambda ctx: calls_made.append(ctx.run.pk))
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
    register_flow(Kind.ORDER_IMPORT, lambda ctx: calls.append(ctx.run.pk))
    run = queued_run(order_import)

    assert services.run_execute(run_id=run.pk).status == Run.Status.SUCCEEDED
    assert services.run_execute(run_id=run.pk).status == Run.Status.SUCCEEDED
    assert calls == [run.pk]


def test_the_lease_is_released_when_a_run_ends(order_import, register_flow, fake_client):
    register_flow(Kind.ORDER_IMPORT, succeed)
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

    register_flow(Kind.ORDER_IMPORT, flow)
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

    register_flow(Kind.ORDER_IMPORT, flow)
    run = services.run_execute(run_id=queued_run(order_import).pk)
    assert run.status == Run.Status.FAILED
    assert "lost the lease" in run.error_message
    assert after == []


def test_a_run_that_lost_its_lease_cannot_save_its_cursor(order_import, register_flow, fake_client):
    def flow(ctx):
        ctx.save_cursor({"date_modified": "2024-01-01T00:00:00+00:00"})
        Dataflow.objects.filter(pk=ctx.dataflow.pk).update(lease_run=None)
        ctx.save_cursor({"date_modified": "2024-02-01T00:00:00+00:00"})

    register_flow(Kind.ORDER_IMPORT, flow)
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
    register_flow(Kind.ORDER_IMPORT, succeed)
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


def test_the_sweep_sends_again_the_task_of_a_run_that_waits_on_a_free_dataflow(
    order_import, enqueued
):
    lost = queued_run(order_import)
    Run.objects.filter(pk=lost.pk).update(queued_at=timezone.now() - timedelta(minutes=10))
    fresh = queued_run(dataflow_of(order_import.connection, Kind.ORDER_UPDATE))
    busy = dataflow_of(order_import.connection, Kind.FULL_STOCK_UPDATE)
    hold_lease(busy)
    behind_busy = queued_run(busy)
    Run.objects.filter(pk=behind_busy.pk).update(queued_at=timezone.now() - timedelta(minutes=10))

    assert services.runs_sweep() == {"recovered": 0, "resent": 1, "deletes_resent": 0}
    assert enqueued == [lost.pk]
    assert fresh.pk not in enqueued


# ----------------------------------------------------------------------------- running


def test_a_successful_run_records_counts_requests_and_logs(
    order_import, register_flow, fake_client
):
    fake_client.stats.requests = 40  # spent before this run
    register_flow(Kind.ORDER_IMPORT, succeed)

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
    unregister_flow(Kind.ORDER_IMPORT)
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

    register_flow(Kind.ORDER_IMPORT, flow)
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

    register_flow(Kind.ORDER_IMPORT, flow)
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

    register_flow(Kind.ORDER_IMPORT, flow)
    run = services.run_execute(run_id=queued_run(order_import).pk)
    run.refresh_from_db()
    assert run.status == Run.Status.PARTIAL
    assert run.failed == 1 and run.created == 1


def test_a_client_that_cannot_be_set_up_fails_the_run(order_import, register_flow, monkeypatch):
    def no_client(*, connection):
        raise ValueError("access_token is empty: set the connection's access token")

    monkeypatch.setattr("connections.services.bigcommerce_client_for", no_client)
    register_flow(Kind.ORDER_IMPORT, succeed)
    run = services.run_execute(run_id=queued_run(order_import).pk)
    assert run.status == Run.Status.FAILED
    assert "client could not be set up" in run.error_message
    assert "access_token is empty" in run.error_message
    order_import.refresh_from_db()
    assert order_import.lease_run_id is None


def test_the_run_closes_the_client_it_made(order_import, register_flow, fake_client):
    register_flow(Kind.ORDER_IMPORT, succeed)
    services.run_execute(run_id=queued_run(order_import).pk)
    assert fake_client.closed is True


def test_a_queued_run_of_a_connection_disabled_meanwhile_does_not_start(
    order_import, register_flow, fake_client
):
    register_flow(Kind.ORDER_IMPORT, succeed)
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

    register_flow(Kind.ORDER_IMPORT, flow)
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

    register_flow(Kind.ORDER_IMPORT, flow)
    run = services.run_execute(run_id=queued_run(order_import).pk)
    assert run.error_message.startswith("BigCommerce failed on GET /v2/orders (502).")
    assert run.log_entries.get().message == run.error_message


def test_the_scheduled_tick_runs_the_dataflow(order_import, register_flow, fake_client):
    register_flow(Kind.ORDER_IMPORT, succeed)
    run = services.dataflow_run_scheduled(dataflow_id=order_import.pk)
    assert run.trigger == Run.Trigger.SCHEDULE
    assert run.status == Run.Status.SUCCEEDED


def test_the_scheduled_tick_does_nothing_for_a_disabled_dataflow_or_connection(
    order_import, register_flow, fake_client
):
    register_flow(Kind.ORDER_IMPORT, succeed)
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
    register_flow(Kind.ORDER_IMPORT, succeed)
    holder = hold_lease(order_import)
    assert services.dataflow_run_scheduled(dataflow_id=order_import.pk) is None
    assert list(Run.objects.values_list("pk", flat=True)) == [holder.pk]


def test_the_scheduled_tick_runs_a_run_that_was_waiting(order_import, register_flow, fake_client):
    register_flow(Kind.ORDER_IMPORT, succeed)
    waiting = queued_run(order_import, trigger=Run.Trigger.SYNCHRONIZE)
    run = services.dataflow_run_scheduled(dataflow_id=order_import.pk)
    assert run.pk == waiting.pk
    assert run.status == Run.Status.SUCCEEDED
    assert Run.objects.count() == 1


# ----------------------------------------------------------------------------- the context


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


def test_a_heartbeat_without_the_lease_raises_lease_lost(order_import, fake_client):
    run = queued_run(order_import)
    assert services._claim(run=run, lease_seconds=LEASE)
    ctx = RunContext(run=run, dataflow=order_import, client=fake_client, lease_seconds=LEASE)
    ctx.heartbeat()
    services._release(run=run)
    ctx.heartbeat()  # throttled: at most every third of the lease
    with pytest.raises(LeaseLost, match="lost the lease"):
        ctx.heartbeat(force=True)


# ----------------------------------------------------------------------------- retention


def test_old_log_entries_are_purged_in_batches(order_import, settings, django_assert_num_queries):
    settings.LOG_RETENTION_DAYS = 30
    run = queued_run(order_import)
    entries = LogEntry.objects.bulk_create(
        [LogEntry(run=run, message=f"entry {n}") for n in range(7)]
    )
    old = [entry.pk for entry in entries[:5]]
    LogEntry.objects.filter(pk__in=old).update(created_at=timezone.now() - timedelta(days=31))
    LogEntry.objects.filter(pk=entries[5].pk).update(created_at=timezone.now() - timedelta(days=29))

    # 5 old entries in batches of 2: 3 batches (select + delete each) and the empty select.
    with django_assert_num_queries(7):
        deleted = services.logs_purge(batch_size=2)

    assert deleted == 5
    assert set(LogEntry.objects.values_list("pk", flat=True)) == {entries[5].pk, entries[6].pk}


def test_the_purge_takes_the_retention_from_the_settings(order_import, settings):
    settings.LOG_RETENTION_DAYS = 7
    run = queued_run(order_import)
    entry = LogEntry.objects.create(run=run, message="a week and a day old")
    LogEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert services.logs_purge() == 1


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

    register_flow(Kind.ORDER_IMPORT, flow)
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


def test_a_token_that_cannot_be_decrypted_fails_the_run_with_the_reason(
    order_import, register_flow, settings
):
    from connections.fields import _fernet

    register_flow(Kind.ORDER_IMPORT, succeed)
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
