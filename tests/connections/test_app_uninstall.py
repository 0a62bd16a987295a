"""The uninstall callback (/bigcommerce/uninstall): the app's connections of the store are
disabled and their tokens wiped; a store API account's connection keeps running."""

from django.test import Client
from django.urls import reverse

from connections.models import Connection
from tests.connections.app_helpers import (
    app_connection,
    callback_url,
    client_for,
    scheduled,
    signed_payload,
)
from tests.fixtures.tenants import make_connection


def test_uninstall_disables_the_apps_connections_and_wipes_their_tokens(
    app_settings, tenant, other_tenant
):
    active = app_connection(tenant)
    old = app_connection(other_tenant, name="Bob's old one", status=Connection.Status.INACTIVE)
    elsewhere = app_connection(tenant, name="Other store", store_hash="other02")
    assert scheduled(active)

    response = Client().get(callback_url("bigcommerce-uninstall", signed_payload()))

    assert response.status_code == 200
    for connection in (active, old):
        connection.refresh_from_db()
        assert connection.status == Connection.Status.INACTIVE
        assert connection.access_token == ""
    assert not scheduled(active)
    elsewhere.refresh_from_db()
    assert elsewhere.is_active and elsewhere.access_token == "secret-token-1"


def test_the_uninstalled_connection_shows_it_needs_new_credentials(app_settings, tenant, manager):
    connection = app_connection(tenant)
    Client().get(callback_url("bigcommerce-uninstall", signed_payload()))

    page = client_for(manager).get(reverse("connection-credentials", args=[connection.pk]))

    assert "none stored" in page.content.decode()


def test_uninstall_leaves_a_store_api_account_connection_running(app_settings, tenant):
    api_account = make_connection(tenant, store_hash="demo01", client_id="api-account-1")

    response = Client().get(callback_url("bigcommerce-uninstall", signed_payload()))

    assert response.status_code == 200
    api_account.refresh_from_db()
    assert api_account.is_active and api_account.access_token == "secret-token-1"


def test_uninstall_twice_is_harmless(app_settings, tenant):
    connection = app_connection(tenant)

    for _ in range(2):  # BigCommerce signs each call anew
        url = callback_url("bigcommerce-uninstall", signed_payload())
        assert Client().get(url).status_code == 200

    connection.refresh_from_db()
    assert not connection.is_active and connection.access_token == ""
