"""A connection's dataflows and their beat schedules (dataflows.services.schedules)."""

import json

import pytest
from django.core.exceptions import ValidationError
from django_celery_beat.models import PeriodicTask

from connections.services import connection_set_active
from dataflows import services
from dataflows.models import Run
from dataflows.registry import flow_specs
from tests.dataflows.helpers import dataflow_of, hold_lease, queued_run

pytestmark = pytest.mark.usefixtures("no_prerequisites")


def test_a_new_connection_gets_a_dataflow_per_kind_with_schedules_for_the_enabled_ones(
    connection,
):
    dataflows = {d.kind: d for d in connection.dataflows.select_related("periodic_task")}
    assert set(dataflows) == {spec.kind for spec in flow_specs()}
    assert dataflows["changed_product_match"].enabled is False
    assert dataflows["changed_product_match"].periodic_task is None
    order_import = dataflows["order_import"]
    task = order_import.periodic_task
    assert task.enabled
    assert task.task == services.SCHEDULED_TASK
    assert json.loads(task.args) == [order_import.pk]
    assert task.interval.every == 300
    assert dataflows["full_stock_update"].periodic_task.interval.every == 24 * 3600


def test_creating_the_dataflows_twice_changes_nothing(connection):
    services.dataflows_create_for_connection(connection=connection)
    assert connection.dataflows.count() == len(flow_specs())
    assert (
        PeriodicTask.objects.filter(name__startswith="dataflow-").count() == len(flow_specs()) - 1
    )


def test_disabling_a_connection_stops_its_schedules_and_enabling_restores_them(connection):
    connection_set_active(connection=connection, active=False)
    assert not PeriodicTask.objects.filter(name__startswith="dataflow-", enabled=True).exists()

    connection_set_active(connection=connection, active=True)
    enabled = PeriodicTask.objects.filter(name__startswith="dataflow-", enabled=True)
    assert enabled.count() == len(flow_specs()) - 1  # all but Changed Product Match


def test_disabling_a_connection_cancels_runs_not_started_but_lets_running_ones_finish(
    connection, order_import, register_flow, fake_client
):
    running = hold_lease(order_import)
    waiting = queued_run(dataflow_of(connection, "order_update"))

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
    dataflow = dataflow_of(connection, "changed_product_match")
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


def _every(dataflow) -> int:
    return PeriodicTask.objects.get(pk=dataflow.periodic_task_id).interval.every


def test_healthy_webhooks_slow_the_default_polling_down_and_unhealthy_restore_it(order_import):
    from connections.webhooks.models import WebhookSubscription
    from connections.webhooks.signals import webhooks_health_changed

    connection = order_import.connection
    assert _every(order_import) == 5 * 60
    sub = WebhookSubscription.objects.create(connection=connection, state="registered")
    webhooks_health_changed.send(sender=WebhookSubscription, connection=connection, healthy=True)
    order_import.refresh_from_db()
    assert _every(order_import) == 30 * 60
    assert order_import.interval_seconds == 5 * 60  # the setting itself is unchanged

    WebhookSubscription.objects.filter(pk=sub.pk).update(state="error")
    webhooks_health_changed.send(sender=WebhookSubscription, connection=connection, healthy=False)
    assert _every(order_import) == 5 * 60


def test_an_interval_the_operator_chose_is_kept_while_webhooks_are_healthy(order_import):
    from connections.webhooks.models import WebhookSubscription

    WebhookSubscription.objects.create(connection=order_import.connection, state="registered")
    services.dataflow_update(dataflow=order_import, interval_seconds=120)
    assert _every(order_import) == 120


def test_a_waiting_webhook_run_becomes_the_scheduled_run_when_the_schedule_ticks(
    order_import, monkeypatch
):
    monkeypatch.setattr("dataflows.services._enqueue_run", lambda *a, **k: None)
    run = services.run_queue(dataflow=order_import, trigger=Run.Trigger.WEBHOOK)
    executed = []
    monkeypatch.setattr(
        "dataflows.services.execution.run_execute", lambda *, run_id: executed.append(run_id)
    )
    services.dataflow_run_scheduled(dataflow_id=order_import.pk)
    run.refresh_from_db()
    assert executed == [run.pk] and run.trigger == Run.Trigger.SCHEDULE
