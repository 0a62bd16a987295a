"""API usage per connection and UTC hour (the dashboard's "API requests per hour" chart): the
runs add what they spent in one upsert per run and per hour they span, not one per request."""

import logging
from datetime import UTC, datetime

from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone

from .bulk import db_datetime
from .models import ApiUsageHour

logger = logging.getLogger(__name__)


def hour_start(moment: datetime) -> datetime:
    """The start of the UTC hour `moment` (aware) falls in."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def api_usage_record(
    *,
    connection_id: int,
    requests: int,
    throttled: int = 0,
    quota_per_hour: int | None = None,
    at: datetime | None = None,
) -> None:
    """Add `requests` (and `throttled` 429 answers) to the connection's row of the hour of
    `at` (now by default), creating it: one INSERT … ON CONFLICT DO UPDATE."""
    if requests <= 0 and throttled <= 0:
        return
    quote = db_connection.ops.quote_name
    table = quote(ApiUsageHour._meta.db_table)
    sql = (
        f"INSERT INTO {table} (connection_id, hour, requests, throttled, quota_per_hour) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (connection_id, hour) DO UPDATE SET "
        f"requests = {table}.requests + EXCLUDED.requests, "
        f"throttled = {table}.throttled + EXCLUDED.throttled, "
        f"quota_per_hour = COALESCE(EXCLUDED.quota_per_hour, {table}.quota_per_hour)"
    )
    hour = db_datetime(hour_start(at or timezone.now()))
    with db_connection.cursor() as cursor:
        cursor.execute(
            sql, [connection_id, hour, max(0, requests), max(0, throttled), quota_per_hour]
        )


def api_usage_record_safely(**kwargs) -> None:
    """The same, never failing the caller (a run's end matters more than its usage row)."""
    try:
        with transaction.atomic():  # a savepoint: a failure leaves the caller's transaction usable
            api_usage_record(**kwargs)
    except Exception:
        logger.warning("Could not record API usage %s", kwargs, exc_info=True)
