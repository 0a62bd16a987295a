"""Telling an alert: one e-mail to the tenant's managers, one signed POST to its webhook."""

import logging
import time

from django.conf import settings
from django.core.mail import send_mail

from .models import Alert
from .selectors import alert_recipients, alert_settings_for
from .webhook import webhook_post

logger = logging.getLogger(__name__)


def alert_payload(*, alert: Alert, event: str) -> dict:
    connection = alert.connection
    return {
        "event": f"alert.{event}",
        "alert": {
            "id": alert.pk,
            "tenant": alert.tenant.name,
            "connection": None
            if connection is None
            else {"id": connection.pk, "name": connection.name, "store": connection.store_hash},
            "condition": alert.condition,
            "title": alert.get_condition_display(),
            "key": alert.key,
            "state": alert.state,
            "message": alert.message,
            "action": alert.action,
            "occurrences": alert.occurrences,
            "first_seen_at": alert.first_seen_at.isoformat(),
            "last_seen_at": alert.last_seen_at.isoformat(),
            "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        },
    }


def _subject(alert: Alert, event: str) -> str:
    where = alert.connection.name if alert.connection else alert.tenant.name
    prefix = "Resolved: " if event == "resolved" else ""
    return f"[Integration hub] {prefix}{where}: {alert.get_condition_display()}"


def _body(alert: Alert, event: str) -> str:
    where = f"Connection: {alert.connection.name}\n" if alert.connection else ""
    lines = [f"Tenant: {alert.tenant.name}", where.rstrip("\n")]
    if event == "resolved":
        lines += ["", "This has cleared:", alert.message]
    else:
        lines += ["", alert.message]
        if alert.action:
            lines += ["", f"What to do: {alert.action}"]
    base = getattr(settings, "PUBLIC_BASE_URL", "")
    if base:
        lines += ["", f"Alerts: {base.rstrip('/')}/alerts/"]
    return "\n".join(line for line in lines if line is not None) + "\n"


def alert_email_send(*, alert: Alert, event: str) -> int:
    """The e-mail to the tenant's managers; how many addresses it went to (0: e-mail off)."""
    if not alert_settings_for(tenant=alert.tenant).email_enabled:
        return 0
    recipients = alert_recipients(tenant=alert.tenant)
    if not recipients:
        return 0
    # One message per manager: no manager sees the others' addresses.
    for address in recipients:
        send_mail(_subject(alert, event), _body(alert, event), None, [address])
    return len(recipients)


def alert_webhook_send(*, alert: Alert, event: str, timestamp: str | None = None) -> int | None:
    """The signed POST to the tenant's webhook; None when it has none."""
    current = alert_settings_for(tenant=alert.tenant)
    if not current.webhook_url or not current.webhook_secret:
        return None
    return webhook_post(
        url=current.webhook_url,
        secret=current.webhook_secret,
        timestamp=timestamp or str(int(time.time())),
        event=f"alert.{event}",
        payload=alert_payload(alert=alert, event=event),
    )
