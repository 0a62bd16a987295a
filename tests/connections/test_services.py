"""Writes for tenants and connections, as far as the engine is concerned: credentials checks,
one active connection per store, ENABLE / DISABLE, SYNCHRONIZE, DELETE in the background."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from rest_framework.authtoken.models import Token

from connections import services
from connections.bigcommerce import errors as bc_errors
from connections.models import Connection, Membership, Tenant
from dataflows.models import Dataflow, LogEntry, Run
from dataflows.registry import flow_specs
from tests.fixtures.tenants import make_connection


class FakeStoreClient:
    """Stands in for BigCommerceClient in the credentials check."""

    store = {"name": "Alice's Store", "id": "abc123"}
    store_error: Exception | None = None
    denied: set[str] = set()  # "orders", "products", "inventory"
    made: list = []

    def __init__(self, *, store_hash, access_token, **kwargs):
        self.store_hash, self.access_token = store_hash, access_token
        self.closed = False
        type(self).made.append(self)

    def _probe(self, scope):
        if scope in self.denied:
            raise bc_errors.AuthenticationError(f"denied {scope} (403)")

    def get_store(self):
        if self.store_error is not None:
            raise self.store_error
        return self.store

    def count_orders(self):
        self._probe("orders")
        return 0

    def iter_product_pages(self, limit):
        self._probe("products")
        return iter([])

    def list_locations(self):
        self._probe("inventory")
        return []

    def list_order_statuses(self):
        self._probe("orders")
        return [
            {"id": 11, "name": "Awaiting Fulfillment", "custom_label": "Ready to pick"},
            {"id": 5, "name": "Cancelled", "custom_label": ""},
        ]

    def close(self):
        self.closed = True


@pytest.fixture
def store(monkeypatch):
    class Store(FakeStoreClient):
        store_error = None
        denied = set()
        made = []

    monkeypatch.setattr("connections.bigcommerce.client.BigCommerceClient", Store)
    return Store


@pytest.fixture
def sent_tasks(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "connections.tasks.connection_delete_task.delay", lambda pk: sent.append(("delete", pk))
    )
    monkeypatch.setattr("dataflows.services._enqueue_run", lambda pk: sent.append(("run", pk)))
    return sent


# ----------------------------------------------------------------------------- tenants


def test_tenant_create_makes_a_manager_and_returns_their_api_token(db):
    tenant, token = services.tenant_create(name="Carol's Shop", username="carol", password="pw-1")
    user = get_user_model().objects.get(username="carol")
    assert Membership.objects.get(tenant=tenant, user=user).role == Membership.Role.MANAGER
    assert Token.objects.get(user=user).key == token
    assert user.check_password("pw-1")


def test_tenant_create_attaches_an_existing_user_and_keeps_their_token(db):
    _, first = services.tenant_create(name="Shop One", username="carol", password="pw-1")
    tenant, second = services.tenant_create(name="Shop Two", username="carol", password="pw-2")
    assert second == first
    user = get_user_model().objects.get(username="carol")
    assert set(user.memberships.values_list("tenant__name", flat=True)) == {"Shop One", "Shop Two"}
    assert user.check_password("pw-2")


def test_tenant_create_refuses_a_name_that_exists(tenant):
    with pytest.raises(ValidationError, match="already exists"):
        services.tenant_create(name=tenant.name, username="carol", password="pw")
    assert not get_user_model().objects.filter(username="carol").exists()


def test_tenant_create_refuses_an_invalid_username(db):
    with pytest.raises(ValidationError):
        services.tenant_create(name="Shop", username="no spaces allowed", password="pw")
    assert not Tenant.objects.exists()


# ----------------------------------------------------------------------------- credentials


def test_the_credentials_check_returns_the_store_and_closes_the_client(store):
    assert services.connection_check_credentials(store_hash="abc123", access_token="t")["name"]
    assert store.made[0].closed


def test_a_wrong_token_is_refused_on_the_access_token_field(store):
    store.store_error = bc_errors.AuthenticationError("401")
    with pytest.raises(ValidationError) as exc:
        services.connection_check_credentials(store_hash="abc123", access_token="wrong")
    assert "refused this store hash and access token" in exc.value.message_dict["access_token"][0]


def test_a_wrong_store_hash_is_refused_on_the_store_hash_field(store):
    store.store_error = bc_errors.NotFoundError("404")
    with pytest.raises(ValidationError) as exc:
        services.connection_check_credentials(store_hash="nope42", access_token="t")
    assert "no store with hash 'nope42'" in exc.value.message_dict["store_hash"][0]


def test_a_token_without_the_needed_scopes_is_refused_naming_them(store):
    store.denied = {"inventory", "products"}
    with pytest.raises(ValidationError) as exc:
        services.connection_check_credentials(store_hash="abc123", access_token="t")
    message = exc.value.message_dict["access_token"][0]
    assert "Products" in message and "Store Locations / Inventory" in message
    assert "Orders" not in message


def test_an_unreachable_store_is_a_try_again_error(store):
    store.store_error = bc_errors.TransportError("timed out")
    with pytest.raises(ValidationError, match="could not be reached"):
        services.connection_check_credentials(store_hash="abc123", access_token="t")


# ----------------------------------------------------------------------------- connections


def test_connection_create_checks_credentials_and_creates_the_dataflows(tenant, manager, store):
    connection = services.connection_create(
        tenant=tenant, name=" Main ", store_hash=" abc123 ", access_token=" tok ", user=manager
    )
    connection.refresh_from_db()
    assert (connection.name, connection.store_hash, connection.access_token) == (
        "Main",
        "abc123",
        "tok",
    )
    assert connection.store_name == "Alice's Store"
    assert connection.dataflows.count() == len(flow_specs())
    assert PeriodicTask.objects.filter(enabled=True, name__startswith="dataflow-").count() == 9


def test_connection_create_refuses_a_store_with_an_active_connection_naming_it(
    connection, manager, store
):
    with pytest.raises(ValidationError) as exc:
        services.connection_create(
            tenant=connection.tenant,
            name="Second",
            store_hash=connection.store_hash,
            access_token="t",
            user=manager,
        )
    assert f"'{connection.name}' of tenant '{connection.tenant.name}'" in str(exc.value)


def test_another_tenants_active_connection_is_not_named(connection, outsider, store):
    with pytest.raises(ValidationError) as exc:
        services.connection_create(
            tenant=outsider.memberships.get().tenant,
            name="Bob's",
            store_hash=connection.store_hash,
            access_token="t",
            user=outsider,
        )
    assert "another tenant's connection" in str(exc.value)
    assert connection.name not in str(exc.value)


def test_connection_update_with_a_blank_token_keeps_the_stored_one(connection, store):
    services.connection_update(connection=connection, name="Renamed", access_token="")
    connection.refresh_from_db()
    assert connection.access_token == "secret-token-1"
    assert store.made == []  # no credential changed: the store is not called


def test_connection_update_with_a_new_token_checks_it(connection, store):
    services.connection_update(connection=connection, access_token="new-token")
    connection.refresh_from_db()
    assert connection.access_token == "new-token"
    assert store.made[0].access_token == "new-token"


def test_enabling_refuses_when_the_store_has_another_active_connection(connection, tenant):
    services.connection_set_active(connection=connection, active=False)
    make_connection(tenant, name="Replacement", store_hash=connection.store_hash)
    with pytest.raises(ValidationError, match="already has an active connection"):
        services.connection_set_active(connection=connection, active=True)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.INACTIVE


def test_enable_and_disable_switch_the_schedules(connection):
    services.connection_set_active(connection=connection, active=False)
    assert connection.status == Connection.Status.INACTIVE
    assert not PeriodicTask.objects.filter(name__startswith="dataflow-", enabled=True).exists()
    services.connection_set_active(connection=connection, active=True)
    assert PeriodicTask.objects.filter(name__startswith="dataflow-", enabled=True).count() == 9


def test_a_connection_being_deleted_cannot_be_enabled(connection, sent_tasks):
    services.connection_delete_start(connection=connection)
    with pytest.raises(ValidationError, match="being deleted"):
        services.connection_set_active(connection=connection, active=True)


def test_synchronize_refuses_an_inactive_connection(connection):
    from dataflows.services import connection_synchronize

    services.connection_set_active(connection=connection, active=False)
    with pytest.raises(ValidationError, match="inactive"):
        connection_synchronize(connection=connection)


# ----------------------------------------------------------------------------- deleting


def test_delete_start_marks_deleting_stops_schedules_and_sends_the_task_after_commit(
    connection, sent_tasks, django_capture_on_commit_callbacks
):
    waiting = Run.objects.create(
        dataflow=connection.dataflows.get(kind="order_import"), trigger=Run.Trigger.MANUAL
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.connection_delete_start(connection=connection)
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DELETING
    assert not PeriodicTask.objects.filter(name__startswith="dataflow-", enabled=True).exists()
    waiting.refresh_from_db()
    assert waiting.status == Run.Status.FAILED and "being deleted" in waiting.error_message
    assert sent_tasks == [("delete", connection.pk)]


def test_delete_removes_the_connection_and_all_that_belongs_to_it_in_batches(
    connection, other_connection
):
    dataflow = connection.dataflows.get(kind="order_import")
    runs = Run.objects.bulk_create(
        [Run(dataflow=dataflow, trigger=Run.Trigger.SCHEDULE) for _ in range(5)]
    )
    LogEntry.objects.bulk_create(
        [LogEntry(run=run, message=f"entry {n}") for run in runs for n in range(3)]
    )
    Dataflow.objects.filter(pk=dataflow.pk).update(
        lease_run=runs[0], lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    others = other_connection.dataflows.get(kind="order_import")
    other_run = Run.objects.create(dataflow=others, trigger=Run.Trigger.SCHEDULE)

    services.connection_delete(connection_id=connection.pk, batch_size=2)

    assert not Connection.objects.filter(pk=connection.pk).exists()
    assert not Dataflow.objects.filter(connection_id=connection.pk).exists()
    assert list(Run.objects.values_list("pk", flat=True)) == [other_run.pk]
    assert not PeriodicTask.objects.filter(args=f"[{dataflow.pk}]").exists()
    assert PeriodicTask.objects.filter(args=f"[{others.pk}]").exists()


def test_deleting_a_connection_that_is_gone_does_nothing(db):
    services.connection_delete(connection_id=987654)


def test_saving_credentials_keeps_the_stores_own_order_status_labels(tenant, store):
    connection = services.connection_create(
        tenant=tenant, name="Shop", store_hash="abc123", access_token="t"
    )

    assert connection.status_label(11) == "Ready to pick"
    assert connection.status_label(5) == "Cancelled"
    assert connection.status_label(2) == "Shipped"


def test_a_scope_probe_answering_5xx_is_refused_with_try_again_and_nothing_saved(
    tenant, store, monkeypatch
):
    def broken(self):
        raise bc_errors.ServerError("BigCommerce answered 503")

    monkeypatch.setattr(store, "list_locations", broken)

    with pytest.raises(ValidationError, match="try again"):
        services.connection_create(
            tenant=tenant, name="Shop", store_hash="abc123", access_token="t"
        )

    assert not Connection.objects.exists()


def test_a_refused_update_leaves_the_connection_object_as_stored(connection, other_connection):
    with pytest.raises(ValidationError):
        services.connection_update(
            connection=connection, name="Renamed", store_hash="bob999", check_credentials=False
        )

    assert connection.name == "Main store"
    assert connection.store_hash == "abc123"


def test_a_connection_being_deleted_cannot_be_updated(connection):
    connection.status = Connection.Status.DELETING
    connection.save()

    with pytest.raises(ValidationError, match="being deleted"):
        services.connection_update(connection=connection, name="New name")


def test_only_the_named_scopes_are_probed(store):
    store.denied = {"inventory", "products"}
    info = services.connection_check_credentials(
        store_hash="abc123", access_token="t", scopes=("orders",)
    )
    assert info["name"]


def test_creating_on_another_tenants_store_checks_the_token_before_telling_it_is_taken(
    fake_store, tenant, other_connection, manager
):
    with pytest.raises(ValidationError) as refused:
        services.connection_create(
            tenant=tenant,
            user=manager,
            name="Probe",
            store_hash=other_connection.store_hash,
            access_token="guess",
        )

    assert set(refused.value.message_dict) == {"access_token"}
    assert fake_store == [(other_connection.store_hash, "guess")]


def test_moving_a_connection_onto_another_tenants_store_checks_the_token_first(
    fake_store, connection, other_connection, manager
):
    with pytest.raises(ValidationError) as refused:
        services.connection_update(
            connection=connection,
            user=manager,
            store_hash=other_connection.store_hash,
            access_token="guess",
        )

    assert set(refused.value.message_dict) == {"access_token"}
    connection.refresh_from_db()
    assert connection.store_hash != other_connection.store_hash


def test_the_store_of_a_connection_the_user_may_see_is_refused_without_calling_it(
    fake_store, tenant, connection, manager
):
    with pytest.raises(ValidationError) as refused:
        services.connection_create(
            tenant=tenant,
            user=manager,
            name="Twice",
            store_hash=connection.store_hash,
            access_token="good-token",
        )

    assert "already has an active connection" in refused.value.message_dict["store_hash"][0]
    assert fake_store == []
