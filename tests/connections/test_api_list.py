"""REST API of connections: listing (filters, pagination, tenants) and one connection."""

from connections.models import Connection
from tests.connections.api_helpers import (
    LIST_URL,
    OUTPUT_FIELDS,
    STORED_TOKEN,
    detail_url,
)
from tests.fixtures.tenants import api_client_for, make_connection


def test_list_shows_only_the_connections_of_the_users_tenants(connection, other_connection, viewer):
    response = api_client_for(viewer).get(LIST_URL)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [connection.pk]


def test_another_tenants_user_lists_only_their_own_connections(
    connection, other_connection, outsider
):
    response = api_client_for(outsider).get(LIST_URL)

    assert [row["id"] for row in response.json()["results"]] == [other_connection.pk]


def test_staff_list_the_connections_of_every_tenant(connection, other_connection, staff):
    response = api_client_for(staff).get(LIST_URL)

    assert {row["id"] for row in response.json()["results"]} == {
        connection.pk,
        other_connection.pk,
    }


def test_anonymous_clients_get_401_on_the_list(connection):
    response = api_client_for(None).get(LIST_URL)

    assert response.status_code == 401


def test_the_list_filters_by_status(tenant, manager):
    make_connection(tenant, name="On", store_hash="on1")
    make_connection(tenant, name="Off", store_hash="off1", status=Connection.Status.INACTIVE)

    response = api_client_for(manager).get(LIST_URL, {"status": "inactive"})

    assert [row["name"] for row in response.json()["results"]] == ["Off"]


def test_filtering_by_another_tenants_id_lists_nothing(connection, other_tenant, manager):
    response = api_client_for(manager).get(LIST_URL, {"tenant": other_tenant.pk})

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_list_is_paginated_in_name_order(tenant, manager):
    for index in range(5):
        make_connection(tenant, name=f"Store {index}", store_hash=f"hash{index}")
    client = api_client_for(manager)

    first = client.get(LIST_URL, {"page_size": 2}).json()
    last = client.get(LIST_URL, {"page_size": 2, "page": 3}).json()

    assert first["count"] == 5
    assert [row["name"] for row in first["results"]] == ["Store 0", "Store 1"]
    assert first["next"] is not None
    assert [row["name"] for row in last["results"]] == ["Store 4"]
    assert last["next"] is None


def test_listing_many_connections_takes_a_constant_number_of_queries(
    tenant, manager, django_assert_max_num_queries
):
    for index in range(12):
        make_connection(tenant, name=f"Store {index}", store_hash=f"hash{index}")
    client = api_client_for(manager)

    with django_assert_max_num_queries(3):  # token, count, page
        response = client.get(LIST_URL)

    assert len(response.json()["results"]) == 12


def test_a_connection_shows_its_settings_and_tenant_but_never_the_token(connection, viewer):
    response = api_client_for(viewer).get(detail_url(connection))

    body = response.json()
    assert set(body) == OUTPUT_FIELDS
    assert body["tenant"] == connection.tenant_id
    assert body["order_status_filter"] == [11, 5]
    assert body["has_order_errors"] is False
    assert body["status"] == "active"
    assert STORED_TOKEN not in response.content.decode()


def test_retrieving_a_missing_connection_answers_404(manager):
    response = api_client_for(manager).get(f"{LIST_URL}424242/")

    assert response.status_code == 404
