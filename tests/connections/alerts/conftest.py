"""Alert tests: deliveries run in-process when the transaction commits, mail goes to
Django's outbox, the webhook to `responses`."""

import pytest
import responses

from connections.alerts import tasks
from connections.alerts.services import alert_settings_update
from connections.models import Membership
from tests.fixtures.tenants import make_user

HOOK_URL = "https://alerts.example.com/hub"
SECRET = "s3cret-signing-key-0123"


@pytest.fixture
def deliveries(monkeypatch):
    """Run the delivery tasks at once (as a worker would) and record what was sent."""
    sent = []

    def deliver(args, queue):
        assert queue == "maintenance"
        sent.append(tuple(args))
        tasks.alert_deliver_task.run(*args)

    def post(args, queue):
        assert queue == "maintenance"
        tasks.alert_webhook_task.apply(args=args)

    monkeypatch.setattr(tasks.alert_deliver_task, "apply_async", deliver)
    monkeypatch.setattr(tasks.alert_webhook_task, "apply_async", post)
    return sent


@pytest.fixture
def managers(tenant, other_tenant):
    """Two managers of the tenant, one operator, one manager of another tenant."""
    return {
        "ann": make_user("ann", tenant=tenant, email="ann@alice.example"),
        "amy": make_user("amy", tenant=tenant, email="amy@alice.example"),
        "otto": make_user(
            "otto", tenant=tenant, role=Membership.Role.OPERATOR, email="otto@alice.example"
        ),
        "bea": make_user("bea", tenant=other_tenant, email="bea@bob.example"),
    }


@pytest.fixture
def hook(tenant):
    alert_settings_update(tenant=tenant, webhook_url=HOOK_URL, webhook_secret=SECRET)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(HOOK_URL, status=200)
        yield mock
