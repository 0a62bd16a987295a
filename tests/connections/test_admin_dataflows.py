"""The engine's models in the Django admin: editing a dataflow goes through the services (its
schedule follows), Run now queues a run; runs and their log entries are read only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dataflows.models import Dataflow, LogEntry, Run
from tests.connections.admin_helpers import (
    change_url,
    changelist_url,
    form_data,
    post_action,
)


def test_editing_a_dataflow_updates_its_schedule_and_keeps_the_lease(staff_client, connection):
    dataflow = connection.dataflows.get(kind="order_import")
    data = form_data(staff_client.get(change_url(dataflow)))
    running = Run.objects.create(
        dataflow=dataflow, trigger=Run.Trigger.SCHEDULE, status=Run.Status.RUNNING
    )
    Dataflow.objects.filter(pk=dataflow.pk).update(
        lease_run=running, lease_expires_at=timezone.now() + timedelta(minutes=10)
    )
    data["interval_seconds"] = "600"

    response = staff_client.post(change_url(dataflow), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    dataflow.refresh_from_db()
    assert dataflow.interval_seconds == 600
    assert dataflow.periodic_task.interval.every == 600
    assert dataflow.lease_run_id == running.pk


def test_a_too_short_interval_is_refused_in_the_admin(staff_client, connection):
    dataflow = connection.dataflows.get(kind="order_import")
    data = form_data(staff_client.get(change_url(dataflow)))
    data["interval_seconds"] = "5"
    response = staff_client.post(change_url(dataflow), data)
    assert response.status_code == 200
    dataflow.refresh_from_db()
    assert dataflow.interval_seconds == 300


@pytest.mark.parametrize(
    "kind,options",
    [
        ("order_import", '{"created_within_days": "soon"}'),
        ("product_match", '{"import_mode": "bogus"}'),
        ("order_update", "[1, 2]"),
    ],
)
def test_invalid_options_are_a_form_error_in_the_admin_not_a_failing_run(
    staff_client, connection, kind, options
):
    dataflow = connection.dataflows.get(kind=kind)
    before = dataflow.options
    data = form_data(staff_client.get(change_url(dataflow)))
    data["options"] = options

    response = staff_client.post(change_url(dataflow), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["options"]
    dataflow.refresh_from_db()
    assert dataflow.options == before


def test_disabling_a_dataflow_in_the_admin_turns_its_schedule_off(staff_client, connection):
    dataflow = connection.dataflows.get(kind="order_import")
    data = form_data(staff_client.get(change_url(dataflow)))
    data.pop("enabled")
    assert staff_client.post(change_url(dataflow), data).status_code == 302
    dataflow.refresh_from_db()
    assert dataflow.enabled is False
    assert dataflow.periodic_task.enabled is False


def test_the_run_now_action_queues_a_manual_run(staff_client, connection, sent):
    dataflow = connection.dataflows.get(kind="product_match")
    post_action(staff_client, "dataflows/dataflow", "run_now", [dataflow])
    run = Run.objects.get()
    assert (run.dataflow, run.trigger) == (dataflow, Run.Trigger.MANUAL)


@pytest.fixture
def run_with_log(connection):
    run = Run.objects.create(
        dataflow=connection.dataflows.get(kind="order_import"),
        trigger=Run.Trigger.SCHEDULE,
        status=Run.Status.PARTIAL,
        fetched=12,
        created=9,
        failed=3,
        api_requests=4,
    )
    LogEntry.objects.create(
        run=run, message="order 55: no lines", object_kind="order", object_id=55
    )
    return run


def test_runs_are_listed_with_their_counts(staff_client, run_with_log):
    response = staff_client.get(changelist_url("dataflows/run"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [run_with_log]


def test_runs_can_be_filtered_by_connection_from_the_connection_page(
    staff_client, run_with_log, other_connection
):
    Run.objects.create(
        dataflow=other_connection.dataflows.get(kind="order_import"),
        trigger=Run.Trigger.SCHEDULE,
    )
    url = changelist_url("dataflows/run")
    connection_id = run_with_log.dataflow.connection_id
    response = staff_client.get(f"{url}?dataflow__connection__id__exact={connection_id}")
    assert list(response.context["cl"].result_list) == [run_with_log]


def test_runs_and_log_entries_are_read_only(staff_client, run_with_log):
    entry = run_with_log.log_entries.get()
    for obj in (run_with_log, entry):
        model_path = f"{obj._meta.app_label}_{obj._meta.model_name}"
        assert staff_client.get(reverse(f"admin:{model_path}_add")).status_code == 403
        response = staff_client.get(change_url(obj))
        assert response.status_code == 200
        assert 'name="_save"' not in response.content.decode()
        assert staff_client.post(change_url(obj), {}).status_code == 403
        url = reverse(f"admin:{model_path}_delete", args=[obj.pk])
        assert staff_client.post(url, {"post": "yes"}).status_code == 403
    run_with_log.refresh_from_db()
    assert run_with_log.fetched == 12


def test_the_log_of_one_run_can_be_listed(staff_client, run_with_log, connection):
    other = Run.objects.create(dataflow=run_with_log.dataflow, trigger=Run.Trigger.MANUAL)
    LogEntry.objects.create(run=other, message="other run")
    url = changelist_url("dataflows/logentry") + f"?run__id__exact={run_with_log.pk}"
    response = staff_client.get(url)
    assert [e.message for e in response.context["cl"].result_list] == ["order 55: no lines"]
