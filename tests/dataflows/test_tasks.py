"""The Celery tasks are thin: each takes ids and calls one service (run here in-process with
`.apply()`, no broker)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from dataflows import tasks
from dataflows.models import Dataflow, LogEntry, Run

pytestmark = pytest.mark.usefixtures("no_prerequisites")


@pytest.fixture
def order_import(connection):
    return Dataflow.objects.get(connection=connection, kind="order_import")


def counting_flow(ctx):
    ctx.count(fetched=1, created=1)


def test_the_run_task_executes_the_run_and_returns_its_status(
    order_import, register_flow, fake_client
):
    register_flow("order_import", counting_flow)
    run = Run.objects.create(dataflow=order_import, trigger=Run.Trigger.SYNCHRONIZE)

    result = tasks.run_execute_task.apply(args=[run.pk])

    assert result.get() == Run.Status.SUCCEEDED
    run.refresh_from_db()
    assert (run.status, run.created) == (Run.Status.SUCCEEDED, 1)


def test_the_scheduled_task_runs_the_dataflow_and_returns_the_run_id(
    order_import, register_flow, fake_client
):
    register_flow("order_import", counting_flow)

    run_id = tasks.dataflow_scheduled_run_task.apply(args=[order_import.pk]).get()

    run = Run.objects.get(pk=run_id)
    assert run.trigger == Run.Trigger.SCHEDULE
    assert run.status == Run.Status.SUCCEEDED


def test_the_scheduled_task_of_a_disabled_dataflow_returns_none(order_import):
    Dataflow.objects.filter(pk=order_import.pk).update(enabled=False)
    assert tasks.dataflow_scheduled_run_task.apply(args=[order_import.pk]).get() is None
    assert not Run.objects.exists()


def test_the_retention_task_deletes_old_log_entries(order_import):
    run = Run.objects.create(dataflow=order_import, trigger=Run.Trigger.MANUAL)
    entry = LogEntry.objects.create(run=run, message="old")
    LogEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(days=31))
    LogEntry.objects.create(run=run, message="recent")

    done = tasks.retention_task.apply().get()

    assert done[order_import.connection.tenant.name]["log_entries"] == 1
    assert list(LogEntry.objects.values_list("message", flat=True)) == ["recent"]


def test_the_sweep_task_recovers_abandoned_runs(order_import):
    run = Run.objects.create(
        dataflow=order_import, trigger=Run.Trigger.SCHEDULE, status=Run.Status.RUNNING
    )
    Dataflow.objects.filter(pk=order_import.pk).update(
        lease_run=run, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert tasks.runs_sweep_task.apply().get() == {
        "recovered": 1,
        "resent": 0,
        "deletes_resent": 0,
        "overdue": 0,
    }
    run.refresh_from_db()
    assert run.status == Run.Status.FAILED


def test_the_sweep_and_the_purge_are_beat_rows_like_every_schedule(db, settings):
    from integrationhub.celery import app

    assert not app.conf.beat_schedule  # one way: django-celery-beat's rows
    sweep = PeriodicTask.objects.get(name="dataflows-sweep")
    assert sweep.task == "dataflows.tasks.runs_sweep_task" and sweep.enabled
    assert sweep.interval.every == settings.DATAFLOW_SWEEP_EVERY_S <= 60
    retention = PeriodicTask.objects.get(name="hub-retention")
    assert retention.task == "dataflows.tasks.retention_task"
    assert retention.queue == "maintenance" and retention.crontab.hour == "3"  # nightly


def test_the_tasks_are_registered_under_the_names_beat_uses():
    from integrationhub.celery import app

    app.loader.import_default_modules()
    for name in (
        "dataflows.tasks.run_execute_task",
        "dataflows.tasks.dataflow_scheduled_run_task",
        "dataflows.tasks.runs_sweep_task",
        "dataflows.tasks.retention_task",
    ):
        assert name in app.tasks


def _queue_of(name, args=()):
    from integrationhub.celery import app

    return app.amqp.router.route({}, name, args=args, kwargs={})["queue"].name


def test_run_tasks_go_to_their_flow_queue_and_maintenance_tasks_to_maintenance(connection):
    dataflows = {df.kind: df for df in Dataflow.objects.filter(connection=connection)}
    run = Run.objects.create(dataflow=dataflows["order_update"], trigger=Run.Trigger.MANUAL)

    assert _queue_of("dataflows.tasks.run_execute_task", (run.pk,)) == "shipments"
    for kind, queue in (
        ("order_import", "orders"),
        ("product_match", "catalog"),
        ("full_stock_update", "stock"),
    ):
        scheduled = _queue_of("dataflows.tasks.dataflow_scheduled_run_task", (dataflows[kind].pk,))
        assert scheduled == queue, kind
    for name in (
        "dataflows.tasks.runs_sweep_task",
        "dataflows.tasks.retention_task",
        "connections.tasks.connection_delete_task",
    ):
        assert _queue_of(name) == "maintenance", name
    # A run that is gone by the time it is sent still reaches a worker (the default queue).
    assert _queue_of("dataflows.tasks.run_execute_task", (424242,)) == "default"


def test_a_scheduled_run_that_crashes_before_it_is_recorded_leaves_a_failed_run(
    order_import, monkeypatch
):
    from django.db import OperationalError

    def crash(*, dataflow_id):
        raise OperationalError("database is locked")

    monkeypatch.setattr("dataflows.services.dataflow_run_scheduled", crash)

    run_id = tasks.dataflow_scheduled_run_task.apply(args=[order_import.pk]).get()

    run = Run.objects.get(pk=run_id)
    assert (run.dataflow_id, run.trigger, run.status) == (
        order_import.pk,
        Run.Trigger.SCHEDULE,
        Run.Status.FAILED,
    )
    assert run.error_message == (
        "Not started: the scheduled run crashed before it started: OperationalError: "
        "database is locked"
    )
    assert run.finished_at is not None


def test_a_run_task_that_crashes_ends_its_run_failed(order_import, monkeypatch):
    run = Run.objects.create(dataflow=order_import, trigger=Run.Trigger.SYNCHRONIZE)

    def crash(*, run_id):
        raise RuntimeError("no such table: dataflows_run")

    monkeypatch.setattr("dataflows.services.run_execute", crash)

    assert tasks.run_execute_task.apply(args=[run.pk]).get() == Run.Status.FAILED
    run.refresh_from_db()
    assert run.error_message == (
        "Not started: the task crashed: RuntimeError: no such table: dataflows_run"
    )


def test_a_webhook_run_goes_to_the_webhooks_queue_and_others_to_their_flows(order_import):
    from dataflows.models import Run
    from dataflows.tasks import route_task

    webhook = Run.objects.create(dataflow=order_import, trigger=Run.Trigger.WEBHOOK)
    scheduled = Run.objects.create(
        dataflow=order_import, trigger=Run.Trigger.SCHEDULE, status=Run.Status.FAILED
    )
    name = "dataflows.tasks.run_execute_task"
    assert route_task(name, (webhook.pk,), {}, {}) == {"queue": "webhooks"}
    assert route_task(name, (scheduled.pk,), {}, {}) == {"queue": "orders"}
