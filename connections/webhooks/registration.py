"""Registering a connection's hooks in its store (`/v3/hooks`), removing them, rotating the
secret, and the periodic check that re-enables or re-creates hooks BigCommerce deactivated.

Network calls happen in tasks (`tasks.py`), never inside a request's transaction.
"""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..bigcommerce.errors import BigCommerceError, NotFoundError
from .alerting import webhook_alert_raise, webhook_alert_resolve
from .models import WebhookSubscription, new_secret
from .signals import webhooks_health_changed

logger = logging.getLogger(__name__)

#: What the hub subscribes to: orders (created, edited, status changed, archived), products
#: edited and stock changed (per variant or per product).
SCOPES = (
    "store/order/created",
    "store/order/updated",
    "store/order/statusUpdated",
    "store/order/archived",
    "store/product/updated",
    "store/sku/inventory/updated",
    "store/product/inventory/updated",
)
#: The custom header carrying the connection's secret in every callback.
SECRET_HEADER = "X-Hub-Webhook-Secret"


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _store_api_on_loopback() -> bool:
    """The stores are a sandbox on this machine (BigCommerce itself calls only https)."""
    return _loopback(urlsplit(settings.BIGCOMMERCE_API_URL).hostname)


def public_base_url_problem() -> str:
    """Why callbacks cannot reach the hub ("" when PUBLIC_BASE_URL is usable)."""
    url = settings.PUBLIC_BASE_URL
    if not url:
        return (
            "Webhooks are off: the hub's public address is not set (setting PUBLIC_BASE_URL, "
            "e.g. https://hub.example.com). Ask the hub's administrator to set it, then press "
            "Register webhooks. Orders still arrive on the regular schedule."
        )
    parts = urlsplit(url)
    if parts.scheme == "http" and _loopback(parts.hostname) and _store_api_on_loopback():
        return ""  # a local sandbox store (the demo): it calls plain http on this machine
    if parts.scheme != "https" or not parts.hostname or parts.port not in (None, 443):
        return (
            f"Webhooks are off: the hub's public address {url!r} (setting PUBLIC_BASE_URL) is "
            "not an https address on port 443, the only kind BigCommerce calls. Ask the hub's "
            "administrator to fix it, then press Register webhooks."
        )
    return ""


def subscription_for(*, connection) -> WebhookSubscription:
    sub, _ = WebhookSubscription.objects.get_or_create(connection=connection)
    return sub


def destination_for(sub: WebhookSubscription) -> str:
    path = reverse("webhook-receive", kwargs={"key": sub.key})
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def _client(connection, client):
    if client is not None:
        return client, False
    from ..services import bigcommerce_client_for

    return bigcommerce_client_for(connection=connection), True


def _payload(sub: WebhookSubscription, scope: str, destination: str) -> dict:
    return {
        "scope": scope,
        "destination": destination,
        "is_active": True,
        "events_history_enabled": False,
        "headers": {SECRET_HEADER: sub.secret},
    }


def _save(sub: WebhookSubscription, **fields) -> None:
    for key, value in fields.items():
        setattr(sub, key, value)
    WebhookSubscription.objects.filter(pk=sub.pk).update(**fields)


def _failed(sub: WebhookSubscription, exc: Exception, doing: str) -> None:
    message = f"BigCommerce did not accept the webhooks ({doing}): {exc}"
    if not isinstance(exc, BigCommerceError):
        message = f"The webhooks could not be {doing}: {exc}"
    logger.warning("Connection %s: %s", sub.connection_id, message)
    _save(sub, state=WebhookSubscription.State.ERROR, error=message[:2000])
    _health(sub)


def _health(sub: WebhookSubscription) -> None:
    healthy = sub.state == WebhookSubscription.State.REGISTERED
    webhooks_health_changed.send(
        sender=WebhookSubscription, connection=sub.connection, healthy=healthy
    )


