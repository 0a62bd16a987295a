"""REST API of connections: /api/v1/connections/ and its actions.

Every endpoint is tried by the owner (manager), an operator, a viewer, a member of another
tenant (Healthchecks' `test_it_validates_ownership`: 404, never 403), staff and an anonymous
client. BigCommerce is either replaced by a fake credential check or mocked over HTTP with
`responses`.
"""

import pytest
import requests
import responses
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from connections.models import Connection, Membership
from dataflows.models import Dataflow, Kind, Run
from tests.fixtures.tenants import api_client_for, make_connection

STORED_TOKEN = "secret-token-1"  # the token make_connection() stores
NEW_TOKEN = "new-token-0123456789abcdef"
LIST_URL = "/api/v1/connections/"

OUTPUT_FIELDS = {
    "id",
    "tenant",
    "name",
    "driver",
    "status",
    "store_hash",
    "store_name",
    "client_id",
    "created_at",
    "updated_at",
    "has_order_errors",
    "variant_option_type",
    "order_status_filter",
    "import_min_order_id",
    "import_created_after",
    "import_archived_orders",
    "update_existing_orders",
    "master_sku_field",
    "inventory_location_id",
    "allow_partial_shipments",
    "push_only_mapped_attributes",
}


def detail_url(connection, suffix=""):
    return f"/api/v1/connections/{connection.pk}/{suffix}"


def bc_url(store_hash, path):
    return f"{settings.BIGCOMMERCE_API_URL}/stores/{store_hash}{path}"


def new_connection_payload(**overrides):
    payload = {"name": "Second store", "store_hash": "new456", "access_token": NEW_TOKEN}
    payload.update(overrides)
    return payload


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


