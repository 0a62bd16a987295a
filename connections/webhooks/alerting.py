"""The "webhook deactivated" alert (connections.alerts): raised when the check finds hooks
BigCommerce deactivated, resolved once a later check finds them all active."""

from __future__ import annotations

import logging

from ..alerts.services import alert_raise, alert_resolve

logger = logging.getLogger(__name__)

CONDITION = "webhook_deactivated"


def webhook_alert_raise(*, connection, count: int) -> None:
    message = (
        f"BigCommerce deactivated {count} of the store's webhooks after repeated failed "
        "deliveries; the hub re-enabled them. Orders changed meanwhile arrive with the "
        "regular schedule."
    )
    logger.warning("Connection %s: %s", connection.pk, message)
    alert_raise(
        connection=connection,
        condition=CONDITION,
        message=message,
        action="Check that the hub's public address answers BigCommerce (HTTPS, port 443).",
    )


def webhook_alert_resolve(*, connection) -> None:
    alert_resolve(connection=connection, condition=CONDITION)
