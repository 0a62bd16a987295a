"""The app install callback (/bigcommerce/auth): the one-time code exchanged for a token
against the sandbox's real token endpoint, and every way the exchange can fail (nothing saved,
the page says what to do)."""

import json
import socket
from urllib.parse import urlencode

import pytest
import requests
import responses
from django.test import Client
from django.urls import reverse

from connections.models import Connection
from tests.connections.app_helpers import (
    CALLBACK_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    SCOPE,
    callback_url,
    client_for,
    install,
    install_url,
    scheduled,
    signed_payload,
    text,
)
from tests.fixtures.tenants import make_connection


@pytest.mark.sandbox
def test_a_manager_installing_the_app_gets_a_connection_whose_token_works_against_the_store(
    bc, tenant, manager
):
    bc.register("code-1")
    client = client_for(manager)

    response = install(client, install_url("code-1"))

    connection = Connection.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("connection-detail", args=[connection.pk])
    assert connection.tenant == tenant
    assert connection.store_hash == "demo01"
    assert connection.client_id == CLIENT_ID
    assert connection.is_active
    assert connection.name == connection.store_name == "Sandbox Store demo01"
    assert connection.access_token and connection.access_token != bc.token
    store = bc.api("GET", "/v2/store", token=connection.access_token)
    assert store.status_code == 200
    assert store.json()["id"] == "demo01"
    assert connection.dataflows.exists()
    page = client.get(response.url)
    assert "is connected to tenant “Alice&#x27;s Shop”" in text(page)


@pytest.mark.sandbox
def test_the_redirect_uri_is_the_called_url_when_no_callback_url_is_set(bc, app_settings, manager):
    app_settings.BIGCOMMERCE_APP_CALLBACK_URL = ""
    bc.register("code-derived", redirect_uri="http://testserver/bigcommerce/auth")

    response = install(client_for(manager), install_url("code-derived"))

    assert response.status_code == 302
    assert Connection.objects.get().store_hash == "demo01"


@pytest.mark.sandbox
def test_reinstalling_after_an_uninstall_gives_the_same_connection_the_new_token(
    bc, tenant, manager
):
    bc.register("code-1")
    install(client_for(manager), install_url("code-1"))
    connection = Connection.objects.get()
    first_token = connection.access_token
    uninstalled = Client().get(callback_url("bigcommerce-uninstall", signed_payload()))
    assert uninstalled.status_code == 200
    connection.refresh_from_db()
    assert not connection.is_active and connection.access_token == ""

    bc.register("code-2")
    response = install(client_for(manager), install_url("code-2"))

    assert response.status_code == 302
    assert Connection.objects.count() == 1
    connection.refresh_from_db()
    assert connection.is_active
    assert connection.access_token not in ("", first_token)
    assert bc.api("GET", "/v2/store", token=connection.access_token).status_code == 200
    assert scheduled(connection), "enabling again restores the schedules"


@pytest.mark.sandbox
def test_installing_on_a_store_the_tenant_connected_with_an_api_account_updates_that_connection(
    bc, tenant, manager
):
    existing = make_connection(tenant, name="My store", store_hash="demo01")
    existing.access_token = bc.token
    existing.save()
    bc.register("code-1")

    response = install(client_for(manager), install_url("code-1"))

    assert response.url == reverse("connection-detail", args=[existing.pk])
    assert Connection.objects.count() == 1
    existing.refresh_from_db()
    assert existing.name == "My store", "a reinstall keeps the name the tenant gave"
    assert existing.client_id == CLIENT_ID
    assert existing.access_token not in (bc.token, "")
    assert bc.api("GET", "/v2/store", token=existing.access_token).status_code == 200


@pytest.mark.sandbox
def test_a_code_bigcommerce_refuses_shows_a_clear_error_and_saves_nothing(bc, manager):
    bc.register("code-1")

    response = install(client_for(manager), install_url("not-the-code"))

    assert response.status_code == 400
    page = text(response)
    assert "BigCommerce refused the install code" in page
    assert "invalid_grant" in page
    assert "Start the install again from the store" in page
    assert "Nothing was saved." in page
    assert not Connection.objects.exists()


