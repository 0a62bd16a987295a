"""The connection page's own tabs: renaming, Credentials and Settings."""

import re

import pytest
from django.urls import reverse

from tests.connections.screens import (
    ROLES,
    TOKEN,
    client_for,
)


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
