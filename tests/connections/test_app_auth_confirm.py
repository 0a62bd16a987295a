"""The install link only asks: the store is connected when the manager confirms it in the hub
(a POST with the CSRF token), once, for the store shown, into a tenant the user manages."""

import pytest
from django.test import Client
from django.urls import reverse

from connections.app_install import PENDING_INSTALL_KEY
from connections.models import Connection, Membership
from tests.connections.app_helpers import client_for, install, install_url, text

pytestmark = pytest.mark.sandbox


def _confirm(client, *, store_hash="demo01", tenant):
    return client.post(
        reverse("bigcommerce-auth"),
        {"confirm": "yes", "store_hash": store_hash, "tenant": tenant.pk},
    )


def test_opening_an_install_link_connects_nothing_until_the_manager_confirms(bc, tenant, manager):
    bc.register("code-1")
    client = client_for(manager)

    shown = client.get(install_url("code-1"))

    assert shown.status_code == 200
    page = text(shown)
    assert "Connect BigCommerce store “demo01”?" in page
    assert "Into tenant “Alice&#x27;s Shop”" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert not Connection.objects.exists()
    confirmed = _confirm(client, tenant=tenant)
    assert confirmed.status_code == 302, "the code was not spent by the GET"
    assert Connection.objects.get().tenant == tenant


def test_the_confirmation_without_the_csrf_token_is_refused(bc, tenant, manager):
    bc.register("code-1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    client.get(install_url("code-1"))

    response = _confirm(client, tenant=tenant)

    assert response.status_code == 403
    assert not Connection.objects.exists()


def test_a_confirmation_works_once(bc, tenant, manager):
    bc.register("code-1")
    client = client_for(manager)
    client.get(install_url("code-1"))
    assert _confirm(client, tenant=tenant).status_code == 302

    again = _confirm(client, tenant=tenant)

    assert again.status_code == 400
    assert "no longer waiting for you" in text(again)
    assert Connection.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [{"expires": 0}, {"user": 999999}],
    ids=["expired", "another-users"],
)
def test_a_pending_install_that_expired_or_is_another_users_is_refused(bc, tenant, manager, change):
    bc.register("code-1")
    client = client_for(manager)
    client.get(install_url("code-1"))
    session = client.session
    session[PENDING_INSTALL_KEY] = {**session[PENDING_INSTALL_KEY], **change}
    session.save()

    response = _confirm(client, tenant=tenant)

    assert response.status_code == 400
    assert not Connection.objects.exists()


def test_a_confirmation_for_another_store_than_the_one_shown_is_refused(bc, tenant, manager):
    bc.register("code-1")
    client = client_for(manager)
    client.get(install_url("code-1"))

    response = _confirm(client, store_hash="other02", tenant=tenant)

    assert response.status_code == 400
    assert not Connection.objects.exists()


def test_a_manager_of_two_tenants_chooses_which_one_gets_the_store(
    bc, tenant, other_tenant, manager
):
    Membership.objects.create(tenant=other_tenant, user=manager, role=Membership.Role.MANAGER)
    bc.register("code-1")
    client = client_for(manager)

    shown = client.get(install_url("code-1"))
    assert "Alice&#x27;s Shop" in text(shown) and "Bob&#x27;s Shop" in text(shown)
    response = install(client, install_url("code-1"), tenant=other_tenant)

    assert response.status_code == 302
    assert Connection.objects.get().tenant == other_tenant


def test_a_tenant_the_user_does_not_manage_cannot_be_chosen(bc, tenant, other_tenant, manager):
    Membership.objects.create(tenant=other_tenant, user=manager, role=Membership.Role.VIEWER)
    bc.register("code-1")
    client = client_for(manager)
    client.get(install_url("code-1"))

    response = _confirm(client, tenant=other_tenant)

    assert response.status_code == 403
    assert not Connection.objects.exists()
