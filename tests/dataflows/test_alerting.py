"""The engine's alerts (dataflows.services.alerting): a failed run, a dataflow that did not
start when due, credentials the store refused (schedules paused until they work again)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from connections import services as connection_services
from connections.alerts.models import Alert
from connections.alerts.selectors import alerts_open
from connections.bigcommerce.errors import AuthenticationError, ServerError
from dataflows import services
from dataflows.models import Dataflow, Run
from dataflows.services.alerting import dataflows_check_overdue
from tests.dataflows.helpers import dataflow_of, hold_lease, queued_run, succeed

pytestmark = pytest.mark.usefixtures("no_prerequisites")
C = Alert.Condition


def fail_with(exc):
    def flow(ctx):
        raise exc

    return flow


def run_once(dataflow):
    return services.run_execute(run_id=queued_run(dataflow).pk)


def test_a_failed_run_opens_one_alert_for_its_dataflow(order_import, register_flow, fake_client):
    register_flow("order_import", fail_with(ServerError("BigCommerce answered 500.")))
    run_once(order_import)
    last = run_once(order_import)

    (alert,) = alerts_open(tenant=order_import.connection.tenant)
    assert (alert.condition, alert.key, alert.occurrences) == (C.RUN_FAILED, "order_import", 2)
    assert f"run {last.pk} failed" in alert.message and "500" in alert.message
    assert "Runs tab" in alert.action


def test_a_successful_run_resolves_its_dataflows_failure(order_import, register_flow,
                                                          fake_client):  # fmt: skip
    register_flow("order_import", fail_with(ServerError("BigCommerce answered 500.")))
    run_once(order_import)
    register_flow("order_import", succeed)
    run_once(order_import)

    alert = Alert.objects.get()
    assert alert.state == Alert.State.RESOLVED and alert.resolved_at is not None


def test_an_interrupted_run_is_no_failure_to_alert(order_import):
    run = Run.objects.create(
        dataflow=order_import, trigger="schedule", status=Run.Status.FAILED,
        error_message="Interrupted: the worker was stopped.",
    )  # fmt: skip
    services.alerting.run_alerts_record(run=run)
    assert not Alert.objects.exists()


def test_a_task_that_crashed_before_its_run_started_alerts(order_import):
    services.run_fail_unrecorded(dataflow_id=order_import.pk, error="boom")
    assert Alert.objects.get().condition == C.RUN_FAILED


def test_refused_credentials_flag_the_connection_and_pause_its_schedules(
    order_import, register_flow, fake_client
):
    register_flow("order_import", fail_with(AuthenticationError("refused (401).")))
    run_once(order_import)

    conditions = set(Alert.objects.values_list("condition", flat=True))
    assert conditions == {C.CREDENTIALS_REFUSED, C.RUN_FAILED}
    tasks = PeriodicTask.objects.filter(name__startswith="dataflow-")
    assert tasks.exists() and not tasks.filter(enabled=True).exists()
    # Beat's tick before it reloaded does nothing either.
    assert services.dataflow_run_scheduled(dataflow_id=order_import.pk) is None


def test_new_credentials_resolve_the_flag_and_resume_the_schedules(
    order_import, register_flow, fake_client, monkeypatch
):
    register_flow("order_import", fail_with(AuthenticationError("refused (401).")))
    run_once(order_import)
    monkeypatch.setattr(
        connection_services, "connection_check_credentials", lambda **kwargs: {"name": "S"}
    )

    connection_services.connection_update(
        connection=order_import.connection, access_token="a-new-token"
    )

    refused = Alert.objects.get(condition=C.CREDENTIALS_REFUSED)
    assert refused.state == Alert.State.RESOLVED
    task = PeriodicTask.objects.get(pk=dataflow_of(order_import.connection).periodic_task_id)
    assert task.enabled


def test_a_successful_manual_run_proves_the_credentials_work_again(
    order_import, register_flow, fake_client
):
    register_flow("order_import", fail_with(AuthenticationError("refused (401).")))
    run_once(order_import)
    register_flow("order_import", succeed)
    run_once(order_import)
    assert not alerts_open(tenant=order_import.connection.tenant).exists()
    assert PeriodicTask.objects.get(pk=order_import.periodic_task_id).enabled


def _last_started(dataflow, ago: timedelta):
    Run.objects.create(
        dataflow=dataflow, trigger="schedule", status=Run.Status.SUCCEEDED,
        started_at=timezone.now() - ago, finished_at=timezone.now() - ago,
    )  # fmt: skip
    PeriodicTask.objects.filter(pk=dataflow.periodic_task_id).update(
        date_changed=timezone.now() - timedelta(days=1)
    )


def test_a_dataflow_that_did_not_start_when_due_alerts_once_then_resolves(order_import):
    Dataflow.objects.filter(connection=order_import.connection).exclude(
        pk=order_import.pk
    ).update(enabled=False)
    window = timedelta(seconds=2 * order_import.interval_seconds, minutes=5)
    _last_started(order_import, window + timedelta(minutes=1))

    assert dataflows_check_overdue()["overdue"] == 1
    assert dataflows_check_overdue()["overdue"] == 1
    alert = Alert.objects.get()
    assert (alert.condition, alert.key) == (C.RUN_NOT_STARTED, "order_import")

    _last_started(order_import, timedelta(seconds=1))
    assert dataflows_check_overdue() == {"overdue": 0, "resolved": 1}
    alert.refresh_from_db()
    assert alert.state == Alert.State.RESOLVED


def test_a_dataflow_that_is_running_or_recently_rescheduled_is_not_overdue(order_import):
    Dataflow.objects.filter(connection=order_import.connection).exclude(
        pk=order_import.pk
    ).update(enabled=False)
    _last_started(order_import, timedelta(days=1))
    hold_lease(order_import)
    assert dataflows_check_overdue()["overdue"] == 0

    Run.objects.filter(status=Run.Status.RUNNING).delete()
    services.dataflow_update(dataflow=order_import, enabled=True)  # rescheduled just now
    assert dataflows_check_overdue()["overdue"] == 0


def test_a_disabled_dataflow_is_never_overdue(order_import):
    Dataflow.objects.filter(connection=order_import.connection).update(enabled=False)
    for dataflow in Dataflow.objects.filter(connection=order_import.connection):
        services.dataflow_schedule_sync(dataflow=dataflow)
    _last_started(order_import, timedelta(days=1))
    assert dataflows_check_overdue()["overdue"] == 0
