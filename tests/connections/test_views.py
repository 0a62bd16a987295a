"""The CONNECTIONS screens with Django's test client.

Every view and action is tried as the tenant's manager (owner), operator, viewer, a manager of
another tenant (outsider: 404, Healthchecks' test_it_validates_ownership) and anonymous (to the
log-in page). The stored access token must never appear in any HTML.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from connections import services
from connections.models import Connection, ListPreference, Membership, SavedListView, Tenant
from dataflows.models import Dataflow, Kind, LogEntry, Run
from tests.fixtures.tenants import make_connection, make_user

TOKEN = "secret-token-1"  # make_connection's token


# ----------------------------------------------------------------------------- helpers


@pytest.fixture
def fake_store(monkeypatch):
    """The credential check without BigCommerce: demo01 / good-token passes."""
    calls = []

    def check(*, store_hash, access_token, scopes=()):
        calls.append((store_hash, access_token))
        if access_token != "good-token":
            raise ValidationError(
                {
                    "access_token": "BigCommerce refused this store hash and access token. "
                    "Check the store hash and copy the access token again."
                }
            )
        return {"name": f"Store {store_hash}"}

    monkeypatch.setattr(services, "connection_check_credentials", check)
    return calls


@pytest.fixture
def no_tasks(monkeypatch):
    """Record Celery sends instead of talking to a broker."""
    from connections import tasks as connection_tasks
    from dataflows import tasks as dataflow_tasks

    sent = {"runs": [], "deletions": []}
    monkeypatch.setattr(dataflow_tasks.run_execute_task, "delay", sent["runs"].append)
    monkeypatch.setattr(connection_tasks.connection_delete_task, "delay", sent["deletions"].append)
    return sent


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


ROLES = ["manager", "operator", "viewer", "outsider", "anonymous"]


@pytest.fixture
def as_role(request, manager, operator, viewer, outsider):
    users = {
        "manager": manager,
        "operator": operator,
        "viewer": viewer,
        "outsider": outsider,
        "anonymous": None,
    }

    def get(role):
        return client_for(users[role])

    return get


@pytest.fixture
def run(connection):
    dataflow = connection.dataflows.get(kind=Kind.ORDER_IMPORT)
    run = Run.objects.create(
        dataflow=dataflow,
        trigger=Run.Trigger.SYNCHRONIZE,
        status=Run.Status.RUNNING,
        fetched=120,
        created=100,
        progress_done=120,
        progress_total=300,
    )
    LogEntry.objects.create(run=run, object_kind="order", object_id="101", message="Imported")
    return run


def page_urls(connection, run):
    pk = connection.pk
    return [
        reverse("connection-detail", args=[pk]),
        reverse("connection-detail", args=[pk]) + "?partial=runs",
        reverse("connection-credentials", args=[pk]),
        *(
            reverse("connection-settings", args=[pk]) + f"?section={section}"
            for section in (
                "variant-option-type",
                "order-filters",
                "orders-shipments",
                "products-stock",
                "offers",
            )
        ),
        reverse("connection-dataflows", args=[pk]),
        reverse("connection-dataflows", args=[pk]) + "?partial=dataflows",
        reverse("connection-runs", args=[pk]),
        reverse("connection-runs", args=[pk]) + "?partial=runs",
        reverse("run-detail", args=[pk, run.pk]),
        reverse("run-detail", args=[pk, run.pk]) + "?partial=run",
    ]


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ----------------------------------------------------------------------------- pages (GET)


@pytest.mark.parametrize("role", ROLES)
def test_connection_pages_by_role(as_role, role, connection, run):
    client = as_role(role)
    for url in page_urls(connection, run):
        response = client.get(url)
        if role == "anonymous":
            assert_login_redirect(response)
        elif role == "outsider":
            assert response.status_code == 404, url
        else:
            assert response.status_code == 200, url
            assert TOKEN not in response.content.decode(), url


@pytest.mark.parametrize("role", ROLES)
def test_list_by_role(as_role, role, connection, other_connection):
    response = as_role(role).get(reverse("home"))
    if role == "anonymous":
        assert_login_redirect(response)
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert TOKEN not in html
    if role == "outsider":
        assert "Bob&#x27;s store" in html and "Main store" not in html
    else:
        assert "Main store" in html and "Bob&#x27;s store" not in html


def test_staff_sees_every_tenant_and_page(staff, connection, other_connection, run):
    client = client_for(staff)
    html = client.get(reverse("home")).content.decode()
    assert "Alice&#x27;s Shop" in html and "Bob&#x27;s Shop" in html  # the tenant switcher
    for url in page_urls(connection, run):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("connection-detail", args=[other_connection.pk])).status_code == 200


def test_run_of_another_connection_is_404(manager, connection, other_connection):
    other_run = Run.objects.create(
        dataflow=other_connection.dataflows.first(), trigger=Run.Trigger.MANUAL
    )
    client = client_for(manager)
    url = reverse("run-detail", args=[connection.pk, other_run.pk])
    assert client.get(url).status_code == 404


def test_unknown_settings_section_is_404(manager, connection):
    url = reverse("connection-settings", args=[connection.pk]) + "?section=nope"
    assert client_for(manager).get(url).status_code == 404


def test_token_never_rendered_anywhere(manager, connection, run, fake_store):
    client = client_for(manager)
    pages = [reverse("home"), reverse("connection-create"), *page_urls(connection, run)]
    for url in pages:
        assert TOKEN not in client.get(url).content.decode(), url
    # Not even the token just typed in, when saving fails.
    response = client.post(
        reverse("connection-credentials", args=[connection.pk]),
        {"store_hash": "abc123", "access_token": "typed-wrong-token"},
    )
    assert response.status_code == 200
    assert "typed-wrong-token" not in response.content.decode()
    assert TOKEN not in response.content.decode()


# ----------------------------------------------------------------------------- create


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
    assert connection.dataflows.count() == len(Kind)


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


@pytest.mark.parametrize("role", ROLES)
def test_rename_by_role(as_role, role, connection):
    response = as_role(role).post(
        reverse("connection-rename", args=[connection.pk]), {"name": "Renamed"}
    )
    connection.refresh_from_db()
    if role == "manager":
        assert response.status_code == 302
        assert connection.name == "Renamed"
    else:
        expected = {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert response.status_code == expected
        assert connection.name == "Main store"


def test_rename_blank_is_refused(manager, connection):
    client = client_for(manager)
    response = client.post(
        reverse("connection-rename", args=[connection.pk]), {"name": "  "}, follow=True
    )
    connection.refresh_from_db()
    assert connection.name == "Main store"
    assert "Give the connection a name" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_credentials_by_role(as_role, role, connection, fake_store):
    response = as_role(role).post(
        reverse("connection-credentials", args=[connection.pk]),
        {"store_hash": "abc123", "access_token": "good-token"},
    )
    connection.refresh_from_db()
    if role == "manager":
        assert response.status_code == 302
        assert connection.access_token == "good-token"
    else:
        expected = {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert response.status_code == expected
        assert connection.access_token == TOKEN
        assert fake_store == []


def test_credentials_blank_token_keeps_the_stored_one(manager, connection, fake_store):
    response = client_for(manager).post(
        reverse("connection-credentials", args=[connection.pk]),
        {"store_hash": "abc123", "access_token": ""},
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.access_token == TOKEN
    assert fake_store == []  # nothing changed: no need to ask the store


def test_credentials_wrong_token_changes_nothing(manager, connection, fake_store):
    response = client_for(manager).post(
        reverse("connection-credentials", args=[connection.pk]),
        {"store_hash": "newhash", "access_token": "bad-token"},
    )
    assert response.status_code == 200
    assert "BigCommerce refused" in response.content.decode()
    connection.refresh_from_db()
    assert (connection.store_hash, connection.access_token) == ("abc123", TOKEN)


def test_credentials_page_is_read_only_for_an_operator(operator, connection):
    html = client_for(operator).get(reverse("connection-credentials", args=[connection.pk]))
    html = html.content.decode()
    assert "Only a manager can change credentials" in html
    assert ">SAVE<" not in html


SETTINGS_POSTS = {
    "variant-option-type": ({"variant_option_type": "swatch"}, {"variant_option_type": "swatch"}),
    "order-filters": (
        {
            "order_status_filter": ["11", "9"],
            "import_min_order_id": "1000",
            "import_created_after": "2024-05-01",
            "import_archived_orders": "on",
        },
        {
            "order_status_filter": [9, 11],
            "import_min_order_id": 1000,
            "import_archived_orders": True,
        },
    ),
    "orders-shipments": (
        {"update_existing_orders": "on", "allow_partial_shipments": "on"},
        {"update_existing_orders": True, "allow_partial_shipments": True},
    ),
    "products-stock": (
        {"master_sku_field": "upc", "inventory_location_id": "3"},
        {"master_sku_field": "upc", "inventory_location_id": 3},
    ),
    "offers": ({"push_only_mapped_attributes": "on"}, {"push_only_mapped_attributes": True}),
}


@pytest.mark.parametrize("section", SETTINGS_POSTS)
@pytest.mark.parametrize("role", ROLES)
def test_settings_by_role(as_role, role, section, connection):
    data, expected = SETTINGS_POSTS[section]
    response = as_role(role).post(
        reverse("connection-settings", args=[connection.pk]), {"section": section, **data}
    )
    connection.refresh_from_db()
    values = {field: getattr(connection, field) for field in expected}
    if role == "manager":
        assert response.status_code == 302
        assert response["Location"].endswith(f"?section={section}")
        assert values == expected
    else:
        assert response.status_code == {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert values != expected


def test_settings_created_after_is_the_start_of_that_day(manager, connection):
    client_for(manager).post(
        reverse("connection-settings", args=[connection.pk]),
        {
            "section": "order-filters",
            "order_status_filter": ["11"],
            "import_created_after": "2024-05-01",
        },
    )
    connection.refresh_from_db()
    assert connection.import_created_after.isoformat() == "2024-05-01T00:00:00+00:00"


def test_settings_form_errors(manager, connection):
    client = client_for(manager)
    response = client.post(
        reverse("connection-settings", args=[connection.pk]),
        {"section": "order-filters", "import_min_order_id": "-5"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Turn on at least one order status" in errors["order_status_filter"][0]
    assert "import_min_order_id" in errors
    response = client.post(
        reverse("connection-settings", args=[connection.pk]),
        {"section": "products-stock", "master_sku_field": "ean", "inventory_location_id": "0"},
    )
    assert set(response.context["form"].errors) == {"master_sku_field", "inventory_location_id"}
    connection.refresh_from_db()
    assert connection.order_status_filter == [11, 5]
    assert connection.master_sku_field == "sku"


def test_order_statuses_use_the_store_labels(manager, connection):
    connection.order_status_labels = {"11": "Ready to pick"}
    connection.save()
    url = reverse("connection-settings", args=[connection.pk]) + "?section=order-filters"
    html = client_for(manager).get(url).content.decode()
    assert "Ready to pick" in html
    assert "Awaiting Fulfillment" not in html
    assert "Partially Refunded" in html  # the default label where the store has none
    assert len(re.findall(r'name="order_status_filter"', html)) == 15


def test_settings_read_only_for_viewer(viewer, connection):
    url = reverse("connection-settings", args=[connection.pk]) + "?section=offers"
    html = client_for(viewer).get(url).content.decode()
    assert "<fieldset disabled>" in html
    assert "Only a manager can change settings" in html


# ----------------------------------------------------------------------------- actions


def bulk(client, action, *connections, **extra):
    return client.post(
        reverse("connection-bulk-action", args=[action]),
        {"ids": [c.pk for c in connections], **extra},
    )


@pytest.mark.parametrize("role", ROLES)
def test_synchronize_by_role(as_role, role, connection, no_tasks):
    client = as_role(role)
    response = bulk(client, "synchronize", connection)
    runs = Run.objects.filter(dataflow__connection=connection)
    if role in ("manager", "operator"):
        assert response.status_code == 302
        assert runs.count() == 5  # every enabled dataflow (not Changed Product Match)
        assert set(runs.values_list("trigger", flat=True)) == {Run.Trigger.SYNCHRONIZE}
        html = client.get(response["Location"]).content.decode()
        assert "Sync triggered" in html
        assert "5 dataflows of “Main store” are queued" in html
        # The pop-up shows once.
        assert "Sync triggered" not in client.get(response["Location"]).content.decode()
    else:
        assert response.status_code == {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert runs.count() == 0


def test_synchronize_from_the_connection_page(operator, connection, no_tasks):
    client = client_for(operator)
    response = client.post(reverse("connection-action", args=[connection.pk, "synchronize"]))
    assert response["Location"] == reverse("connection-runs", args=[connection.pk])
    html = client.get(response["Location"]).content.decode()
    assert "Sync triggered" in html
    assert 'data-active="1"' in html  # the runs table refreshes itself while runs are queued


def test_synchronize_needs_exactly_one(operator, tenant, connection, no_tasks):
    second = make_connection(tenant, name="Second", store_hash="s2")
    client = client_for(operator)
    response = bulk(client, "synchronize", connection, second)
    assert not Run.objects.exists()
    html = client.get(response["Location"]).content.decode()
    assert "SYNCHRONIZE works on exactly one connection" in html


def test_synchronize_inactive_connection_says_why(operator, connection, no_tasks):
    connection.status = Connection.Status.INACTIVE
    connection.save()
    client = client_for(operator)
    response = bulk(client, "synchronize", connection)
    assert not Run.objects.exists()
    assert "enable it" in client.get(response["Location"]).content.decode().lower()


@pytest.mark.parametrize("role", ROLES)
def test_disable_and_enable_by_role(as_role, role, tenant, connection):
    inactive = make_connection(tenant, name="Outlet", store_hash="out1", status="inactive")
    client = as_role(role)
    response = bulk(client, "disable", connection, inactive)
    connection.refresh_from_db()
    inactive.refresh_from_db()
    if role in ("manager", "operator"):
        assert response.status_code == 302
        assert connection.status == inactive.status == "inactive"
        bulk(client, "enable", connection, inactive)
        connection.refresh_from_db()
        inactive.refresh_from_db()
        assert connection.status == inactive.status == "active"
    else:
        assert response.status_code == {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert (connection.status, inactive.status) == ("active", "inactive")


def test_disable_stops_schedules(operator, connection):
    bulk(client_for(operator), "disable", connection)
    tasks = [d.periodic_task for d in connection.dataflows.exclude(periodic_task=None)]
    assert tasks and not any(task.enabled for task in tasks if task is not None)


def test_enable_refused_when_the_store_has_another_active_connection(operator, tenant, connection):
    twin = make_connection(tenant, name="Twin", store_hash="twin", status="inactive")
    Connection.objects.filter(pk=twin.pk).update(store_hash=connection.store_hash)
    client = client_for(operator)
    response = bulk(client, "enable", twin)
    twin.refresh_from_db()
    assert twin.status == "inactive"
    html = client.get(response["Location"]).content.decode()
    assert "“Twin” not enabled" in html
    assert "already has an active connection" in html


def test_bulk_with_a_foreign_id_is_404(operator, connection, other_connection):
    response = bulk(client_for(operator), "disable", connection, other_connection)
    assert response.status_code == 404
    connection.refresh_from_db()
    other_connection.refresh_from_db()
    assert connection.status == other_connection.status == "active"


def test_bulk_unknown_action_and_bad_ids(operator, connection):
    client = client_for(operator)
    assert bulk(client, "explode", connection).status_code == 404
    url = reverse("connection-bulk-action", args=["disable"])
    assert client.post(url, {"ids": ["x"]}).status_code == 404
    response = client.post(url, {"ids": []}, follow=True)
    assert "Select a connection" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_delete_by_role(as_role, role, connection, no_tasks, django_capture_on_commit_callbacks):
    client = as_role(role)
    with django_capture_on_commit_callbacks(execute=True):
        response = bulk(client, "delete", connection, confirm="yes")
    connection.refresh_from_db()
    if role == "manager":
        assert response.status_code == 302
        assert connection.status == Connection.Status.DELETING
        assert no_tasks["deletions"] == [connection.pk]
        html = client.get(reverse("home")).content.decode()
        assert "Deleting…" in html
        assert 'data-active="1"' in html  # the list refreshes itself until it is gone
    else:
        assert response.status_code == {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert connection.status == Connection.Status.ACTIVE
        assert no_tasks["deletions"] == []


def test_delete_asks_for_confirmation_first(manager, connection, no_tasks):
    client = client_for(manager)
    response = client.post(reverse("connection-action", args=[connection.pk, "delete"]))
    assert response.status_code == 200
    assert "Delete connection “Main store”?" in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == Connection.Status.ACTIVE
    response = client.post(
        reverse("connection-action", args=[connection.pk, "delete"]), {"confirm": "yes"}
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DELETING


def test_a_deleting_connection_refuses_changes(manager, connection, no_tasks, fake_store):
    connection.status = Connection.Status.DELETING
    connection.save()
    client = client_for(manager)
    for action in ("synchronize", "enable", "disable", "delete"):
        response = client.post(
            reverse("connection-action", args=[connection.pk, action]), {"confirm": "yes"}
        )
        assert response.status_code == 302
    client.post(reverse("connection-rename", args=[connection.pk]), {"name": "New"})
    client.post(
        reverse("connection-settings", args=[connection.pk]),
        {"section": "offers", "push_only_mapped_attributes": "on"},
    )
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DELETING
    assert connection.name == "Main store"
    assert connection.push_only_mapped_attributes is False
    assert not Run.objects.exists()
    html = client.get(reverse("connection-detail", args=[connection.pk])).content.decode()
    assert "being deleted" in html
    for action in ("synchronize", "enable", "disable", "delete"):
        assert reverse("connection-action", args=[connection.pk, action]) not in html


def test_actions_are_post_only(manager, connection, run):
    client = client_for(manager)
    dataflow = connection.dataflows.first()
    urls = [
        reverse("connection-bulk-action", args=["enable"]),
        reverse("connection-action", args=[connection.pk, "synchronize"]),
        reverse("connection-rename", args=[connection.pk]),
        reverse("dataflow-save", args=[connection.pk, dataflow.pk]),
        reverse("dataflow-run-now", args=[connection.pk, dataflow.pk]),
        reverse("connection-columns"),
        reverse("connection-view-save"),
        reverse("tenant-switch"),
    ]
    for url in urls:
        assert client.get(url).status_code == 405, url


def test_csrf_is_enforced(manager, connection):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(reverse("connection-action", args=[connection.pk, "disable"]))
    assert response.status_code == 403
    connection.refresh_from_db()
    assert connection.is_active


# ----------------------------------------------------------------------------- dataflows


@pytest.mark.parametrize("role", ROLES)
def test_dataflow_save_by_role(as_role, role, connection):
    dataflow = connection.dataflows.get(kind=Kind.CHANGED_PRODUCT_MATCH)
    prefix = f"df{dataflow.pk}"
    response = as_role(role).post(
        reverse("dataflow-save", args=[connection.pk, dataflow.pk]),
        {f"{prefix}-enabled": "on", f"{prefix}-interval_seconds": "900"},
    )
    dataflow.refresh_from_db()
    if role in ("manager", "operator"):
        assert response.status_code == 302
        assert (dataflow.enabled, dataflow.interval_seconds) == (True, 900)
        assert dataflow.periodic_task.enabled
    else:
        assert response.status_code == {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert (dataflow.enabled, dataflow.interval_seconds) == (False, 3600)


def test_dataflow_save_rejects_an_unoffered_interval(operator, connection):
    dataflow = connection.dataflows.get(kind=Kind.ORDER_IMPORT)
    prefix = f"df{dataflow.pk}"
    client = client_for(operator)
    response = client.post(
        reverse("dataflow-save", args=[connection.pk, dataflow.pk]),
        {f"{prefix}-enabled": "on", f"{prefix}-interval_seconds": "7"},
        follow=True,
    )
    dataflow.refresh_from_db()
    assert dataflow.interval_seconds == 300
    assert "choose one of the offered schedules" in response.content.decode()


def test_dataflow_of_another_connection_is_404(manager, connection, other_connection):
    foreign = other_connection.dataflows.first()
    client = client_for(manager)
    assert (
        client.post(reverse("dataflow-save", args=[connection.pk, foreign.pk])).status_code == 404
    )
    assert (
        client.post(reverse("dataflow-run-now", args=[connection.pk, foreign.pk])).status_code
        == 404
    )


@pytest.mark.parametrize("role", ROLES)
def test_run_now_by_role(as_role, role, connection, no_tasks):
    dataflow = connection.dataflows.get(kind=Kind.FULL_STOCK_UPDATE)
    response = as_role(role).post(reverse("dataflow-run-now", args=[connection.pk, dataflow.pk]))
    if role in ("manager", "operator"):
        assert response["Location"] == reverse("connection-runs", args=[connection.pk])
        assert dataflow.runs.get().trigger == Run.Trigger.MANUAL
    else:
        assert response.status_code == {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert not dataflow.runs.exists()


def test_dataflows_tab_for_viewer_is_read_only(viewer, connection):
    html = client_for(viewer).get(reverse("connection-dataflows", args=[connection.pk]))
    html = html.content.decode()
    assert "Read-only" in html
    assert "Run now" not in html
    assert html.count("disabled") >= 12  # every toggle and schedule


def test_runs_tab_filters_and_live_fragment(manager, connection, run):
    done = Run.objects.create(
        dataflow=connection.dataflows.get(kind=Kind.PRODUCT_MATCH),
        trigger=Run.Trigger.SCHEDULE,
        status=Run.Status.FAILED,
        error_message="Product Match is not implemented yet; the run did nothing.",
    )
    client = client_for(manager)
    url = reverse("connection-runs", args=[connection.pk])
    html = client.get(url).content.decode()
    assert f"#{run.pk}" in html and f"#{done.pk}" in html
    assert "not implemented yet" in html
    assert 'aria-valuenow="40"' in html  # the progress bar of the running run
    html = client.get(url + "?status=failed").content.decode()
    assert f"#{run.pk}<" not in html and f"#{done.pk}<" in html
    fragment = client.get(url + "?partial=runs").content.decode()
    assert fragment.lstrip().startswith('<div class="table-wrap" id="runs"')
    assert 'data-active="1"' in fragment
    run.status = Run.Status.SUCCEEDED
    run.save()
    assert 'data-active="1"' not in client.get(url + "?partial=runs").content.decode()


def test_run_detail_shows_log_entries(manager, connection, run):
    LogEntry.objects.create(
        run=run, level="error", object_kind="order", object_id="7", message="Bad"
    )
    client = client_for(manager)
    url = reverse("run-detail", args=[connection.pk, run.pk])
    html = client.get(url).content.decode()
    assert "Imported" in html and "Bad" in html
    html = client.get(url + "?level=error").content.decode()
    assert "Bad" in html and "Imported" not in html


# ----------------------------------------------------------------------------- list: views, columns


def test_columns_bar_saves_columns_per_user(manager, viewer, connection):
    client = client_for(manager)
    response = client.post(
        reverse("connection-columns"),
        {
            "view": "0",
            "order": ["id", "name", "status", "errors", "driver", "store_hash"],
            "shown": ["id", "name", "store_hash"],
            "qs": "view=0&sort=name",
        },
    )
    assert response["Location"] == "/?view=0&sort=name&columns=open"
    assert ListPreference.objects.get(user=manager).columns == ["id", "name", "store_hash"]
    html = client.get(reverse("home")).content.decode()
    assert "Columns (3)" in html
    headers = re.findall(r'<th class="col-(\w+)', html)
    assert headers == ["id", "name", "store_hash"]
    assert "abc123" in html  # the store hash column
    # Another user's list is untouched.
    assert "Columns (5)" in client_for(viewer).get(reverse("home")).content.decode()


def test_columns_bar_moves_and_keeps_one(manager, connection):
    client = client_for(manager)
    data = {"view": "0", "order": ["name", "status", "errors", "driver", "id"]}
    client.post(
        reverse("connection-columns"),
        {**data, "shown": ["name", "status", "errors", "driver", "id"], "move": "status:up"},
    )
    assert ListPreference.objects.get(user=manager).columns[:2] == ["status", "name"]
    response = client.post(reverse("connection-columns"), {**data, "shown": []}, follow=True)
    assert "Keep at least one column shown" in response.content.decode()
    assert len(ListPreference.objects.get(user=manager).columns) == 5


def test_list_filter_and_sort(manager, tenant, connection):
    make_connection(tenant, name="Outlet", store_hash="out1", status="inactive")
    client = client_for(manager)
    html = client.get(reverse("home") + "?status=inactive").content.decode()
    assert "Outlet" in html and "Main store" not in html
    html = client.get(reverse("home") + "?q=main").content.decode()
    assert "Main store" in html and "Outlet" not in html
    html = client.get(reverse("home") + "?sort=-name").content.decode()
    assert html.index("Outlet") < html.index("Main store")
    html = client.get(reverse("home") + "?errors=yes").content.decode()
    assert "No connection matches this view" in html


def test_saved_views(manager, viewer, tenant, connection):
    make_connection(tenant, name="Outlet", store_hash="out1", status="inactive")
    client = client_for(manager)
    response = client.post(
        reverse("connection-view-save"),
        {"name": "Inactive ones", "status": "inactive", "sort": "-id"},
    )
    view = SavedListView.objects.get()
    assert response["Location"] == f"/?view={view.pk}"
    assert (view.user, view.filters, view.sort) == (manager, {"status": "inactive"}, "-id")
    # The view is remembered: the plain list now opens it.
    html = client.get(reverse("home")).content.decode()
    assert "Inactive ones" in html and "Outlet" in html and "Main store" not in html
    # Back to the default view.
    html = client.get(reverse("home") + "?view=0").content.decode()
    assert "Main store" in html and "Outlet" in html
    # Update it with another filter; a duplicate name is refused.
    client.post(reverse("connection-view-update", args=[view.pk]), {"status": "active"})
    view.refresh_from_db()
    assert view.filters == {"status": "active"}
    response = client.post(reverse("connection-view-save"), {"name": "Inactive ones"}, follow=True)
    assert "already have a view named" in response.content.decode()
    response = client.post(
        reverse("connection-view-save"), {"name": "All connections"}, follow=True
    )
    assert "built-in view" in response.content.decode()
    # Views are per user: another user can neither see nor change it.
    other = client_for(viewer)
    assert "Inactive ones" not in other.get(reverse("home")).content.decode()
    assert other.post(reverse("connection-view-delete", args=[view.pk])).status_code == 404
    assert other.post(reverse("connection-view-update", args=[view.pk])).status_code == 404
    client.post(reverse("connection-view-delete", args=[view.pk]))
    assert not SavedListView.objects.exists()


def test_saved_view_keeps_its_own_columns(manager, connection):
    client = client_for(manager)
    client.post(reverse("connection-view-save"), {"name": "Narrow"})
    view = SavedListView.objects.get()
    client.post(
        reverse("connection-columns"),
        {"view": view.pk, "order": ["name", "id"], "shown": ["name"]},
    )
    view.refresh_from_db()
    assert view.columns == ["name"]
    assert "Columns (1)" in client.get(f"/?view={view.pk}").content.decode()
    assert "Columns (5)" in client.get("/?view=0").content.decode()


def test_list_partial_table_for_refresh(manager, connection):
    html = client_for(manager).get(reverse("home") + "?partial=table").content.decode()
    assert html.lstrip().startswith('<div class="table-wrap" id="connections-table"')
    assert "Main store" in html


def test_buttons_follow_the_role(manager, operator, viewer, connection):
    def html(user):
        return client_for(user).get(reverse("home")).content.decode()

    manager_html, operator_html, viewer_html = html(manager), html(operator), html(viewer)
    assert 'data-action="delete"' in manager_html and 'aria-label="Add connection"' in manager_html
    assert 'data-action="synchronize"' in operator_html
    assert 'data-action="delete"' not in operator_html
    assert 'aria-label="Add connection"' not in operator_html
    for action in ("delete", "synchronize", "enable", "disable"):
        assert f'data-action="{action}"' not in viewer_html
    assert 'data-action="edit"' in viewer_html


def test_open_selected_without_javascript(viewer, connection, other_connection):
    client = client_for(viewer)
    response = client.get(reverse("connection-open"), {"ids": [connection.pk]})
    assert response["Location"] == reverse("connection-detail", args=[connection.pk])
    assert client.get(reverse("connection-open"), {"ids": [other_connection.pk]}).status_code == 404
    response = client.get(reverse("connection-open"), {"ids": []})
    assert response.status_code == 302


# ----------------------------------------------------------------------------- tenants, auth


def test_tenant_switcher(tenant, other_tenant, connection, other_connection):
    user = make_user("both", tenant=tenant, role=Membership.Role.VIEWER)
    Membership.objects.create(tenant=other_tenant, user=user, role=Membership.Role.OPERATOR)
    third = Tenant.objects.create(name="Carol's Shop")
    client = client_for(user)
    html = client.get(reverse("home")).content.decode()
    assert "Main store" in html and "Bob&#x27;s store" not in html
    assert "data-tenant-switch" in html and "Carol" not in html
    client.post(reverse("tenant-switch"), {"tenant": other_tenant.pk})
    html = client.get(reverse("home")).content.decode()
    assert "Bob&#x27;s store" in html and "Main store" not in html
    assert 'data-action="synchronize"' in html  # operator there
    assert client.post(reverse("tenant-switch"), {"tenant": third.pk}).status_code == 404
    # Opening a connection of the other tenant makes it current.
    client.get(reverse("connection-detail", args=[connection.pk]))
    assert "Main store" in client.get(reverse("home")).content.decode()


def test_user_without_tenant(db):
    user = make_user("lonely")
    client = client_for(user)
    assert "You belong to no tenant yet" in client.get(reverse("home")).content.decode()
    assert client.get(reverse("connection-create")).status_code == 403


def test_login_and_logout(manager, connection):
    client = Client()
    response = client.post(reverse("login"), {"username": "alice", "password": "password"})
    assert response["Location"] == reverse("home")
    assert "Main store" in client.get(reverse("home")).content.decode()
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert_login_redirect(client.get(reverse("home")))


def test_login_is_locked_after_five_failures(manager):
    client = Client()
    for _ in range(4):
        response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
        assert "didn" in response.content.decode() or "correct" in response.content.decode()
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 429
    # Locked now: even the right password is refused, with a clear message.
    response = client.post(reverse("login"), {"username": "alice", "password": "password"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Log-in locked" in html and "15 minutes" in html
    assert "_auth_user_id" not in client.session


def test_password_change(manager):
    client = client_for(manager)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "password",
            "new_password1": "A-much-better-pass-42",
            "new_password2": "A-much-better-pass-42",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    assert "Password changed" in client.get(response["Location"]).content.decode()
    manager.refresh_from_db()
    assert manager.check_password("A-much-better-pass-42")


def test_password_change_needs_login(db):
    assert_login_redirect(Client().get(reverse("password_change")))


def test_static_assets_are_served(client):
    for path in ("/static/connections/hub.css", "/static/connections/hub.js"):
        response = client.get(path)
        assert response.status_code == 200, path
