"""Signing in and out, passwords, users without a tenant, static files."""

from django.test import Client
from django.urls import reverse

from tests.connections.screens import (
    assert_login_redirect,
    client_for,
)
from tests.fixtures.tenants import make_user


def test_user_without_tenant(db):
    user = make_user("lonely")
    client = client_for(user)
    assert "You belong to no tenant yet" in client.get(reverse("home")).content.decode()
    assert client.get(reverse("connection-create")).status_code == 403


def test_login_and_logout(manager, connection):
    client = Client()
    response = client.post(reverse("login"), {"username": "alice", "password": "password"})
    assert response["Location"] == reverse("dashboard")
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
