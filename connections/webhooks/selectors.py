"""Reads of the webhooks, for the dashboard and the connection's page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .models import WebhookSubscription
from .registration import SCOPES


@dataclass(frozen=True)
class WebhookHealth:
    state: str
    state_label: str
    registered: int  # hooks registered, of `wanted`
    wanted: int
    active: bool  # registered and none found deactivated at the last check
    last_delivery_at: datetime | None
    checked_at: datetime | None
    deactivated_count: int  # found deactivated (and re-enabled) so far
    error: str


def webhooks_healthy(*, connection) -> bool:
    """Registered (the polling may slow down)."""
    return WebhookSubscription.objects.filter(
        connection=connection, state=WebhookSubscription.State.REGISTERED
    ).exists()


def webhook_health(*, connection) -> WebhookHealth:
    sub = WebhookSubscription.objects.filter(connection=connection).first()
    return webhook_health_of(subscription=sub or WebhookSubscription(connection=connection))


def webhook_health_of(*, subscription: WebhookSubscription) -> WebhookHealth:
    """The health of a subscription already read (the dashboard reads them all at once)."""
    sub = subscription
    registered = len(sub.hook_ids or {}) if sub.state == WebhookSubscription.State.REGISTERED else 0
    return WebhookHealth(
        state=sub.state,
        state_label=sub.get_state_display(),
        registered=registered,
        wanted=len(SCOPES),
        active=registered == len(SCOPES) and not sub.deactivated_now,
        last_delivery_at=sub.last_delivery_at,
        checked_at=sub.checked_at,
        deactivated_count=sub.deactivated_count,
        error=sub.error,
    )
