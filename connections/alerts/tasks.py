"""Delivery tasks, sent to the maintenance queue (`QUEUE`): they take the alert's id and call
one service."""

import logging

from celery import shared_task

from .webhook import WebhookRefused, WebhookRetry

logger = logging.getLogger(__name__)

QUEUE = "maintenance"


@shared_task
def alert_deliver_task(alert_id: int, event: str) -> None:
    """E-mail now; the webhook in its own task, so that its retries never repeat the mail."""
    from .delivery import alert_email_send
    from .models import Alert

    alert = Alert.objects.select_related("tenant", "connection").filter(pk=alert_id).first()
    if alert is None:
        return
    alert_email_send(alert=alert, event=event)
    alert_webhook_task.apply_async((alert_id, event), queue=QUEUE)


@shared_task(
    bind=True,
    autoretry_for=(WebhookRetry,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    max_retries=8,
)
def alert_webhook_task(self, alert_id: int, event: str) -> None:
    from .delivery import alert_webhook_send
    from .models import Alert

    alert = Alert.objects.select_related("tenant", "connection").filter(pk=alert_id).first()
    if alert is None:
        return
    try:
        alert_webhook_send(alert=alert, event=event)
    except WebhookRefused as exc:
        logger.warning("alert webhook refused alert %s (%s); not retried", alert_id, exc)


@shared_task
def alerts_check_task() -> dict:
    """Beat (maintenance): the periodic condition checks of every active connection."""
    from .checks import checks_run_periodic

    return checks_run_periodic()
