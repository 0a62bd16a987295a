"""REST: /api/v1/connections/{id}/dataflows/[{kind}/]."""

from datetime import timedelta

import pytest
from django_celery_beat.models import PeriodicTask

from connections.models import Connection
from dataflows.models import Dataflow, Run
from dataflows.registry import flow_specs
from tests.dataflows.api.helpers import (
    BASE_TIME,
    dataflow_state,
    dataflows_url,
    make_run,
)
from tests.fixtures.tenants import api_client_for, make_connection


def test_the_dataflows_are_listed_one_per_kind_in_the_designs_order(connection, viewer):
    response = api_client_for(viewer).get(dataflows_url(connection))

    assert response.status_code == 200
    rows = response.json()
    assert [row["kind"] for row in rows] == [spec.kind for spec in flow_specs()]
    by_kind = {row["kind"]: row for row in rows}
    assert by_kind["order_import"]["enabled"] is True
    assert by_kind["order_import"]["interval_seconds"] == 300
    assert by_kind["order_import"]["kind_label"] == "Order Import"
    assert by_kind["order_import"]["scheduled"] is True
    assert by_kind["changed_product_match"]["enabled"] is False
    assert by_kind["changed_product_match"]["scheduled"] is False
    assert {row["connection"] for row in rows} == {connection.pk}


def test_each_dataflow_shows_its_newest_run(connection, viewer):
    make_run(connection, "order_import", minutes=1, status=Run.Status.FAILED)
    newest = make_run(connection, "order_import", minutes=5, status=Run.Status.SUCCEEDED)
    make_run(connection, "order_import", minutes=3, status=Run.Status.PARTIAL)

    rows = api_client_for(viewer).get(dataflows_url(connection)).json()

    by_kind = {row["kind"]: row for row in rows}
    assert by_kind["order_import"]["last_run"]["id"] == newest.pk
    assert by_kind["order_import"]["last_run"]["status"] == "succeeded"
    assert by_kind["product_match"]["last_run"] is None


def test_each_dataflow_shows_its_last_failure_and_failures_in_a_row(connection, viewer):
    make_run(connection, "order_import", minutes=1, status=Run.Status.FAILED)
    make_run(connection, "order_import", minutes=2, status=Run.Status.SUCCEEDED)
    make_run(connection, "order_import", minutes=3, status=Run.Status.FAILED)
    last = make_run(
        connection, "order_import", minutes=4, status=Run.Status.FAILED, error_message="boom"
    )

    rows = api_client_for(viewer).get(dataflows_url(connection)).json()

    by_kind = {row["kind"]: row for row in rows}
    assert by_kind["order_import"]["consecutive_failures"] == 2
    assert by_kind["order_import"]["last_failure"]["id"] == last.pk
    assert by_kind["order_import"]["last_failure"]["error_message"] == "boom"
    assert (
        by_kind["product_match"]["last_failure"],
        by_kind["product_match"]["consecutive_failures"],
    ) == (None, 0)


def test_the_next_run_is_estimated_from_the_schedules_last_tick(connection, viewer):
    dataflow = Dataflow.objects.get(connection=connection, kind="order_import")
    PeriodicTask.objects.filter(pk=dataflow.periodic_task_id).update(last_run_at=BASE_TIME)

    rows = api_client_for(viewer).get(dataflows_url(connection)).json()

    by_kind = {row["kind"]: row for row in rows}
    expected = (BASE_TIME + timedelta(seconds=300)).isoformat().replace("+00:00", "Z")
    assert by_kind["order_import"]["next_run_at"] == expected
    assert by_kind["product_match"]["next_run_at"] is None


def test_an_inactive_connections_dataflows_are_not_scheduled(tenant, viewer):
    connection = make_connection(tenant, status=Connection.Status.INACTIVE)

    rows = api_client_for(viewer).get(dataflows_url(connection)).json()

    assert {(row["scheduled"], row["next_run_at"]) for row in rows} == {(False, None)}


def test_listing_dataflows_takes_a_constant_number_of_queries(
    connection, manager, django_assert_max_num_queries
):
    for kind in [spec.kind for spec in flow_specs()]:
        for minutes in range(3):
            make_run(connection, kind, minutes=minutes)
    client = api_client_for(manager)

    with django_assert_max_num_queries(5):  # token, connection, dataflows, newest runs, failures
        response = client.get(dataflows_url(connection))

    assert all(row["last_run"] for row in response.json())


def test_an_operator_disables_a_dataflow_and_its_schedule_stops(connection, operator):
    response = api_client_for(operator).patch(
        dataflows_url(connection, "order_import"), {"enabled": False}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["enabled"], response.json()["scheduled"]) == (False, False)
    dataflow = Dataflow.objects.get(connection=connection, kind="order_import")
    assert dataflow.enabled is False
    assert PeriodicTask.objects.get(pk=dataflow.periodic_task_id).enabled is False


def test_a_manager_reschedules_a_dataflow_and_sets_its_options_and_beat_follows(
    connection, manager
):
    response = api_client_for(manager).patch(
        dataflows_url(connection, "full_stock_update"),
        {"interval_seconds": 3600, "options": {"batch": 500}},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["interval_seconds"] == 3600
    assert response.json()["options"] == {"batch": 500}
    dataflow = Dataflow.objects.get(connection=connection, kind="full_stock_update")
    task = PeriodicTask.objects.select_related("interval").get(pk=dataflow.periodic_task_id)
    assert (task.enabled, task.interval.every, task.interval.period) == (True, 3600, "seconds")


def test_enabling_a_dataflow_that_was_off_by_default_schedules_it(connection, operator):
    response = api_client_for(operator).patch(
        dataflows_url(connection, "changed_product_match"), {"enabled": True}, format="json"
    )

    assert response.json()["scheduled"] is True
    dataflow = Dataflow.objects.get(connection=connection, kind="changed_product_match")
    assert PeriodicTask.objects.get(pk=dataflow.periodic_task_id).enabled is True


@pytest.mark.parametrize(
    "body,field",
    [
        ({"interval_seconds": 59}, "interval_seconds"),
        ({"interval_seconds": 0}, "interval_seconds"),
        ({"interval_seconds": 10**10}, "interval_seconds"),
        ({"interval_seconds": "often"}, "interval_seconds"),
        ({"options": ["not", "an", "object"]}, "options"),
        ({"enabled": "perhaps"}, "enabled"),
    ],
)
def test_an_invalid_dataflow_change_is_refused_with_400_naming_the_field(
    connection, operator, body, field
):
    before = dataflow_state(connection)

    response = api_client_for(operator).patch(
        dataflows_url(connection, "order_import"), body, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert dataflow_state(connection) == before


def test_an_unknown_dataflow_kind_answers_404(connection, operator):
    response = api_client_for(operator).patch(
        dataflows_url(connection, "teleport"), {"enabled": False}, format="json"
    )

    assert response.status_code == 404


def test_viewers_cannot_change_a_dataflow(connection, viewer):
    response = api_client_for(viewer).patch(
        dataflows_url(connection, "order_import"), {"enabled": False}, format="json"
    )

    assert response.status_code == 403
    assert Dataflow.objects.get(connection=connection, kind="order_import").enabled is True


def test_another_tenants_user_cannot_change_a_dataflow(connection, outsider):
    response = api_client_for(outsider).patch(
        dataflows_url(connection, "order_import"), {"enabled": False}, format="json"
    )

    assert response.status_code == 404
    assert Dataflow.objects.get(connection=connection, kind="order_import").enabled is True


# --------------------------------------------------------------------------- runs
