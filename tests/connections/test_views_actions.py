"""ENABLE, DISABLE and DELETE from the list's toolbar and the connection page."""

import pytest
from django.test import Client
from django.urls import reverse

from connections.models import Connection
from dataflows.models import Run
from tests.connections.screens import (
    ROLES,
    bulk,
    client_for,
)
from tests.fixtures.tenants import make_connection


@pytest.mark.parametrize("role", ROLES)
def test_disable_and_enable_by_role(as_role, role, tenant, connection):
    inactive = make_connection(tenant, name="Outlet", store_hash="out1", status="inactive")
    client = as_role(role)
    response = bulk(client, "disable", connection, inactive)
    connection.refresh_from_db()
    inactive.refresh_from_db()
    if role in ("manager", "operator"):
        assert response.status_code == 302
        assert connection.status == inactive.status == "inactive"
        bulk(client, "enable", connection, inactive)
        connection.refresh_from_db()
        inactive.refresh_from_db()
        assert connection.status == inactive.status == "active"
    else:
        assert response.status_code == {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert (connection.status, inactive.status) == ("active", "inactive")


def test_disable_stops_schedules(operator, connection):
    bulk(client_for(operator), "disable", connection)
    tasks = [d.periodic_task for d in connection.dataflows.exclude(periodic_task=None)]
    assert tasks and not any(task.enabled for task in tasks if task is not None)


def test_enable_refused_when_the_store_has_another_active_connection(operator, tenant, connection):
    twin = make_connection(tenant, name="Twin", store_hash="twin", status="inactive")
    Connection.objects.filter(pk=twin.pk).update(store_hash=connection.store_hash)
    client = client_for(operator)
    response = bulk(client, "enable", twin)
    twin.refresh_from_db()
    assert twin.status == "inactive"
    html = client.get(response["Location"]).content.decode()
    assert "“Twin” not enabled" in html
    assert "already has an active connection" in html


def test_bulk_with_a_foreign_id_is_404(operator, connection, other_connection):
    response = bulk(client_for(operator), "disable", connection, other_connection)
    assert response.status_code == 404
    connection.refresh_from_db()
    other_connection.refresh_from_db()
    assert connection.status == other_connection.status == "active"


def test_bulk_unknown_action_and_bad_ids(operator, connection):
    client = client_for(operator)
    assert bulk(client, "explode", connection).status_code == 404
    url = reverse("connection-bulk-action", args=["disable"])
    assert client.post(url, {"ids": ["x"]}).status_code == 404
    response = client.post(url, {"ids": []}, follow=True)
    assert "Select a connection" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_delete_by_role(as_role, role, connection, no_tasks, django_capture_on_commit_callbacks):
    client = as_role(role)
    with django_capture_on_commit_callbacks(execute=True):
        response = bulk(client, "delete", connection, confirm="yes")
    connection.refresh_from_db()
    if role == "manager":
        assert response.status_code == 302
        assert connection.status == Connection.Status.DELETING
        assert no_tasks["deletions"] == [connection.pk]
        html = client.get(reverse("home")).content.decode()
        assert "Deleting…" in html
        assert 'data-active="1"' in html  # the list refreshes itself until it is gone
    else:
        assert response.status_code == {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert connection.status == Connection.Status.ACTIVE
        assert no_tasks["deletions"] == []


def test_delete_asks_for_confirmation_first(manager, connection, no_tasks):
    client = client_for(manager)
    response = client.post(reverse("connection-action", args=[connection.pk, "delete"]))
    assert response.status_code == 200
    assert "Delete connection “Main store”?" in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.ACTIVE
    response = client.post(
        reverse("connection-action", args=[connection.pk, "delete"]), {"confirm": "yes"}
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DELETING


def test_a_deleting_connection_refuses_changes(manager, connection, no_tasks, fake_store):
    connection.status = Connection.Status.DELETING
    connection.save()
    client = client_for(manager)
    for action in ("synchronize", "enable", "disable", "delete"):
        response = client.post(
            reverse("connection-action", args=[connection.pk, action]), {"confirm": "yes"}
        )
        assert response.status_code == 302
    client.post(reverse("connection-rename", args=[connection.pk]), {"name": "New"})
    client.post(
        reverse("connection-settings", args=[connection.pk]),
        {"section": "offers", "push_only_mapped_attributes": "on"},
    )
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DELETING
    assert connection.name == "Main store"
    assert connection.push_only_mapped_attributes is False
    assert not Run.objects.exists()
    html = client.get(reverse("connection-detail", args=[connection.pk])).content.decode()
    assert "being deleted" in html
    for action in ("synchronize", "enable", "disable", "delete"):
        assert reverse("connection-action", args=[connection.pk, action]) not in html


def test_actions_are_post_only(manager, connection, run):
    client = client_for(manager)
    dataflow = connection.dataflows.first()
    urls = [
        reverse("connection-bulk-action", args=["enable"]),
        reverse("connection-action", args=[connection.pk, "synchronize"]),
        reverse("connection-rename", args=[connection.pk]),
        reverse("dataflow-save", args=[connection.pk, dataflow.pk]),
        reverse("dataflow-run-now", args=[connection.pk, dataflow.pk]),
        reverse("connection-columns"),
        reverse("connection-view-save"),
        reverse("tenant-switch"),
    ]
    for url in urls:
        assert client.get(url).status_code == 405, url


def test_csrf_is_enforced(manager, connection):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(reverse("connection-action", args=[connection.pk, "disable"]))
    assert response.status_code == 403
    connection.refresh_from_db()
    assert connection.is_active


# ----------------------------------------------------------------------------- dataflows
