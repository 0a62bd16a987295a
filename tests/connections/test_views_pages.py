"""Every page of a connection by role: who sees what, 404 for outsiders, the token never shown."""

import pytest
from django.urls import reverse

from dataflows.models import Run
from tests.connections.screens import (
    ROLES,
    TOKEN,
    assert_login_redirect,
    client_for,
    page_urls,
)


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
