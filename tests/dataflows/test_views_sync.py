"""SYNCHRONIZE from the CONNECTIONS list and the connection page (the engine's view)."""

# ruff: noqa: F811  (fixtures imported from tests.connections.conftest)
import pytest
from django.urls import reverse

from connections.models import Connection
from dataflows.models import Run
from tests.connections.conftest import as_role, no_tasks  # noqa: F401  (fixtures)
from tests.connections.screens import (
    ROLES,
    bulk,
    client_for,
)
from tests.fixtures.tenants import make_connection


@pytest.mark.parametrize("role", ROLES)
def test_synchronize_by_role(as_role, role, connection, no_tasks):
    client = as_role(role)
    response = bulk(client, "synchronize", connection)
    runs = Run.objects.filter(dataflow__connection=connection)
    if role in ("manager", "operator"):
        assert response.status_code == 302
        assert runs.count() == 9  # every enabled dataflow (not Changed Product Match)
        assert set(runs.values_list("trigger", flat=True)) == {Run.Trigger.SYNCHRONIZE}
        html = client.get(response["Location"]).content.decode()
        assert "Sync triggered" in html
        assert "9 dataflows of “Main store” are queued" in html
        # The pop-up shows once.
        assert "Sync triggered" not in client.get(response["Location"]).content.decode()
    else:
        assert response.status_code == {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert runs.count() == 0


def test_synchronize_from_the_connection_page(operator, connection, no_tasks):
    client = client_for(operator)
    response = client.post(reverse("connection-action", args=[connection.pk, "synchronize"]))
    assert response["Location"] == reverse("connection-runs", args=[connection.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Sync triggered" in html
    assert 'data-active="1"' in html  # the runs table refreshes itself while runs are queued


def test_synchronize_needs_exactly_one(operator, tenant, connection, no_tasks):
    second = make_connection(tenant, name="Second", store_hash="s2")
    client = client_for(operator)
    response = bulk(client, "synchronize", connection, second)
    assert not Run.objects.exists()
    html = client.get(response["Location"]).content.decode()
    assert "SYNCHRONIZE works on exactly one connection" in html


def test_synchronize_inactive_connection_says_why(operator, connection, no_tasks):
    connection.status = Connection.Status.INACTIVE
    connection.save()
    client = client_for(operator)
    response = bulk(client, "synchronize", connection)
    assert not Run.objects.exists()
    assert "enable it" in client.get(response["Location"]).content.decode().lower()
