"""The audit trail: who changed a connection's credentials or settings, enabled, disabled,
synchronized or deleted it, ignored one of its errors, installed or uninstalled the app.

Every layer records through ``audit_record`` (connections in its services, the engine and
orders in their views and services). The details never hold a secret: keys that name one are
dropped, whatever the caller passes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import AuditEvent, Connection, Tenant

Action = AuditEvent.Action

#: Keys whose values are secrets (or one-time codes): never written to the trail.
_SECRET_WORDS = ("token", "secret", "password", "jwt")
_SECRET_KEYS = {"code", "key", "authorization"}
#: The newest events shown on the connection page.
PANEL_EVENTS = 20


def _is_secret(key: str) -> bool:
    key = key.lower()
    return key in _SECRET_KEYS or any(word in key for word in _SECRET_WORDS)


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _scrub(v) for k, v in value.items() if not _is_secret(str(k))}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # dates, decimals: as text, the JSON field takes no objects


def audit_record(
    *,
    action: str,
    connection: Connection | None = None,
    tenant: Tenant | None = None,
    user=None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one event: ``action`` is an ``AuditEvent.Action``; ``user`` the hub user who did it
    (None for BigCommerce or the hub itself); the tenant defaults to the connection's."""
    if tenant is None:
        if connection is None:
            raise ValueError("An audit event needs a connection or a tenant.")
        tenant = connection.tenant
    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        tenant=tenant,
        connection=connection,
        connection_name=connection.name if connection is not None else "",
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        action=Action(action),
        details=_scrub(details or {}),
    )


def audit_events_for_connection(*, connection: Connection) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(connection=connection).select_related("actor")
