from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from connections.alerts.models import Alert, AlertSettings
from connections.alerts.selectors import alerts_open
from connections.alerts.services import (
    alert_acknowledge,
    alert_raise,
    alert_resolve,
    alert_settings_update,
)

FAILED = Alert.Condition.RUN_FAILED


def raise_failed(connection, key="order_import"):
    return alert_raise(
        connection=connection,
        condition=FAILED,
        key=key,
        message="Order Import failed: the store answered 500.",
        action="Open the run to see why; it is retried on its schedule.",
    )


@pytest.mark.django_db(transaction=True)
def test_a_raised_alert_is_told_once_to_the_tenants_managers_only(connection, managers, deliveries):
    alert = raise_failed(connection)
    raise_failed(connection)

    alert.refresh_from_db()
    assert alert.occurrences == 2
    assert deliveries == [(alert.pk, "raised")]
    assert sorted(m.to[0] for m in mail.outbox) == ["amy@alice.example", "ann@alice.example"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert "Order Import failed" in mail.outbox[0].body
    assert "What to do: Open the run" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_resolving_tells_the_managers_it_cleared(connection, managers, deliveries):
    alert = raise_failed(connection)
    mail.outbox.clear()

    alert_resolve(connection=connection, condition=FAILED, key="order_import")
    alert_resolve(connection=connection, condition=FAILED, key="order_import")

    alert.refresh_from_db()
    assert alert.state == Alert.State.RESOLVED
    assert deliveries == [(alert.pk, "raised"), (alert.pk, "resolved")]
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject.startswith("[Integration hub] Resolved: Main store")


@pytest.mark.django_db(transaction=True)
def test_a_condition_back_within_its_period_is_not_told_again(connection, managers, deliveries):
    raise_failed(connection)
    alert_resolve(connection=connection, condition=FAILED, key="order_import")
    again = raise_failed(connection)
    alert_resolve(connection=connection, condition=FAILED, key="order_import")

    assert again.notified_at is None
    assert [event for _, event in deliveries] == ["raised", "resolved"]


@pytest.mark.django_db(transaction=True)
def test_a_condition_back_after_its_period_is_told_again(tenant, connection, managers,
                                                          deliveries):  # fmt: skip
    alert_settings_update(tenant=tenant, period_minutes=30)
    first = raise_failed(connection)
    alert_resolve(connection=connection, condition=FAILED, key="order_import")
    Alert.objects.filter(pk=first.pk).update(notified_at=timezone.now() - timedelta(minutes=31))

    again = raise_failed(connection)

    assert again.pk != first.pk and again.notified_at is not None
    assert [event for _, event in deliveries] == ["raised", "resolved", "raised"]


@pytest.mark.django_db(transaction=True)
def test_subjects_are_throttled_apart(connection, other_connection, managers, deliveries):
    raise_failed(connection, key="order_import")
    raise_failed(connection, key="product_match")
    raise_failed(other_connection, key="order_import")

    assert len(deliveries) == 3
    assert len(alerts_open(tenant=connection.tenant)) == 2
    assert len(alerts_open(tenant=other_connection.tenant)) == 1


@pytest.mark.django_db(transaction=True)
def test_email_off_sends_no_mail(tenant, connection, managers, deliveries):
    alert_settings_update(tenant=tenant, email_enabled=False)
    raise_failed(connection)
    assert len(deliveries) == 1
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_nothing_is_delivered_when_the_transaction_rolls_back(connection, managers, deliveries):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        raise_failed(connection)
        raise RuntimeError

    assert deliveries == [] and Alert.objects.count() == 0


def test_resolving_what_is_not_open_does_nothing(connection):
    assert alert_resolve(connection=connection, condition=FAILED, key="x") is None


def test_an_unknown_condition_is_a_programming_error(connection):
    with pytest.raises(ValueError):
        alert_raise(connection=connection, condition="nope", message="m")


def test_acknowledging_keeps_the_first_acknowledgement(connection, manager, operator):
    alert = raise_failed(connection)
    alert_acknowledge(alert=alert, user=manager)
    alert_acknowledge(alert=alert, user=operator)
    alert.refresh_from_db()
    assert alert.acknowledged_by == manager and alert.acknowledged_at is not None


def test_alerts_open_lists_one_tenants_open_alerts(connection, other_connection):
    mine = raise_failed(connection)
    raise_failed(other_connection)
    resolved = raise_failed(connection, key="product_match")
    alert_resolve(connection=connection, condition=FAILED, key="product_match")
    assert list(alerts_open(tenant=connection.tenant)) == [mine]
    assert resolved not in alerts_open(tenant=connection.tenant)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"webhook_url": "ftp://x.example"}, "webhook_url"),
        ({"webhook_url": "http://alerts.example.com"}, "webhook_url"),
        ({"webhook_url": "https://10.0.0.5/hook", "webhook_secret": "x" * 20}, "webhook_url"),
        ({"webhook_url": "https://alerts.example.com"}, "webhook_secret"),
        ({"webhook_url": "https://alerts.example.com", "webhook_secret": "short"},
         "webhook_secret"),
        ({"period_minutes": 0}, "period_minutes"),
        ({"stock_drift_threshold": 0}, "stock_drift_threshold"),
    ],
)  # fmt: skip
def test_bad_settings_say_what_to_fix_and_change_nothing(tenant, changes, field):
    with pytest.raises(ValidationError) as caught:
        alert_settings_update(tenant=tenant, **changes)
    assert field in caught.value.error_dict
    assert not AlertSettings.objects.filter(tenant=tenant).exists()


def test_a_blank_secret_keeps_the_stored_one(tenant):
    alert_settings_update(tenant=tenant, webhook_url="https://a.example", webhook_secret="k" * 20)
    saved = alert_settings_update(tenant=tenant, webhook_url="https://b.example",
                                  webhook_secret="")  # fmt: skip
    assert saved.webhook_secret == "k" * 20 and saved.webhook_url == "https://b.example"
