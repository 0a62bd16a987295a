"""Fixtures of the connections tests: for the screens (connections' and, through
tests.connections.screens, the engine's) a fake credential check, recorded Celery sends, a
client per role, a run; for the BigCommerce app callbacks the app's settings and the sandbox
as login server; for the admin a hub staff client."""

import pytest
import responses
from django.core.cache import cache
from django.core.exceptions import ValidationError

from connections import services
from dataflows.models import LogEntry, Run
from tests.connections.app_helpers import CALLBACK_URL, CLIENT_ID, CLIENT_SECRET, SCOPE
from tests.connections.screens import client_for
from tests.fixtures.tenants import make_user


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The app callbacks count requests per client IP in the cache: each test starts at 0."""
    cache.clear()


@pytest.fixture
def fake_store(monkeypatch):
    """The credential check without BigCommerce: demo01 / good-token passes."""
    calls = []

    def check(*, store_hash, access_token, scopes=()):
        calls.append((store_hash, access_token))
        if access_token != "good-token":
            raise ValidationError(
                {
                    "access_token": "BigCommerce refused this store hash and access token. "
                    "Check the store hash and copy the access token again."
                }
            )
        return {"name": f"Store {store_hash}"}

    monkeypatch.setattr(services, "connection_check_credentials", check)
    return calls


@pytest.fixture
def no_tasks(monkeypatch):
    """Record Celery sends instead of talking to a broker."""
    from connections import tasks as connection_tasks
    from dataflows import tasks as dataflow_tasks

    sent = {"runs": [], "deletions": []}
    monkeypatch.setattr(dataflow_tasks.run_execute_task, "delay", sent["runs"].append)
    monkeypatch.setattr(connection_tasks.connection_delete_task, "delay", sent["deletions"].append)
    return sent


@pytest.fixture
def as_role(request, manager, operator, viewer, outsider):
    users = {
        "manager": manager,
        "operator": operator,
        "viewer": viewer,
        "outsider": outsider,
        "anonymous": None,
    }

    def get(role):
        return client_for(users[role])

    return get


@pytest.fixture
def run(connection):
    dataflow = connection.dataflows.get(kind="order_import")
    run = Run.objects.create(
        dataflow=dataflow,
        trigger=Run.Trigger.SYNCHRONIZE,
        status=Run.Status.RUNNING,
        fetched=120,
        created=100,
        progress_done=120,
        progress_total=300,
    )
    LogEntry.objects.create(run=run, object_kind="order", object_id="101", message="Imported")
    return run


@pytest.fixture
def store_accepts(monkeypatch):
    """Replace the call to the store: every credential is accepted; the calls are recorded."""
    calls = []

    def check(*, store_hash, access_token, scopes=()):
        calls.append({"store_hash": store_hash, "access_token": access_token})
        return {"name": f"Store {store_hash}"}

    monkeypatch.setattr("connections.services.connection_check_credentials", check)
    return calls


@pytest.fixture
def no_backoff(monkeypatch):
    """The client's retries of 5xx and timeouts happen without sleeping."""
    monkeypatch.setattr("connections.bigcommerce.client.BACKOFF_BASE_S", 0.0)


@pytest.fixture
def bigcommerce():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def run_delete_task_inline(monkeypatch):
    from connections.tasks import connection_delete_task

    monkeypatch.setattr(connection_delete_task, "delay", connection_delete_task)


# ----------------------------------------------------------------------------- the app callbacks


@pytest.fixture
def app_settings(settings):
    settings.BIGCOMMERCE_APP_CLIENT_ID = CLIENT_ID
    settings.BIGCOMMERCE_APP_CLIENT_SECRET = CLIENT_SECRET
    settings.BIGCOMMERCE_APP_CALLBACK_URL = CALLBACK_URL
    return settings


@pytest.fixture
def bc(sandbox_settings, app_settings):
    """The sandbox as BigCommerce's login server, with the app registered."""
    sandbox = sandbox_settings

    def register(code, *, store_hash=None, redirect_uri=CALLBACK_URL):
        r = sandbox.control(
            "POST",
            "/oauth/clients",
            json={
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "code": code,
                "store_hash": store_hash or sandbox.store_hash,
                "scope": SCOPE,
                "redirect_uri": redirect_uri,
            },
        )
        assert r.status_code == 201, r.text

    sandbox.register = register
    return sandbox


# ----------------------------------------------------------------------------- the admin


@pytest.fixture
def hub_staff(db):
    """Staff, not superuser, no model permissions: hub staff still use every hub model."""
    return make_user("hubstaff", is_staff=True)


@pytest.fixture
def staff_client(client, hub_staff):
    client.force_login(hub_staff)
    return client


@pytest.fixture
def credentials_checks(monkeypatch):
    calls = []

    def check(*, store_hash, access_token, scopes=()):
        calls.append((store_hash, access_token))
        return {"name": "Checked Store"}

    monkeypatch.setattr("connections.services.connection_check_credentials", check)
    return calls


@pytest.fixture
def sent(monkeypatch):
    """("run", id) and ("delete", id) of every task the admin's actions send."""
    sent = []
    monkeypatch.setattr("dataflows.services._enqueue_run", lambda pk: sent.append(("run", pk)))
    monkeypatch.setattr(
        "connections.tasks.connection_delete_task.delay", lambda pk: sent.append(("delete", pk))
    )
    return sent
