"""The General tab's Webhooks panel and its buttons, by role (another tenant's: 404)."""

import pytest
from django.urls import reverse

from connections.webhooks.models import WebhookSubscription
from tests.connections.screens import ROLES, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def syncs(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "connections.webhooks.panel.webhooks_sync_enqueue",
        lambda *, connection_id: sent.append(connection_id),
    )
    monkeypatch.setattr(
        "connections.webhooks.tasks.webhooks_sync_enqueue",
        lambda *, connection_id: sent.append(connection_id),
    )
    return sent


def test_the_panel_says_what_went_wrong_and_what_to_do(manager, connection):
    WebhookSubscription.objects.create(
        connection=connection, state="error", error="Webhooks are off: the hub's public address"
    )
    page = client_for(manager).get(reverse("connection-detail", args=[connection.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Registration failed" in html and "Webhooks are off: the hub" in html
    assert "Register webhooks" in html and "New secret" in html


def test_a_viewer_sees_the_panel_without_buttons(viewer, connection):
    html = client_for(viewer).get(reverse("connection-detail", args=[connection.pk])).content
    assert b"Webhooks" in html and b"Register webhooks" not in html


@pytest.mark.parametrize("role", ROLES)
def test_register_by_role(as_role, role, connection, syncs):
    r = as_role(role).post(reverse("connection-webhooks-register", args=[connection.pk]))
    if role in ("manager", "operator"):
        assert r.status_code == 302 and syncs == [connection.pk]
        assert connection.webhook_subscription.state == WebhookSubscription.State.PENDING
    else:
        assert r.status_code == {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert syncs == []


@pytest.mark.parametrize("role", ROLES)
def test_a_new_secret_by_role(as_role, role, connection, syncs):
    sub = WebhookSubscription.objects.create(connection=connection)
    r = as_role(role).post(reverse("connection-webhooks-rotate", args=[connection.pk]))
    sub_after = WebhookSubscription.objects.get(pk=sub.pk)
    if role == "manager":
        assert r.status_code == 302 and sub_after.secret != sub.secret
        assert syncs == [connection.pk]
    else:
        assert r.status_code == {"anonymous": 302, "outsider": 404}.get(role, 403)
        assert sub_after.secret == sub.secret and syncs == []
