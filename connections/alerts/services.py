"""Writes of alerts. The layers above call `alert_raise` where a condition happens and
`alert_resolve` where it clears; both are idempotent and cheap when nothing changes, so they
may be called on every run."""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from connections.models import Connection, Tenant

from .models import Alert, AlertSettings
from .selectors import alert_notified_recently, alert_settings_for
from .signals import alert_opened, alert_resolved
from .webhook import webhook_url_problem

logger = logging.getLogger(__name__)

RAISED, RESOLVED = "raised", "resolved"
MIN_SECRET_LENGTH = 16


def _notify_on_commit(alert: Alert, event: str) -> None:
    from .tasks import QUEUE, alert_deliver_task

    alert_id = alert.pk
    transaction.on_commit(lambda: alert_deliver_task.apply_async((alert_id, event), queue=QUEUE))


def _open_alert(tenant, connection, condition, key):
    return (
        Alert.objects.select_for_update()
        .filter(
            tenant=tenant,
            connection=connection,
            condition=condition,
            key=key,
            state=Alert.State.OPEN,
        )
        .first()
    )


def alert_raise(
    *,
    connection: Connection | None,
    condition: str,
    key: str = "",
    message: str,
    action: str = "",
    tenant: Tenant | None = None,
) -> Alert:
    """Open the alert (or count one more occurrence of the open one). Its notice goes out
    after commit unless the same subject was told within the tenant's period."""
    tenant = tenant or connection.tenant
    condition = Alert.Condition(condition)
    now = timezone.now()
    with transaction.atomic():
        alert = _open_alert(tenant, connection, condition, key)
        if alert is not None:
            Alert.objects.filter(pk=alert.pk).update(
                occurrences=F("occurrences") + 1, last_seen_at=now, message=message, action=action
            )
            alert.refresh_from_db()
            return alert
        period = alert_settings_for(tenant=tenant).period_minutes
        told = alert_notified_recently(
            tenant=tenant, connection=connection, condition=condition, key=key, now=now,
            minutes=period,
        )  # fmt: skip
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    tenant=tenant,
                    connection=connection,
                    condition=condition,
                    key=key,
                    message=message,
                    action=action,
                    first_seen_at=now,
                    last_seen_at=now,
                    notified_at=None if told else now,
                )
        except IntegrityError:  # raised concurrently: that one is the open alert
            return _open_alert(tenant, connection, condition, key)
        logger.info(
            "alert raised: %s on connection %s key=%r%s",
            condition, getattr(connection, "pk", None), key, " (held back)" if told else "",
        )  # fmt: skip
        if not told:
            _notify_on_commit(alert, RAISED)
        alert_opened.send(sender=Alert, alert=alert)
    return alert


def alert_resolve(
    *,
    connection: Connection | None,
    condition: str,
    key: str = "",
    tenant: Tenant | None = None,
) -> Alert | None:
    """Close the open alert, if any; its "resolved" notice goes out when its raise was told."""
    tenant = tenant or connection.tenant
    condition = Alert.Condition(condition)
    with transaction.atomic():
        alert = _open_alert(tenant, connection, condition, key)
        if alert is None:
            return None
        alert.state = Alert.State.RESOLVED
        alert.resolved_at = timezone.now()
        alert.save(update_fields=["state", "resolved_at"])
        logger.info("alert resolved: %s on connection %s key=%r", condition, alert.connection_id,
                    key)  # fmt: skip
        if alert.notified_at is not None:
            _notify_on_commit(alert, RESOLVED)
        alert_resolved.send(sender=Alert, alert=alert)
    return alert


def alert_acknowledge(*, alert: Alert, user) -> Alert:
    """Mark the alert seen by `user` (a manager); the first acknowledgement stays."""
    if alert.acknowledged_at is None:
        alert.acknowledged_by = user
        alert.acknowledged_at = timezone.now()
        alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return alert


def alert_settings_update(
    *,
    tenant: Tenant,
    email_enabled: bool | None = None,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    period_minutes: int | None = None,
    stock_drift_threshold: int | None = None,
) -> AlertSettings:
    """Change the given settings (None: unchanged). A blank `webhook_secret` keeps the stored
    one; a webhook URL needs a secret to sign with."""
    with transaction.atomic():
        current, _ = AlertSettings.objects.select_for_update().get_or_create(tenant=tenant)
        errors = {}
        if email_enabled is not None:
            current.email_enabled = email_enabled
        if webhook_url is not None:
            webhook_url = webhook_url.strip()
            problem = webhook_url_problem(webhook_url) if webhook_url else None
            if problem:
                errors["webhook_url"] = problem
            current.webhook_url = webhook_url
        if webhook_secret:
            webhook_secret = webhook_secret.strip()
            if len(webhook_secret) < MIN_SECRET_LENGTH:
                errors["webhook_secret"] = (
                    f"Use a secret of at least {MIN_SECRET_LENGTH} characters (a random one)."
                )
            current.webhook_secret = webhook_secret
        if current.webhook_url and not current.webhook_secret and "webhook_url" not in errors:
            errors["webhook_secret"] = (
                "Enter a secret: the hub signs each alert it posts with it, so that the "
                "receiver can check it came from the hub."
            )
        if period_minutes is not None:
            if not 1 <= period_minutes <= 7 * 24 * 60:
                errors["period_minutes"] = "Choose a period between 1 minute and 7 days."
            current.period_minutes = period_minutes
        if stock_drift_threshold is not None:
            if stock_drift_threshold < 1:
                errors["stock_drift_threshold"] = "Choose a threshold of at least 1 product."
            current.stock_drift_threshold = stock_drift_threshold
        if errors:
            raise ValidationError(errors)
        current.save()
    return current