@pytest.mark.sandbox
def test_a_code_is_refused_the_second_time(bc, manager):
    bc.register("code-1")
    client = client_for(manager)
    assert install(client, install_url("code-1")).status_code == 302

    again = install(client, install_url("code-1"))

    assert again.status_code == 400
    assert "already used code" in text(again)
    assert Connection.objects.count() == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_login_server_shows_a_clear_error_and_saves_nothing(app_settings, manager):
    app_settings.BIGCOMMERCE_LOGIN_URL = f"http://127.0.0.1:{_closed_port()}"

    response = install(client_for(manager), install_url())

    assert response.status_code == 502
    page = text(response)
    assert "could not be reached" in page
    assert "BIGCOMMERCE_LOGIN_URL" in page
    assert "Nothing was saved." in page
    assert not Connection.objects.exists()


@pytest.mark.parametrize(
    "answer, expected",
    [
        ({"status": 503, "json": {"error": "unavailable"}}, "login server failed (503"),
        ({"body": requests.ReadTimeout()}, "did not answer in time"),
        ({"status": 200, "json": {"scope": SCOPE}}, "answer without an access token"),
        (
            {"status": 200, "json": {"access_token": "tok-elsewhere", "context": "stores/x9"}},
            "does not match the store",
        ),
        (
            {"status": 400, "json": {"error": "invalid_client"}},
            "refused the hub&#x27;s app credentials",
        ),
    ],
    ids=["server-error", "timeout", "no-token", "other-store", "bad-client"],
)
def test_a_failing_login_server_is_explained_and_nothing_is_saved(
    app_settings, manager, answer, expected
):
    app_settings.BIGCOMMERCE_LOGIN_URL = "https://login.example.test"
    with responses.RequestsMock() as mocked:
        mocked.post("https://login.example.test/oauth2/token", **answer)
        response = install(client_for(manager), install_url())
        sent = mocked.calls[0].request

    assert response.status_code in (400, 502)
    assert expected in text(response)
    assert not Connection.objects.exists()
    body = json.loads(sent.body)
    assert body == {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "code": "code-1",
        "context": "stores/demo01",
        "scope": SCOPE,
        "grant_type": "authorization_code",
        "redirect_uri": CALLBACK_URL,
    }
    assert sent.headers["Content-Type"] == "application/json"


@pytest.mark.sandbox
def test_a_store_check_failing_after_the_exchange_saves_nothing_and_says_to_reinstall(bc, manager):
    bc.register("code-1")
    bc.force_fault("500", count=10, path="/v2/store")

    response = install(client_for(manager), install_url("code-1"))

    assert response.status_code == 409
    page = text(response)
    assert "The store could not be reached to check the credentials" in page
    assert "uninstall the app in the store&#x27;s control panel" in page
    assert not Connection.objects.exists()


def test_missing_app_settings_name_what_to_set_and_spend_no_code(settings, manager):
    settings.BIGCOMMERCE_APP_CLIENT_ID = ""
    settings.BIGCOMMERCE_APP_CLIENT_SECRET = ""
    settings.BIGCOMMERCE_LOGIN_URL = "https://login.example.test"

    with responses.RequestsMock():  # any request to BigCommerce would fail the test
        response = install(client_for(manager), install_url())

    assert response.status_code == 503
    page = text(response)
    assert "BIGCOMMERCE_APP_CLIENT_ID and BIGCOMMERCE_APP_CLIENT_SECRET are not set" in page
    assert not Connection.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"code": "code-1", "context": "stores/"},
        {"code": "code-1", "context": "users/42"},
        {"code": "code-1", "context": "stores/../x"},
        {"context": "stores/demo01"},
    ],
    ids=["empty-hash", "not-a-store", "bad-hash", "no-code"],
)
def test_an_incomplete_install_link_is_refused(app_settings, manager, query):
    url = f"{reverse('bigcommerce-auth')}?{urlencode(query)}"

    response = client_for(manager).get(url)

    assert response.status_code == 400
    assert "This install link is incomplete" in text(response)
