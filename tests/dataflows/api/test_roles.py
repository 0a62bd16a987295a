"""Each endpoint of the engine's REST API tried by owner (manager), operator, viewer, another
tenant's manager (404, never 403), staff and an anonymous client."""

import pytest

from connections.models import Connection
from dataflows.models import Run
from tests.dataflows.api.helpers import (
    RUNS_URL,
    dataflow_state,
    dataflows_url,
    run_url,
    user_for,
)
from tests.fixtures.tenants import api_client_for

VIEW, OPERATE = "view", "operate"
EXPECTED_BY_ROLE = {
    "manager": {VIEW: 200, OPERATE: 200},
    "staff": {VIEW: 200, OPERATE: 200},
    "operator": {VIEW: 200, OPERATE: 200},
    "viewer": {VIEW: 200, OPERATE: 403},
    "outsider": {VIEW: 404, OPERATE: 404},
    "anonymous": {VIEW: 401, OPERATE: 401},
}
ENDPOINTS = [
    pytest.param("get", lambda c, r: dataflows_url(c), None, VIEW, id="dataflows-list"),
    pytest.param(
        "patch",
        lambda c, r: dataflows_url(c, "order_import"),
        {"enabled": False, "interval_seconds": 900},
        OPERATE,
        id="dataflow-update",
    ),
    pytest.param("get", lambda c, r: run_url(r), None, VIEW, id="run-retrieve"),
    pytest.param("get", lambda c, r: run_url(r, "logs/"), None, VIEW, id="run-logs"),
]


@pytest.mark.parametrize("role", list(EXPECTED_BY_ROLE))
@pytest.mark.parametrize("method,url,body,need", ENDPOINTS)
def test_each_endpoint_answers_each_role_as_its_rights_allow(
    request, connection, run, role, method, url, body, need
):
    before = dataflow_state(connection)

    response = getattr(api_client_for(user_for(request, role)), method)(
        url(connection, run), body, format="json"
    )

    assert response.status_code == EXPECTED_BY_ROLE[role][need], response.content
    if response.status_code >= 400:
        assert dataflow_state(connection) == before, "a refused request changed nothing"


@pytest.mark.parametrize("method,url,body,need", ENDPOINTS)
def test_it_validates_ownership(outsider, connection, run, method, url, body, need):
    """Another tenant's manager gets 404 for every endpoint, exactly as for a missing id."""
    client = api_client_for(outsider)
    missing_connection = Connection(pk=999999)
    missing_run = Run(pk=999999)

    response = getattr(client, method)(url(connection, run), body, format="json")
    missing = getattr(client, method)(url(missing_connection, missing_run), body, format="json")

    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()


def test_anonymous_clients_get_401_on_the_runs_list(run):
    assert api_client_for(None).get(RUNS_URL).status_code == 401
