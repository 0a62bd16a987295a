"""Accepting one callback: who it is for, the secret, the body, duplicates, the handlers."""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import WebhookDelivery, WebhookSubscription
from .registry import webhook_handlers_for

logger = logging.getLogger(__name__)

#: Deliveries are remembered this long for deduplication (BigCommerce retries for ~48 h).
DEDUPE_DAYS = 3
_DUMMY_SECRET = "x" * 43


@dataclass(frozen=True)
class Outcome:
    status: int
    message: str
    duplicate: bool = False
    handled: int = 0


def _secret_ok(provided: str, expected: str) -> bool:
    return hmac.compare_digest(provided.encode(), expected.encode())


def _parse(raw: bytes) -> dict | str:
    """The callback, or what is wrong with it (said to whoever sent it)."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return f"The body is not valid JSON ({exc}); a BigCommerce webhook callback is expected."
    if not isinstance(body, dict):
        return "The body must be a JSON object (a BigCommerce webhook callback)."
    for key, kind in (("scope", str), ("hash", str), ("data", dict), ("producer", str)):
        if not isinstance(body.get(key), kind) or (kind is str and not body[key]):
            return f"The callback has no valid '{key}' field."
    if len(body["hash"]) > 64 or len(body["scope"]) > 100:
        return "The callback's 'hash' or 'scope' is too long."
    return body


def webhook_receive(*, key: str, secret: str, raw_body: bytes) -> Outcome:
    """One callback to `/bigcommerce/webhooks/<key>`. Wrong key or secret: 401 and nothing
    recorded; a bad body: 400; a duplicate (same `hash`): 200, nothing queued again."""
    sub = (
        WebhookSubscription.objects.select_related("connection").filter(key=key[:32]).first()
        if key
        else None
    )
    if sub is None or sub.secret_needs_reentry or not sub.secret:
        _secret_ok(secret, _DUMMY_SECRET)  # the same work as a known key
        logger.warning("Webhook callback refused: unknown connection key")
        return Outcome(401, "Unknown webhook address or wrong secret.")
    if not _secret_ok(secret, sub.secret):
        logger.warning("Webhook callback refused: wrong secret (connection %s)", sub.connection_id)
        return Outcome(401, "Unknown webhook address or wrong secret.")
    body = _parse(raw_body)
    if isinstance(body, str):
        return Outcome(400, body)
    connection = sub.connection
    if body["producer"] != f"stores/{connection.store_hash}":
        logger.warning(
            "Webhook callback refused: producer %r is not connection %s's store",
            body["producer"][:100],
            connection.pk,
        )
        return Outcome(400, "The callback is from another store than this connection's.")
    now = timezone.now()
    WebhookSubscription.objects.filter(pk=sub.pk).update(last_delivery_at=now)
    if not connection.is_active:
        return Outcome(200, "The connection is disabled: nothing queued.")
    handlers = webhook_handlers_for(body["scope"])
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(
                connection=connection, hash=body["hash"], scope=body["scope"]
            )
            for handler in handlers:
                handler(connection=connection, scope=body["scope"], data=body["data"])
    except IntegrityError:
        return Outcome(200, "Already received.", duplicate=True)
    return Outcome(200, "Received.", handled=len(handlers))


def webhook_deliveries_forget(*, days: int = DEDUPE_DAYS) -> int:
    """Deliveries older than `days` (their duplicates no longer come)."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = WebhookDelivery.objects.filter(received_at__lt=cutoff).delete()
    return deleted
