"""Django admin: hub staff see every tenant; everyone else stays out; the access token is
write-only; changes go through the services (schedules follow, runs are read only)."""

from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.forms import MultiWidget
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from connections.models import Connection, Membership, Tenant
from dataflows.models import Dataflow, Kind, LogEntry, Run
from tests.fixtures.tenants import make_user

TOKEN = "secret-token-1"  # what tests.fixtures.tenants.make_connection stores

HUB_MODELS = [
    "connections/tenant",
    "connections/membership",
    "connections/connection",
    "dataflows/dataflow",
    "dataflows/run",
    "dataflows/logentry",
]


@pytest.fixture
def hub_staff(db):
    """Staff, not superuser, no model permissions: hub staff still use every hub model."""
    return make_user("hubstaff", is_staff=True)


@pytest.fixture
def staff_client(client, hub_staff):
    client.force_login(hub_staff)
    return client


@pytest.fixture
def credentials_checks(monkeypatch):
    calls = []

    def check(*, store_hash, access_token, scopes=()):
        calls.append((store_hash, access_token))
        return {"name": "Checked Store"}

    monkeypatch.setattr("connections.services.connection_check_credentials", check)
    return calls


@pytest.fixture
def sent(monkeypatch):
    sent = []
    monkeypatch.setattr("dataflows.services._enqueue_run", lambda pk: sent.append(("run", pk)))
    monkeypatch.setattr(
        "connections.tasks.connection_delete_task.delay", lambda pk: sent.append(("delete", pk))
    )
    return sent


def stored_ciphertext(connection) -> str:
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token FROM connections_connection WHERE id = %s", [connection.pk]
        )
        return cursor.fetchone()[0]


def form_data(response) -> dict:
    """The POST a browser would send back for the admin form on the page, unchanged."""
    data = {}

    def add(form, name):
        field = form.fields[name]
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field.widget, MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{key}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool) or getattr(field.widget, "input_type", "") == "checkbox":
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = value

    form = response.context["adminform"].form
    for name in form.fields:
        add(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.forms:
            for name in inline_form.fields:
                add(inline_form, name)
    return data


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def changelist_url(model_path: str) -> str:
    return reverse(f"admin:{model_path.replace('/', '_')}_changelist")


# ----------------------------------------------------------------------------- who gets in


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
    assert len(listed(staff_client, "dataflows/dataflow")) == 2 * len(Kind)


def test_a_superuser_sees_the_same(client, staff, connection, other_connection):
    client.force_login(staff)
    assert listed(client, "connections/connection") == {connection, other_connection}


# ----------------------------------------------------------------------------- the token


def test_the_access_token_is_never_in_the_admin_html(staff_client, connection):
    ciphertext = stored_ciphertext(connection)
    assert ciphertext and ciphertext != TOKEN
    pages = [
        changelist_url("connections/connection"),
        change_url(connection),
        reverse("admin:connections_connection_add"),
        reverse("admin:connections_connection_history", args=[connection.pk]),
        reverse("admin:connections_connection_delete", args=[connection.pk]),
        changelist_url("dataflows/dataflow"),
        change_url(connection.dataflows.get(kind=Kind.ORDER_IMPORT)),
    ]
    for page in pages:
        content = staff_client.get(page).content.decode()
        assert TOKEN not in content, page
        assert ciphertext not in content, page


def test_a_form_error_does_not_send_the_typed_token_back(staff_client, connection):
    response = staff_client.get(change_url(connection))
    data = form_data(response)
    data.update(name="", access_token="typed-new-token")  # name is required: the form fails
    response = staff_client.post(change_url(connection), data)
    assert response.status_code == 200
    assert "typed-new-token" not in response.content.decode()


def test_saving_with_a_blank_token_keeps_the_stored_one(
    staff_client, connection, credentials_checks
):
    data = form_data(staff_client.get(change_url(connection)))
    assert data["access_token"] == ""
    data["name"] = "Renamed store"

    response = staff_client.post(change_url(connection), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    connection.refresh_from_db()
    assert connection.name == "Renamed store"
    assert connection.access_token == TOKEN
    assert credentials_checks == []  # credentials unchanged: the store is not called


def test_a_new_token_is_checked_against_the_store_and_stored(
    staff_client, connection, credentials_checks
):
    data = form_data(staff_client.get(change_url(connection)))
    data["access_token"] = "brand-new-token"

    response = staff_client.post(change_url(connection), data)

    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.access_token == "brand-new-token"
    assert connection.store_name == "Checked Store"
    assert credentials_checks == [(connection.store_hash, "brand-new-token")]


def test_a_refused_token_is_shown_as_a_form_error_and_nothing_is_saved(
    staff_client, connection, monkeypatch
):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"access_token": "BigCommerce refused this store hash and token."})

    monkeypatch.setattr("connections.services.connection_check_credentials", refuse)
    data = form_data(staff_client.get(change_url(connection)))
    data["access_token"] = "wrong-token"

    response = staff_client.post(change_url(connection), data)

    assert response.status_code == 200
    assert "BigCommerce refused this store hash and token." in response.content.decode()
    connection.refresh_from_db()
    assert connection.access_token == TOKEN


