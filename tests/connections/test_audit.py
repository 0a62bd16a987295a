"""The audit trail: every change to a connection, synchronize, ignored errors and app
(un)installs are recorded with who did it; never a token; shown on the connection page and in
the admin (read only)."""

import json

import pytest
from django.urls import reverse

from connections import services
from connections.audit import audit_record
from connections.models import AuditEvent, Connection
from orders.services.errors import order_errors_ignore
from tests.connections.admin_helpers import change_url, form_data
from tests.connections.app_helpers import (
    callback_url,
    client_for,
    install,
    install_url,
    signed_payload,
)
from tests.fixtures.tenants import api_client_for
from tests.orders.helpers import open_order_error

Action = AuditEvent.Action


def actions(connection) -> list[str]:
    return list(
        AuditEvent.objects.filter(connection=connection)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_creating_and_changing_a_connection_records_who_did_what(fake_store, tenant, manager):
    connection = services.connection_create(
        tenant=tenant, user=manager, name="Shop", store_hash="demo01", access_token="good-token"
    )
    services.connection_update(connection=connection, user=manager, access_token="good-token")
    services.connection_update(
        connection=connection, user=manager, name="Shop EU", allow_partial_shipments=True
    )
    services.connection_set_active(connection=connection, active=False, user=manager)
    services.connection_set_active(connection=connection, active=True, user=manager)

    assert actions(connection) == [
        Action.CREATED,
        Action.SETTINGS_CHANGED,
        Action.DISABLED,
        Action.ENABLED,
    ], "re-entering the same token is no change"
    events = AuditEvent.objects.filter(connection=connection)
    assert {e.actor for e in events} == {manager}
    assert {e.actor_name for e in events} == {"alice"}
    settings_change = events.get(action=Action.SETTINGS_CHANGED)
    assert settings_change.details == {
        "name": {"from": "Shop", "to": "Shop EU"},
        "allow_partial_shipments": {"from": False, "to": True},
    }


def test_new_credentials_are_recorded_by_name_never_by_value(fake_store, connection, manager):
    services.connection_update(
        connection=connection, user=manager, store_hash="demo02", access_token="good-token"
    )

    event = AuditEvent.objects.get(connection=connection, action=Action.CREDENTIALS_CHANGED)
    assert event.details == {"changed": ["store_hash", "access_token"], "store_hash": "demo02"}
    assert "good-token" not in json.dumps(event.details)


def test_secrets_passed_in_details_are_dropped(connection, manager):
    event = audit_record(
        action=Action.SETTINGS_CHANGED,
        connection=connection,
        user=manager,
        details={
            "access_token": "tok-1",
            "nested": {"client_secret": "sec-1", "code": "c-1", "kept": 1},
            "signed_payload_jwt": "jwt-1",
            "note": "fine",
        },
    )

    assert event.details == {"nested": {"kept": 1}, "note": "fine"}


def test_deleting_keeps_the_events_with_the_connections_name(connection, manager, no_tasks):
    services.connection_delete_start(connection=connection, user=manager)
    services.connection_delete(connection_id=connection.pk)

    event = AuditEvent.objects.get(action=Action.DELETED)
    assert event.connection is None
    assert event.connection_name == connection.name
    assert event.tenant == connection.tenant and event.actor == manager


def test_synchronize_from_the_screen_and_the_api_is_recorded(connection, operator, no_tasks):
    client_for(operator).post(reverse("connection-sync", args=[connection.pk]))
    api_client_for(operator).post(f"/api/v1/connections/{connection.pk}/synchronize/")

    events = AuditEvent.objects.filter(connection=connection, action=Action.SYNCHRONIZED)
    assert events.count() == 2
    assert {e.actor for e in events} == {operator}
    assert all(e.details["runs"] for e in events)


def test_ignoring_errors_is_recorded_once_per_connection_with_the_reason(
    connection, other_connection, operator
):
    errors = [open_order_error(connection, 101), open_order_error(connection, 102)]
    other = open_order_error(other_connection, 201)

    order_errors_ignore(errors=[*errors, other], reason="Test orders", user=operator)

    mine = AuditEvent.objects.get(connection=connection, action=Action.ERROR_IGNORED)
    assert mine.details == {"errors": sorted(e.pk for e in errors), "reason": "Test orders"}
    assert mine.actor == operator
    assert AuditEvent.objects.get(connection=other_connection).details["errors"] == [other.pk]


@pytest.mark.sandbox
def test_installing_and_uninstalling_the_app_is_recorded_without_the_token(bc, tenant, manager):
    bc.register("code-1")
    install(client_for(manager), install_url("code-1"))
    connection = Connection.objects.get()
    token = connection.access_token
    client_for(None).get(callback_url("bigcommerce-uninstall", signed_payload()))

    assert Action.APP_INSTALLED in actions(connection)
    assert actions(connection)[-2:] == [Action.DISABLED, Action.APP_UNINSTALLED]
    uninstalled = AuditEvent.objects.get(action=Action.APP_UNINSTALLED)
    assert uninstalled.actor is None and uninstalled.details["credentials"].startswith("wiped")
    everything = json.dumps(list(AuditEvent.objects.values("details", "connection_name")))
    assert token not in everything and bc.token not in everything


def test_the_general_tab_shows_the_connections_activity(fake_store, connection, manager, viewer):
    services.connection_update(connection=connection, user=manager, access_token="good-token")
    services.connection_set_active(connection=connection, active=False, user=manager)

    page = client_for(viewer).get(reverse("connection-detail", args=[connection.pk]))

    html = page.content.decode()
    assert "data-audit-trail" in html
    assert "Changed the credentials" in html and "Disabled" in html and "alice" in html
    assert "good-token" not in html


def test_another_connections_activity_is_not_on_the_page(connection, other_connection, manager):
    audit_record(action=Action.DISABLED, connection=other_connection)

    page = client_for(manager).get(reverse("connection-detail", args=[connection.pk]))

    assert "Nothing recorded yet" in page.content.decode()


def test_the_admin_lists_the_trail_read_only(fake_store, staff, connection, manager):
    services.connection_update(connection=connection, user=manager, access_token="good-token")
    admin = client_for(staff)
    event = AuditEvent.objects.get()

    listed = admin.get(reverse("admin:connections_auditevent_changelist"))
    shown = admin.get(reverse("admin:connections_auditevent_change", args=[event.pk]))

    assert listed.status_code == 200 and connection.name in listed.content.decode()
    assert shown.status_code == 200 and "good-token" not in shown.content.decode()
    assert admin.get(reverse("admin:connections_auditevent_add")).status_code == 403
    admin.post(reverse("admin:connections_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_changing_a_connection_in_the_admin_is_recorded(staff, connection):
    admin = client_for(staff)
    data = form_data(admin.get(change_url(connection)))
    data["allow_partial_shipments"] = "on"

    admin.post(change_url(connection), data)

    event = AuditEvent.objects.get(connection=connection)
    assert event.action == Action.SETTINGS_CHANGED and event.actor == staff
    assert event.details["allow_partial_shipments"] == {"to": True}
