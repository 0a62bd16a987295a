"""The nightly retention: per tenant, run log entries older than the tenant's
`log_retention_days` are deleted, then each registered retention step runs (connections.hooks:
orders anonymises old personal data). Everything in batches, so that no transaction or lock is
huge; what was removed is logged and written to the tenant's audit trail."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from connections.audit import audit_record
from connections.hooks import retention_steps
from connections.models import AuditEvent, Tenant

from ..models import ApiUsageHour, LogEntry

log = logging.getLogger(__name__)


def logs_purge(*, tenant: Tenant, now: datetime | None = None, batch_size: int = 5000) -> int:
    """Delete the tenant's log entries older than its retention period; how many were deleted."""
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    cutoff = (now or timezone.now()) - timedelta(days=tenant.log_retention_days)
    entries = LogEntry.objects.filter(
        run__dataflow__connection__tenant=tenant, created_at__lt=cutoff
    )
    deleted = 0
    while True:
        ids = list(entries.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        deleted += LogEntry.objects.filter(pk__in=ids).delete()[0]


#: The dashboard charts the last 48 hours of API usage: kept at least this long.
USAGE_KEPT_DAYS_MIN = 3


def usage_purge(*, tenant: Tenant, now: datetime | None = None) -> int:
    """Delete the tenant's API usage rows older than its run logs' retention period."""
    days = max(tenant.log_retention_days, USAGE_KEPT_DAYS_MIN)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return ApiUsageHour.objects.filter(connection__tenant=tenant, hour__lt=cutoff).delete()[0]


def retention_apply(*, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Apply every tenant's retention settings; {tenant name: {what: how many}} of the tenants
    where something was removed."""
    now = now or timezone.now()
    done: dict[str, dict[str, int]] = {}
    for tenant in Tenant.objects.order_by("pk"):
        removed = {
            "log_entries": logs_purge(tenant=tenant, now=now),
            "api_usage_hours": usage_purge(tenant=tenant, now=now),
        }
        for step in retention_steps():
            removed.update(step(tenant=tenant, now=now))
        removed = {what: count for what, count in removed.items() if count}
        if removed:
            done[tenant.name] = removed
            log.info("retention: tenant %s: removed %s", tenant.pk, removed)
            audit_record(action=AuditEvent.Action.RETENTION_APPLIED, tenant=tenant, details=removed)
    return done