def test_adding_a_connection_creates_its_dataflows_and_schedules(
    staff_client, tenant, credentials_checks
):
    data = form_data(staff_client.get(reverse("admin:connections_connection_add")))
    data.update(tenant=tenant.pk, name="Added", store_hash="add001", access_token="tok-add")

    response = staff_client.post(reverse("admin:connections_connection_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    connection = Connection.objects.get(name="Added")
    assert connection.access_token == "tok-add"
    assert connection.store_name == "Checked Store"
    assert connection.dataflows.count() == len(Kind)
    assert (
        PeriodicTask.objects.filter(
            name__in=[f"dataflow-{pk}" for pk in connection.dataflows.values_list("pk", flat=True)],
            enabled=True,
        ).count()
        == len(Kind) - 1
    )


def test_adding_a_connection_requires_a_token(staff_client, tenant, credentials_checks):
    data = form_data(staff_client.get(reverse("admin:connections_connection_add")))
    data.update(tenant=tenant.pk, name="Added", store_hash="add001", access_token="")
    response = staff_client.post(reverse("admin:connections_connection_add"), data)
    assert response.status_code == 200
    assert not Connection.objects.filter(name="Added").exists()


def test_a_second_active_connection_to_a_store_is_refused_with_a_message(
    staff_client, connection, credentials_checks
):
    data = form_data(staff_client.get(reverse("admin:connections_connection_add")))
    data.update(
        tenant=connection.tenant.pk, name="Dup", store_hash=connection.store_hash, access_token="t"
    )
    response = staff_client.post(reverse("admin:connections_connection_add"), data)
    assert response.status_code == 200
    assert "already has an active connection" in response.content.decode()
    assert Connection.objects.count() == 1


# ----------------------------------------------------------------------------- actions


def post_action(client, model_path, action, objects):
    return client.post(
        changelist_url(model_path),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
    )


def test_the_disable_and_enable_actions_switch_status_and_schedules(staff_client, connection):
    response = post_action(staff_client, "connections/connection", "disable", [connection])
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.status == Connection.Status.INACTIVE
    assert not PeriodicTask.objects.filter(name__startswith="dataflow-", enabled=True).exists()

    post_action(staff_client, "connections/connection", "enable", [connection])
    connection.refresh_from_db()
    assert connection.status == Connection.Status.ACTIVE
    assert PeriodicTask.objects.filter(name__startswith="dataflow-", enabled=True).count() == 5


def test_the_synchronize_action_queues_the_enabled_dataflows(staff_client, connection, sent):
    response = post_action(staff_client, "connections/connection", "synchronize", [connection])
    assert response.status_code == 302
    assert Run.objects.filter(trigger=Run.Trigger.SYNCHRONIZE).count() == len(Kind) - 1


def test_the_synchronize_action_reports_an_inactive_connection(staff_client, connection, sent):
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.INACTIVE)
    response = post_action(staff_client, "connections/connection", "synchronize", [connection])
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("enable it" in message for message in messages)
    assert not Run.objects.exists()


def test_deleting_in_the_admin_marks_deleting_and_deletes_in_the_background(
    staff_client, connection, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:connections_connection_delete", args=[connection.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.status == Connection.Status.DELETING
    assert sent == [("delete", connection.pk)]


def test_a_tenant_with_connections_cannot_be_deleted_in_the_admin(staff_client, connection):
    url = reverse("admin:connections_tenant_delete", args=[connection.tenant.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert Tenant.objects.filter(pk=connection.tenant.pk).exists()


# ----------------------------------------------------------------------------- dataflows


def test_editing_a_dataflow_updates_its_schedule_and_keeps_the_lease(staff_client, connection):
    dataflow = connection.dataflows.get(kind=Kind.ORDER_IMPORT)
    data = form_data(staff_client.get(change_url(dataflow)))
    running = Run.objects.create(
        dataflow=dataflow, trigger=Run.Trigger.SCHEDULE, status=Run.Status.RUNNING
    )
    Dataflow.objects.filter(pk=dataflow.pk).update(
        lease_run=running, lease_expires_at=timezone.now() + timedelta(minutes=10)
    )
    data["interval_seconds"] = "600"

    response = staff_client.post(change_url(dataflow), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    dataflow.refresh_from_db()
    assert dataflow.interval_seconds == 600
    assert dataflow.periodic_task.interval.every == 600
    assert dataflow.lease_run_id == running.pk


def test_a_too_short_interval_is_refused_in_the_admin(staff_client, connection):
    dataflow = connection.dataflows.get(kind=Kind.ORDER_IMPORT)
    data = form_data(staff_client.get(change_url(dataflow)))
    data["interval_seconds"] = "5"
    response = staff_client.post(change_url(dataflow), data)
    assert response.status_code == 200
    dataflow.refresh_from_db()
    assert dataflow.interval_seconds == 300


def test_disabling_a_dataflow_in_the_admin_turns_its_schedule_off(staff_client, connection):
    dataflow = connection.dataflows.get(kind=Kind.ORDER_IMPORT)
    data = form_data(staff_client.get(change_url(dataflow)))
    data.pop("enabled")
    assert staff_client.post(change_url(dataflow), data).status_code == 302
    dataflow.refresh_from_db()
    assert dataflow.enabled is False
    assert dataflow.periodic_task.enabled is False


def test_the_run_now_action_queues_a_manual_run(staff_client, connection, sent):
    dataflow = connection.dataflows.get(kind=Kind.PRODUCT_MATCH)
    post_action(staff_client, "dataflows/dataflow", "run_now", [dataflow])
    run = Run.objects.get()
    assert (run.dataflow, run.trigger) == (dataflow, Run.Trigger.MANUAL)


# ----------------------------------------------------------------------------- runs and logs


@pytest.fixture
def run_with_log(connection):
    run = Run.objects.create(
        dataflow=connection.dataflows.get(kind=Kind.ORDER_IMPORT),
        trigger=Run.Trigger.SCHEDULE,
        status=Run.Status.PARTIAL,
        fetched=12,
        created=9,
        failed=3,
        api_requests=4,
    )
    LogEntry.objects.create(
        run=run, message="order 55: no lines", object_kind="order", object_id=55
    )
    return run


def test_runs_are_listed_with_their_counts(staff_client, run_with_log):
    response = staff_client.get(changelist_url("dataflows/run"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [run_with_log]


def test_runs_can_be_filtered_by_connection_from_the_connection_page(
    staff_client, run_with_log, other_connection
):
    Run.objects.create(
        dataflow=other_connection.dataflows.get(kind=Kind.ORDER_IMPORT),
        trigger=Run.Trigger.SCHEDULE,
    )
    url = changelist_url("dataflows/run")
    connection_id = run_with_log.dataflow.connection_id
    response = staff_client.get(f"{url}?dataflow__connection__id__exact={connection_id}")
    assert list(response.context["cl"].result_list) == [run_with_log]


def test_runs_and_log_entries_are_read_only(staff_client, run_with_log):
    entry = run_with_log.log_entries.get()
    for obj in (run_with_log, entry):
        model_path = f"{obj._meta.app_label}_{obj._meta.model_name}"
        assert staff_client.get(reverse(f"admin:{model_path}_add")).status_code == 403
        response = staff_client.get(change_url(obj))
        assert response.status_code == 200
        assert 'name="_save"' not in response.content.decode()
        assert staff_client.post(change_url(obj), {}).status_code == 403
        url = reverse(f"admin:{model_path}_delete", args=[obj.pk])
        assert staff_client.post(url, {"post": "yes"}).status_code == 403
    run_with_log.refresh_from_db()
    assert run_with_log.fetched == 12


def test_the_log_of_one_run_can_be_listed(staff_client, run_with_log, connection):
    other = Run.objects.create(dataflow=run_with_log.dataflow, trigger=Run.Trigger.MANUAL)
    LogEntry.objects.create(run=other, message="other run")
    url = changelist_url("dataflows/logentry") + f"?run__id__exact={run_with_log.pk}"
    response = staff_client.get(url)
    assert [e.message for e in response.context["cl"].result_list] == ["order 55: no lines"]
