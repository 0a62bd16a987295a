"""The CONNECTIONS list: columns, filter and sort, saved views, live refresh, toolbar, tenants."""

import re

import pytest
from django.urls import reverse

from connections.models import ListPreference, Membership, SavedListView, Tenant
from tests.connections.screens import (
    client_for,
)
from tests.fixtures.tenants import make_connection, make_user


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
    assert response["Location"] == "/connections/?view=0&sort=name&columns=open"
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
    assert response["Location"] == f"/connections/?view={view.pk}"
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
    assert "Columns (1)" in client.get(f"/connections/?view={view.pk}").content.decode()
    assert "Columns (5)" in client.get("/connections/?view=0").content.decode()


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


@pytest.mark.parametrize(
    "search, encoded", [("#123", "q=%23123"), ("Smith & Sons", "q=Smith+%26+Sons")]
)
def test_the_list_keeps_a_search_encoded_in_its_links(manager, tenant, search, encoded):
    make_connection(tenant, name=f"Store {search}", store_hash="s1")
    make_connection(tenant, name="Other", store_hash="s2")
    response = client_for(manager).get(reverse("home"), {"q": search})
    assert [c.name for c in response.context["connections"]] == [f"Store {search}"]
    html = response.content.decode()
    assert f"{encoded}&amp;sort=" in html  # the sort links keep the search, encoded
    assert f"{encoded}&amp;sort=name&amp;partial=table" in html  # so does the live refresh


def test_a_long_list_comes_in_pages_that_keep_the_sort_and_filter(manager, tenant, monkeypatch):
    monkeypatch.setattr("connections.views.list.PAGE_SIZE", 2)
    for n in range(5):
        make_connection(tenant, name=f"Store {n}", store_hash=f"store{n}")
    client = client_for(manager)

    first = client.get(reverse("home"), {"sort": "name", "q": "Store"}).content.decode()
    second = client.get(reverse("home"), {"sort": "name", "q": "Store", "page": 2})
    last = client.get(reverse("home"), {"sort": "name", "q": "Store", "page": 99})

    assert "Store 0" in first and "Store 1" in first and "Store 2" not in first
    assert "Page 1 of 3" in first and "1–2 of 5 shown" in first
    assert 'href="?sort=name&amp;q=Store&amp;page=2"' in first  # keeps the view's query
    html = second.content.decode()
    assert "Store 2" in html and "Store 3" in html and "Store 0" not in html
    assert "page=2&amp;partial=table" in html  # the live refresh stays on this page
    assert "Store 4" in last.content.decode()  # past the end: the last page


def test_the_refreshed_table_links_its_pages_to_the_full_screen(manager, tenant, monkeypatch):
    monkeypatch.setattr("connections.views.list.PAGE_SIZE", 2)
    for n in range(3):
        make_connection(tenant, name=f"Store {n}", store_hash=f"store{n}")

    html = client_for(manager).get(reverse("home"), {"partial": "table"}).content.decode()

    assert 'href="?page=2"' in html
