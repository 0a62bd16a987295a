"""Old log entries are deleted after the retention period."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..models import LogEntry


def logs_purge(*, older_than_days: int | None = None, batch_size: int = 5000) -> int:
    """Delete log entries past the retention period (LOG_RETENTION_DAYS), in batches so that
    no transaction or lock is huge. Returns how many were deleted."""
    days = settings.LOG_RETENTION_DAYS if older_than_days is None else older_than_days
    if days < 0 or batch_size < 1:
        raise ValueError("older_than_days must be >= 0 and batch_size >= 1")
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        ids = list(
            LogEntry.objects.filter(created_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        deleted += LogEntry.objects.filter(pk__in=ids).delete()[0]
