"""The "webhook deactivated" alert: raised when the check finds hooks BigCommerce deactivated,
resolved once they are all active again.

HOOK POINT: the alerts package (`connections.alerts`, `alert_raise` / `alert_resolve`) is
called when it is installed; without it the condition is only logged.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

CONDITION = "webhook_deactivated"


def _alerts():
    try:
        from connections import alerts
    except ImportError:
        return None
    if not hasattr(alerts, "alert_raise"):
        return None
    return alerts


def webhook_alert_raise(*, connection, count: int) -> None:
    message = (
        f"BigCommerce deactivated {count} of the store's webhooks after failed deliveries; the "
        "hub re-enabled them. Orders changed meanwhile are imported by the regular schedule."
    )
    logger.warning("Connection %s: %s", connection.pk, message)
    alerts = _alerts()
    if alerts is not None:
        alerts.alert_raise(connection=connection, condition=CONDITION, message=message)


def webhook_alert_resolve(*, connection) -> None:
    alerts = _alerts()
    if alerts is not None:
        alerts.alert_resolve(connection=connection, condition=CONDITION)
