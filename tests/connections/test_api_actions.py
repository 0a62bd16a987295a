"""REST API of connections: SYNCHRONIZE, ENABLE, DISABLE; the token never answered."""

from django_celery_beat.models import PeriodicTask

from connections.models import Connection
from dataflows.models import Run
from tests.connections.api_helpers import (
    LIST_URL,
    NEW_TOKEN,
    STORED_TOKEN,
    detail_url,
    new_connection_payload,
)
from tests.fixtures.tenants import api_client_for, make_connection


def test_synchronize_queues_every_enabled_dataflow_and_returns_the_runs(connection, operator):
    response = api_client_for(operator).post(detail_url(connection, "synchronize/"))

    assert response.status_code == 202
    runs = response.json()
    enabled = set(connection.dataflows.filter(enabled=True).values_list("kind", flat=True))
    assert {run["kind"] for run in runs} == enabled
    assert "changed_product_match" not in {run["kind"] for run in runs}
    assert {(run["status"], run["trigger"], run["connection"]) for run in runs} == {
        ("queued", "synchronize", connection.pk)
    }
    assert Run.objects.count() == len(enabled)


def test_synchronizing_twice_reuses_the_runs_still_queued(connection, operator):
    client = api_client_for(operator)

    first = client.post(detail_url(connection, "synchronize/")).json()
    second = client.post(detail_url(connection, "synchronize/")).json()

    assert {run["id"] for run in first} == {run["id"] for run in second}


def test_an_inactive_connection_cannot_be_synchronized(connection, operator):
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.INACTIVE)

    response = api_client_for(operator).post(detail_url(connection, "synchronize/"))

    assert response.status_code == 400
    assert "enable" in response.json()["non_field_errors"][0].lower()
    assert not Run.objects.exists()


def test_disable_stops_the_schedules_and_enable_restores_them(connection, operator):
    client = api_client_for(operator)
    tasks = PeriodicTask.objects.filter(name__startswith="dataflow-")

    disabled = client.post(detail_url(connection, "disable/"))
    scheduled_while_disabled = tasks.filter(enabled=True).count()
    enabled = client.post(detail_url(connection, "enable/"))

    assert (disabled.status_code, disabled.json()["status"]) == (200, "inactive")
    assert scheduled_while_disabled == 0
    assert (enabled.status_code, enabled.json()["status"]) == (200, "active")
    assert tasks.filter(enabled=True).count() == connection.dataflows.filter(enabled=True).count()


def test_enabling_is_refused_while_another_connection_to_the_store_is_active(
    tenant, connection, operator
):
    twin = make_connection(
        tenant, name="Twin", store_hash=connection.store_hash, status=Connection.Status.INACTIVE
    )

    response = api_client_for(operator).post(detail_url(twin, "enable/"))

    assert response.status_code == 400
    assert "'Main store'" in response.json()["store_hash"][0]
    twin.refresh_from_db()
    assert twin.status == "inactive"


def test_a_connection_being_deleted_cannot_be_enabled(connection, operator):
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.DELETING)

    response = api_client_for(operator).post(detail_url(connection, "enable/"))

    assert response.status_code == 400
    assert "being deleted" in response.json()["non_field_errors"][0]


def test_the_access_token_appears_in_no_response_body(store_accepts, tenant, connection, manager):
    client = api_client_for(manager)
    run = Run.objects.create(dataflow=connection.dataflows.first(), trigger=Run.Trigger.MANUAL)
    answers = [
        (client.get(LIST_URL), 200),
        (client.get(detail_url(connection)), 200),
        (client.post(LIST_URL, new_connection_payload(), format="json"), 201),
        (client.post(LIST_URL, new_connection_payload(store_hash="abc123"), format="json"), 400),
        (client.post(LIST_URL, new_connection_payload(name=""), format="json"), 400),
        (client.patch(detail_url(connection), {"access_token": NEW_TOKEN}, format="json"), 200),
        (client.patch(detail_url(connection), {"access_token": "x" * 501}, format="json"), 400),
        (client.post(detail_url(connection, "synchronize/")), 202),
        (client.post(detail_url(connection, "disable/")), 200),
        (client.post(detail_url(connection, "enable/")), 200),
        (client.get(detail_url(connection, "dataflows/")), 200),
        (
            client.patch(
                detail_url(connection, "dataflows/order_import/"), {"enabled": False}, format="json"
            ),
            200,
        ),
        (client.get("/api/v1/runs/"), 200),
        (client.get(f"/api/v1/runs/{run.pk}/"), 200),
        (client.get(f"/api/v1/runs/{run.pk}/logs/"), 200),
        (client.delete(detail_url(connection)), 202),
        (client.get(LIST_URL, HTTP_ACCEPT="text/html"), 200),  # the browsable API
        (client.get(detail_url(connection), HTTP_ACCEPT="text/html"), 200),
        (client.options(LIST_URL), 200),
    ]

    assert [response.status_code for response, _ in answers] == [code for _, code in answers]
    responses_seen = [response for response, _ in answers]
    for response in responses_seen:
        text = response.content.decode()
        assert STORED_TOKEN not in text
        assert NEW_TOKEN not in text
        assert 'access_token": "' not in text