def mock_healthy_store(mock, store_hash, *, name="New Store"):
    mock.get(bc_url(store_hash, "/v2/store"), json={"id": store_hash, "name": name})
    mock.get(bc_url(store_hash, "/v2/orders/count"), json={"count": 3, "statuses": []})
    mock.get(
        bc_url(store_hash, "/v3/catalog/products"),
        json={"data": [], "meta": {"pagination": {"total": 0, "total_pages": 0}}},
    )
    mock.get(
        bc_url(store_hash, "/v3/inventory/locations"),
        json={"data": [{"id": 1, "code": "default"}], "meta": {}},
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The fixtures' users get passwords; hashing them the production way is slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def user_for(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


# --------------------------------------------------------------------------- role matrix

VIEW, OPERATE, MANAGE = "view", "operate", "manage"
EXPECTED_BY_ROLE = {
    # role: statuses for (view, operate, manage) endpoints
    "manager": {VIEW: None, OPERATE: None, MANAGE: None},
    "staff": {VIEW: None, OPERATE: None, MANAGE: None},
    "operator": {VIEW: None, OPERATE: None, MANAGE: 403},
    "viewer": {VIEW: None, OPERATE: 403, MANAGE: 403},
    "outsider": {VIEW: 404, OPERATE: 404, MANAGE: 404},
    "anonymous": {VIEW: 401, OPERATE: 401, MANAGE: 401},
}
CONNECTION_ENDPOINTS = [
    pytest.param("get", "", None, VIEW, 200, id="retrieve"),
    pytest.param("patch", "", {"name": "Renamed"}, MANAGE, 200, id="update"),
    pytest.param("patch", "", {"access_token": NEW_TOKEN}, MANAGE, 200, id="update-token"),
    pytest.param("delete", "", None, MANAGE, 202, id="delete"),
    pytest.param("post", "synchronize/", None, OPERATE, 202, id="synchronize"),
    pytest.param("post", "disable/", None, OPERATE, 200, id="disable"),
    pytest.param("post", "enable/", None, OPERATE, 200, id="enable"),
]


def _snapshot(connection):
    connection = Connection.objects.get(pk=connection.pk)
    return (
        connection.name,
        connection.status,
        connection.access_token,
        Run.objects.filter(dataflow__connection=connection).count(),
    )


@pytest.mark.parametrize("role", list(EXPECTED_BY_ROLE))
@pytest.mark.parametrize("method,suffix,body,need,success", CONNECTION_ENDPOINTS)
def test_each_connection_endpoint_answers_each_role_as_its_rights_allow(
    request, store_accepts, connection, role, method, suffix, body, need, success
):
    expected = EXPECTED_BY_ROLE[role][need] or success
    before = _snapshot(connection)

    response = getattr(api_client_for(user_for(request, role)), method)(
        detail_url(connection, suffix), body, format="json"
    )

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert _snapshot(connection) == before, "a refused request changed nothing"


@pytest.mark.parametrize("method,suffix,body,need,success", CONNECTION_ENDPOINTS)
def test_it_validates_ownership(
    store_accepts, connection, outsider, method, suffix, body, need, success
):
    """A manager of another tenant gets 404 for every endpoint, exactly as for a missing id."""
    client = api_client_for(outsider)

    response = getattr(client, method)(detail_url(connection, suffix), body, format="json")
    missing = getattr(client, method)(f"{LIST_URL}999999/{suffix}", body, format="json")

    assert response.status_code == 404
    assert response.json() == missing.json()


def test_operators_cannot_touch_credentials(store_accepts, connection, operator):
    response = api_client_for(operator).patch(
        detail_url(connection), {"store_hash": "other1", "access_token": NEW_TOKEN}, format="json"
    )

    assert response.status_code == 403
    connection.refresh_from_db()
    assert (connection.store_hash, connection.access_token) == ("abc123", STORED_TOKEN)
    assert store_accepts == []


# --------------------------------------------------------------------------- list


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


# --------------------------------------------------------------------------- retrieve


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


# --------------------------------------------------------------------------- create


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
    assert set(connection.dataflows.values_list("kind", flat=True)) == set(Kind.values)
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


# --------------------------------------------------------------------------- update


def test_a_manager_changes_settings_without_calling_the_store(store_accepts, connection, manager):
    response = api_client_for(manager).patch(
        detail_url(connection),
        {"name": "Renamed", "order_status_filter": [11, 5, 11, 2], "master_sku_field": "mpn"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Renamed"
    assert response.json()["order_status_filter"] == [2, 5, 11]
    connection.refresh_from_db()
    assert (connection.name, connection.master_sku_field) == ("Renamed", "mpn")
    assert connection.order_status_filter == [2, 5, 11]
    assert store_accepts == []


def test_a_new_token_is_checked_stored_and_never_returned(store_accepts, connection, manager):
    response = api_client_for(manager).patch(
        detail_url(connection), {"access_token": NEW_TOKEN}, format="json"
    )

    assert response.status_code == 200
    assert NEW_TOKEN not in response.content.decode()
    assert store_accepts == [{"store_hash": "abc123", "access_token": NEW_TOKEN}]
    connection.refresh_from_db()
    assert connection.access_token == NEW_TOKEN


def test_a_blank_token_keeps_the_stored_one(store_accepts, connection, manager):
    response = api_client_for(manager).patch(
        detail_url(connection), {"access_token": "", "name": "Same"}, format="json"
    )

    assert response.status_code == 200
    connection.refresh_from_db()
    assert connection.access_token == STORED_TOKEN
    assert store_accepts == []


def test_a_refused_new_token_gives_400_and_keeps_the_old_one(bigcommerce, connection, manager):
    bigcommerce.get(bc_url("abc123", "/v2/store"), status=401, json=[{"status": 401}])

    response = api_client_for(manager).patch(
        detail_url(connection), {"access_token": NEW_TOKEN, "name": "Renamed"}, format="json"
    )

    assert response.status_code == 400
    assert "access_token" in response.json()
    connection.refresh_from_db()
    assert (connection.access_token, connection.name) == (STORED_TOKEN, "Main store")


def test_an_invalid_setting_is_refused_with_400_and_nothing_changes(connection, manager):
    response = api_client_for(manager).patch(
        detail_url(connection), {"order_status_filter": [99], "name": "Renamed"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["order_status_filter"]
    connection.refresh_from_db()
    assert connection.name == "Main store"


def test_the_tenant_and_driver_cannot_be_changed(store_accepts, connection, other_tenant, staff):
    response = api_client_for(staff).patch(
        detail_url(connection), {"tenant": other_tenant.pk, "driver": "other"}, format="json"
    )

    assert response.status_code == 200
    connection.refresh_from_db()
    assert (connection.tenant_id, connection.driver) == (connection.tenant.pk, "bigcommerce")
    assert connection.tenant_id != other_tenant.pk


def test_moving_to_a_store_with_another_active_connection_is_refused(
    store_accepts, tenant, connection, manager
):
    second = make_connection(tenant, name="Second", store_hash="second1")

    response = api_client_for(manager).patch(
        detail_url(second), {"store_hash": connection.store_hash}, format="json"
    )

    assert response.status_code == 400
    assert "'Main store'" in response.json()["store_hash"][0]
    second.refresh_from_db()
    assert second.store_hash == "second1"


def test_put_is_not_offered(connection, manager):
    response = api_client_for(manager).put(
        detail_url(connection), new_connection_payload(), format="json"
    )

    assert response.status_code == 405


def test_a_connection_being_deleted_cannot_be_edited(connection, manager):
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.DELETING)

    response = api_client_for(manager).patch(
        detail_url(connection), {"name": "Renamed"}, format="json"
    )

    assert response.status_code == 400
    assert "being deleted" in response.json()["non_field_errors"][0]


# --------------------------------------------------------------------------- delete


@pytest.fixture
def run_delete_task_inline(monkeypatch):
    from connections.tasks import connection_delete_task

    monkeypatch.setattr(connection_delete_task, "delay", connection_delete_task)


def test_delete_shows_the_connection_deleting_until_the_background_task_removed_it(
    run_delete_task_inline, connection, manager, django_capture_on_commit_callbacks
):
    client = api_client_for(manager)
    Run.objects.create(dataflow=connection.dataflows.first(), trigger=Run.Trigger.MANUAL)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.delete(detail_url(connection))
    listed = client.get(LIST_URL).json()["results"]

    assert response.status_code == 202
    assert response.json()["status"] == "deleting"
    assert [(row["id"], row["status"]) for row in listed] == [(connection.pk, "deleting")]
    assert len(callbacks) == 1

    callbacks[0]()  # the worker picks the task up

    assert client.get(detail_url(connection)).status_code == 404
    assert not Run.objects.exists()
    assert not Dataflow.objects.exists()


def test_deleting_a_connection_stops_its_schedules(connection, manager):
    api_client_for(manager).delete(detail_url(connection))

    tasks = PeriodicTask.objects.filter(name__startswith="dataflow-")
    assert tasks.exists()
    assert not tasks.filter(enabled=True).exists()


def test_deleting_twice_queues_one_deletion(
    connection, manager, django_capture_on_commit_callbacks
):
    client = api_client_for(manager)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.delete(detail_url(connection))
        second = client.delete(detail_url(connection))

    assert (first.status_code, second.status_code) == (202, 202)
    assert len(callbacks) == 1


# --------------------------------------------------------------------------- actions


def test_synchronize_queues_every_enabled_dataflow_and_returns_the_runs(connection, operator):
    response = api_client_for(operator).post(detail_url(connection, "synchronize/"))

    assert response.status_code == 202
    runs = response.json()
    enabled = set(connection.dataflows.filter(enabled=True).values_list("kind", flat=True))
    assert {run["kind"] for run in runs} == enabled
    assert Kind.CHANGED_PRODUCT_MATCH not in {run["kind"] for run in runs}
    assert {(run["status"], run["trigger"], run["connection"]) for run in runs} == {
        ("queued", "synchronize", connection.pk)
    }
    assert Run.objects.count() == len(enabled)


def test_synchronizing_twice_reuses_the_runs_still_queued(connection, operator):
    client = api_client_for(operator)

    first = client.post(detail_url(connection, "synchronize/")).json()
    second = client.post(detail_url(connection, "synchronize/")).json()

    assert {run["id"] for run in first} == {run["id"] for run in second}


def test_an_inactive_connection_cannot_be_synchronized(connection, operator):
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.INACTIVE)

    response = api_client_for(operator).post(detail_url(connection, "synchronize/"))

    assert response.status_code == 400
    assert "enable" in response.json()["non_field_errors"][0].lower()
    assert not Run.objects.exists()


def test_disable_stops_the_schedules_and_enable_restores_them(connection, operator):
    client = api_client_for(operator)
    tasks = PeriodicTask.objects.filter(name__startswith="dataflow-")

    disabled = client.post(detail_url(connection, "disable/"))
    scheduled_while_disabled = tasks.filter(enabled=True).count()
    enabled = client.post(detail_url(connection, "enable/"))

    assert (disabled.status_code, disabled.json()["status"]) == (200, "inactive")
    assert scheduled_while_disabled == 0
    assert (enabled.status_code, enabled.json()["status"]) == (200, "active")
    assert tasks.filter(enabled=True).count() == connection.dataflows.filter(enabled=True).count()


def test_enabling_is_refused_while_another_connection_to_the_store_is_active(
    tenant, connection, operator
):
    twin = make_connection(
        tenant, name="Twin", store_hash=connection.store_hash, status=Connection.Status.INACTIVE
    )

    response = api_client_for(operator).post(detail_url(twin, "enable/"))

    assert response.status_code == 400
    assert "'Main store'" in response.json()["store_hash"][0]
    twin.refresh_from_db()
    assert twin.status == "inactive"


def test_a_connection_being_deleted_cannot_be_enabled(connection, operator):
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.DELETING)

    response = api_client_for(operator).post(detail_url(connection, "enable/"))

    assert response.status_code == 400
    assert "being deleted" in response.json()["non_field_errors"][0]


# --------------------------------------------------------------------------- the token


def test_the_access_token_appears_in_no_response_body(store_accepts, tenant, connection, manager):
    client = api_client_for(manager)
    run = Run.objects.create(dataflow=connection.dataflows.first(), trigger=Run.Trigger.MANUAL)
    answers = [
        (client.get(LIST_URL), 200),
        (client.get(detail_url(connection)), 200),
        (client.post(LIST_URL, new_connection_payload(), format="json"), 201),
        (client.post(LIST_URL, new_connection_payload(store_hash="abc123"), format="json"), 400),
        (client.post(LIST_URL, new_connection_payload(name=""), format="json"), 400),
        (client.patch(detail_url(connection), {"access_token": NEW_TOKEN}, format="json"), 200),
        (client.patch(detail_url(connection), {"access_token": "x" * 501}, format="json"), 400),
        (client.post(detail_url(connection, "synchronize/")), 202),
        (client.post(detail_url(connection, "disable/")), 200),
        (client.post(detail_url(connection, "enable/")), 200),
        (client.get(detail_url(connection, "dataflows/")), 200),
        (
            client.patch(
                detail_url(connection, "dataflows/order_import/"), {"enabled": False}, format="json"
            ),
            200,
        ),
        (client.get("/api/v1/runs/"), 200),
        (client.get(f"/api/v1/runs/{run.pk}/"), 200),
        (client.get(f"/api/v1/runs/{run.pk}/logs/"), 200),
        (client.delete(detail_url(connection)), 202),
        (client.get(LIST_URL, HTTP_ACCEPT="text/html"), 200),  # the browsable API
        (client.get(detail_url(connection), HTTP_ACCEPT="text/html"), 200),
        (client.options(LIST_URL), 200),
    ]

    assert [response.status_code for response, _ in answers] == [code for _, code in answers]
    responses_seen = [response for response, _ in answers]
    for response in responses_seen:
        text = response.content.decode()
        assert STORED_TOKEN not in text
        assert NEW_TOKEN not in text
        assert 'access_token": "' not in text
