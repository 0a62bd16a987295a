"""Who may install the app (/bigcommerce/auth): signed-out users (also inside the control
panel's frame), roles, users of no tenant or of several, a store another tenant has."""

from urllib.parse import parse_qs, urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from connections.middleware import SESSION_KEY
from connections.models import Connection, Membership
from tests.connections.app_helpers import (
    app_connection,
    client_for,
    framed,
    install,
    install_url,
    text,
)


def test_a_signed_out_user_is_sent_to_log_in_and_comes_back_with_the_query_intact(
    app_settings, tenant
):
    url = install_url("code-1")

    response = Client().get(url)

    assert response.status_code == 302
    login, query = response.url.split("?", 1)
    assert login == reverse("login")
    assert parse_qs(query) == {"next": [url]}
    assert not Connection.objects.exists()


@pytest.mark.sandbox
def test_signing_in_from_the_install_link_connects_the_store(bc, manager):
    bc.register("code-1")
    url = install_url("code-1")
    client = Client()
    login_page = client.get(url, follow=True)
    assert login_page.request["PATH_INFO"] == reverse("login")

    signed_in = client.post(
        f"{reverse('login')}?{urlencode({'next': url})}",
        {"username": "alice", "password": "password", "next": url},
    )
    assert signed_in.url == url
    done = install(client, url)

    connection = Connection.objects.get()
    assert done.url == reverse("connection-detail", args=[connection.pk])


def test_a_signed_out_user_inside_the_control_panel_gets_a_sign_in_page_for_a_new_tab(
    app_settings, tenant
):
    url = install_url("code-1")

    response = framed().get(url)

    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]
    assert "https://*.bigcommerce.com" in response.headers["Content-Security-Policy"]
    page = response.content.decode()
    login = f"{reverse('login')}?{urlencode({'next': url})}".replace("&", "&amp;")
    assert f'href="{login}" target="_blank"' in page
    assert "Sign in to connect the store" in page


def test_the_hubs_other_pages_still_refuse_to_be_framed(db):
    assert Client().get(reverse("login")).headers["X-Frame-Options"] == "DENY"


@pytest.mark.sandbox
def test_a_manager_inside_the_control_panel_gets_a_link_to_the_new_connection(bc, manager):
    bc.register("code-1")

    response = install(framed(manager), install_url("code-1"))

    connection = Connection.objects.get()
    assert response.status_code == 200
    page = response.content.decode()
    assert "Store connected" in page
    assert f'href="{reverse("connection-detail", args=[connection.pk])}" target="_blank"' in page


@pytest.mark.sandbox
@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_viewers_and_operators_cannot_install_and_the_code_stays_usable(bc, request, role, manager):
    bc.register("code-1")

    response = install(client_for(request.getfixturevalue(role)), install_url("code-1"))

    assert response.status_code == 403
    assert "Only a manager can connect a store" in text(response)
    assert not Connection.objects.exists()
    assert install(client_for(manager), install_url("code-1")).status_code == 302
    assert Connection.objects.count() == 1


def test_a_user_of_no_tenant_is_refused(app_settings, db):
    user = get_user_model().objects.create_user(username="nobody", password="password")

    response = install(client_for(user), install_url())

    assert response.status_code == 403
    assert "You belong to no tenant" in text(response)


def test_the_refusal_offers_the_tenants_the_user_manages_and_switches_to_one(
    app_settings, operator, other_tenant
):
    Membership.objects.create(tenant=other_tenant, user=operator, role=Membership.Role.MANAGER)
    client = client_for(operator)
    url = install_url("code-1")

    refused = client.get(url)
    assert refused.status_code == 403
    assert "Install into “Bob&#x27;s Shop”" in text(refused)

    switched = client.post(url, {"tenant": other_tenant.pk})

    assert switched.status_code == 302
    assert switched.url == url
    assert client.session[SESSION_KEY] == other_tenant.pk
    assert client.post(url, {"tenant": 999999}).status_code == 404


@pytest.mark.sandbox
def test_a_store_another_tenant_has_active_is_refused_before_the_code_is_spent(
    bc, manager, other_tenant
):
    other = app_connection(other_tenant, name="Bob's store")
    bc.register("code-1")
    url = install_url("code-1")

    refused = client_for(manager).get(url)

    assert refused.status_code == 409
    page = text(refused)
    assert "another tenant&#x27;s connection" in page, "the other tenant is not named"
    assert "Bob" not in page
    assert Connection.objects.count() == 1
    other.status = Connection.Status.INACTIVE
    other.save()
    assert install(client_for(manager), url).status_code == 302, "the code was not spent"
    assert Connection.objects.filter(tenant__memberships__user=manager, status="active").exists()
