"""Registering a connection's hooks in its store, removing them, rotating the secret, and the
periodic check that re-enables hooks BigCommerce deactivated; every /v3/hooks exchange is
checked against the webhooks spec."""

import pytest

from connections.alerts.models import Alert
from connections.webhooks import registration
from connections.webhooks.models import WebhookSubscription
from connections.webhooks.registration import (
    SCOPES,
    SECRET_HEADER,
    webhooks_check,
    webhooks_register,
    webhooks_remove,
)
from connections.webhooks.selectors import webhook_health

pytestmark = pytest.mark.django_db


def hooks(sandbox):
    return sandbox.get("/v3/hooks").json()["data"]


def test_enabling_registers_every_scope_with_the_secret_in_a_custom_header(
    store, bc_client, sandbox
):
    sub = webhooks_register(connection=store, client=bc_client)

    assert sub.state == WebhookSubscription.State.REGISTERED and sub.error == ""
    listed = hooks(sandbox)
    assert sorted(h["scope"] for h in listed) == sorted(SCOPES)
    destination = f"https://hub.example.com/bigcommerce/webhooks/{sub.key}"
    assert {h["destination"] for h in listed} == {destination}
    assert all(h["headers"] == {SECRET_HEADER: sub.secret} for h in listed)
    assert all(h["is_active"] for h in listed)
    health = webhook_health(connection=store)
    assert health.registered == health.wanted == len(SCOPES) and health.active


def test_registering_again_changes_nothing(store, bc_client, sandbox):
    webhooks_register(connection=store, client=bc_client)
    first = hooks(sandbox)
    webhooks_register(connection=store, client=bc_client)
    assert hooks(sandbox) == first


def test_the_secret_is_encrypted_at_rest_and_never_in_repr(store, bc_client):
    sub = webhooks_register(connection=store, client=bc_client)
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute("SELECT secret FROM connections_webhooksubscription WHERE id = %s", [sub.pk])
        stored = cursor.fetchone()[0]
    assert sub.secret and sub.secret not in stored
    assert sub.secret not in repr(sub) and sub.secret not in str(sub)


@pytest.mark.parametrize(
    "url, says",
    [
        ("", "not set"),
        ("http://hub.example.com", "not an https address"),
        ("https://hub.example.com:8443", "not an https address"),
    ],
)
def test_a_missing_or_plain_http_public_address_is_said_on_the_connection(
    store, bc_client, sandbox, settings, url, says
):
    settings.PUBLIC_BASE_URL = url
    sub = webhooks_register(connection=store, client=bc_client)

    assert sub.state == WebhookSubscription.State.ERROR
    assert says in sub.error and "PUBLIC_BASE_URL" in sub.error
    assert hooks(sandbox) == []
    assert webhook_health(connection=store).error == sub.error


def test_plain_http_on_loopback_is_used_only_with_a_sandbox_store_on_loopback(settings):
    from connections.webhooks.registration import public_base_url_problem

    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    settings.BIGCOMMERCE_API_URL = "http://127.0.0.1:8100"
    assert public_base_url_problem() == ""
    settings.BIGCOMMERCE_API_URL = "https://api.bigcommerce.com"
    assert "not an https address" in public_base_url_problem()
    settings.BIGCOMMERCE_API_URL = "http://127.0.0.1:8100"
    settings.PUBLIC_BASE_URL = "http://192.168.1.20:8000"
    assert "not an https address" in public_base_url_problem()


def test_a_store_refusing_the_hooks_is_said_on_the_connection(store, bc_client, sandbox):
    sandbox.force_fault("500", count=10, path="/v3/hooks")
    sub = webhooks_register(connection=store, client=bc_client)
    assert sub.state == WebhookSubscription.State.ERROR
    assert sub.error.startswith("BigCommerce did not accept the webhooks")


def test_disabling_removes_the_hooks_and_leaves_others_alone(store, bc_client, sandbox):
    other = sandbox.api(
        "POST",
        "/v3/hooks",
        json={"scope": "store/customer/created", "destination": "https://other.example.com/x"},
    ).json()["data"]
    webhooks_register(connection=store, client=bc_client)

    sub = webhooks_remove(connection=store, client=bc_client)

    assert sub.state == WebhookSubscription.State.OFF and sub.hook_ids == {}
    assert [h["id"] for h in hooks(sandbox)] == [other["id"]]


def test_a_new_public_address_moves_the_hooks(store, bc_client, sandbox, settings):
    webhooks_register(connection=store, client=bc_client)
    settings.PUBLIC_BASE_URL = "https://new-hub.example.com"
    webhooks_register(connection=store, client=bc_client)
    listed = hooks(sandbox)
    assert len(listed) == len(SCOPES)
    assert all(h["destination"].startswith("https://new-hub.example.com/") for h in listed)


def test_rotating_the_secret_re_registers_the_hooks_with_it(store, bc_client, sandbox, monkeypatch):
    old = webhooks_register(connection=store, client=bc_client).secret
    monkeypatch.setattr("connections.webhooks.tasks.webhooks_sync_enqueue", lambda **kw: None)
    sub = registration.webhook_secret_rotate(connection=store)
    assert sub.secret != old
    webhooks_register(connection=store, client=bc_client)  # what the sync task does
    assert {h["headers"][SECRET_HEADER] for h in hooks(sandbox)} == {sub.secret}


def test_the_check_re_enables_deactivated_hooks_re_creates_missing_ones_and_alerts(
    store, bc_client, sandbox
):
    webhooks_register(connection=store, client=bc_client)
    listed = hooks(sandbox)
    sandbox.api("PUT", f"/v3/hooks/{listed[0]['id']}", json={"is_active": False})
    sandbox.api("DELETE", f"/v3/hooks/{listed[1]['id']}")

    sub = webhooks_check(connection=store, client=bc_client)

    after = hooks(sandbox)
    assert len(after) == len(SCOPES) and all(h["is_active"] for h in after)
    assert sub.deactivated_count == 1
    [alert] = Alert.objects.filter(connection=store)
    assert alert.condition == Alert.Condition.WEBHOOK_DEACTIVATED
    assert alert.state == Alert.State.OPEN and "deactivated 1 of" in alert.message
    assert webhook_health(connection=store).deactivated_count == 1

    webhooks_check(connection=store, client=bc_client)  # all active now

    alert.refresh_from_db()
    assert alert.state == Alert.State.RESOLVED
