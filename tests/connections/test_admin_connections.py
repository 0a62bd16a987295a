"""Connections in the Django admin: the access token is write-only (never shown, checked
against the store when changed); adding one goes through the services (dataflows, schedules,
one active connection per store)."""

from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from connections.models import Connection
from dataflows.registry import flow_specs
from tests.connections.admin_helpers import (
    TOKEN,
    change_url,
    changelist_url,
    form_data,
    stored_ciphertext,
)


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
        change_url(connection.dataflows.get(kind="order_import")),
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
    assert connection.dataflows.count() == len(flow_specs())
    assert (
        PeriodicTask.objects.filter(
            name__in=[f"dataflow-{pk}" for pk in connection.dataflows.values_list("pk", flat=True)],
            enabled=True,
        ).count()
        == len(flow_specs()) - 1
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
