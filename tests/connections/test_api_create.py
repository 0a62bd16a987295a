"""REST API of connections: creating one (the credentials are checked with the store)."""

import pytest
import requests
import responses

from connections.models import Connection, Membership
from dataflows.models import Dataflow
from dataflows.registry import flow_specs
from tests.connections.api_helpers import (
    LIST_URL,
    NEW_TOKEN,
    bc_url,
    mock_healthy_store,
    new_connection_payload,
)
from tests.fixtures.tenants import api_client_for, make_connection


def test_a_manager_creates_a_connection_in_their_only_tenant(store_accepts, tenant, manager):
    response = api_client_for(manager).post(LIST_URL, new_connection_payload(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    connection = Connection.objects.get(pk=body["id"])
    assert body["tenant"] == tenant.pk
    assert body["store_name"] == "Store new456"
    assert body["driver"] == "bigcommerce"
    assert connection.access_token == NEW_TOKEN
    assert store_accepts == [{"store_hash": "new456", "access_token": NEW_TOKEN}]
    assert set(connection.dataflows.values_list("kind", flat=True)) == set(
        [spec.kind for spec in flow_specs()]
    )
    assert NEW_TOKEN not in response.content.decode()


def test_a_new_connection_takes_the_settings_it_is_given(store_accepts, manager):
    payload = new_connection_payload(
        order_status_filter=[11, 9, 11],
        import_min_order_id=1000,
        import_created_after="2024-01-01T00:00:00Z",
        import_archived_orders=True,
        update_existing_orders=True,
        master_sku_field="upc",
        inventory_location_id=3,
        allow_partial_shipments=True,
        push_only_mapped_attributes=True,
        variant_option_type="Size",
        client_id="app-client-1",
    )

    body = api_client_for(manager).post(LIST_URL, payload, format="json").json()

    assert body["order_status_filter"] == [9, 11]
    assert body["import_min_order_id"] == 1000
    assert body["import_created_after"] == "2024-01-01T00:00:00Z"
    assert body["import_archived_orders"] is True
    assert body["update_existing_orders"] is True
    assert body["master_sku_field"] == "upc"
    assert body["inventory_location_id"] == 3
    assert body["allow_partial_shipments"] is True
    assert body["push_only_mapped_attributes"] is True
    assert body["variant_option_type"] == "Size"
    assert body["client_id"] == "app-client-1"


def test_a_user_of_several_tenants_must_say_which_tenant(
    store_accepts, tenant, other_tenant, manager
):
    Membership.objects.create(tenant=other_tenant, user=manager, role=Membership.Role.MANAGER)
    client = api_client_for(manager)

    without = client.post(LIST_URL, new_connection_payload(), format="json")
    with_tenant = client.post(
        LIST_URL, new_connection_payload(tenant=other_tenant.pk), format="json"
    )

    assert without.status_code == 400
    assert "several tenants" in without.json()["tenant"][0]
    assert with_tenant.status_code == 201
    assert with_tenant.json()["tenant"] == other_tenant.pk


def test_naming_another_tenant_reads_exactly_as_an_unknown_tenant(store_accepts, tenant, outsider):
    client = api_client_for(outsider)

    other = client.post(LIST_URL, new_connection_payload(tenant=tenant.pk), format="json")
    unknown = client.post(LIST_URL, new_connection_payload(tenant=999999), format="json")

    assert other.status_code == unknown.status_code == 400
    assert other.json()["tenant"] == [
        message.replace("999999", str(tenant.pk)) for message in unknown.json()["tenant"]
    ]
    assert not Connection.objects.filter(store_hash="new456").exists()
    assert store_accepts == []


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_viewers_and_operators_cannot_create_connections(request, store_accepts, role):
    response = api_client_for(request.getfixturevalue(role)).post(
        LIST_URL, new_connection_payload(), format="json"
    )

    assert response.status_code == 403
    assert not Connection.objects.exists()


def test_a_manager_cannot_create_in_a_tenant_where_they_are_only_a_viewer(
    store_accepts, tenant, other_tenant, outsider
):
    Membership.objects.create(tenant=tenant, user=outsider, role=Membership.Role.VIEWER)

    response = api_client_for(outsider).post(
        LIST_URL, new_connection_payload(tenant=tenant.pk), format="json"
    )

    assert response.status_code == 403
    assert not Connection.objects.exists()


def test_anonymous_clients_cannot_create_connections(store_accepts, tenant):
    response = api_client_for(None).post(LIST_URL, new_connection_payload(), format="json")

    assert response.status_code == 401


@pytest.mark.parametrize(
    "field,value",
    [
        ("order_status_filter", [15]),
        ("order_status_filter", [-1]),
        ("order_status_filter", []),
        ("order_status_filter", "11"),
        ("name", ""),
        ("store_hash", "store/../x"),
        ("store_hash", ""),
        ("access_token", ""),
        ("inventory_location_id", 0),
        ("import_min_order_id", -5),
        ("import_min_order_id", 2**64),
        ("import_created_after", "yesterday"),
        ("master_sku_field", "ean"),
        ("driver", "shopify"),
    ],
)
def test_invalid_fields_are_refused_with_400_naming_the_field(store_accepts, manager, field, value):
    response = api_client_for(manager).post(
        LIST_URL, new_connection_payload(**{field: value}), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Connection.objects.exists()
    assert store_accepts == [], "the store is not called for invalid input"


def test_an_empty_status_filter_is_refused_with_a_helpful_message(store_accepts, manager):
    response = api_client_for(manager).post(
        LIST_URL, new_connection_payload(order_status_filter=[]), format="json"
    )

    assert "disable the Order Import dataflow" in response.json()["order_status_filter"][0]


def test_a_connection_is_created_after_a_real_check_with_the_store(bigcommerce, manager):
    mock_healthy_store(bigcommerce, "new456", name="Alice's BigCommerce")

    response = api_client_for(manager).post(LIST_URL, new_connection_payload(), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["store_name"] == "Alice's BigCommerce"
    store_call = bigcommerce.calls[0].request
    assert store_call.url == bc_url("new456", "/v2/store")
    assert store_call.headers["X-Auth-Token"] == NEW_TOKEN


def test_a_token_bigcommerce_refuses_gives_400_and_saves_nothing(bigcommerce, manager):
    bigcommerce.get(
        bc_url("new456", "/v2/store"),
        status=401,
        json=[{"status": 401, "message": "You are not authorized."}],
    )

    response = api_client_for(manager).post(LIST_URL, new_connection_payload(), format="json")

    assert response.status_code == 400
    assert "refused this store hash and access token" in response.json()["access_token"][0]
    assert NEW_TOKEN not in response.content.decode()
    assert not Connection.objects.exists()
    assert not Dataflow.objects.exists()


def test_an_unknown_store_hash_gives_400_on_the_store_hash(bigcommerce, manager):
    bigcommerce.get(
        bc_url("new456", "/v2/store"),
        status=404,
        json=[{"status": 404, "message": "The requested store was not found."}],
    )

    response = api_client_for(manager).post(LIST_URL, new_connection_payload(), format="json")

    assert response.status_code == 400
    assert "new456" in response.json()["store_hash"][0]
    assert not Connection.objects.exists()


def test_a_token_without_the_needed_scopes_gives_400_naming_them(bigcommerce, manager):
    mock_healthy_store(bigcommerce, "new456")
    bigcommerce.replace(
        responses.GET,
        bc_url("new456", "/v3/inventory/locations"),
        status=403,
        json={"status": 403, "title": "You don't have a required scope to access the endpoint"},
    )

    response = api_client_for(manager).post(LIST_URL, new_connection_payload(), format="json")

    assert response.status_code == 400
    assert "Inventory" in response.json()["access_token"][0]
    assert not Connection.objects.exists()


def test_a_store_answering_5xx_gives_400_asking_to_try_again_and_saves_nothing(
    bigcommerce, no_backoff, manager
):
    bigcommerce.get(bc_url("new456", "/v2/store"), status=503, json={"title": "Unavailable"})

    response = api_client_for(manager).post(LIST_URL, new_connection_payload(), format="json")

    assert response.status_code == 400
    assert "try again" in response.json()["non_field_errors"][0].lower()
    assert not Connection.objects.exists()


def test_a_store_timing_out_gives_400_asking_to_try_again_and_saves_nothing(
    bigcommerce, no_backoff, manager
):
    bigcommerce.get(bc_url("new456", "/v2/store"), body=requests.exceptions.ConnectTimeout())

    response = api_client_for(manager).post(LIST_URL, new_connection_payload(), format="json")

    assert response.status_code == 400
    assert "try again" in response.json()["non_field_errors"][0].lower()
    assert not Connection.objects.exists()


def test_a_scope_probe_answering_5xx_gives_400_asking_to_try_again(
    bigcommerce, no_backoff, manager
):
    mock_healthy_store(bigcommerce, "new456")
    bigcommerce.replace(responses.GET, bc_url("new456", "/v2/orders/count"), status=500)

    response = api_client_for(manager).post(LIST_URL, new_connection_payload(), format="json")

    assert response.status_code == 400
    assert "try again" in response.json()["non_field_errors"][0].lower()
    assert not Connection.objects.exists()


def test_a_second_active_connection_to_a_store_names_the_first_when_the_user_may_see_it(
    store_accepts, connection, manager
):
    response = api_client_for(manager).post(
        LIST_URL, new_connection_payload(store_hash=connection.store_hash), format="json"
    )

    assert response.status_code == 400
    message = response.json()["store_hash"][0]
    assert "'Main store' of tenant 'Alice's Shop'" in message
    assert Connection.objects.count() == 1
    assert store_accepts == []


def test_a_second_active_connection_to_another_tenants_store_is_refused_without_naming_it(
    store_accepts, other_connection, manager
):
    response = api_client_for(manager).post(
        LIST_URL, new_connection_payload(store_hash=other_connection.store_hash), format="json"
    )

    assert response.status_code == 400
    message = response.json()["store_hash"][0]
    assert "another tenant's connection" in message
    assert "Bob" not in message
    assert Connection.objects.count() == 1


def test_a_member_of_both_tenants_is_told_which_connection_has_the_store(
    store_accepts, tenant, other_connection, manager
):
    Membership.objects.create(
        tenant=other_connection.tenant, user=manager, role=Membership.Role.VIEWER
    )

    response = api_client_for(manager).post(
        LIST_URL,
        new_connection_payload(store_hash=other_connection.store_hash, tenant=tenant.pk),
        format="json",
    )

    assert "'Bob's store' of tenant 'Bob's Shop'" in response.json()["store_hash"][0]


def test_a_store_whose_other_connection_is_inactive_can_be_connected(
    store_accepts, tenant, manager
):
    make_connection(tenant, name="Old", store_hash="new456", status=Connection.Status.INACTIVE)

    response = api_client_for(manager).post(LIST_URL, new_connection_payload(), format="json")

    assert response.status_code == 201


def test_another_tenants_store_with_a_wrong_token_gets_the_credential_error_only(
    fake_store, other_connection, manager
):
    response = api_client_for(manager).post(
        LIST_URL,
        new_connection_payload(store_hash=other_connection.store_hash, access_token="guess"),
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert "refused this store hash and access token" in body["access_token"][0]
    assert "store_hash" not in body
    assert "active connection" not in response.content.decode()
    assert Connection.objects.count() == 1
