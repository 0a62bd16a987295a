"""API usage per connection and UTC hour: one upsert adds to the hour's row, and a run records
what its client spent at its end (and at each hour it spans), not per request."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from dataflows.models import ApiUsageHour, Dataflow, Run
from dataflows.services.recording import finish
from dataflows.usage import api_usage_record, hour_start

NOW = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def test_the_hour_is_the_utc_hour_of_an_aware_time():
    from zoneinfo import ZoneInfo

    local = datetime(2026, 12, 3, 3, 45, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert hour_start(local) == datetime(2026, 12, 2, 14, tzinfo=UTC)


def test_recording_adds_to_the_hours_row_in_one_statement(connection):
    api_usage_record(connection_id=connection.pk, requests=10, at=NOW)
    with CaptureQueriesContext(db_connection) as captured:
        api_usage_record(
            connection_id=connection.pk, requests=5, throttled=1, quota_per_hour=18000, at=NOW
        )
    assert len(captured) == 1
    row = ApiUsageHour.objects.get(connection=connection)
    assert (row.hour, row.requests, row.throttled, row.quota_per_hour) == (
        datetime(2026, 12, 2, 14, tzinfo=UTC),
        15,
        1,
        18000,
    )


def test_a_new_hour_gets_its_own_row_and_the_quota_is_kept_when_unknown(connection):
    api_usage_record(connection_id=connection.pk, requests=3, quota_per_hour=54000, at=NOW)
    api_usage_record(connection_id=connection.pk, requests=4, at=NOW)
    api_usage_record(connection_id=connection.pk, requests=7, at=NOW + timedelta(hours=1))
    rows = list(ApiUsageHour.objects.filter(connection=connection).order_by("hour"))
    assert [(r.requests, r.quota_per_hour) for r in rows] == [(7, 54000), (7, None)]


def test_nothing_spent_writes_nothing(connection):
    api_usage_record(connection_id=connection.pk, requests=0, at=NOW)
    assert not ApiUsageHour.objects.exists()


def test_the_client_tells_the_stores_quota_per_hour():
    from connections.bigcommerce.client import ClientStats

    assert ClientStats().quota_per_hour is None
    assert ClientStats(quota=150, window_ms=30000).quota_per_hour == 18000


def _running(connection) -> Run:
    from django.utils import timezone

    from dataflows.services import _claim

    dataflow = Dataflow.objects.get(connection=connection, kind="order_import")
    run = Run.objects.create(
        dataflow=dataflow,
        trigger=Run.Trigger.MANUAL,
        status=Run.Status.RUNNING,
        started_at=timezone.now(),
    )
    assert _claim(run=run, lease_seconds=60)
    return run


def test_a_run_spanning_an_hour_gives_the_past_hour_its_requests(connection):
    from dataflows.context import RunContext

    run = _running(connection)
    stats = SimpleNamespace(requests=0, http_429=0, quota_per_hour=None)
    ctx = RunContext(
        run=run, dataflow=run.dataflow, client=SimpleNamespace(stats=stats), lease_seconds=60
    )
    from django.utils import timezone

    past = hour_start(timezone.now()) - timedelta(hours=1)
    ctx._usage_hour = past  # the run started in an hour that has ended since
    stats.requests = 25
    with CaptureQueriesContext(db_connection) as captured:
        ctx.progress(done=1)
        ctx.progress(done=2)  # same hour now: no usage write
    assert sum("apiusagehour" in q["sql"].lower() for q in captured) == 1
    row = ApiUsageHour.objects.get(connection=connection)
    assert (row.hour, row.requests) == (past, 25)


def test_a_runs_end_records_the_requests_its_client_sent(connection):
    from dataflows.context import RunContext

    claimed = _running(connection)
    dataflow = claimed.dataflow
    stats = SimpleNamespace(requests=100, http_429=0, quota_per_hour=None)
    ctx = RunContext(
        run=claimed, dataflow=dataflow, client=SimpleNamespace(stats=stats), lease_seconds=60
    )
    stats.requests, stats.http_429, stats.quota_per_hour = 142, 3, 18000  # this run: 42, 3
    finish(claimed, Run.Status.SUCCEEDED, "", ctx=ctx)
    row = ApiUsageHour.objects.get(connection=connection)
    assert (row.requests, row.throttled, row.quota_per_hour) == (42, 3, 18000)
    assert Run.objects.get(pk=claimed.pk).api_requests == 42


def test_the_nightly_retention_drops_usage_older_than_the_run_logs(connection):
    from dataflows.services import retention_apply

    connection.tenant.log_retention_days = 30
    connection.tenant.save()
    api_usage_record(connection_id=connection.pk, requests=5, at=NOW - timedelta(days=31))
    api_usage_record(connection_id=connection.pk, requests=6, at=NOW - timedelta(days=29))
    done = retention_apply(now=NOW)
    assert done[connection.tenant.name]["api_usage_hours"] == 1
    assert list(ApiUsageHour.objects.values_list("requests", flat=True)) == [6]
