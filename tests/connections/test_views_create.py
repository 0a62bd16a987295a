"""Create connection: by role, the credential check, one active connection per store."""

import pytest
from django.urls import reverse

from connections.models import Connection, Membership
from dataflows.models import Dataflow
from dataflows.registry import flow_specs
from tests.connections.screens import (
    ROLES,
    assert_login_redirect,
    client_for,
)
from tests.fixtures.tenants import make_user


@pytest.mark.parametrize("role", ROLES)
def test_create_page_by_role(as_role, role, connection):
    response = as_role(role).get(reverse("connection-create"))
    if role == "anonymous":
        assert_login_redirect(response)
    elif role in ("operator", "viewer"):
        assert response.status_code == 403
    else:  # a manager creates in their own (current) tenant
        assert response.status_code == 200
        assert 'name="access_token"' in response.content.decode()


@pytest.mark.parametrize("role", ["operator", "viewer", "anonymous"])
def test_create_refused_by_role(as_role, role, tenant, fake_store):
    response = as_role(role).post(
        reverse("connection-create"),
        {"name": "X", "driver": "bigcommerce", "store_hash": "s1", "access_token": "good-token"},
    )
    if role == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == 403
    assert not Connection.objects.exists()
    assert fake_store == []


def test_create_connection(manager, tenant, fake_store):
    response = client_for(manager).post(
        reverse("connection-create"),
        {
            "name": "  New store ",
            "driver": "bigcommerce",
            "store_hash": "https://store-new123.mybigcommerce.com/",
            "access_token": "good-token",
        },
    )
    connection = Connection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("connection-detail", args=[connection.pk])
    assert connection.tenant == tenant
    assert connection.name == "New store"
    assert connection.store_hash == "new123"
    assert connection.access_token == "good-token"
    assert connection.store_name == "Store new123"
    assert fake_store == [("new123", "good-token")]
    assert connection.dataflows.count() == len(flow_specs())


def test_create_in_the_current_tenant(tenant, other_tenant, fake_store):
    user = make_user("multi", tenant=tenant, role=Membership.Role.VIEWER)
    Membership.objects.create(tenant=other_tenant, user=user, role=Membership.Role.MANAGER)
    client = client_for(user)
    assert client.get(reverse("connection-create")).status_code == 403  # a viewer here
    client.post(reverse("tenant-switch"), {"tenant": other_tenant.pk})
    response = client.post(
        reverse("connection-create"),
        {"name": "B", "driver": "bigcommerce", "store_hash": "b1", "access_token": "good-token"},
    )
    assert response.status_code == 302
    assert Connection.objects.get().tenant == other_tenant


def test_create_wrong_token_shows_the_error_and_saves_nothing(manager, tenant, fake_store):
    response = client_for(manager).post(
        reverse("connection-create"),
        {"name": "N", "driver": "bigcommerce", "store_hash": "s1", "access_token": "bad-token"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "BigCommerce refused this store hash and access token" in html
    assert "bad-token" not in html
    assert 'value="N"' in html  # what was typed stays, except the token
    assert not Connection.objects.exists()
    assert not Dataflow.objects.exists()


def test_create_form_errors(manager, tenant, fake_store):
    response = client_for(manager).post(
        reverse("connection-create"),
        {"name": " ", "driver": "", "store_hash": "bad hash!", "access_token": ""},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"name", "driver", "store_hash", "access_token"}
    assert "Choose a driver" in errors["driver"][0]
    assert fake_store == []
    assert not Connection.objects.exists()


def test_create_refuses_a_second_active_connection_to_the_store(manager, connection, fake_store):
    response = client_for(manager).post(
        reverse("connection-create"),
        {
            "name": "Dup",
            "driver": "bigcommerce",
            "store_hash": connection.store_hash,
            "access_token": "good-token",
        },
    )
    assert response.status_code == 200
    assert "already has an active connection" in response.content.decode()
    assert "Main store" in response.content.decode()  # the user may see it: it is named
    assert Connection.objects.count() == 1


# ------------------------------------------------------------- name, credentials, settings
