"""REST API of connections: every endpoint by role (owner, operator, viewer, outsider: 404,
never 403, staff, anonymous)."""

import pytest

from connections.models import Connection
from dataflows.models import Run
from tests.connections.api_helpers import (
    LIST_URL,
    NEW_TOKEN,
    STORED_TOKEN,
    detail_url,
    user_for,
)
from tests.fixtures.tenants import api_client_for

VIEW, OPERATE, MANAGE = "view", "operate", "manage"
EXPECTED_BY_ROLE = {
    # role: statuses for (view, operate, manage) endpoints
    "manager": {VIEW: None, OPERATE: None, MANAGE: None},
    "staff": {VIEW: None, OPERATE: None, MANAGE: None},
    "operator": {VIEW: None, OPERATE: None, MANAGE: 403},
    "viewer": {VIEW: None, OPERATE: 403, MANAGE: 403},
    "outsider": {VIEW: 404, OPERATE: 404, MANAGE: 404},
    "anonymous": {VIEW: 401, OPERATE: 401, MANAGE: 401},
}
CONNECTION_ENDPOINTS = [
    pytest.param("get", "", None, VIEW, 200, id="retrieve"),
    pytest.param("patch", "", {"name": "Renamed"}, MANAGE, 200, id="update"),
    pytest.param("patch", "", {"access_token": NEW_TOKEN}, MANAGE, 200, id="update-token"),
    pytest.param("delete", "", None, MANAGE, 202, id="delete"),
    pytest.param("post", "synchronize/", None, OPERATE, 202, id="synchronize"),
    pytest.param("post", "disable/", None, OPERATE, 200, id="disable"),
    pytest.param("post", "enable/", None, OPERATE, 200, id="enable"),
]


def _snapshot(connection):
    connection = Connection.objects.get(pk=connection.pk)
    return (
        connection.name,
        connection.status,
        connection.access_token,
        Run.objects.filter(dataflow__connection=connection).count(),
    )


@pytest.mark.parametrize("role", list(EXPECTED_BY_ROLE))
@pytest.mark.parametrize("method,suffix,body,need,success", CONNECTION_ENDPOINTS)
def test_each_connection_endpoint_answers_each_role_as_its_rights_allow(
    request, store_accepts, connection, role, method, suffix, body, need, success
):
    expected = EXPECTED_BY_ROLE[role][need] or success
    before = _snapshot(connection)

    response = getattr(api_client_for(user_for(request, role)), method)(
        detail_url(connection, suffix), body, format="json"
    )

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert _snapshot(connection) == before, "a refused request changed nothing"


@pytest.mark.parametrize("method,suffix,body,need,success", CONNECTION_ENDPOINTS)
def test_it_validates_ownership(
    store_accepts, connection, outsider, method, suffix, body, need, success
):
    """A manager of another tenant gets 404 for every endpoint, exactly as for a missing id."""
    client = api_client_for(outsider)

    response = getattr(client, method)(detail_url(connection, suffix), body, format="json")
    missing = getattr(client, method)(f"{LIST_URL}999999/{suffix}", body, format="json")

    assert response.status_code == 404
    assert response.json() == missing.json()


def test_operators_cannot_touch_credentials(store_accepts, connection, operator):
    response = api_client_for(operator).patch(
        detail_url(connection), {"store_hash": "other1", "access_token": NEW_TOKEN}, format="json"
    )

    assert response.status_code == 403
    connection.refresh_from_db()
    assert (connection.store_hash, connection.access_token) == ("abc123", STORED_TOKEN)
    assert store_accepts == []