def webhooks_register(*, connection, client=None) -> WebhookSubscription:
    """Make the store's hooks match SCOPES at this connection's URL and secret: create the
    missing, re-enable or update the rest, delete ours that no longer fit. Idempotent."""
    sub = subscription_for(connection=connection)
    sub.connection = connection
    problem = public_base_url_problem()
    if problem:
        _save(sub, state=WebhookSubscription.State.ERROR, error=problem)
        _health(sub)
        return sub
    destination = destination_for(sub)
    client, own = _client(connection, client)
    try:
        existing = client.list_webhooks()
        mine = {h["scope"]: h for h in existing if h.get("destination") == destination}
        ids = {}
        for scope in SCOPES:
            hook = mine.get(scope)
            payload = _payload(sub, scope, destination)
            if hook is None:
                hook = client.create_webhook(payload)
            elif not hook.get("is_active") or (hook.get("headers") or {}) != payload["headers"]:
                hook = client.update_webhook(hook["id"], payload)
            ids[scope] = int(hook["id"])
        # Ours at an older address (PUBLIC_BASE_URL or the key changed) or of a dropped scope.
        known = {int(i) for i in (sub.hook_ids or {}).values()}
        stale = [
            h
            for h in existing
            if int(h["id"]) not in ids.values()
            and (int(h["id"]) in known or h.get("destination") == destination)
        ]
        for hook in stale:
            _delete(client, hook["id"])
    except (BigCommerceError, ValueError) as exc:
        _failed(sub, exc, "registered")
        return sub
    finally:
        if own:
            client.close()
    _save(
        sub,
        state=WebhookSubscription.State.REGISTERED,
        error="",
        hook_ids=ids,
        registered_at=timezone.now(),
        checked_at=timezone.now(),
        deactivated_now=0,
    )
    _health(sub)
    return sub


def _delete(client, hook_id) -> None:
    try:
        client.delete_webhook(int(hook_id))
    except NotFoundError:
        pass  # gone already


def webhooks_remove(*, connection, client=None) -> WebhookSubscription | None:
    """Delete the connection's hooks from its store (disable, delete). A store that refuses is
    logged and noted on the connection: its callbacks are answered but queue nothing."""
    sub = WebhookSubscription.objects.filter(connection=connection).first()
    if sub is None:
        return None
    sub.connection = connection
    ids = {int(i) for i in (sub.hook_ids or {}).values()}
    try:
        client, own = _client(connection, client)
    except ValueError as exc:
        _failed(sub, exc, "removed")
        return sub
    try:
        destination = destination_for(sub) if settings.PUBLIC_BASE_URL else None
        for hook in client.list_webhooks():
            if int(hook["id"]) in ids or hook.get("destination") == destination:
                _delete(client, hook["id"])
    except BigCommerceError as exc:
        _failed(sub, exc, "removed")
        return sub
    finally:
        if own:
            client.close()
    _save(sub, state=WebhookSubscription.State.OFF, error="", hook_ids={}, deactivated_now=0)
    _health(sub)
    return sub


def webhooks_sync(*, connection, client=None) -> WebhookSubscription | None:
    """Registered while the connection is active, removed otherwise."""
    if connection.is_active:
        return webhooks_register(connection=connection, client=client)
    return webhooks_remove(connection=connection, client=client)


def webhook_secret_rotate(*, connection) -> WebhookSubscription:
    """A new secret; the hooks are re-registered with it (after commit, by the sync task)."""
    from .tasks import webhooks_sync_enqueue

    sub = subscription_for(connection=connection)
    sub.secret = new_secret()
    sub.save(update_fields=["secret"])
    if connection.is_active:
        _save(sub, state=WebhookSubscription.State.PENDING)
    webhooks_sync_enqueue(connection_id=connection.pk)
    return sub


def webhooks_check(*, connection, client=None) -> WebhookSubscription | None:
    """The periodic check: hooks BigCommerce deactivated (after repeated failed deliveries)
    are re-enabled, missing ones re-created; the "webhook deactivated" alert is raised when
    some were found, resolved when all are active."""
    sub = WebhookSubscription.objects.filter(connection=connection).first()
    if sub is None or not connection.is_active:
        return sub
    sub.connection = connection
    if sub.state != WebhookSubscription.State.REGISTERED:
        # Never registered, or it failed: try again (PUBLIC_BASE_URL may be set by now).
        return webhooks_register(connection=connection, client=client)
    destination = destination_for(sub)
    client, own = _client(connection, client)
    deactivated = 0
    try:
        hooks = {
            h["scope"]: h for h in client.list_webhooks() if h.get("destination") == destination
        }
        ids = dict(sub.hook_ids or {})
        for scope in SCOPES:
            hook = hooks.get(scope)
            payload = _payload(sub, scope, destination)
            if hook is None:
                ids[scope] = int(client.create_webhook(payload)["id"])
            elif not hook.get("is_active"):
                deactivated += 1
                client.update_webhook(hook["id"], payload)
    except BigCommerceError as exc:
        _failed(sub, exc, "checked")
        return sub
    finally:
        if own:
            client.close()
    _save(
        sub,
        hook_ids=ids,
        checked_at=timezone.now(),
        deactivated_now=deactivated,
        deactivated_count=sub.deactivated_count + deactivated,
    )
    if deactivated:
        webhook_alert_raise(connection=connection, count=deactivated)
    else:
        webhook_alert_resolve(connection=connection)
    _health(sub)
    return sub
