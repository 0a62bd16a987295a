"""REST API of connections: changing name, credentials and settings; deleting."""

from django_celery_beat.models import PeriodicTask

from connections.models import Connection
from dataflows.models import Dataflow, Run
from tests.connections.api_helpers import (
    LIST_URL,
    NEW_TOKEN,
    STORED_TOKEN,
    bc_url,
    detail_url,
    new_connection_payload,
)
from tests.fixtures.tenants import api_client_for, make_connection


def test_a_manager_changes_settings_without_calling_the_store(store_accepts, connection, manager):
    response = api_client_for(manager).patch(
        detail_url(connection),
        {"name": "Renamed", "order_status_filter": [11, 5, 11, 2], "master_sku_field": "mpn"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Renamed"
    assert response.json()["order_status_filter"] == [2, 5, 11]
    connection.refresh_from_db()
    assert (connection.name, connection.master_sku_field) == ("Renamed", "mpn")
    assert connection.order_status_filter == [2, 5, 11]
    assert store_accepts == []


def test_a_new_token_is_checked_stored_and_never_returned(store_accepts, connection, manager):
    response = api_client_for(manager).patch(
        detail_url(connection), {"access_token": NEW_TOKEN}, format="json"
    )

    assert response.status_code == 200
    assert NEW_TOKEN not in response.content.decode()
    assert store_accepts == [{"store_hash": "abc123", "access_token": NEW_TOKEN}]
    connection.refresh_from_db()
    assert connection.access_token == NEW_TOKEN


def test_a_blank_token_keeps_the_stored_one(store_accepts, connection, manager):
    response = api_client_for(manager).patch(
        detail_url(connection), {"access_token": "", "name": "Same"}, format="json"
    )

    assert response.status_code == 200
    connection.refresh_from_db()
    assert connection.access_token == STORED_TOKEN
    assert store_accepts == []


def test_a_refused_new_token_gives_400_and_keeps_the_old_one(bigcommerce, connection, manager):
    bigcommerce.get(
        bc_url("abc123", "/v2/store"),
        status=401,
        json=[{"status": 401, "message": "You are not authorized to access this resource."}],
    )

    response = api_client_for(manager).patch(
        detail_url(connection), {"access_token": NEW_TOKEN, "name": "Renamed"}, format="json"
    )

    assert response.status_code == 400
    assert "access_token" in response.json()
    connection.refresh_from_db()
    assert (connection.access_token, connection.name) == (STORED_TOKEN, "Main store")


def test_an_invalid_setting_is_refused_with_400_and_nothing_changes(connection, manager):
    response = api_client_for(manager).patch(
        detail_url(connection), {"order_status_filter": [99], "name": "Renamed"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["order_status_filter"]
    connection.refresh_from_db()
    assert connection.name == "Main store"


def test_the_tenant_and_driver_cannot_be_changed(store_accepts, connection, other_tenant, staff):
    response = api_client_for(staff).patch(
        detail_url(connection), {"tenant": other_tenant.pk, "driver": "other"}, format="json"
    )

    assert response.status_code == 200
    connection.refresh_from_db()
    assert (connection.tenant_id, connection.driver) == (connection.tenant.pk, "bigcommerce")
    assert connection.tenant_id != other_tenant.pk


def test_moving_to_a_store_with_another_active_connection_is_refused(
    store_accepts, tenant, connection, manager
):
    second = make_connection(tenant, name="Second", store_hash="second1")

    response = api_client_for(manager).patch(
        detail_url(second), {"store_hash": connection.store_hash}, format="json"
    )

    assert response.status_code == 400
    assert "'Main store'" in response.json()["store_hash"][0]
    second.refresh_from_db()
    assert second.store_hash == "second1"


def test_put_is_not_offered(connection, manager):
    response = api_client_for(manager).put(
        detail_url(connection), new_connection_payload(), format="json"
    )

    assert response.status_code == 405


def test_a_connection_being_deleted_cannot_be_edited(connection, manager):
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.DELETING)

    response = api_client_for(manager).patch(
        detail_url(connection), {"name": "Renamed"}, format="json"
    )

    assert response.status_code == 400
    assert "being deleted" in response.json()["non_field_errors"][0]


def test_delete_shows_the_connection_deleting_until_the_background_task_removed_it(
    run_delete_task_inline, connection, manager, django_capture_on_commit_callbacks
):
    client = api_client_for(manager)
    Run.objects.create(dataflow=connection.dataflows.first(), trigger=Run.Trigger.MANUAL)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.delete(detail_url(connection))
    listed = client.get(LIST_URL).json()["results"]

    assert response.status_code == 202
    assert response.json()["status"] == "deleting"
    assert [(row["id"], row["status"]) for row in listed] == [(connection.pk, "deleting")]
    assert len(callbacks) == 1

    callbacks[0]()  # the worker picks the task up

    assert client.get(detail_url(connection)).status_code == 404
    assert not Run.objects.exists()
    assert not Dataflow.objects.exists()


def test_deleting_a_connection_stops_its_schedules(connection, manager):
    api_client_for(manager).delete(detail_url(connection))

    tasks = PeriodicTask.objects.filter(name__startswith="dataflow-")
    assert tasks.exists()
    assert not tasks.filter(enabled=True).exists()


def test_deleting_twice_queues_one_deletion(
    connection, manager, django_capture_on_commit_callbacks
):
    client = api_client_for(manager)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.delete(detail_url(connection))
        second = client.delete(detail_url(connection))

    assert (first.status_code, second.status_code) == (202, 202)
    assert len(callbacks) == 1
