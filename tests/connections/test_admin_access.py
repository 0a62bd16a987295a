"""Who gets into the Django admin: hub staff see every hub model and every tenant's
connections; tenant members who are not staff, inactive staff and anonymous users stay out."""

import pytest
from django.urls import reverse

from connections.models import Membership
from dataflows.registry import flow_specs
from tests.connections.admin_helpers import (
    HUB_MODELS,
    change_url,
    changelist_url,
)
from tests.fixtures.tenants import make_user


def test_anonymous_users_are_sent_to_the_admin_login(client, connection):
    response = client.get(changelist_url("connections/connection"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("role", list(Membership.Role))
def test_tenant_members_who_are_not_staff_cannot_use_the_admin(client, tenant, connection, role):
    client.force_login(make_user(f"member-{role}", tenant=tenant, role=role))
    for path in ["admin:index", "admin:connections_connection_changelist"]:
        response = client.get(reverse(path))
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("admin:login"))
    response = client.get(change_url(connection))
    assert response.status_code == 302


def test_inactive_staff_cannot_use_the_admin(client, hub_staff):
    hub_staff.is_active = False
    hub_staff.save()
    client.force_login(hub_staff)
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.parametrize("model_path", HUB_MODELS)
def test_hub_staff_without_model_permissions_see_every_hub_model(staff_client, model_path):
    assert staff_client.get(changelist_url(model_path)).status_code == 200


def test_the_admin_index_lists_the_hub_models_for_hub_staff(staff_client):
    response = staff_client.get(reverse("admin:index"))
    for model_path in HUB_MODELS:
        assert changelist_url(model_path) in response.content.decode()


def listed(client, model_path) -> set:
    return set(client.get(changelist_url(model_path)).context["cl"].result_list)


def test_staff_see_the_connections_of_every_tenant(staff_client, connection, other_connection):
    assert listed(staff_client, "connections/connection") == {connection, other_connection}
    assert listed(staff_client, "connections/tenant") == {
        connection.tenant,
        other_connection.tenant,
    }
    assert len(listed(staff_client, "dataflows/dataflow")) == 2 * len(flow_specs())


def test_a_superuser_sees_the_same(client, staff, connection, other_connection):
    client.force_login(staff)
    assert listed(client, "connections/connection") == {connection, other_connection}
