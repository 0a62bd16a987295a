import json

import pytest
import responses

from connections.alerts.models import Alert
from connections.alerts.services import alert_raise, alert_resolve
from connections.alerts.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature_for,
    signature_verify,
)
from tests.connections.alerts.conftest import HOOK_URL, SECRET

FAILED = Alert.Condition.RUN_FAILED


def raise_failed(connection):
    return alert_raise(connection=connection, condition=FAILED, key="order_import",
                       message="Order Import failed.", action="Open the run.")  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_webhook_gets_a_signed_json_alert_the_receiver_can_verify(connection, deliveries, hook):
    alert = raise_failed(connection)

    (call,) = hook.calls
    body = call.request.body
    headers = call.request.headers
    assert signature_verify(
        secret=SECRET, timestamp=headers[TIMESTAMP_HEADER], body=body,
        signature=headers[SIGNATURE_HEADER],
    )  # fmt: skip
    assert not signature_verify(
        secret="another-secret-000000", timestamp=headers[TIMESTAMP_HEADER], body=body,
        signature=headers[SIGNATURE_HEADER],
    )  # fmt: skip
    payload = json.loads(body)
    assert payload["event"] == "alert.raised"
    assert payload["alert"]["id"] == alert.pk
    assert payload["alert"]["connection"]["name"] == "Main store"
    assert payload["alert"]["action"] == "Open the run."
    assert SECRET not in body.decode()


@pytest.mark.django_db(transaction=True)
def test_the_webhook_hears_of_the_resolution(connection, deliveries, hook):
    raise_failed(connection)
    alert_resolve(connection=connection, condition=FAILED, key="order_import")
    events = [json.loads(call.request.body)["event"] for call in hook.calls]
    assert events == ["alert.raised", "alert.resolved"]


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_is_retried_and_a_refusing_one_is_not(connection, deliveries, hook):
    hook.replace(responses.POST, HOOK_URL, status=503)
    raise_failed(connection)
    assert len(hook.calls) > 1  # retried (eagerly here; on the maintenance queue in a worker)

    hook.replace(responses.POST, HOOK_URL, status=404)
    calls = len(hook.calls)
    alert_resolve(connection=connection, condition=FAILED, key="order_import")
    assert len(hook.calls) == calls + 1


@pytest.mark.django_db(transaction=True)
def test_another_tenants_webhook_hears_nothing(other_connection, deliveries, hook):
    raise_failed(other_connection)
    assert len(hook.calls) == 0


def test_the_signature_covers_the_timestamp():
    assert signature_for(secret=SECRET, timestamp="1", body=b"{}") != signature_for(
        secret=SECRET, timestamp="2", body=b"{}"
    )
