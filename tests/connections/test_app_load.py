"""The load callback (/bigcommerce/load): opening the app in the store's control panel takes a
member to the store's connection and tells anyone else only how to sign in."""

from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse

from connections.middleware import SESSION_KEY
from connections.models import Connection
from tests.connections.app_helpers import (
    app_connection,
    callback_url,
    client_for,
    framed,
    signed_payload,
    text,
)


def test_load_takes_a_member_to_the_stores_connection(app_settings, tenant, viewer):
    connection = app_connection(tenant)

    response = client_for(viewer).get(callback_url("bigcommerce-load", signed_payload()))

    assert response.status_code == 302
    assert response.url == reverse("connection-detail", args=[connection.pk])


def test_load_prefers_the_current_tenants_connection(app_settings, tenant, other_tenant, staff):
    app_connection(other_tenant, name="Bob's old one", status=Connection.Status.INACTIVE)
    mine = app_connection(tenant, name="Mine")
    client = client_for(staff)
    session = client.session
    session[SESSION_KEY] = tenant.pk
    session.save()

    response = client.get(callback_url("bigcommerce-load", signed_payload()))

    assert response.url == reverse("connection-detail", args=[mine.pk])


def test_load_inside_the_control_panel_links_to_the_connection_in_a_new_tab(
    app_settings, tenant, manager
):
    connection = app_connection(tenant)

    response = framed(manager).get(callback_url("bigcommerce-load", signed_payload()))

    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    page = response.content.decode()
    assert f'href="{reverse("connection-detail", args=[connection.pk])}" target="_blank"' in page


def test_load_for_a_signed_out_user_explains_how_to_sign_in(app_settings, tenant):
    app_connection(tenant)
    url = callback_url("bigcommerce-load", signed_payload())

    response = Client().get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign in to the integration hub" in page
    assert "The hub has its own users" in page
    login = f"{reverse('login')}?{urlencode({'next': url})}".replace("&", "&amp;")
    assert f'href="{login}"' in page
    assert "Main store" not in page


def test_load_for_a_user_of_another_tenant_reveals_nothing(app_settings, tenant, outsider):
    app_connection(tenant)

    response = client_for(outsider).get(callback_url("bigcommerce-load", signed_payload()))

    assert response.status_code == 200
    page = text(response)
    assert "No connection of this store for you" in page
    assert "Main store" not in page and "Alice" not in page
