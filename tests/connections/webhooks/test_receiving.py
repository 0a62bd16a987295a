"""The receiver, `POST /bigcommerce/webhooks/<key>`: the secret, the body, duplicates, the
handler registry, and one connection's key never reaching another's store."""

import json

import pytest

from connections.webhooks import registry
from connections.webhooks.models import WebhookDelivery, WebhookSubscription
from connections.webhooks.receiving import webhook_deliveries_forget
from connections.webhooks.registration import SECRET_HEADER
from tests.fixtures.tenants import make_connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """The handlers called (only a test handler is registered)."""
    seen = []
    monkeypatch.setattr(registry, "_HANDLERS", [])
    registry.webhook_handler_register(
        "store/order/", lambda **kw: seen.append((kw["connection"].pk, kw["data"]["id"]))
    )
    return seen


def sub_for(connection) -> WebhookSubscription:
    return WebhookSubscription.objects.create(connection=connection)


def body(connection, *, hash="h1", scope="store/order/created", order_id=7, **extra):
    return {
        "scope": scope,
        "store_id": "1000001",
        "data": {"type": "order", "id": order_id},
        "hash": hash,
        "created_at": 1700000000,
        "producer": f"stores/{connection.store_hash}",
        **extra,
    }


def post(client, sub, payload, *, secret=None):
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(
        f"/bigcommerce/webhooks/{sub.key}",
        data=raw,
        content_type="application/json",
        headers={SECRET_HEADER: sub.secret if secret is None else secret},
    )


def test_a_callback_calls_the_handlers_of_its_scope_once_per_hash(client, connection, calls):
    sub = sub_for(connection)

    first = post(client, sub, body(connection))
    again = post(client, sub, body(connection))
    post(client, sub, body(connection, hash="h2", scope="store/product/updated"))

    assert first.status_code == 200 and first.json()["message"] == "Received."
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert calls == [(connection.pk, 7)]  # the product scope has no handler here
    assert WebhookDelivery.objects.filter(connection=connection).count() == 2
    sub.refresh_from_db()
    assert sub.last_delivery_at is not None


@pytest.mark.parametrize("secret", ["wrong", ""])
def test_a_wrong_or_missing_secret_is_401_and_records_nothing(client, connection, calls, secret):
    sub = sub_for(connection)
    r = post(client, sub, body(connection), secret=secret)
    assert r.status_code == 401
    assert calls == [] and not WebhookDelivery.objects.exists()


def test_an_unknown_key_is_401(client, connection, calls):
    sub = sub_for(connection)
    r = client.post(
        "/bigcommerce/webhooks/nosuchkey",
        data=json.dumps(body(connection)),
        content_type="application/json",
        headers={SECRET_HEADER: sub.secret},
    )
    assert r.status_code == 401 and calls == []


def test_it_validates_ownership_another_connections_key_cannot_trigger_this_one(
    client, connection, other_connection, calls
):
    mine, theirs = sub_for(connection), sub_for(other_connection)
    # Their key and secret, with a callback claiming to be from my store.
    r = post(client, theirs, body(connection))
    assert r.status_code == 400 and "another store" in r.json()["message"]
    # My key with their secret.
    r = post(client, mine, body(connection), secret=theirs.secret)
    assert r.status_code == 401
    assert calls == [] and not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "raw, says",
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (json.dumps({"scope": "store/order/created"}).encode(), "'hash'"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_a_malformed_body_is_a_400_that_says_what_is_wrong(client, connection, calls, raw, says):
    sub = sub_for(connection)
    r = post(client, sub, raw)
    assert r.status_code == 400 and says in r.json()["message"]
    assert calls == []


def test_a_disabled_connection_answers_200_and_queues_nothing(client, connection, calls):
    sub = sub_for(connection)
    connection.status = connection.Status.INACTIVE
    connection.save()
    r = post(client, sub, body(connection))
    assert r.status_code == 200 and "disabled" in r.json()["message"]
    assert calls == []


def test_only_post_is_accepted(client, connection):
    sub = sub_for(connection)
    assert client.get(f"/bigcommerce/webhooks/{sub.key}").status_code == 405


def test_a_failing_handler_records_no_delivery_so_the_retry_is_handled(
    client, connection, monkeypatch
):
    monkeypatch.setattr(registry, "_HANDLERS", [])

    def broken(**kw):
        raise RuntimeError("boom")

    registry.webhook_handler_register("store/order/", broken)
    sub = sub_for(connection)
    client.raise_request_exception = False
    r = post(client, sub, body(connection))
    assert r.status_code == 500  # BigCommerce retries it later
    assert not WebhookDelivery.objects.exists()


def test_old_deliveries_are_forgotten(connection):
    from datetime import timedelta

    from django.utils import timezone

    old = WebhookDelivery.objects.create(connection=connection, hash="old", scope="s")
    WebhookDelivery.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=4))
    WebhookDelivery.objects.create(connection=connection, hash="new", scope="s")
    assert webhook_deliveries_forget() == 1
    assert list(WebhookDelivery.objects.values_list("hash", flat=True)) == ["new"]


def test_registering_the_same_handler_twice_keeps_one(monkeypatch):
    monkeypatch.setattr(registry, "_HANDLERS", [])

    def handler(**kw):
        pass

    registry.webhook_handler_register("store/order/", handler)
    registry.webhook_handler_register("store/order/", handler)
    assert registry.webhook_handlers_for("store/order/created") == [handler]
    assert registry.webhook_handlers_for("store/product/updated") == []


def test_a_new_connection_gets_a_key_of_its_own(tenant):
    a = sub_for(make_connection(tenant, name="A", store_hash="aaa"))
    b = sub_for(make_connection(tenant, name="B", store_hash="bbb"))
    assert a.key != b.key and a.secret != b.secret and len(a.key) >= 20
